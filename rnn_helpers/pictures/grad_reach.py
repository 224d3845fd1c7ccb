"""What truncated BPTT cuts (notebook 09): how much gradient each loss step sends to each input step."""

from __future__ import annotations

import math
from typing import Any

from ._arrays import as_array
from .style import SEQUENTIAL, VERMILLION


def plot_grad_reach(full: Any, truncated: Any, k: int, vmin: float = 1e-4) -> Any:
    """Two heatmaps side by side: full BPTT (left) and truncated BPTT in chunks of ``k`` (right).

    full, truncated: (seq_len, seq_len); entry [s, t] is how much gradient the loss at step s
        sends to input step t (e.g. the sum of |dL_s/dx_t|), >= 0.
    k: the chunk length; a dashed line marks every chunk boundary.
    vmin: the smallest value the logarithmic colour scale shows: smaller ones take its colour, and the
        colour bar's bottom label reads "<= vmin" (when vmin is a power of 10); exact zeros are drawn white.

    Returns the Figure. Its two image Axes hold the data with exact zeros masked (NaN).
    Raises ``ValueError`` for grids that are not square, differ in shape, or hold negative values.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LogNorm

    full = as_array("full", full, 2, "(loss step s, input step t)")
    truncated = as_array("truncated", truncated, 2, "(loss step s, input step t)")
    if full.shape != truncated.shape or full.shape[0] != full.shape[1]:
        raise ValueError(
            f"full, truncated: expected two square grids of one shape (seq_len, seq_len), "
            f"got {full.shape} and {truncated.shape}"
        )
    if (full < 0).any() or (truncated < 0).any():
        raise ValueError("full, truncated: expected sizes of gradients (>= 0), got negative values")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k: expected the chunk length, an int >= 1, got {k!r}")
    seq_len = full.shape[0]
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
    cmap = plt.get_cmap(SEQUENTIAL).with_extremes(bad="white")  # exact zeros (masked) drawn white
    norm = LogNorm(vmin=vmin, vmax=max(float(full.max()), vmin * 10), clip=True)
    for ax, grid, title in [(axes[0], full, "full BPTT"), (axes[1], truncated, f"truncated, chunks of k = {k}")]:
        image = ax.imshow(np.where(grid == 0, np.nan, grid), cmap=cmap, norm=norm)
        ax.set_title(title)
        ax.set_xlabel("input step t")
        for boundary in range(k, seq_len, k):
            ax.axvline(boundary - 0.5, color=VERMILLION, lw=1, ls="--")
    axes[0].set_ylabel("loss at step s")
    bar = fig.colorbar(image, ax=axes, label=r"sum of $|\partial L_s / \partial x_t|$ (white: exactly 0)", shrink=0.8)
    # the scale is clipped at vmin: smaller values take vmin's colour, and the bottom label says so
    exponents = range(math.ceil(math.log10(vmin) - 1e-9), math.floor(math.log10(norm.vmax) + 1e-9) + 1)
    ticks = [10.0**e for e in exponents]
    labels = [f"$10^{{{e}}}$" for e in exponents]
    if ticks and math.isclose(ticks[0], vmin):
        labels[0] = rf"$\leq 10^{{{exponents[0]}}}$"
    bar.set_ticks(ticks, labels=labels)
    bar.minorticks_off()
    return fig
