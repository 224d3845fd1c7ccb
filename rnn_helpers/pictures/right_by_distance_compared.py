"""What several language models remember (notebook 15): right closing brackets against distance, side by side.

Notebook 12's bar chart (``plot_right_by_distance``) for one model, here for several at once: in each range
of distances, one bar per model, the fraction of its closing brackets that had the right type. The 50% of
a model that guesses the type is drawn as a line, and every bar is labelled with the number of closings
behind it. The fractions come from ``right_by_distance``, the same computation as notebook 12's picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .memory_distance import DISTANCE_BINS, right_by_distance
from .style import LINE_COLORS

#: Hatches in parallel with the colours, so the bars differ without colour too.
HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


def plot_right_by_distance_compared(
    results: Mapping[str, tuple[Any, Any]], bins: Sequence[tuple[int, int]] = DISTANCE_BINS, title: str | None = None
) -> Any:
    """Grouped bars: per range of distances, the fraction of right closing brackets of every model; returns the Figure.

    results: ``{label: (distance, right)}``, each pair as ``closings`` returns it: distance (n,) ints, right
        (n,) bools, for the closing brackets that model wrote.
    bins: the ranges of distances, (low, high) inclusive (default: notebook 12's).
    title: a title over the plot.

    ``fig.axes[0].containers[j]`` holds model j's bars (label: the model's label), one per bin; each bar is
    labelled with its fraction and the number of closings behind it (``"64%, n=412"``: a fraction of a few
    closings is noise), and a bin where the model wrote no closing bracket gets a bar of height 0 marked
    "none". Raises ``ValueError``
    for no results (and, from ``right_by_distance``, for a pair of different lengths or a bad bin).
    """
    import matplotlib.pyplot as plt

    if not results:
        raise ValueError("results: expected at least one {label: (distance, right)} entry, got none")
    fractions = {label: right_by_distance(distance, right, bins) for label, (distance, right) in results.items()}
    k = len(fractions)
    width = 0.8 / k
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for j, (label, (fraction, count)) in enumerate(fractions.items()):
        xs = [i - 0.4 + width * (j + 0.5) for i in range(len(bins))]
        ax.bar(xs, fraction.nan_to_num(0).tolist(), width=width * 0.95, color=LINE_COLORS[j % len(LINE_COLORS)],
               hatch=HATCHES[j % len(HATCHES)], edgecolor="white", lw=0.5, label=label)
        for x, f, n in zip(xs, fraction.tolist(), count.tolist()):
            ax.text(x, (f if n else 0) + 0.015, f"{f:.0%}, n={n}" if n else "none", ha="center", va="bottom",
                    fontsize=6.5, rotation=90)
    ax.axhline(0.5, color="0.3", lw=1, ls="--", label="guessing the type: 50%")
    ax.set_xticks(range(len(bins)), [f"{low}+" if high is None else f"{low}" if low == high else f"{low}-{high}"
                                     for low, high in bins])
    ax.set_ylim(0, 1.5)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("distance to the bracket it closes (characters)")
    ax.set_ylabel("closing brackets of the right type")
    ax.legend(fontsize=8, loc="upper right", ncol=k + 1)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
