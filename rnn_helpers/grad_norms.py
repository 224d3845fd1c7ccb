"""Gradients over time and gradient clipping (notebook 10).

How far back a loss on the last step reaches: for a one-layer RNN with the loss on
``output[-1]`` only, ``g_t = dL/dh_t`` obeys, walking back from ``t = T-1``::

    g_{T-1} = dL/d output[-1]
    g_{t-1} = (g_t * act'(a_t)) @ w_hh       # tanh: act' = 1 - h_t**2   relu: (h_t > 0)

so ``g_t = g_{T-1} J_{T-1} ... J_{t+1}`` with the step Jacobians ``J_s = diag(act'(a_s)) w_hh``.
``hidden_state_grads`` runs that recurrence by hand (no autograd) and ``hidden_grad_norms``
returns ``||g_t||`` for every step.

Clipping, as ``torch.nn.utils`` does it (the notebook derives both first):

- ``clip_grad_norm_by_hand``: one total norm over ALL gradients together,
  ``sqrt(sum_p ||grad_p||^2)``; then EVERY gradient is multiplied by the one factor
  ``clamp(max_norm / (total + 1e-6), max=1)``, so the direction of the whole gradient is kept.
  Like PyTorch (``torch/nn/utils/clip_grad.py``, ``_clip_grads_with_norm_``) it always
  multiplies, with no ``if``: a factor clamped to 1 changes nothing, and a GPU never has to
  send the total back to the CPU to decide. A non-finite total is not special either: an
  ``inf`` total gives the factor 0 (finite entries become 0, infinite ones ``nan``), a ``nan``
  total makes every gradient ``nan``; ``error_if_nonfinite=True`` raises instead.
- ``clip_grad_value_by_hand``: every element clamped to ``[-clip_value, clip_value]``
  on its own, which changes the direction.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable

import torch
from torch import Tensor, nn

from ._checks import check_nonlinearity, check_same_dtype, check_shape, fmt_shape
from .backward import rnn_layer_backward
from .cells import LayerWeights
from .functional import rnn_layer
from .weights import get_layer_weights

#: PyTorch adds this to the total norm before dividing (``max_norm / (total_norm + 1e-6)``),
#: so a zero gradient never divides by zero. We add it too, so the results are equal.
CLIP_EPS = 1e-6


def hidden_state_grads(
    rnn: nn.Module, input: Tensor, hx: Tensor | None = None, grad_h_last: Tensor | None = None
) -> Tensor:
    """``dL/dh_t`` for every step t, by hand, when the loss reads only the last step.

    rnn: an ``nn.RNN`` or ``ManualRNN`` with ``num_layers=1`` and ``bidirectional=False``
        (tanh or relu, with or without bias, batch_first or not)
    input: (seq_len, batch, input_size), or (batch, seq_len, input_size) if batch_first
    hx: (1, batch, hidden_size), or None for zeros
    grad_h_last: (batch, hidden_size), ``dL/d output[-1] = dL/dh_{T-1}``; None means ones,
        the gradient of ``L = output[-1].sum()``

    Returns (seq_len, batch, hidden_size), sequence first even when the rnn is batch_first:
    row t is ``dL/dh_t``. The loss is assumed to read nothing but the last step, so the
    only way back from it to ``h_t`` is through the recurrence. Runs under ``torch.no_grad()``.
    """
    for attr in ("num_layers", "bidirectional", "batch_first", "nonlinearity"):
        if not hasattr(rnn, attr):
            raise TypeError(f"rnn: expected an nn.RNN or ManualRNN (with .{attr}), got {type(rnn).__name__}")
    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError(
            "rnn: expected one layer in one direction (num_layers=1, bidirectional=False), "
            f"got num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}"
        )
    check_nonlinearity(rnn.nonlinearity)
    w_ih, w_hh, b_ih, b_hh = (None if p is None else p.detach() for p in get_layer_weights(rnn))
    input_size, hidden_size = w_ih.shape[1], w_ih.shape[0]
    layout = ("batch", "seq_len", input_size) if rnn.batch_first else ("seq_len", "batch", input_size)
    check_shape("input", input, layout)
    x = (input.transpose(0, 1) if rnn.batch_first else input).detach()  # (seq_len, batch, input_size)
    seq_len, batch, _ = x.shape
    if seq_len == 0:
        raise ValueError("input: expected a sequence of at least one step, got seq_len 0")
    if hx is not None:
        if tuple(hx.shape) != (1, batch, hidden_size):
            raise ValueError(
                f"hx: expected shape {fmt_shape((1, batch, hidden_size))} = (num_layers, batch, hidden_size) "
                f"(never batch-first), got {fmt_shape(tuple(hx.shape))}"
            )
        hx = hx.detach()
    if grad_h_last is not None:
        check_shape("grad_h_last", grad_h_last, (batch, hidden_size))
    check_same_dtype(input=x, hx=hx, grad_h_last=grad_h_last, weight_ih_l0=w_ih)

    with torch.no_grad():
        h0 = x.new_zeros(batch, hidden_size) if hx is None else hx[0]
        hs, _ = rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, rnn.nonlinearity)
        g_last = torch.ones_like(hs[-1]) if grad_h_last is None else grad_h_last.detach()
        # The loss reads only the last step: no direct gradient into output[t], and g_{T-1}
        # enters exactly where h_n's gradient does. rnn_layer_backward (notebook 09) then runs
        # g_{t-1} = (g_t * act'(a_t)) @ w_hh and hands back every g_t.
        *_, grads = rnn_layer_backward(
            x, h0, LayerWeights(w_ih, w_hh, b_ih, b_hh), hs, torch.zeros_like(hs), g_last,
            nonlinearity=rnn.nonlinearity, return_state_grads=True,
        )
    return grads


def hidden_grad_norms(
    rnn: nn.Module, input: Tensor, hx: Tensor | None = None, grad_h_last: Tensor | None = None
) -> Tensor:
    """``||dL/dh_t||`` for every step t: (seq_len,), the loss on the last step only.

    Arguments as ``hidden_state_grads`` (default loss ``L = output[-1].sum()``). Entry t is the
    Frobenius norm of ``dL/dh_t: (batch, hidden_size)``, i.e. over the whole batch at once.
    Plot it against t on a log axis to see the gradient vanish or explode.
    """
    return torch.linalg.vector_norm(hidden_state_grads(rnn, input, hx, grad_h_last), dim=(1, 2))


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_by_hand(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """``torch.nn.utils.clip_grad_norm_`` written out: scale ALL gradients by one factor, in place.

    parameters: a tensor or an iterable of tensors (e.g. ``model.parameters()``); those whose
        ``.grad`` is None are skipped, as PyTorch does. An empty generator warns, as PyTorch's does.
    max_norm: the largest total norm allowed, >= 0. (A negative one is refused with ``ValueError``:
        PyTorch would multiply by a negative factor and flip every gradient's sign.)
    norm_type: the p of the p-norm, 2 by default. Any order ``torch.linalg.vector_norm`` accepts
        works as in PyTorch (the p-norm of the per-tensor p-norms); ``float("inf")`` gives the
        largest ``|entry|`` of all gradients (and, as in PyTorch, a ``RuntimeError`` for a gradient
        with no element, whose inf norm is undefined).
    error_if_nonfinite: raise ``RuntimeError`` when the total norm is ``inf`` or ``nan``
        (PyTorch's default, False, scales by the non-finite norm anyway: see below).

    The steps, with PyTorch's own operations so the results are equal bit for bit::

        total = vector_norm(stack([vector_norm(g, p) for g in grads]), p)   # one number
        coef  = clamp(max_norm / (total + 1e-6), max=1)                     # never above 1
        g *= coef   for every gradient g, always (no `if`: a factor of 1 changes nothing)

    Non-finite gradients: a total of ``inf`` gives ``coef = 0``, so finite entries become 0 and
    infinite ones ``nan`` (``inf * 0``); a ``nan`` total gives ``coef = nan`` and every gradient
    becomes ``nan``. Returns ``total``, the norm *before* clipping, a 0-d tensor (``tensor(0.)``,
    float32, when there is no gradient at all), as PyTorch does.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    if not float(max_norm) >= 0:
        raise ValueError(f"max_norm: expected a number >= 0, got {max_norm!r}")
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return torch.tensor(0.0)
    with torch.no_grad():
        first_device = grads[0].device
        per_param = [torch.linalg.vector_norm(g, norm_type) for g in grads]              # one norm per tensor
        total = torch.linalg.vector_norm(torch.stack([n.to(first_device) for n in per_param]), norm_type)
        if error_if_nonfinite and (total.isnan() or total.isinf()):
            raise RuntimeError(
                f"The total norm of order {norm_type} of the gradients is non-finite ({float(total)}), so it "
                "cannot be clipped; with error_if_nonfinite=False it scales by it anyway (clip_grad_norm_ does too)"
            )
        coef = float(max_norm) / (total + CLIP_EPS)
        coef = torch.clamp(coef, max=1.0)  # clipping only ever shrinks
        for g in grads:
            g.mul_(coef.to(g.device))
    return total


def clip_grad_value_by_hand(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """``torch.nn.utils.clip_grad_value_`` written out: clamp every gradient element on its own.

    parameters: a tensor or an iterable of tensors; those whose ``.grad`` is None are skipped.
    clip_value: every element of every ``.grad`` is clamped to ``[-clip_value, clip_value]``, in place.
    """
    with torch.no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)
