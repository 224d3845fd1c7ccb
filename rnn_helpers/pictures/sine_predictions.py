"""A trained model's next-step predictions against the targets, and its error per step (notebook 11)."""

from __future__ import annotations

from typing import Any

from ._arrays import as_array
from .style import BLACK, GREEN, LINE_COLORS


def plot_sine_predictions(prediction: Any, target: Any, clean: Any, floor: float | None = None, n: int = 2) -> Any:
    """Left: targets (dots), clean next points (line) and predictions (dashed) for ``n`` sequences.
    Right: the mean squared error at every step t over the whole batch.

    prediction, target, clean: (seq_len, batch, 1), time first; at step t all three are about
        the next point s_{t+1} (``clean`` without its noise).
    floor: drawn as a dotted line on the right panel (e.g. the oracle's error, the noise variance).
    n: how many sequences to draw on the left.
    Returns the Figure. Raises ``ValueError`` for shapes that differ or are not (seq_len, batch, 1).
    """
    import matplotlib.pyplot as plt

    arrays = [as_array(name, a, 3, "(seq_len, batch, 1)") for name, a in
              [("prediction", prediction), ("target", target), ("clean", clean)]]
    prediction, target, clean = arrays
    if len({a.shape for a in arrays}) != 1 or prediction.shape[2] != 1:
        raise ValueError(f"prediction, target, clean: expected one shape (seq_len, batch, 1), got {[a.shape for a in arrays]}")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= min(prediction.shape[1], len(LINE_COLORS)):
        raise ValueError(f"n: expected an int from 1 to the batch size {prediction.shape[1]}, got {n!r}")
    error_per_step = ((prediction - target) ** 2).mean(axis=(1, 2))      # (seq_len,)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), gridspec_kw={"width_ratios": [2, 1], "wspace": 0.2})
    for b, color in zip(range(n), LINE_COLORS):
        axes[0].plot(clean[:, b, 0], color=color, lw=1, alpha=0.5)
        axes[0].plot(target[:, b, 0], "o", color=color, ms=3)
        axes[0].plot(prediction[:, b, 0], "--", color=color, lw=1.5)
    axes[0].set_xlabel("step t")
    axes[0].set_title("target y[t] (dots), clean sine (line), prediction (dashed)")
    axes[1].plot(error_per_step, ".-", color=BLACK)
    if floor is not None:
        axes[1].axhline(floor, color=GREEN, ls=":", label="noise variance (an oracle's error)")
        axes[1].legend(fontsize=8)
    axes[1].set_ylim(bottom=0)
    axes[1].set_xlabel("step t")
    axes[1].set_title("test error at each step")
    return fig
