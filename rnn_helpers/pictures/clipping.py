"""Clipping by norm against clipping by value, in two dimensions (notebook 10)."""

from __future__ import annotations

from typing import Any

from .style import BLUE, VERMILLION


def plot_clip_directions(gradient: Any, max_norm: float = 1.0, clip_value: float = 1.0) -> Any:
    """Arrows from the origin: a 2-D gradient, it clipped by norm, and it clipped by value.

    gradient: (2,), the raw gradient (drawn dark grey).
    max_norm: the circle of radius max_norm; the norm-clipped arrow (blue) ends on or inside it,
        in the raw gradient's direction (PyTorch's factor ``clamp(max_norm / (norm + 1e-6), max=1)``).
    clip_value: the dotted square ``[-clip_value, clip_value]^2``; the value-clipped arrow
        (vermillion) is the gradient clamped into it, turned when one component is clamped.

    Returns the Axes; each arrow is an annotation whose ``gid`` is "raw", "norm" or "value".
    Raises ``ValueError`` unless ``gradient`` holds 2 numbers and both limits are positive.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    g = torch.as_tensor(gradient, dtype=torch.float64).detach().cpu()
    if g.shape != (2,):
        raise ValueError(f"gradient: expected 2 numbers, shape (2,), got shape {tuple(g.shape)}")
    if not (max_norm > 0 and clip_value > 0):
        raise ValueError(f"max_norm, clip_value: expected positive numbers, got {max_norm!r} and {clip_value!r}")
    by_norm = g * torch.clamp(max_norm / (g.norm() + 1e-6), max=1.0)
    by_value = g.clamp(-clip_value, clip_value)

    _, ax = plt.subplots(figsize=(5.2, 3.2))
    theta = np.linspace(0, 2 * np.pi, 200)
    ax.plot(max_norm * np.cos(theta), max_norm * np.sin(theta), color="0.6", lw=1)
    c = clip_value
    ax.plot([-c, c, c, -c, -c], [-c, -c, c, c, -c], color="0.6", lw=1, ls=":")
    for vec, color, gid, label in [(g, "0.3", "raw", "raw gradient"),
                                   (by_norm, BLUE, "norm", "clipped by norm (same direction)"),
                                   (by_value, VERMILLION, "value", "clipped by value (turned)")]:
        ax.annotate("", xy=(float(vec[0]), float(vec[1])), xytext=(0, 0), gid=gid,
                    arrowprops=dict(arrowstyle="->", color=color, lw=2))
        ax.plot([], [], color=color, lw=2, label=label)
    reach = max(float(g.abs().max()), max_norm, clip_value) * 1.1
    ax.set_aspect("equal")
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-max(max_norm, clip_value) * 1.2, max(max_norm, clip_value) * 1.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"circle: norm ≤ {max_norm:g};   dotted square: every |entry| ≤ {clip_value:g}")
    return ax
