"""How far back each cell remembers (notebook 15): the recall score against the delay, one line per model.

The score of a recall task is the test loss divided by what a model that remembers nothing scores (for
values drawn from U(-1, 1), always predicting 0 gives 1/3): 0 is perfect recall, 1 is "remembers
nothing", drawn as a dotted line. Delays longer than any the models trained on are shaded, so a reader
sees at once where the test asks for more than training did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .grad_paths import LINE_STYLES
from .style import LINE_COLORS

#: One marker per line, in parallel with the colours and line styles: the lines differ without colour too.
MARKERS = ("o", "s", "^", "D", "v", "P")


def _scores(label: str, values: Any) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"scores[{label!r}]: expected a non-empty 1-D tensor (num_delays,), got shape {tuple(array.shape)}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"scores[{label!r}]: expected finite scores >= 0 (a loss ratio), got minimum {np.nanmin(array):.3g}")
    return array


def plot_recall_by_delay(scores: Mapping[str, Any], trained_up_to: int | None = None, title: str | None = None) -> Any:
    """The recall score against the delay k, one line per model; returns the Figure.

    scores: ``{label: (num_delays,) scores}``, entry k the score at delay k = 0, 1, ... (test loss / loss of
        always predicting 0: 0 perfect, 1 remembers nothing). Every entry must have the same length.
    trained_up_to: the longest delay in the training data, or None; delays beyond it are shaded.
    title: a title over the plot.

    ``fig.axes[0].lines[j]`` is model j's line (its label as the legend label), followed by the dotted
    line at 1; the legend sits to the right of the plot. Raises ``ValueError`` for no scores, a score list that is not 1-D, lists of different
    lengths, a negative or non-finite score, or ``trained_up_to`` outside the delays drawn.
    """
    import matplotlib.pyplot as plt

    if not scores:
        raise ValueError("scores: expected at least one {label: (num_delays,) scores} entry, got none")
    arrays = {label: _scores(label, v) for label, v in scores.items()}
    lengths = {label: len(a) for label, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"scores: expected one number of delays for every model, got {lengths}")
    n = next(iter(lengths.values()))
    if trained_up_to is not None and not (isinstance(trained_up_to, int) and 0 <= trained_up_to < n):
        raise ValueError(f"trained_up_to: expected an int delay from 0 to {n - 1}, got {trained_up_to!r}")
    delays = np.arange(n)
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    for j, (label, array) in enumerate(arrays.items()):
        ax.plot(delays, array, color=LINE_COLORS[j % len(LINE_COLORS)], linestyle=LINE_STYLES[j % len(LINE_STYLES)],
                marker=MARKERS[j % len(MARKERS)], ms=4, lw=1.6, label=label)
    ax.axhline(1.0, color="0.3", lw=1, ls=":", label="always predicting 0:\nremembers nothing")
    if trained_up_to is not None and trained_up_to < n - 1:
        ax.axvspan(trained_up_to + 0.5, n - 0.5, color="0.9", zorder=0)
        ax.text(trained_up_to + 1, 0.5 * max(1.3, float(max(a.max() for a in arrays.values()))),
                "longer than any\ntraining delay", fontsize=8, color="0.25", va="center")
    top = max(1.3, float(max(a.max() for a in arrays.values())) + 0.1)
    ax.set_ylim(-0.05, top)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_xlabel("delay k: steps between the value to recall and the last input")
    ax.set_ylabel("test loss / (1/3)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))   # outside: the lines fill the plot
    if title:
        ax.set_title(title, fontsize=10)
    return fig
