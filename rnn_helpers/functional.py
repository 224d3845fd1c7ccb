"""The hand-written RNN as functions: one step, one layer, a stack, for each of the three cells.

=====================  ==============  ==============  ==============
what                   Elman (nn.RNN)  nn.LSTM         nn.GRU
=====================  ==============  ==============  ==============
one step (notebook)    ``rnn_cell``    ``lstm_cell``   ``gru_cell``
one layer              ``rnn_layer``   ``lstm_layer``  ``gru_layer``
a stack (any options)  ``rnn_forward`` ``lstm_forward`` ``gru_forward``
=====================  ==============  ==============  ==============

Each function checks its arguments once, here, with messages that name the expected and the actual
value, then hands the arithmetic to the layer engine (``engine.py``), which checks nothing. Shapes
follow PyTorch: sequence first (``(seq_len, batch, features)``) unless ``batch_first``; states never
batch-first.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from ._checks import check_nonlinearity, check_same_dtype, check_shape, fmt_shape
from .cells import GRU, LSTM, Cell, Elman, LayerWeights, LSTMWeights
from .engine import pack_rows, run_layer, run_stack, unpack_rows

# ---------------------------------------------------------------------------------------------
# Checks, done once at this boundary
# ---------------------------------------------------------------------------------------------


def check_weights(cell: Cell, weights: Sequence[Tensor | None], input_size: int | None = None) -> tuple[int, int]:
    """Check one layer's weights against each other; return ``(hidden_size, proj_size)`` (0: no projection).

    weights: ``(w_ih, w_hh, b_ih, b_hh[, w_hr])`` with w_ih (gates * hidden, input), w_hh (gates * hidden,
    hidden or proj_size), biases (gates * hidden,) or None, w_hr (proj_size, hidden) or None (LSTM only).
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = (*weights, None)[:5]
    if not hasattr(w_ih, "dim") or w_ih.dim() != 2:
        got = f"shape {fmt_shape(tuple(w_ih.shape))}" if hasattr(w_ih, "shape") else type(w_ih).__name__
        raise ValueError(f"w_ih: expected a 2-D tensor of shape (gates * hidden_size, input_size), got {got}")
    rows = w_ih.shape[0]
    if rows % cell.gates:
        raise ValueError(
            f"w_ih: expected {cell.gates} * hidden_size rows (one block per gate of the {cell.mode} cell), "
            f"got {rows} rows"
        )
    hidden = rows // cell.gates
    if w_hr is not None and not isinstance(cell, LSTM):
        raise ValueError(f"w_hr: only an LSTM has a projection, got one for a {cell.mode} cell")
    proj = 0 if w_hr is None else w_hr.shape[0]
    if w_hr is not None:
        check_shape("w_hr", w_hr, ("proj_size", hidden))
        if not 0 < proj < hidden:
            raise ValueError(f"w_hr: expected 0 < proj_size < hidden_size = {hidden} rows, got {proj}")
    check_shape("w_ih", w_ih, (rows, input_size if input_size is not None else w_ih.shape[1]))
    check_shape("w_hh", w_hh, (rows, proj or hidden))
    if b_ih is not None:
        check_shape("b_ih", b_ih, (rows,))
    if b_hh is not None:
        check_shape("b_hh", b_hh, (rows,))
    return hidden, proj


def _check_sequence(x: Tensor, input_size: int, batch_first: bool = False, name: str = "x") -> None:
    layout = ("batch", "seq_len", input_size) if batch_first else ("seq_len", "batch", input_size)
    check_shape(name, x, layout)
    if x.shape[1 if batch_first else 0] == 0:
        raise ValueError(f"{name}: expected a sequence of at least one step, got seq_len 0")


def _check_lengths(lengths: Tensor | None, batch: int, seq_len: int) -> Tensor | None:
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths)
    check_shape("lengths", lengths, (batch,))
    if lengths.dtype.is_floating_point or lengths.dtype == torch.bool:
        raise ValueError(f"lengths: expected an integer tensor of true lengths, got dtype {lengths.dtype}")
    if batch and not (1 <= int(lengths.min()) and int(lengths.max()) <= seq_len):
        raise ValueError(
            f"lengths: expected every length in 1..seq_len = 1..{seq_len}, got {lengths.tolist()}"
        )
    return lengths


def _state_tuple(cell: Cell, state, name: str) -> tuple[Tensor, ...] | None:
    """``h0`` or ``(h0, c0)``, as a tuple; refuses an LSTM state that is not a pair (PyTorch: IndexError)."""
    if state is None:
        return None
    if isinstance(cell, LSTM):
        if not (isinstance(state, (tuple, list)) and len(state) == 2):
            got = f"a tensor of shape {fmt_shape(tuple(state.shape))}" if hasattr(state, "shape") else type(state).__name__
            raise TypeError(f"{name}: an LSTM's state is a pair (h, c) of tensors, got {got}")
        return tuple(state)
    return (state,)


