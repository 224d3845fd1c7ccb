"""Training runs with and without gradient clipping, side by side (notebook 10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .style import LINE_COLORS

#: What each record must hold: one list per quantity, one entry per SGD step taken.
FIELDS = ("loss", "grad norm", "cosine")


def plot_clip_runs(runs: Mapping[str, Mapping[str, Any]], baseline: float | None = None) -> Any:
    """Three panels over the SGD steps: the loss, the raw gradient's norm, and cos(step, raw gradient).

    runs: ``{label: record}``, each record ``{"loss": [...], "grad norm": [...], "cosine": [...]}``
        with one value per step taken (a run that overflowed is shorter).
    baseline: drawn as a dotted horizontal line on the loss panel (e.g. the loss of always
        predicting 0), or None.

    Loss and gradient norm are on log scales. The loss panel shows the range of the runs that took
    every step (from half their smallest loss to 10 times their largest). The gradient-norm panel goes up
    to 10 times the largest norm before any run's last step, so that one overflowing value (1e68, say)
    does not flatten the others into a line. A run that ended early (its loss overflowed) is marked with
    an x at its last step in both panels, on the top edge when its value is off the chart, where the
    gradient norm's value is written beside it. Returns the Figure. Raises ``ValueError`` for a record
    without one of the three lists or with lists of different lengths.
    """
    import matplotlib.pyplot as plt

    for label, record in runs.items():
        missing = [f for f in FIELDS if f not in record]
        if missing:
            raise ValueError(f"runs[{label!r}]: expected lists {FIELDS}, missing {missing}")
        lengths = {len(record[f]) for f in FIELDS}
        if len(lengths) != 1:
            raise ValueError(f"runs[{label!r}]: expected one value per step in each list, got lengths {sorted(lengths)}")
    longest = max(len(record["loss"]) for record in runs.values())
    complete = [v for record in runs.values() if len(record["loss"]) == longest for v in record["loss"]]
    top = 10 * max(complete)
    before_last = [v for record in runs.values() for v in record["grad norm"][:-1]]
    norm_top = 10 * max(before_last or [v for record in runs.values() for v in record["grad norm"]])
    norm_bottom = min(v for record in runs.values() for v in record["grad norm"]) / 2
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for (label, record), color in zip(runs.items(), LINE_COLORS):
        steps = range(len(record["loss"]))
        axes[0].semilogy(steps, record["loss"], color=color, marker=".", label=label)
        axes[1].semilogy(steps, record["grad norm"], color=color, marker=".")
        axes[2].plot(steps, record["cosine"], color=color, marker=".")
        if len(record["loss"]) < longest:  # the run stopped: its loss overflowed
            last = len(record["loss"]) - 1
            axes[0].plot(last, min(record["loss"][-1], top), "x", color=color, ms=10, mew=2, clip_on=False)
            norm = record["grad norm"][-1]
            axes[1].plot(last, min(norm, norm_top), "x", color=color, ms=10, mew=2, clip_on=False)
            if norm > norm_top:
                axes[1].annotate(f"{norm:.0e}, off the chart", (last, norm_top), xytext=(8, -12),
                                 textcoords="offset points", color=color, fontsize=8)
    if baseline is not None:
        axes[0].axhline(baseline, color="0.4", ls=":", lw=1, label="always predict 0")
    axes[0].set_ylim(min(complete) / 2, top)
    axes[1].set_ylim(norm_bottom, norm_top)
    axes[0].set_title("loss")
    axes[1].set_title("norm of the raw gradient")
    axes[2].set_title("cos(step direction, raw gradient)")
    axes[2].set_ylim(0, 1.05)
    for ax in axes:
        ax.set_xlabel("SGD step")
    axes[0].legend(fontsize=8)
    fig.subplots_adjust(wspace=0.3)
    return fig
