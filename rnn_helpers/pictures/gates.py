"""The gates of an LSTM or a GRU over time, as heatmaps side by side (notebooks 13, 14).

One panel per gate (or state), hidden units down and time steps across, as ``plot_hidden_states``
draws a hidden state. A sigmoid gate lives in (0, 1): it is drawn with ``SEQUENTIAL`` (viridis) on a
fixed 0..1 scale, so "open" (1, yellow) and "shut" (0, dark) read the same in every panel and every
notebook. A signed quantity (the LSTM's candidate g and cell state c, the GRU's candidate n, h) is drawn
with ``DIVERGING`` (RdBu_r), white at 0, on a scale symmetric about 0 that is at least -1..1 (so a cell
state that grew past 1 widens the scale of every signed panel: one scale, one colour bar for them all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .style import DIVERGING, SEQUENTIAL

#: The sigmoid gates of nn.LSTM (i, f, o) and nn.GRU (r, z): values in (0, 1).
UNIT_INTERVAL = ("i", "f", "o", "r", "z")
#: What each of PyTorch's names means, for the panel titles.
MEANINGS = {
    "i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate", "c": "cell state",
    "h": "hidden state", "r": "reset gate", "z": "update gate", "n": "candidate",
}


def _panel_array(name: str, values: Any) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim != 2 or array.size == 0:
        hint = "; pick one sequence of the batch, e.g. gates['f'][:, 0]" if array.ndim == 3 else ""
        raise ValueError(
            f"panels[{name!r}]: expected a non-empty 2-D tensor of shape (seq_len, hidden_size), one sequence, "
            f"got shape {tuple(array.shape)}{hint}"
        )
    return array


def plot_gates(panels: Mapping[str, Any], title: str | None = None,
               unit_interval: Iterable[str] = UNIT_INTERVAL) -> Any:
    """Heatmaps of gates over time, one panel per entry, side by side; returns the Figure.

    panels: ``{name: (seq_len, hidden_size) values}`` for ONE sequence, in the order to draw them, e.g.
        ``{k: gates[k][:, 0] for k in "ifgoc"}`` from ``rnn_helpers.lstm_gates``. Tensors are detached for
        you. Every panel must have the same seq_len; hidden_size may differ (a projected h).
    title: a title over the whole figure.
    unit_interval: the names drawn as gates on a fixed 0..1 viridis scale (default: the sigmoid gates
        i, f, o, r, z); every other panel is signed, RdBu_r, on one scale symmetric about 0, at least -1..1.

    ``fig.axes[k]`` is panel k (its image holds the values transposed: (hidden_size, seq_len)); after the
    panels come the colour bars: one for the gates (0..1), one shared by the signed panels. Raises ``ValueError`` for an empty ``panels``, a panel that is
    not 2-D, panels of different lengths, or a gate panel with values outside [0, 1] (a pre-activation
    passed by mistake).
    """
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("panels: expected at least one {name: (seq_len, hidden_size)} entry, got none")
    arrays = {name: _panel_array(name, values) for name, values in panels.items()}
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"panels: expected one seq_len for every panel, got {lengths}")
    gates = set(unit_interval)
    for name, array in arrays.items():
        if name in gates and (array.min() < 0 or array.max() > 1):
            raise ValueError(
                f"panels[{name!r}]: a gate is a sigmoid, expected values in [0, 1], got "
                f"{array.min():.3g}..{array.max():.3g} (a pre-activation, before the sigmoid?)"
            )
    seq_len = next(iter(lengths.values()))
    rows = max(a.shape[1] for a in arrays.values())
    signed = [a for name, a in arrays.items() if name not in gates]
    vmax = max([1.0] + [float(np.abs(a).max()) for a in signed])  # one signed scale for every signed panel
    n = len(arrays)
    fig, axes = plt.subplots(1, n, figsize=(1.6 + n * (0.6 + 0.14 * seq_len), 1.2 + 0.26 * rows), squeeze=False)
    images = {}
    for k, (ax, (name, array)) in enumerate(zip(axes[0], arrays.items())):
        if name in gates:
            images["gate"] = ax.imshow(array.T, cmap=SEQUENTIAL, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
        else:
            images["signed"] = ax.imshow(array.T, cmap=DIVERGING, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
        meaning = MEANINGS.get(name)
        ax.set_title(f"{name}: {meaning}" if meaning else name, fontsize=9)
        ax.set_xlabel("step t", fontsize=8)
        ax.set_xticks(range(0, seq_len, max(1, -(-seq_len // 5))))
        ax.set_yticks(range(array.shape[1]) if k == 0 else [])
        ax.tick_params(labelsize=7, length=2)
    axes[0][0].set_ylabel("hidden unit", fontsize=8)
    if "gate" in images:
        bar = fig.colorbar(images["gate"], ax=list(axes[0]), fraction=0.02, pad=0.03, ticks=[0, 0.5, 1])
        bar.ax.set_title("gate", fontsize=7)
        bar.ax.tick_params(labelsize=7, length=2)
    if "signed" in images:
        bar = fig.colorbar(images["signed"], ax=list(axes[0]), fraction=0.02, pad=0.03, ticks=[-vmax, 0, vmax], format="%.3g")
        bar.ax.set_title("signed", fontsize=7)
        bar.ax.tick_params(labelsize=7, length=2)
    if title:
        fig.suptitle(title, fontsize=10, y=1.06)
    return fig
