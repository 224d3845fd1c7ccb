"""The same Elman layer, rearranged (notebook 05): one concatenated matmul, a hoisted input projection,
and a hand-written inference loop that needs no allocation inside the loop.

All three compute exactly what ``rnn_layer`` computes; only the order of the work changes (and with it
the last float bits).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import check_nonlinearity, check_same_dtype, check_shape
from .cells import Elman, activation
from .functional import check_weights


def _prepare(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity):
    """Checked h0 (zeros if None), and the two biases summed once: (hidden_size,)."""
    check_nonlinearity(nonlinearity)
    hidden, _ = check_weights(Elman(nonlinearity), (w_ih, w_hh, b_ih, b_hh))
    check_shape("x", x, ("seq_len", "batch", w_ih.shape[1]))
    if x.shape[0] == 0:
        raise ValueError("x: expected a sequence of at least one step, got seq_len 0")
    if h0 is None:
        h0 = x.new_zeros(x.shape[1], hidden)
    check_shape("h0", h0, (x.shape[1], hidden))
    check_same_dtype(x=x, h0=h0, w_ih=w_ih, w_hh=w_hh, b_ih=b_ih, b_hh=b_hh)
    bias = torch.zeros(w_ih.shape[0], dtype=x.dtype, device=x.device)
    if b_ih is not None:
        bias = bias + b_ih
    if b_hh is not None:
        bias = bias + b_hh
    return h0, bias


def rnn_layer_concat(
    x: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """``rnn_layer`` with one matmul per step: ``[x_t, h_{t-1}] @ [w_ih, w_hh].T``.

    x: (seq_len, batch, input_size)   h0: (batch, hidden_size) or None
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)
    b_ih, b_hh: (hidden_size,) or None; added once as ``b_ih + b_hh``
    The stacked weight ``w = cat([w_ih, w_hh], dim=1)`` is (hidden_size, input_size + hidden_size)
    and the concatenated input ``cat([x_t, h], dim=1)`` is (batch, input_size + hidden_size).
    Returns (output (seq_len, batch, hidden_size), h_n (batch, hidden_size)).
    """
    h, bias = _prepare(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity)
    act = activation(nonlinearity)
    w = torch.cat([w_ih, w_hh], dim=1)  # (hidden, input + hidden)
    outputs = []
    for x_t in x:
        h = act(torch.cat([x_t, h], dim=1) @ w.T + bias)
        outputs.append(h)
    return torch.stack(outputs), h


def rnn_layer_hoisted(
    x: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """``rnn_layer`` with the input projection of every step done in one matmul before the loop.

    x: (seq_len, batch, input_size)   h0: (batch, hidden_size) or None
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)
    b_ih, b_hh: (hidden_size,) or None
    ``x @ w_ih.T + b_ih + b_hh`` is (seq_len, batch, hidden_size), computed once; the loop
    is left with only ``h @ w_hh.T``, the part that truly depends on the previous step.
    Returns (output (seq_len, batch, hidden_size), h_n (batch, hidden_size)).
    """
    h, bias = _prepare(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity)
    act = activation(nonlinearity)
    projected = x @ w_ih.T + bias  # (seq_len, batch, hidden): no dependence on h
    outputs = []
    for p_t in projected:
        h = act(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs), h


def rnn_layer_inference(
    x: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """The hoisted layer for inference, written so that the loop allocates nothing (no autograd).

    x: (seq_len, batch, input_size)   h0: (batch, hidden_size) or None
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)   b_ih, b_hh: (hidden_size,) or None
    Returns (output (seq_len, batch, hidden_size), h_n (batch, hidden_size)), like ``rnn_layer``.

    Three things make it fast: the input projection of every step is ONE product written straight
    into the preallocated output (``torch.addmm(..., out=output)``); ``w_hh.T`` is made contiguous once,
    not once per step; and each step works in place on its own rows of that output: ``addmm_`` adds
    ``h_{t-1} @ w_hh.T`` to them, ``tanh_`` turns them into h_t. Autograd refuses such a loop (an ``out=``
    product is not differentiable, and the in-place steps overwrite what a backward pass would need), so
    it runs under ``torch.no_grad()``: an inference loop.
    """
    h, bias = _prepare(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity)
    seq_len, batch, input_size = x.shape
    with torch.no_grad():
        output = x.new_empty(seq_len, batch, w_ih.shape[0])                  # (seq_len, batch, hidden)
        torch.addmm(bias, x.reshape(seq_len * batch, input_size), w_ih.t(),  # every step's input part,
                    out=output.view(seq_len * batch, -1))                     # straight into output
        w_hh_t = w_hh.t().contiguous()                                       # (hidden, hidden), once
        for h_t in output:                                                   # h_t: this step's rows
            h_t.addmm_(h, w_hh_t)                                            # += h_{t-1} @ w_hh.T
            h = h_t.tanh_() if nonlinearity == "tanh" else h_t.relu_()       # h_t = act(...), in place
    return output, h.clone()
