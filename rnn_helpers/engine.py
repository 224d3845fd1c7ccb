"""The layer engine: any cell, unrolled over a sequence forwards or backwards, then stacked.

One implementation of unrolling, directions, packing, stacking and dropout, for all three cells
(``cells.py``), in the shape of PyTorch's ``aten/src/ATen/native/RNN.cpp``: a cell, a layer that walks
it over time (``FullLayer``, ``ReversedPackedLayer`` ... there; ``run_layer`` here), and a stack of
layers (``apply_layer_stack`` there; ``run_stack`` here).

**One layout for every input: packed rows.** A layer reads its input as ``data: (N, features)`` rows
in time-major order, with ``sizes[t]`` = how many sequences still run at step t: exactly a
``PackedSequence``'s ``data`` and ``batch_sizes`` (notebook 07). A full batch of ``seq_len`` steps is
the special case ``data = x.reshape(seq_len * batch, features)``, ``sizes = [batch] * seq_len``. The
sequences are sorted longest first, so at step t the running ones are always the first ``sizes[t]``
rows: a step works on a row prefix, and a finished sequence's state simply stays where it was.

**Forward.** The input part of every step, ``x @ w_ih.T + b``, is one matrix product over all N rows
before the loop (notebook 05); the loop runs only the recurrent part, in place, into preallocated
buffers, with the transposed ``w_hh`` made contiguous once. Nothing is checked inside the loop: the
public functions (``functional.py``) and the modules (``modules.py``) check their arguments once.

**Backward, by hand** (notebooks 09 and 13). ``LayerFunction`` is a ``torch.autograd.Function`` whose
backward pass is the series' own backpropagation through time: the loop walks the steps in reverse,
each cell's ``backward_step`` turns the gradient of a step's new state into the gradients of its gates
and of its previous state, and the weight gradients, which are sums over all steps (the same weights
are used at every step), are then ONE matrix product each over all N rows::

    dL/dw_ih = G_in.T @ X      dL/dw_hh = G_rec.T @ H_prev      dL/dx = G_in @ w_ih

with ``G_in``, ``G_rec``: (N, gates * hidden) the gate gradients of every step. First derivatives only:
a backward pass with ``create_graph=True`` (to differentiate the gradients again) raises a clear error.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from .cells import Cell, StepWeights


def schedule(sizes: Sequence[int], reverse: bool) -> tuple[list[int], list[int]]:
    """The order in which a layer visits the steps, and the rows each visit carries over.

    sizes: sequences running at each step t (non-increasing, as a PackedSequence's batch_sizes).
    Returns ``(order, carried)``: ``order[k]`` is the step visited k-th (0, 1, ... forwards; T-1, ...,
    0 in reverse); ``carried[k]`` is how many rows of visit k continue from visit k-1. The remaining
    rows ``carried[k]:sizes[order[k]]`` start at visit k from the initial state: all rows at the first
    visit; in reverse, also the sequences whose last step is ``order[k]``, as they join the batch.
    """
    T = len(sizes)
    order = list(range(T - 1, -1, -1)) if reverse else list(range(T))
    carried = [0] + [min(sizes[order[k]], sizes[order[k - 1]]) for k in range(1, T)]
    return order, carried


def _join(previous: tuple | None, initial: Sequence[Tensor], carried: int, rows: int) -> tuple:
    """The first ``rows`` rows of a state (or of its gradient): ``carried`` rows from ``previous``, the
    rest from ``initial``. Views where possible; a copy only when the two have to be put together."""
    if carried == 0:
        return tuple(s[:rows] for s in initial)
    if carried == rows:
        return previous if previous[0].shape[0] == rows else tuple(p[:rows] for p in previous)
    return tuple(torch.cat([p[:carried], s[carried:rows]]) for p, s in zip(previous, initial))


class _Buffers:
    """One layer's preallocated memory: the gate buffer, the state buffers and the cell's extras,
    each (N, width), with per-step row views (``tensor.split(sizes)``: one call makes them all)."""

    def __init__(self, g: Tensor, states: list[Tensor], extras: dict[str, Tensor], sizes: Sequence[int]):
        self.g, self.states, self.extras = g, states, extras
        self.g_steps = g.split(sizes)
        state_steps = [self.g_steps if s is g else s.split(sizes) for s in states]
        self.new = list(zip(*state_steps))  # new[t]: step t's rows of every state buffer
        extra_steps = {name: buffer.split(sizes) for name, buffer in extras.items()}
        self.saved = [{name: steps[t] for name, steps in extra_steps.items()} for t in range(len(sizes))]


def _step_weights(cell: Cell, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None) -> StepWeights:
    return StepWeights(
        w_hh, w_hh.t().contiguous(), None if cell.bias_hh_in_input_part else b_hh,
        w_hr, None if w_hr is None else w_hr.t().contiguous(),
    )


def forward_layer(cell: Cell, sizes: Sequence[int], reverse: bool, x: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None,
                  state0: Sequence[Tensor]) -> tuple[Tensor, tuple[Tensor, ...], _Buffers]:
    """One layer in one direction, forwards (no autograd: ``LayerFunction`` wraps it).

    x: (N, input_size) packed rows; sizes: rows per step; state0: the initial state, a tuple of
    (batch, width) tensors (``(h0,)`` or ``(h0, c0)``), rows in the packed (sorted) order.
    w_ih: (gates * hidden, input_size); w_hh: (gates * hidden, h width); b_ih, b_hh: (gates * hidden,)
    or None; w_hr: (proj_size, hidden) or None.
    Returns ``(output, final_state, buffers)``: output (N, h width), every step's h; final_state, a
    tuple like state0, each sequence's state after its last step; buffers, what the backward needs.
    """
    N = x.shape[0]
    hidden = w_ih.shape[0] // cell.gates
    proj = 0 if w_hr is None else w_hr.shape[0]
    bias = b_ih
    if cell.bias_hh_in_input_part and b_hh is not None:
        bias = b_hh if b_ih is None else b_ih + b_hh
    # The input part of every step at once: (N, input) @ (input, gates * hidden). The bias rides along as one
    # more column of x (all ones) and one more row of w_ih.T: the product adds it, and no (N, gates * hidden)
    # copy of the bias has to be written first (what addmm(bias, ...) does).
    if bias is None:
        g = torch.mm(x, w_ih.t())
    else:
        g = torch.mm(torch.cat([x, x.new_ones(N, 1)], dim=1), torch.cat([w_ih.t(), bias.unsqueeze(0)]))
    widths = cell.state_sizes(hidden, proj)
    states = [g if k == 0 and cell.output_is_input_part else x.new_empty(N, width) for k, width in enumerate(widths)]
    extras = {name: x.new_empty(N, width) for name, width in cell.extra_buffers(hidden, proj).items()}
    buffers = _Buffers(g, states, extras, sizes)
    w = _step_weights(cell, w_hh, b_hh, w_hr)

    order, carried = schedule(sizes, reverse)
    finished: list[tuple[Tensor, ...]] = []  # rows whose sequence ends at this visit (bottom rows first)
    prev = None
    step, g_steps, news, saved = cell.forward_step, buffers.g_steps, buffers.new, buffers.saved
    for k, t in enumerate(order):
        rows = sizes[t]
        if prev is None or carried[k] != rows or prev[0].shape[0] != rows:  # else: every row carries on
            prev = _join(prev, state0, carried[k], rows)
        new = news[t]
        step(g_steps[t], prev, new, w, saved[t])
        still_running = carried[k + 1] if k + 1 < len(order) else 0
        if still_running < rows:
            finished.append(tuple(s[still_running:rows] for s in new))
        prev = new
    if not finished:  # an empty batch
        return states[0], tuple(s.clone() for s in state0), buffers
    final = tuple(torch.cat(pieces[::-1]) if len(pieces) > 1 else pieces[0].clone() for pieces in zip(*finished))
    return states[0], final, buffers


def backward_layer(cell: Cell, sizes: Sequence[int], reverse: bool, x: Tensor, w_ih: Tensor, w_hh: Tensor,
                   b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None, state0: Sequence[Tensor],
                   buffers: _Buffers, grad_output: Tensor | None, grad_final: Sequence[Tensor | None],
                   needs: Sequence[bool] = (True,) * 7, state_grads: bool = False) -> dict[str, Tensor | None]:
    """Backpropagation through time for one layer in one direction, by hand (no autograd).

    The arguments of ``forward_layer``, its ``buffers``, and the gradients reaching its results:
    grad_output (N, h width) or None (zeros); grad_final, a tuple like state0, entries None for zeros.
    needs: which of (x, w_ih, w_hh, b_ih, b_hh, w_hr, state0) to compute.
    Returns a dict with ``"x"``, ``"w_ih"``, ``"w_hh"``, ``"b_ih"``, ``"b_hh"``, ``"w_hr"`` and
    ``"state0"`` (a tuple like state0); None where not needed or not present. With
    ``state_grads=True`` also ``"states"``: a tuple like the state buffers, each (N, width), row by row
    the total gradient of that step's new state (``dL/dh_t``, and ``dL/dc_t`` for an LSTM).
    """
    need_x, need_w_ih, need_w_hh, need_b_ih, need_b_hh, need_w_hr, need_state0 = needs
    batch = state0[0].shape[0]
    grad_final = tuple(
        s.new_zeros(s.shape) if gf is None else gf for gf, s in zip(grad_final, state0)
    )
    g_in = torch.empty_like(buffers.g)
    g_rec = g_in if cell.grad_input_part_is_grad_recurrent else torch.empty_like(buffers.g)
    g_in_steps, g_rec_steps = g_in.split(sizes), g_rec.split(sizes)
    grad_out_steps = None if grad_output is None else grad_output.split(sizes)
    w = _step_weights(cell, w_hh, b_hh, w_hr)
    grad_state0 = tuple(s.new_zeros(batch, s.shape[1]) for s in state0)
    keep_grad_h = w_hr is not None  # dL/dh_t of every step, for dL/dw_hr
    recorded = [torch.empty_like(s) for s in buffers.states] if state_grads or keep_grad_h else None
    recorded_steps = None if recorded is None else [buffer.split(sizes) for buffer in recorded]

    order, carried = schedule(sizes, reverse)
    T = len(order)
    prev_h: list[Tensor | None] = [None] * T  # the h each step read, by step: for dL/dw_hh
    carry = None
    for k in reversed(range(T)):
        t, rows = order[k], sizes[order[k]]
        grad_new = _join(carry, grad_final, carried[k + 1] if k + 1 < T else 0, rows)
        if grad_out_steps is not None:
            grad_new = (grad_new[0] + grad_out_steps[t],) + grad_new[1:]  # h_t is also output[t]
        previous = buffers.new[order[k - 1]] if k > 0 else None
        prev = _join(previous, state0, carried[k], rows)
        grad_prev, grad_total = cell.backward_step(grad_new, buffers.g_steps[t], prev, buffers.new[t], w,
                                                   buffers.saved[t], g_in_steps[t], g_rec_steps[t])
        if recorded_steps is not None:
            for steps, grad in zip(recorded_steps, grad_total):
                steps[t].copy_(grad)
        if carried[k] < rows:  # these rows started from the initial state at this step
            for acc, grad in zip(grad_state0, grad_prev):
                acc[carried[k]:rows] = grad[carried[k]:rows]
        prev_h[t] = prev[0]
        carry = grad_prev

    result: dict[str, Tensor | None] = dict.fromkeys(("x", "w_ih", "w_hh", "b_ih", "b_hh", "w_hr"))
    if need_x:
        result["x"] = g_in @ w_ih                          # (N, gates*hidden) @ (gates*hidden, input)
    if need_w_ih:
        result["w_ih"] = g_in.t() @ x                      # the sum over every step, in one product
    if need_w_hh:
        result["w_hh"] = g_rec.t() @ torch.cat(prev_h)     # (gates*hidden, N) @ (N, h width)
    if need_b_ih and b_ih is not None:
        result["b_ih"] = g_in.sum(0)
    if need_b_hh and b_hh is not None:
        result["b_hh"] = g_rec.sum(0)
    if need_w_hr and w_hr is not None:
        result["w_hr"] = recorded[0].t() @ buffers.extras["hc"]  # h_t = hc_t @ w_hr.T, summed over steps
    result["state0"] = grad_state0 if need_state0 else None
    if state_grads:
        result["states"] = tuple(recorded)
    return result


SECOND_DERIVATIVES = (
    "the Manual modules' backward pass is the hand-written backpropagation through time (first "
    "derivatives only), so it cannot be differentiated again: create_graph=True is not supported. "
    "For second derivatives (a gradient penalty, say), use PyTorch's nn.RNN / nn.LSTM / nn.GRU on the CPU"
)


class LayerFunction(torch.autograd.Function):
    """``forward_layer`` and ``backward_layer`` as one autograd operation (see the module docstring).

    ``LayerFunction.apply(cell, sizes, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0)`` returns
    ``(output, *final_state)``.
    """

    @staticmethod
    def forward(ctx, cell, sizes, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0):
        output, final, buffers = forward_layer(cell, sizes, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, state0)
        ctx.cell, ctx.sizes, ctx.reverse = cell, sizes, reverse
        ctx.layout = (len(state0), len(buffers.states), list(buffers.extras))
        ctx.save_for_backward(x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0, buffers.g, *buffers.states,
                              *buffers.extras.values())
        return (output, *final)

    @staticmethod
    def backward(ctx, grad_output, *grad_final):
        if torch.is_grad_enabled():  # backward(create_graph=True): the caller wants to differentiate again
            raise RuntimeError(SECOND_DERIVATIVES)
        num_states, num_buffers, extra_names = ctx.layout
        x, w_ih, w_hh, b_ih, b_hh, w_hr, *rest = ctx.saved_tensors
        state0, rest = rest[:num_states], rest[num_states:]
        g, states, extras = rest[0], rest[1 : 1 + num_buffers], rest[1 + num_buffers :]
        buffers = _Buffers(g, list(states), dict(zip(extra_names, extras)), ctx.sizes)
        needs = ctx.needs_input_grad[3:9] + (any(ctx.needs_input_grad[9:]),)
        grads = backward_layer(ctx.cell, ctx.sizes, ctx.reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, state0,
                               buffers, grad_output, grad_final, needs)
        state_grads = grads["state0"] or (None,) * num_states
        return (None, None, None, grads["x"], grads["w_ih"], grads["w_hh"], grads["b_ih"], grads["b_hh"],
                grads["w_hr"], *state_grads)


def run_layer(cell: Cell, x: Tensor, sizes: Sequence[int], reverse: bool, weights: Sequence[Tensor | None],
              state0: Sequence[Tensor]) -> tuple[Tensor, tuple[Tensor, ...]]:
    """One layer in one direction over packed rows, differentiable (through the hand-written backward).

    x: (N, input_size); sizes: rows per step; weights: ``(w_ih, w_hh, b_ih, b_hh[, w_hr])``;
    state0: tuple of (batch, width). Returns ``(output (N, h width), final state tuple)``.
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = (*weights, None)[:5]
    output, *final = LayerFunction.apply(cell, sizes, reverse, x, w_ih, w_hh, b_ih, b_hh, w_hr, *state0)
    return output, tuple(final)


def run_stack(cell: Cell, x: Tensor, sizes: Sequence[int], weights: Sequence[Sequence[Tensor | None]],
              state0: Sequence[Tensor], num_directions: int, dropout: float = 0.0,
              training: bool = False) -> tuple[Tensor, tuple[Tensor, ...]]:
    """A stack of layers, each one or two directions, over packed rows: what ``nn.RNN``/``LSTM``/``GRU`` run.

    x: (N, input_size); weights: one tuple per layer and direction, in ``h_n`` order
    (``layer * num_directions + direction``); state0: tuple of (num_layers * num_directions, batch, width).
    Layer l reads the output of layer l - 1 (both directions side by side), never x itself. Dropout,
    in training only, on the output of every layer but the last: a fresh mask for every element of
    every step, drawn over the packed rows as PyTorch draws it (never on the recurrent path).
    Returns ``(output (N, num_directions * h width), final state tuple of (layers * dirs, batch, width))``.
    """
    num_layers = len(weights) // num_directions
    layer_input = x
    finals: list[list[Tensor]] = [[] for _ in state0]
    for layer in range(num_layers):
        outputs = []
        for direction in range(num_directions):
            k = layer * num_directions + direction
            output, final = run_layer(cell, layer_input, sizes, direction == 1, weights[k], tuple(s[k] for s in state0))
            outputs.append(output)
            for collected, state in zip(finals, final):
                collected.append(state)
        layer_input = torch.cat(outputs, dim=1) if num_directions == 2 else outputs[0]
        if dropout > 0 and training and layer < num_layers - 1:
            layer_input = F.dropout(layer_input, p=dropout, training=True)
    return layer_input, tuple(torch.stack(collected) for collected in finals)


# ---------------------------------------------------------------------------------------------
# Between padded (seq_len, batch, features) tensors with lengths and packed rows (notebook 07)
# ---------------------------------------------------------------------------------------------


def pack_rows(x: Tensor, lengths: Tensor | None) -> tuple[Tensor, list[int], Tensor | None]:
    """(seq_len, batch, features) -> ``(data (N, features), sizes, order)``.

    Without lengths: every sequence is seq_len long, ``data`` is x's rows, order is None. With lengths
    (batch,): the sequences sorted longest first (``order``), and only their real steps kept,
    time-major: a PackedSequence's data, by hand. The sort is ``pack_padded_sequence``'s own call,
    ``torch.sort(lengths, descending=True)``, which promises no order among equal lengths: calling it the
    same way gives the same order PyTorch gets, so dropout masks drawn over the rows match nn.RNN's.
    """
    seq_len, batch = x.shape[:2]
    if lengths is None:
        return x.reshape(seq_len * batch, x.shape[2]), [batch] * seq_len, None
    lengths = lengths.to("cpu")
    order = torch.sort(lengths, descending=True).indices  # as torch.nn.utils.rnn.pack_padded_sequence
    sorted_lengths = lengths[order].tolist()
    sizes = [sum(1 for n in sorted_lengths if n > t) for t in range(sorted_lengths[0])]
    real = torch.arange(len(sizes)).unsqueeze(1) < torch.tensor(sorted_lengths).unsqueeze(0)  # (steps, batch)
    return x[: len(sizes), order.to(x.device)][real.to(x.device)], sizes, order


def unpack_rows(data: Tensor, sizes: Sequence[int], order: Tensor | None, seq_len: int) -> Tensor:
    """Inverse of ``pack_rows``: (N, features) -> (seq_len, batch, features), zeros past each length."""
    batch = sizes[0]
    if order is None:
        return data.view(seq_len, batch, data.shape[1])
    running = torch.tensor(list(sizes) + [0] * (seq_len - len(sizes))).unsqueeze(1)  # (seq_len, 1)
    real = torch.arange(batch).unsqueeze(0) < running  # (seq_len, batch): row b runs at step t, sorted order
    padded = data.new_zeros(seq_len, batch, data.shape[1]).index_put((real.to(data.device),), data)
    return padded.index_select(1, torch.argsort(order).to(data.device))
