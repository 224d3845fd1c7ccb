"""How much gradient reaches each step (notebook 10): ||dL/dh_t|| against t, on a log scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._arrays import as_array
from .style import BLUE, SEQUENTIAL


def plot_grad_norms(curves: Any, ax: Any = None, title: str | None = None, ylim: tuple | None = None) -> Any:
    """One line per curve: the gradient norm at every step t, on a logarithmic y axis.

    curves: a (seq_len,) tensor (one curve, drawn in blue), or ``{label: (seq_len,) tensor}``
        (several curves of one length, coloured in order from dark to light, ``SEQUENTIAL``:
        pass them in increasing order of what distinguishes them, e.g. the spectral radius).
    ax: the Axes to draw on (a new figure if None). title, ylim: the Axes title and y limits.

    Returns the Axes; ``ax.lines[i]`` is curve i. A line on a log scale is a quantity multiplied by
    the same factor at every step. Raises ``ValueError`` for an empty curve or curves of different lengths.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    named = dict(curves) if isinstance(curves, Mapping) else {None: curves}
    arrays = {label: as_array(f"curves[{label!r}]", c, 1, "(seq_len,)") for label, c in named.items()}
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) != 1:
        raise ValueError(f"curves: expected curves of one length (seq_len,), got lengths {sorted(lengths)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.2))
    if len(arrays) == 1:
        colors = [BLUE]
    else:
        colors = plt.get_cmap(SEQUENTIAL)(np.linspace(0, 0.9, len(arrays)))
    for (label, array), color in zip(arrays.items(), colors):
        ax.semilogy(np.arange(len(array)), array, color=color, marker="." if len(arrays) == 1 else None, label=label)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
    ax.grid(True, which="major", alpha=0.3)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    if len(arrays) > 1:
        ax.legend(fontsize=8)
    return ax
