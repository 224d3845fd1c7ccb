"""What every gate did at every step: the activations of one LSTM or GRU layer over time (notebooks 13, 14).

``lstm_gates`` and ``gru_gates`` run one layer in one direction through the layer engine
(``engine.forward_layer``: the same arithmetic as ``lstm_layer`` / ``gru_layer``, no second copy of the
cell) and return the activations each step computed, one ``(seq_len, batch, ·)`` tensor per gate, for
pictures (``rnn_helpers.pictures.plot_gates``) and for questions such as "how open was the forget gate?".
The results are detached: this is for looking, not for training.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .cells import GRU, LSTM, Cell
from .engine import forward_layer
from .functional import check_layer_args


def _run(cell: Cell, x: Tensor, state0, weights, names: tuple[str, ...]):
    """Check once, run ``forward_layer`` without autograd; return (buffers, seq_len, batch, hidden)."""
    state0, hidden = check_layer_args(cell, x, state0, weights, names)
    seq_len, batch = x.shape[:2]
    with torch.no_grad():
        rows = x.detach().reshape(seq_len * batch, x.shape[2])
        detached = [None if w is None else w.detach() for w in (*weights, None)[:5]]
        _, _, buffers = forward_layer(cell, [batch] * seq_len, False, rows, *detached,
                                      tuple(s.detach() for s in state0))
    return buffers, seq_len, batch, hidden


def lstm_gates(x: Tensor, state0: tuple[Tensor, Tensor] | None, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None = None, b_hh: Tensor | None = None,
               w_hr: Tensor | None = None) -> dict[str, Tensor]:
    """Every gate of one LSTM layer (one direction, forwards) at every step (notebook 13).

    x: (seq_len, batch, input_size); state0: ``(h0, c0)`` or None for zeros; weights as ``lstm_layer``
    (w_ih (4 * hidden_size, input_size), w_hh (4 * hidden_size, hidden_size or proj_size), biases
    (4 * hidden_size,) or None, w_hr (proj_size, hidden_size) or None).

    Returns ``{"i", "f", "g", "o", "c", "h"}``: i, f, o in (0, 1) (sigmoid), g in (-1, 1) (tanh), each
    (seq_len, batch, hidden_size), as step t computed them; c: (seq_len, batch, hidden_size), the cell
    state after step t; h: (seq_len, batch, hidden_size or proj_size), ``lstm_layer``'s output.
    """
    buffers, seq_len, batch, hidden = _run(LSTM(), x, state0, (w_ih, w_hh, b_ih, b_hh, w_hr), ("h0", "c0"))
    i, f, g, o = buffers.g.view(seq_len, batch, 4 * hidden).chunk(4, dim=2)
    h, c = (s.view(seq_len, batch, -1) for s in buffers.states)
    return {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}


def gru_gates(x: Tensor, h0: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> dict[str, Tensor]:
    """Every gate of one GRU layer (one direction, forwards) at every step (notebook 14).

    x: (seq_len, batch, input_size); h0: (batch, hidden_size) or None for zeros; weights as ``gru_layer``
    (w_ih (3 * hidden_size, input_size), w_hh (3 * hidden_size, hidden_size), biases (3 * hidden_size,)
    or None).

    Returns ``{"r", "z", "n", "h"}``, each (seq_len, batch, hidden_size): r and z in (0, 1) (sigmoid),
    n in (-1, 1) (the candidate, tanh), h the state after step t = (1 - z) * n + z * h_{t-1}.
    """
    buffers, seq_len, batch, hidden = _run(GRU(), x, h0, (w_ih, w_hh, b_ih, b_hh), ("h0",))
    r, z, n = buffers.g.view(seq_len, batch, 3 * hidden).chunk(3, dim=2)
    return {"r": r, "z": z, "n": n, "h": buffers.states[0].view(seq_len, batch, hidden)}
