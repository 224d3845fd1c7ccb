"""Noisy sine waves and the sines without their noise (notebook 11)."""

from __future__ import annotations

from typing import Any

from ._arrays import as_array
from .style import LINE_COLORS


def plot_noisy_sines(series: Any, clean: Any, n: int = 3) -> Any:
    """The first ``n`` sequences of a batch: noisy points as dots, the sine without noise as a line.

    series, clean: (seq_len + 1, batch, 1), time first, as ``rnn_helpers.training.noisy_sine`` returns.
    n: how many sequences to draw (at most the batch size), one colour each.
    Returns the Axes: ``ax.lines`` alternates clean line, noisy dots for each sequence.
    Raises ``ValueError`` for shapes that differ or are not (time, batch, 1), or ``n`` out of range.
    """
    import matplotlib.pyplot as plt

    series = as_array("series", series, 3, "(seq_len + 1, batch, 1)")
    clean = as_array("clean", clean, 3, "(seq_len + 1, batch, 1)")
    if series.shape != clean.shape or series.shape[2] != 1:
        raise ValueError(f"series, clean: expected one shape (seq_len + 1, batch, 1), got {series.shape} and {clean.shape}")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= min(series.shape[1], len(LINE_COLORS)):
        raise ValueError(f"n: expected an int from 1 to the batch size {series.shape[1]}, got {n!r}")
    _, ax = plt.subplots(figsize=(9, 3))
    for b, color in zip(range(n), LINE_COLORS):
        ax.plot(clean[:, b, 0], color=color, lw=1, alpha=0.6)
        ax.plot(series[:, b, 0], "o", color=color, ms=3)
    ax.set_xlabel("step t")
    ax.set_title(f"{n} noisy sines (dots) and the sines without noise (lines)")
    return ax
