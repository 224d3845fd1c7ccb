"""The three recurrent cells, each written once: Elman (notebook 02), LSTM (13) and GRU (14).

A cell is what one time step computes. Every cell splits that step the same way PyTorch's
``aten/src/ATen/native/RNN.cpp`` does (``SimpleCell``, ``LSTMCell``, ``GRUCell``):

1. the **input part** ``x_t @ w_ih.T + b_ih``, which needs only ``x_t``, so a layer computes it for every
   step at once, before its loop (notebook 05: "hoisting"); and
2. the **recurrent part**, which needs the previous state: ``Cell.forward_step``.

``w_ih`` stacks the weights of every gate on top of each other, in PyTorch's order, so one matrix
product serves all gates (``gates`` rows of ``hidden_size`` each):

=========  =====  ===============================================  =======================
cell       gates  rows of ``w_ih`` / ``w_hh``, in order              state
=========  =====  ===============================================  =======================
Elman      1      ``W``                                            ``h``
LSTM       4      ``W_i, W_f, W_g, W_o`` (input, forget, cell, out) ``(h, c)``
GRU        3      ``W_r, W_z, W_n`` (reset, update, new)           ``h``
=========  =====  ===============================================  =======================

Each cell also writes its step **backwards**, by hand (notebooks 09 and 13): ``Cell.backward_step``
turns the gradient reaching the step's new state into the gradients of the step's two gate inputs
(input part and recurrent part) and of the previous state. The layer engine (``engine.py``) walks
these steps over a sequence in both directions; nothing here knows about sequences, batches that
shrink (packing) or layers.

The public functions ``rnn_cell``, ``lstm_cell`` and ``gru_cell`` (``functional.py``) check their arguments
and run one step through the engine; the modules ``ManualRNNCell``, ``ManualLSTMCell`` and ``ManualGRUCell``
check theirs and make the same unchecked engine call (``functional.step``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from ._checks import check_nonlinearity, check_same_dtype, check_shape


# The derivative of each nonlinearity, written from its OUTPUT y, with ATen's fused backward kernels
# (the ones autograd itself runs): one pass over memory instead of three. ``out`` may be ``grad``.


def tanh_grad(grad: Tensor, y: Tensor, out: Tensor) -> Tensor:
    """``out = grad * (1 - y**2)``: through ``y = tanh(a)``."""
    return torch.ops.aten.tanh_backward.grad_input(grad, y, grad_input=out)


def sigmoid_grad(grad: Tensor, y: Tensor, out: Tensor) -> Tensor:
    """``out = grad * y * (1 - y)``: through ``y = sigmoid(a)``."""
    return torch.ops.aten.sigmoid_backward.grad_input(grad, y, grad_input=out)


def relu_grad(grad: Tensor, y: Tensor, out: Tensor) -> Tensor:
    """``out = grad * (y > 0)``: through ``y = relu(a)`` (relu'(a) = 1 where a > 0, i.e. where y > 0)."""
    return torch.ops.aten.threshold_backward.grad_input(grad, y, 0, grad_input=out)


class LayerWeights(NamedTuple):
    """The parameters of one layer in one direction, named as in ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.

    w_ih: (gates * hidden_size, input_size)     ``weight_ih_l{k}[_reverse]``
    w_hh: (gates * hidden_size, hidden_size)    ``weight_hh_l{k}[_reverse]`` (``proj_size`` columns
        for an LSTM with projections)
    b_ih, b_hh: (gates * hidden_size,) or None  ``bias_ih_l{k}[_reverse]``, ``bias_hh_l{k}[_reverse]``

    gates = 1 (Elman), 4 (LSTM), 3 (GRU). A ``NamedTuple``, so ``rnn_cell(x_t, h, *weights)`` works.
    An LSTM with ``proj_size > 0`` has a fifth parameter, ``weight_hr_l{k}``: see ``LSTMWeights``.
    """

    w_ih: Tensor
    w_hh: Tensor
    b_ih: Tensor | None = None
    b_hh: Tensor | None = None

    @property
    def hidden_size(self) -> int:
        """Rows of ``w_ih`` per gate, assuming one gate (Elman); use ``w_ih.shape[0] // gates`` otherwise."""
        return self.w_ih.shape[0]

    @property
    def input_size(self) -> int:
        return self.w_ih.shape[1]


class LSTMWeights(NamedTuple):
    """The parameters of one LSTM layer and direction with projections (``proj_size > 0``).

    As ``LayerWeights``, plus w_hr: (proj_size, hidden_size), ``weight_hr_l{k}[_reverse]``, which maps
    every step's ``o * tanh(c)`` (hidden_size) down to the ``h`` that is output and fed back (proj_size).
    ``lstm_layer(x, state0, *weights)`` works with either.
    """

    w_ih: Tensor
    w_hh: Tensor
    b_ih: Tensor | None = None
    b_hh: Tensor | None = None
    w_hr: Tensor | None = None


def activation(nonlinearity: str):
    """Return the function for ``nonlinearity`` (``'tanh'`` or ``'relu'``), as nn.RNN names it."""
    check_nonlinearity(nonlinearity)
    return torch.tanh if nonlinearity == "tanh" else torch.relu


class StepWeights(NamedTuple):
    """What a cell's recurrent step reads, prepared once per layer (not once per step).

    w_hh: (gates * hidden, recurrent) as stored; w_hh_t: its transpose, made contiguous once, for the
    per-step product ``h @ w_hh.T``; b_hh: (gates * hidden,) or None (only the GRU keeps it in the step);
    w_hr / w_hr_t: the LSTM projection (proj_size, hidden) and its transpose, or None.
    """

    w_hh: Tensor
    w_hh_t: Tensor
    b_hh: Tensor | None
    w_hr: Tensor | None
    w_hr_t: Tensor | None


class Cell:
    """One kind of recurrent step. Subclasses: ``Elman``, ``LSTM``, ``GRU``.

    Attributes every cell defines:
      mode: PyTorch's name for it (``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"``, ``"GRU"``).
      gates: blocks of ``hidden_size`` rows in ``w_ih``, ``w_hh`` and the biases.
      num_states: 1 (``h``) or 2 (``h, c``).
      bias_hh_in_input_part: True when ``b_hh`` is simply added like ``b_ih``, so the layer may fold it
        into the input part (Elman, LSTM); False for the GRU, whose ``b_hn`` sits inside the reset gate's
        product ``r * (h @ W_hn.T + b_hn)``.
      output_is_input_part: True when the step's new ``h`` can overwrite its own input part in place
        (Elman: one gate, no projection), which saves a buffer.

    Per step, with ``bs`` the number of sequences still running at this step:
      ``forward_step(g, prev, new, w, saved)``: ``g`` (bs, gates * hidden) holds the input part and is
        overwritten with what ``backward_step`` needs (the gate activations); ``prev`` is the previous
        state, a tuple of (bs, ·) tensors; the new state is written into the tensors of ``new``; ``saved``
        is a dict of this step's rows of the extra buffers the cell asked for (``extra_buffers``).
      ``backward_step(grad_new, g, prev, new, w, saved, grad_g, grad_gh)``: ``grad_new`` is the gradient
        reaching the new state (a tuple like ``new``); writes the gradient of the input part into
        ``grad_g`` and of the recurrent part (``prev_h @ w_hh.T + b_hh``) into ``grad_gh`` (the same
        tensor when the two are equal: ``grad_input_part_is_grad_recurrent``); returns
        ``(grad_prev, grad_total)``: the gradient of the previous state (a tuple like ``prev``), and the
        total gradient of the new state (a tuple like ``new``): ``grad_new`` plus the paths inside the
        step itself (an LSTM's c_t also reaches the loss through its own h_t = o * tanh(c_t)).
    """

    mode: str
    gates: int
    num_states: int = 1
    bias_hh_in_input_part: bool = True
    output_is_input_part: bool = False
    grad_input_part_is_grad_recurrent: bool = True

    def extra_buffers(self, hidden_size: int, proj_size: int) -> dict[str, int]:
        """Extra per-row buffers the step saves for the backward pass: ``{name: width}``."""
        return {}

    def state_sizes(self, hidden_size: int, proj_size: int) -> tuple[int, ...]:
        """Widths of the state tensors: ``(h,)`` or ``(h, c)``; ``h`` is ``proj_size`` wide when projected."""
        return (proj_size or hidden_size,) * self.num_states

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Elman(Cell):
    """``h_t = act(x_t @ w_ih.T + b_ih + h_{t-1} @ w_hh.T + b_hh)``, act = tanh or relu (notebook 02)."""

    gates = 1
    output_is_input_part = True

    def __init__(self, nonlinearity: str = "tanh") -> None:
        check_nonlinearity(nonlinearity)
        self.nonlinearity = nonlinearity
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"

    def forward_step(self, g, prev, new, w, saved) -> None:
        (h_prev,), (h,) = prev, new  # h is g itself (output_is_input_part): (bs, hidden)
        h.addmm_(h_prev, w.w_hh_t)   # a_t = input part + h_{t-1} @ w_hh.T   (b_hh folded into the input part)
        if self.nonlinearity == "tanh":
            h.tanh_()                # h_t = tanh(a_t), in place
        else:
            h.relu_()

    def backward_step(self, grad_new, g, prev, new, w, saved, grad_g, grad_gh):
        (grad_h,), (h,) = grad_new, new
        if self.nonlinearity == "tanh":
            tanh_grad(grad_h, h, out=grad_g)  # dL/da_t = dL/dh_t * (1 - h_t^2)
        else:
            relu_grad(grad_h, h, out=grad_g)  # dL/da_t = dL/dh_t * (h_t > 0)
        return (grad_g @ w.w_hh,), grad_new  # dL/dh_{t-1} = dL/da_t @ w_hh

    def __repr__(self) -> str:
        return f"Elman({self.nonlinearity!r})"


class LSTM(Cell):
    """The LSTM step of ``nn.LSTM`` (notebook 13), gates in PyTorch's order i, f, g, o::

        i, f, g, o = (x_t @ w_ih.T + b_ih + h_{t-1} @ w_hh.T + b_hh).chunk(4, dim=1)
        i, f, o = sigmoid(i), sigmoid(f), sigmoid(o);   g = tanh(g)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)                  (then  h_t @ w_hr.T  with proj_size > 0)
    """

    mode = "LSTM"
    gates = 4
    num_states = 2

    def extra_buffers(self, hidden_size: int, proj_size: int) -> dict[str, int]:
        buffers = {"tanh_c": hidden_size}
        if proj_size:
            buffers["hc"] = hidden_size  # o * tanh(c), before the projection
        return buffers

    def state_sizes(self, hidden_size: int, proj_size: int) -> tuple[int, ...]:
        return (proj_size or hidden_size, hidden_size)

    def forward_step(self, g, prev, new, w, saved) -> None:
        (h_prev, c_prev), (h, c) = prev, new
        g.addmm_(h_prev, w.w_hh_t)  # all four gates' pre-activations: (bs, 4 * hidden)
        i, f, gg, o = g.chunk(4, dim=1)
        g[:, : 2 * i.shape[1]].sigmoid_()  # i and f are side by side: one pass
        gg.tanh_()
        o.sigmoid_()
        torch.mul(f, c_prev, out=c)     # c_t = f * c_{t-1}
        c.addcmul_(i, gg)               #     + i * g
        tanh_c = torch.tanh(c, out=saved["tanh_c"])
        if w.w_hr is None:
            torch.mul(o, tanh_c, out=h)  # h_t = o * tanh(c_t)
        else:
            torch.mm(torch.mul(o, tanh_c, out=saved["hc"]), w.w_hr_t, out=h)  # h_t = (o * tanh(c_t)) @ w_hr.T

    def backward_step(self, grad_new, g, prev, new, w, saved, grad_g, grad_gh):
        (grad_h, grad_c), (_, c_prev) = grad_new, prev
        i, f, gg, o = g.chunk(4, dim=1)  # the activations saved by forward_step
        tanh_c = saved["tanh_c"]
        if w.w_hr is not None:
            grad_h = grad_h @ w.w_hr                  # back through the projection: (bs, hidden)
        grad_i, grad_f, grad_gg, grad_o = grad_g.chunk(4, dim=1)
        torch.mul(grad_h, tanh_c, out=grad_o)         # dL/do = dL/dh * tanh(c)
        # dL/dc_t: what reaches c_t from step t+1 (grad_c) plus the way through h_t = o * tanh(c_t)
        grad_c = grad_c + tanh_grad(grad_h * o, tanh_c, out=torch.empty_like(tanh_c))
        torch.mul(grad_c, gg, out=grad_i)             # dL/di = dL/dc * g
        torch.mul(grad_c, c_prev, out=grad_f)         # dL/df = dL/dc * c_{t-1}
        grad_c_prev = grad_c * f                      # dL/dc_{t-1}: the additive path, scaled by f only
        torch.mul(grad_c, i, out=grad_gg)             # dL/dg = dL/dc * i
        # through the nonlinearities: sigmoid' = y (1 - y), tanh' = 1 - y^2
        sigmoid_grad(grad_i, i, out=grad_i)
        sigmoid_grad(grad_f, f, out=grad_f)
        tanh_grad(grad_gg, gg, out=grad_gg)
        sigmoid_grad(grad_o, o, out=grad_o)
        return (grad_g @ w.w_hh, grad_c_prev), (grad_new[0], grad_c)


class GRU(Cell):
    """The GRU step of ``nn.GRU`` (notebook 14), gates in PyTorch's order r, z, n, reset *after* the product::

        gi = x_t @ w_ih.T + b_ih;   gh = h_{t-1} @ w_hh.T + b_hh          (each (bs, 3 * hidden))
        r = sigmoid(gi_r + gh_r);   z = sigmoid(gi_z + gh_z)
        n = tanh(gi_n + r * gh_n)            # r multiplies h W_hn^T + b_hn, bias included
        h_t = (1 - z) * n + z * h_{t-1}
    """

    mode = "GRU"
    gates = 3
    bias_hh_in_input_part = False
    grad_input_part_is_grad_recurrent = False

    def extra_buffers(self, hidden_size: int, proj_size: int) -> dict[str, int]:
        return {"gh": 3 * hidden_size}  # the recurrent part; its n block (h W_hn^T + b_hn) is needed backwards

    def forward_step(self, g, prev, new, w, saved) -> None:
        (h_prev,), (h,) = prev, new
        gh = saved["gh"]
        if w.b_hh is None:
            torch.mm(h_prev, w.w_hh_t, out=gh)
        else:
            torch.addmm(w.b_hh, h_prev, w.w_hh_t, out=gh)  # (bs, 3 * hidden)
        hidden = h.shape[1]
        rz = g[:, : 2 * hidden].add_(gh[:, : 2 * hidden]).sigmoid_()  # r and z side by side: one pass
        r, z = rz[:, :hidden], rz[:, hidden:]
        n = g[:, 2 * hidden :].addcmul_(r, gh[:, 2 * hidden :]).tanh_()
        torch.sub(h_prev, n, out=h).mul_(z).add_(n)  # h_t = n + z * (h_{t-1} - n) = (1 - z) n + z h_{t-1}

    def backward_step(self, grad_new, g, prev, new, w, saved, grad_g, grad_gh):
        (grad_h,), (h_prev,) = grad_new, prev
        hidden = grad_h.shape[1]
        r, z, n = g.chunk(3, dim=1)
        gh_n = saved["gh"][:, 2 * hidden :]
        grad_r, grad_z, grad_n = grad_g.chunk(3, dim=1)
        # h_t = (1 - z) n + z h_{t-1}
        tanh_grad(grad_h * (1 - z), n, out=grad_n)      # dL/d(n's pre-activation)
        sigmoid_grad(grad_h * (h_prev - n), z, out=grad_z)  # dL/d(z's pre-activation)
        sigmoid_grad(grad_n * gh_n, r, out=grad_r)       # n's pre-activation holds r * gh_n
        # the recurrent part's gradient: the same for r and z, but n's is scaled by r (r * gh_n)
        grad_gh[:, : 2 * hidden].copy_(grad_g[:, : 2 * hidden])
        torch.mul(grad_n, r, out=grad_gh[:, 2 * hidden :])
        return (torch.addmm(grad_h * z, grad_gh, w.w_hh),), grad_new  # dL/dh_{t-1}: directly (z h_{t-1}), via gh


def make_cell(mode: str) -> Cell:
    """The cell for PyTorch's mode name: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``."""
    if mode == "RNN_TANH":
        return Elman("tanh")
    if mode == "RNN_RELU":
        return Elman("relu")
    if mode == "LSTM":
        return LSTM()
    if mode == "GRU":
        return GRU()
    raise ValueError(f"mode: expected 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU', got {mode!r}")
