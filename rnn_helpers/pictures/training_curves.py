"""Training loss curves, with reference levels (notebook 11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .style import BLACK, BLUE, GREEN, ORANGE, PURPLE

#: How the curves are drawn, in order: a wide pale line first, then thin dashed ones on top of it,
#: so two equal curves show as one dashed line inside a band.
CURVE_STYLES = (dict(color=BLUE, lw=4, alpha=0.4), dict(color=BLACK, lw=1, ls="--"), dict(color=PURPLE, lw=1, ls=":"))
LEVEL_COLORS = (ORANGE, GREEN, PURPLE)


def plot_training_losses(
    curves: Mapping[str, Sequence[float]], levels: Mapping[str, float] | None = None, title: str | None = None
) -> Any:
    """The loss of every training step, one curve per model, on a log scale; reference levels dotted.

    curves: ``{label: losses}``, one loss per step (up to 3 curves).
    levels: ``{label: value}``, horizontal dotted lines (e.g. a baseline, a floor), up to 3.
    title: the Axes title.
    Returns the Axes. Raises ``ValueError`` for no curve, more than 3 curves or levels, or an empty curve.
    """
    import matplotlib.pyplot as plt

    levels = dict(levels or {})
    if not 1 <= len(curves) <= len(CURVE_STYLES) or len(levels) > len(LEVEL_COLORS):
        raise ValueError(
            f"curves, levels: expected 1 to {len(CURVE_STYLES)} curves and at most {len(LEVEL_COLORS)} levels, "
            f"got {len(curves)} and {len(levels)}"
        )
    if any(len(v) == 0 for v in curves.values()):
        raise ValueError("curves: expected at least one loss per curve, got an empty one")
    _, ax = plt.subplots(figsize=(8, 3.5))
    for (label, losses), style in zip(curves.items(), CURVE_STYLES):
        ax.plot(list(losses), label=label, **style)
    for (label, value), color in zip(levels.items(), LEVEL_COLORS):
        ax.axhline(value, color=color, lw=1, ls=":", label=label)
    ax.set_yscale("log")
    ax.minorticks_off()
    ax.set_xlabel("training step")
    ax.set_ylabel("training loss (MSE)")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax
