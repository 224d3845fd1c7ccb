"""A layer unrolled over time (notebook 03) and a stack of layers (notebook 04)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import check_nonlinearity, check_shape, fmt_shape
from .cell import LayerWeights, check_weights, rnn_cell


def check_layer_args(x: Tensor, h0: Tensor | None, weights: LayerWeights, nonlinearity: str) -> Tensor:
    """Validate one layer's arguments; return h0, zeros (batch, hidden_size) if it was None.

    x: (seq_len, batch, input_size) with seq_len >= 1; h0: (batch, hidden_size) or None;
    weights: shapes consistent with ``input_size``. Raises ``ValueError`` naming expected and actual.
    """
    check_nonlinearity(nonlinearity)
    check_shape("x", x, ("seq_len", "batch", "input_size"))
    seq_len, batch, input_size = x.shape
    check_weights(weights, input_size)
    hidden_size = weights.w_ih.shape[0]
    if seq_len == 0:
        raise ValueError("x: expected a sequence of at least one step, got seq_len 0")
    if h0 is None:
        h0 = torch.zeros(batch, hidden_size, dtype=x.dtype, device=x.device)
    check_shape("h0", h0, (batch, hidden_size))
    return h0


def rnn_layer(
    x: Tensor,
    h0: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
    reverse: bool = False,
    lengths: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One layer, one direction, unrolled over a sequence with ``rnn_cell``.

    x: (seq_len, batch, input_size)  -- sequence first, as nn.RNN's default
    h0: (batch, hidden_size), or None for zeros
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)
    b_ih, b_hh: (hidden_size,) or None
    reverse: walk the sequence from the last step to the first (the ``_reverse``
        direction of a bidirectional layer); ``output[t]`` still belongs to step t.
    lengths: (batch,) integer tensor of true lengths, or None when every sequence
        is ``seq_len`` long. Steps at or past a sequence's length leave its hidden
        state untouched and write zeros to ``output``, as a packed nn.RNN does.

    Returns ``(output, h_n)``: output (seq_len, batch, hidden_size), the hidden
    state after every step; h_n (batch, hidden_size), the state after the last
    step the layer took (``output[-1]`` forwards, ``output[0]`` in reverse).
    """
    h0 = check_layer_args(x, h0, LayerWeights(w_ih, w_hh, b_ih, b_hh), nonlinearity)
    seq_len, batch = x.shape[:2]
    if lengths is not None:
        check_shape("lengths", lengths, (batch,))
        lengths = lengths.to(x.device)

    h = h0
    outputs: list[Tensor] = [x.new_zeros(())] * seq_len
    steps = range(seq_len - 1, -1, -1) if reverse else range(seq_len)
    for t in steps:
        h_new = rnn_cell(x[t], h, w_ih, w_hh, b_ih, b_hh, nonlinearity)
        if lengths is None:
            h = h_new
            outputs[t] = h_new
        else:
            active = (t < lengths).unsqueeze(1)  # (batch, 1): which sequences still run
            h = torch.where(active, h_new, h)
            outputs[t] = torch.where(active, h_new, torch.zeros_like(h_new))
    return torch.stack(outputs), h


def rnn_forward(
    x: Tensor,
    weights: Sequence[LayerWeights],
    h0: Tensor | None = None,
    nonlinearity: str = "tanh",
    batch_first: bool = False,
    bidirectional: bool = False,
    dropout: float = 0.0,
    training: bool = False,
    lengths: Tensor | None = None,
    *,
    packed_dropout: bool = False,
) -> tuple[Tensor, Tensor]:
    """A whole (stacked, optionally bidirectional) nn.RNN, built from ``rnn_layer``.

    x: (seq_len, batch, input_size), or (batch, seq_len, input_size) if ``batch_first``
    weights: one ``LayerWeights`` per layer and direction, in ``h_n`` order:
        ``weights[layer * num_directions + direction]`` (see ``get_weights``)
    h0: (num_layers * num_directions, batch, hidden_size) -- never batch-first,
        exactly like nn.RNN -- or None for zeros
    dropout, training: dropout on each layer's output except the last, in training only
    lengths: (batch,) true lengths for padded input, or None
    packed_dropout: with ``lengths``, draw the dropout mask over the real steps only, in
        time-major order: the order of a PackedSequence's data when the batch is sorted by
        decreasing length. That is how nn.RNN drops a PackedSequence, so the same seed gives
        the same mask (ManualRNN uses this). Padded positions are zeros either way; only the
        random draws differ.

    Layer ``l`` reads the *output sequence* of layer ``l - 1`` (both directions
    concatenated), never ``x`` itself.

    Returns ``(output, h_n)``:
    output: (seq_len, batch, num_directions * hidden_size) (batch-first if asked),
        the top layer's hidden state at every step;
    h_n: (num_layers * num_directions, batch, hidden_size), every layer's final state.
    """
    check_nonlinearity(nonlinearity)
    num_directions = 2 if bidirectional else 1
    if len(weights) == 0 or len(weights) % num_directions:
        raise ValueError(
            f"weights: expected num_layers * {num_directions} LayerWeights, got {len(weights)}"
        )
    num_layers = len(weights) // num_directions
    input_size = weights[0].w_ih.shape[1]
    hidden_size = weights[0].w_ih.shape[0]
    layout = ("batch", "seq_len", input_size) if batch_first else ("seq_len", "batch", input_size)
    check_shape("input", x, layout)
    if batch_first:
        x = x.transpose(0, 1)  # work sequence-first inside
    batch = x.shape[1]
    expected_h0 = (num_layers * num_directions, batch, hidden_size)
    if h0 is not None and tuple(h0.shape) != expected_h0:
        raise ValueError(
            f"h0: expected shape {fmt_shape(expected_h0)} = (num_layers * num_directions, batch, "
            f"hidden_size), got {fmt_shape(tuple(h0.shape))}"
            + (" (h0 is never batch-first)" if batch_first else "")
        )

    layer_input = x
    h_n: list[Tensor] = []
    for layer in range(num_layers):
        directions = []
        for direction in range(num_directions):
            k = layer * num_directions + direction
            out, h_last = rnn_layer(
                layer_input,
                None if h0 is None else h0[k],
                *weights[k],
                nonlinearity=nonlinearity,
                reverse=direction == 1,
                lengths=lengths,
            )
            directions.append(out)
            h_n.append(h_last)
        layer_input = torch.cat(directions, dim=2) if num_directions == 2 else directions[0]
        if dropout > 0 and training and layer < num_layers - 1:
            if packed_dropout and lengths is not None:
                steps = torch.arange(layer_input.shape[0], device=layer_input.device)
                real = steps.unsqueeze(1) < lengths.to(layer_input.device).unsqueeze(0)  # (seq_len, batch)
                dropped = F.dropout(layer_input[real], p=dropout, training=True)  # (real steps, features)
                layer_input = layer_input.masked_scatter(real.unsqueeze(2), dropped)
            else:
                layer_input = F.dropout(layer_input, p=dropout, training=True)
    output = layer_input.transpose(0, 1) if batch_first else layer_input
    return output, torch.stack(h_n)