# ---------------------------------------------------------------------------------------------
# One step
# ---------------------------------------------------------------------------------------------


def _cell_step(cell: Cell, x_t: Tensor, state, weights: Sequence[Tensor | None], names: tuple[str, ...]):
    hidden, proj = check_weights(cell, weights)
    widths = cell.state_sizes(hidden, proj)
    state = _state_tuple(cell, state, "state" if len(names) > 1 else names[0])
    input_size = weights[0].shape[1]
    batched = x_t.dim() != 1
    if batched:
        check_shape("x_t", x_t, ("batch", input_size))
    else:
        check_shape("x_t (unbatched)", x_t, (input_size,))
    for name, s, width in zip(names, state, widths):
        if batched:
            check_shape(name, s, (x_t.shape[0], width))
        else:
            check_shape(f"{name} (unbatched)", s, (width,))
    check_same_dtype(x_t=x_t, **dict(zip(names, state)), w_ih=weights[0], w_hh=weights[1])
    return step(cell, x_t, state, weights)


def step(cell: Cell, x_t: Tensor, state: tuple[Tensor, ...], weights: Sequence[Tensor | None]) -> tuple[Tensor, ...]:
    """One step of ``cell``, unchecked (the callers check): x_t (batch, input) or (input,), state a tuple
    of (batch, width) or (width,) tensors. Returns the new state, shaped like ``state``."""
    if x_t.dim() == 1:
        new = step(cell, x_t.unsqueeze(0), tuple(s.unsqueeze(0) for s in state), weights)
        return tuple(s.squeeze(0) for s in new)
    _, new = run_layer(cell, x_t, [x_t.shape[0]], False, weights, state)
    return new


def rnn_cell(x_t: Tensor, h_prev: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, nonlinearity: str = "tanh") -> Tensor:
    """One time step, exactly as nn.RNN computes it (notebook 02)::

        h_t = tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh)

    x_t: (batch, input_size)      h_prev: (batch, hidden_size)
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)
    b_ih, b_hh: (hidden_size,) or None (``bias=False``); nonlinearity: ``"tanh"`` or ``"relu"``.
    Returns h_t: (batch, hidden_size). Unbatched input works too: x_t (input_size,), h_prev (hidden_size,).
    Raises ``ValueError`` naming the expected and actual shape when they disagree.
    """
    check_nonlinearity(nonlinearity)
    (h,) = _cell_step(Elman(nonlinearity), x_t, h_prev, (w_ih, w_hh, b_ih, b_hh), ("h_prev",))
    return h


