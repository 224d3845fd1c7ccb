"""How much gradient reaches each step, along different paths or in different cells (notebooks 13, 14, 15).

``plot_grad_paths`` draws gradient norms against the step t on a logarithmic axis, one line per curve,
one panel per group: e.g. the LSTM's ``||dL/dc_t||`` (through the cell state) and ``||dL/dh_t||`` beside
the plain RNN's ``||dL/dh_t||`` of notebook 10. A quantity multiplied by the same factor at every step
back is a straight line on that axis; a line that stays level is a gradient that survives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .style import LINE_COLORS

#: Line styles in parallel with the colours, so the curves differ without colour too.
LINE_STYLES = ("-", "--", ":", "-.")


def _curve(label: str, values: Any) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"curve {label!r}: expected a non-empty 1-D tensor (seq_len,), got shape {tuple(array.shape)}")
    if not (array > 0).all():
        raise ValueError(f"curve {label!r}: a log scale needs positive norms, got minimum {array.min():.3g}")
    return array


def plot_grad_paths(curves: Mapping[str, Any], title: str | None = None, mark: int | None = None) -> Any:
    """Gradient norms against the step t, log scale; returns the Figure.

    curves: ``{label: (seq_len,) norms}`` for one panel, or ``{panel title: {label: (seq_len,) norms}}``
        for panels side by side with one shared y axis. A label keeps its colour and line style in every
        panel (colours from ``LINE_COLORS``, styles ``LINE_STYLES``), in order of first appearance.
    title: a title over the whole figure.
    mark: a step to mark with a dotted vertical line in every panel (say, where a sequence holds the value
        the loss asks about), or None.

    ``fig.axes[k]`` is panel k; ``ax.lines[j]`` its j-th curve, with the label as its legend label; with
    ``mark``, the vertical line comes after the curves, labelled ``"step {mark}"``.
    Raises ``ValueError`` for no curves, a curve that is not 1-D, a norm that is not positive, or a
    ``mark`` that is not a step of the longest curve.
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("curves: expected at least one {label: (seq_len,) norms} entry, got none")
    grouped = all(isinstance(v, Mapping) for v in curves.values())
    panels = dict(curves) if grouped else {None: curves}
    if any(not group for group in panels.values()):
        raise ValueError("curves: every panel needs at least one {label: (seq_len,) norms} entry")
    arrays = {p: {label: _curve(label, v) for label, v in group.items()} for p, group in panels.items()}
    longest = max(len(a) for group in arrays.values() for a in group.values())
    if mark is not None and (isinstance(mark, bool) or not isinstance(mark, int) or not 0 <= mark < longest):
        raise ValueError(f"mark: expected an int step from 0 to {longest - 1}, got {mark!r}")
    labels: list[str] = []
    for group in arrays.values():
        labels += [label for label in group if label not in labels]
    style = {label: (LINE_COLORS[k % len(LINE_COLORS)], LINE_STYLES[k % len(LINE_STYLES)]) for k, label in enumerate(labels)}
    fig, axes = plt.subplots(1, len(arrays), figsize=(0.6 + 5.2 * len(arrays), 3.4), sharey=True, squeeze=False)
    for ax, (panel, group) in zip(axes[0], arrays.items()):
        for label, array in group.items():
            color, dashes = style[label]
            ax.semilogy(np.arange(len(array)), array, color=color, linestyle=dashes, lw=1.8, label=label)
        if mark is not None:
            ax.axvline(mark, color="0.3", lw=1, ls=":", label=f"step {mark}")
        ax.set_xlabel("step t")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
        if panel is not None:
            ax.set_title(panel, fontsize=10)
    axes[0][0].set_ylabel("gradient norm (log scale)")
    if title:
        fig.suptitle(title, fontsize=11, y=1.03)
    return fig
