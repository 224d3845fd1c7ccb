"""What a language model remembers (notebook 12): right closing brackets against distance.

One bar per range of distances: of the closing brackets a model wrote that had to close a bracket
opened that many characters back, the fraction of the right type. A model that remembers nothing
about the opening bracket picks between the two types by chance: 50%, drawn as a line. The last
default range is open-ended (``(21, None)``, "21+"), so every closing bracket lands in a bar.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .style import BLUE

#: The default ranges of distances, (low, high) inclusive; high None: low and beyond.
DISTANCE_BINS: tuple[tuple[int, int | None], ...] = ((1, 1), (2, 3), (4, 6), (7, 9), (10, 13), (14, 20), (21, None))


def bin_label(low: int, high: int | None) -> str:
    """How a range is written on the chart: ``"1"``, ``"2-3"``, or ``"21+"`` for an open-ended one."""
    return f"{low}+" if high is None else f"{low}" if low == high else f"{low}-{high}"


def right_by_distance(
    distance: Tensor, right: Tensor, bins: Sequence[tuple[int, int | None]] = DISTANCE_BINS
) -> tuple[Tensor, Tensor]:
    """``(fraction, count)`` per bin: the fraction of ``right`` among entries whose ``distance`` lies
    in ``[low, high]`` (``high=None``: ``distance >= low``), and how many there are. distance: (n,) ints;
    right: (n,) bool. Both (len(bins),); a bin with no entries has fraction nan.
    """
    if distance.shape != right.shape or distance.dim() != 1:
        raise ValueError(
            f"distance, right: expected two 1-D tensors of the same length, got shapes "
            f"{tuple(distance.shape)} and {tuple(right.shape)}"
        )
    fraction, count = [], []
    for low, high in bins:
        if not (isinstance(low, int) and low >= 1 and (high is None or (isinstance(high, int) and low <= high))):
            raise ValueError(f"bins: expected (low, high) with 1 <= low <= high (or high None), got {(low, high)}")
        inside = (distance >= low) if high is None else (distance >= low) & (distance <= high)
        n = int(inside.sum())
        count.append(n)
        fraction.append(right[inside].double().mean().item() if n else float("nan"))
    return torch.tensor(fraction, dtype=torch.float64), torch.tensor(count)


def plot_right_by_distance(distance: Tensor, right: Tensor, bins: Sequence[tuple[int, int | None]] = DISTANCE_BINS,
                           title: str | None = None):
    """Bar chart of ``right_by_distance``: fraction of right closing brackets per distance range,
    the count written on each bar, and the 50% of a model that guesses the type. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    fraction, count = right_by_distance(distance, right, bins)
    labels = [bin_label(low, high) for low, high in bins]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.bar(range(len(bins)), fraction.nan_to_num(0).tolist(), color=BLUE, alpha=0.8)
    for i, (f, n) in enumerate(zip(fraction.tolist(), count.tolist())):
        text = f"{f:.0%}\n(n={n})" if n else "none"
        ax.text(i, (0 if n == 0 else f) + 0.02, text, ha="center", va="bottom", fontsize=8)
    ax.axhline(0.5, color="0.3", lw=1, ls="--", label="guessing the type: 50%")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xticks(range(len(bins)), labels)
    ax.set_ylim(0, 1.3)
    ax.set_xlabel("distance to the bracket it closes (characters)")
    ax.set_ylabel("closing brackets of the right type")
    if title:
        ax.set_title(title, fontsize=10)
    return fig