def lstm_cell(x_t: Tensor, state: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step, as nn.LSTM / nn.LSTMCell compute it (notebook 13)::

        i, f, g, o = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(4, dim=1)   # PyTorch's order
        c = sigmoid(f) * c_prev + sigmoid(i) * tanh(g);   h = sigmoid(o) * tanh(c)   [@ w_hr.T]

    x_t: (batch, input_size); state: ``(h_prev, c_prev)``, h_prev (batch, hidden_size or proj_size),
    c_prev (batch, hidden_size); w_ih: (4 * hidden_size, input_size); w_hh: (4 * hidden_size, hidden_size
    or proj_size); b_ih, b_hh: (4 * hidden_size,) or None; w_hr: (proj_size, hidden_size) or None.
    Returns ``(h, c)`` shaped like the state. Unbatched input (no batch dimension anywhere) works too.
    """
    h, c = _cell_step(LSTM(), x_t, state, (w_ih, w_hh, b_ih, b_hh, w_hr), ("h_prev", "c_prev"))
    return h, c


def gru_cell(x_t: Tensor, h_prev: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step, as nn.GRU / nn.GRUCell compute it (notebook 14), reset gate *after* the product::

        r, z, n: the three blocks of w_ih / w_hh / the biases, in that order
        r = sigmoid(x_t W_ir^T + b_ir + h W_hr^T + b_hr);  z likewise with W_iz, W_hz
        n = tanh(x_t W_in^T + b_in + r * (h W_hn^T + b_hn));   h_t = (1 - z) * n + z * h

    x_t: (batch, input_size); h_prev: (batch, hidden_size); w_ih: (3 * hidden_size, input_size);
    w_hh: (3 * hidden_size, hidden_size); b_ih, b_hh: (3 * hidden_size,) or None.
    Returns h_t: (batch, hidden_size). Unbatched input works too.
    """
    (h,) = _cell_step(GRU(), x_t, h_prev, (w_ih, w_hh, b_ih, b_hh), ("h_prev",))
    return h


# ---------------------------------------------------------------------------------------------
# One layer
# ---------------------------------------------------------------------------------------------


def check_layer_args(cell: Cell, x: Tensor, state0, weights, names: tuple[str, ...]) -> tuple[tuple[Tensor, ...], int]:
    """Check one layer's arguments once; return ``(state0 as a tuple, zeros where None, hidden_size)``.

    x: (seq_len, batch, input_size); state0: the state or None; weights: ``(w_ih, w_hh, b_ih, b_hh[, w_hr])``;
    names: the state's names in messages (``("h0",)`` or ``("h0", "c0")``).
    """
    hidden, proj = check_weights(cell, weights)
    _check_sequence(x, weights[0].shape[1])
    batch = x.shape[1]
    widths = cell.state_sizes(hidden, proj)
    state0 = _state_tuple(cell, state0, "state0" if len(names) > 1 else names[0])
    if state0 is None:
        state0 = tuple(x.new_zeros(batch, width) for width in widths)
    for name, s, width in zip(names, state0, widths):
        check_shape(name, s, (batch, width))
    check_same_dtype(x=x, **dict(zip(names, state0)), w_ih=weights[0], w_hh=weights[1])
    return state0, hidden


def _layer(cell: Cell, x: Tensor, state0, weights, names: tuple[str, ...], reverse: bool, lengths):
    state0, _ = check_layer_args(cell, x, state0, weights, names)
    seq_len, batch = x.shape[:2]
    lengths = _check_lengths(lengths, batch, seq_len)
    data, sizes, order = pack_rows(x, lengths)
    if order is not None:
        state0 = tuple(s.index_select(0, order.to(s.device)) for s in state0)
    output, final = run_layer(cell, data, sizes, reverse, weights, state0)
    if order is not None:
        final = tuple(s.index_select(0, torch.argsort(order).to(s.device)) for s in final)
    return unpack_rows(output, sizes, order, seq_len), final


def rnn_layer(x: Tensor, h0: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, nonlinearity: str = "tanh", reverse: bool = False,
              lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One layer, one direction, unrolled over a sequence (notebook 03).

    x: (seq_len, batch, input_size), sequence first; h0: (batch, hidden_size), or None for zeros
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)   b_ih, b_hh: (hidden_size,) or None
    reverse: walk from the last step to the first (the ``_reverse`` direction); ``output[t]`` still
        belongs to step t.
    lengths: (batch,) true lengths, or None when every sequence is seq_len long. Steps past a
        sequence's length leave its state untouched and write zeros to ``output``, as a packed nn.RNN.

    Returns ``(output, h_n)``: output (seq_len, batch, hidden_size), the state after every step; h_n
    (batch, hidden_size), each sequence's state after the last step the layer took on it.
    """
    check_nonlinearity(nonlinearity)
    output, (h_n,) = _layer(Elman(nonlinearity), x, h0, (w_ih, w_hh, b_ih, b_hh), ("h0",), reverse, lengths)
    return output, h_n


def lstm_layer(x: Tensor, state0: tuple[Tensor, Tensor] | None, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None = None, b_hh: Tensor | None = None, w_hr: Tensor | None = None,
               reverse: bool = False, lengths: Tensor | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """One LSTM layer, one direction (notebook 13). As ``rnn_layer``, with the state a pair:

    state0: ``(h0, c0)``, h0 (batch, hidden_size or proj_size), c0 (batch, hidden_size), or None for zeros.
    w_ih: (4 * hidden_size, input_size); w_hh: (4 * hidden_size, hidden_size or proj_size);
    b_ih, b_hh: (4 * hidden_size,) or None; w_hr: (proj_size, hidden_size) or None.
    Returns ``(output, (h_n, c_n))``: output (seq_len, batch, hidden_size or proj_size).
    """
    output, (h_n, c_n) = _layer(LSTM(), x, state0, (w_ih, w_hh, b_ih, b_hh, w_hr), ("h0", "c0"), reverse, lengths)
    return output, (h_n, c_n)


def gru_layer(x: Tensor, h0: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, reverse: bool = False,
              lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One GRU layer, one direction (notebook 14). As ``rnn_layer``, with (3 * hidden_size)-row weights."""
    output, (h_n,) = _layer(GRU(), x, h0, (w_ih, w_hh, b_ih, b_hh), ("h0",), reverse, lengths)
    return output, h_n


# ---------------------------------------------------------------------------------------------
# A stack: everything nn.RNN / nn.LSTM / nn.GRU compute
# ---------------------------------------------------------------------------------------------


def _forward(cell: Cell, x: Tensor, weights: Sequence[Sequence[Tensor | None]], state0, names: tuple[str, ...],
             batch_first: bool, bidirectional: bool, dropout: float, training: bool, lengths):
    num_directions = 2 if bidirectional else 1
    if len(weights) == 0 or len(weights) % num_directions:
        raise ValueError(f"weights: expected num_layers * {num_directions} LayerWeights, got {len(weights)}")
    num_layers = len(weights) // num_directions
    hidden, proj = check_weights(cell, weights[0])
    for k, w in enumerate(weights[1:], start=1):
        layer_input = weights[0][0].shape[1] if k < num_directions else num_directions * (proj or hidden)
        if check_weights(cell, w, layer_input) != (hidden, proj):
            raise ValueError(f"weights[{k}]: expected hidden_size {hidden} like weights[0], got {w[0].shape[0] // cell.gates}")
    _check_sequence(x, weights[0][0].shape[1], batch_first, name="input")
    if batch_first:
        x = x.transpose(0, 1)  # sequence first inside
    seq_len, batch = x.shape[:2]
    widths = cell.state_sizes(hidden, proj)
    state0 = _state_tuple(cell, state0, names[0] if len(names) == 1 else "state0")
    if state0 is None:
        state0 = tuple(x.new_zeros(num_layers * num_directions, batch, width) for width in widths)
    for name, s, width in zip(names, state0, widths):
        expected = (num_layers * num_directions, batch, width)
        if tuple(s.shape) != expected:
            raise ValueError(
                f"{name}: expected shape {fmt_shape(expected)} = (num_layers * num_directions, batch, "
                f"{'proj_size' if proj and name == 'h0' else 'hidden_size'}), got {fmt_shape(tuple(s.shape))}"
                + (f" ({name} is never batch-first)" if batch_first else "")
            )
    check_same_dtype(input=x, **dict(zip(names, state0)), weight_ih_l0=weights[0][0])
    lengths = _check_lengths(lengths, batch, seq_len)
    data, sizes, order = pack_rows(x, lengths)
    if order is not None:
        state0 = tuple(s.index_select(1, order.to(s.device)) for s in state0)
    output, final = run_stack(cell, data, sizes, weights, state0, num_directions, dropout, training)
    if order is not None:
        final = tuple(s.index_select(1, torch.argsort(order).to(s.device)) for s in final)
    output = unpack_rows(output, sizes, order, seq_len)
    return (output.transpose(0, 1) if batch_first else output), final


def rnn_forward(x: Tensor, weights: Sequence[LayerWeights], h0: Tensor | None = None, nonlinearity: str = "tanh",
                batch_first: bool = False, bidirectional: bool = False, dropout: float = 0.0,
                training: bool = False, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """A whole (stacked, optionally bidirectional) nn.RNN (notebooks 04, 06, 07).

    x: (seq_len, batch, input_size), or (batch, seq_len, input_size) if ``batch_first``
    weights: one ``LayerWeights`` per layer and direction, in ``h_n`` order:
        ``weights[layer * num_directions + direction]`` (see ``get_weights``)
    h0: (num_layers * num_directions, batch, hidden_size) -- never batch-first, exactly like nn.RNN --
        or None for zeros
    dropout, training: dropout on each layer's output except the last, in training only
    lengths: (batch,) true lengths for padded input, or None. With lengths, dropout masks are drawn over
        the real steps only, in a PackedSequence's order: as nn.RNN draws them for packed input.

    Layer ``l`` reads the *output sequence* of layer ``l - 1`` (both directions concatenated), never x.
    Returns ``(output, h_n)``: output (seq_len, batch, num_directions * hidden_size) (batch-first if
    asked), the top layer's state at every step; h_n (num_layers * num_directions, batch, hidden_size).
    """
    check_nonlinearity(nonlinearity)
    output, (h_n,) = _forward(Elman(nonlinearity), x, weights, h0, ("h0",), batch_first, bidirectional,
                              dropout, training, lengths)
    return output, h_n


def lstm_forward(x: Tensor, weights: Sequence[LayerWeights | LSTMWeights],
                 state0: tuple[Tensor, Tensor] | None = None, batch_first: bool = False,
                 bidirectional: bool = False, dropout: float = 0.0, training: bool = False,
                 lengths: Tensor | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """A whole nn.LSTM (notebook 13): as ``rnn_forward``, with the state a pair ``(h0, c0)``.

    state0: h0 (num_layers * num_directions, batch, proj_size or hidden_size) and c0 (..., hidden_size),
    or None for zeros. Returns ``(output, (h_n, c_n))``.
    """
    output, (h_n, c_n) = _forward(LSTM(), x, weights, state0, ("h0", "c0"), batch_first, bidirectional,
                                  dropout, training, lengths)
    return output, (h_n, c_n)


def gru_forward(x: Tensor, weights: Sequence[LayerWeights], h0: Tensor | None = None, batch_first: bool = False,
                bidirectional: bool = False, dropout: float = 0.0, training: bool = False,
                lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """A whole nn.GRU (notebook 14): as ``rnn_forward``."""
    output, (h_n,) = _forward(GRU(), x, weights, h0, ("h0",), batch_first, bidirectional, dropout, training, lengths)
    return output, h_n
