"""Matrices side by side as annotated heatmaps (notebook 02: a textbook weight and its transpose).

``plot_matrices`` draws each matrix with its values written in the cells, on one shared
diverging colour scale (``style.DIVERGING``: red positive, blue negative, white 0), with its
name and shape as the title, so that "the same numbers, rows turned into columns" is visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .style import DIVERGING

#: Above this many cells in one matrix, values are no longer written into the cells.
ANNOTATE_MAX_CELLS = 64


def _as_matrix(name: str, matrix: Any) -> np.ndarray:
    if hasattr(matrix, "detach"):  # a torch tensor, possibly a Parameter that requires grad
        matrix = matrix.detach().cpu().float().numpy()
    array = np.asarray(matrix, dtype=float)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{name}: expected a non-empty 2-D matrix (rows, columns), got shape {tuple(array.shape)}"
        )
    return array


def plot_matrices(matrices: Sequence[tuple[str, Any]], *, vmax: float | None = None, decimals: int = 2):
    """One annotated heatmap per ``(name, matrix)``, left to right; return the Figure.

    matrices: a non-empty sequence of ``(name, matrix)`` pairs; each matrix is 2-D
        (a torch tensor, detached for you, or anything ``numpy.asarray`` accepts).
    vmax: the colour scale runs from -vmax (blue) to +vmax (red), shared by every panel;
        None: the largest |value| over all matrices.
    decimals: digits after the point in the written values (matrices of at most
        ``ANNOTATE_MAX_CELLS`` cells are annotated).
    Panel widths follow the number of columns, so a (1, 4) and a (4, 1) matrix look like
    what they are. Each Axes title is ``"name\\n(rows, columns)"``; each image holds the matrix
    as given (``ax.images[0].get_array()``).
    Raises ValueError on an empty sequence, a matrix that is not 2-D, or a non-positive vmax.
    """
    if isinstance(matrices, (str, bytes)) or not isinstance(matrices, Sequence) or not matrices:
        raise ValueError(f"matrices: expected a non-empty list of (name, matrix) pairs, got {matrices!r:.60}")
    arrays = []
    for item in matrices:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise ValueError(f"matrices: expected (name, matrix) pairs, got {type(item).__name__} {item!r:.60}")
        arrays.append((item[0], _as_matrix(item[0], item[1])))
    if vmax is None:
        vmax = max(float(np.abs(a).max()) for _, a in arrays) or 1.0
    if not vmax > 0:
        raise ValueError(f"vmax: expected a positive number or None, got {vmax}")

    import matplotlib.pyplot as plt

    widths = [max(a.shape[1], 1.4) for _, a in arrays]
    height = max(a.shape[0] for _, a in arrays)
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(0.65 * sum(widths) + 0.6 * len(arrays), 0.6 * height + 1.2),
        gridspec_kw={"width_ratios": widths}, squeeze=False,
    )
    for ax, (name, array) in zip(axes[0], arrays):
        ax.imshow(array, cmap=DIVERGING, vmin=-vmax, vmax=vmax)
        if array.size <= ANNOTATE_MAX_CELLS:
            for i in range(array.shape[0]):
                for j in range(array.shape[1]):
                    value = array[i, j]
                    ax.text(j, i, f"{value:.{decimals}f}", ha="center", va="center", fontsize=8,
                            color="white" if abs(value) > 0.65 * vmax else "black")
        ax.set_title(f"{name}\n{tuple(array.shape)}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
