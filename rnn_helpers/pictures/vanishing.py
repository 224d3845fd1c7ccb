"""Vanishing and exploding gradients for tanh and relu as the spectral radius grows (notebook 10)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .grad_over_time import plot_grad_norms
from .style import BLUE, ORANGE

NONLINEARITIES = ("tanh", "relu")


def plot_vanishing_exploding(
    curves: Mapping[tuple[str, float], Any], act_means: Mapping[tuple[str, float], float], rhos: Sequence[float]
) -> Any:
    """Three panels: tanh's and relu's ``||dL/dh_t||`` for every spectral radius, then mean act'.

    curves: ``{(nonlinearity, rho): (seq_len,) norms}`` for nonlinearity "tanh" and "relu" and
        every rho in ``rhos`` (e.g. from ``hidden_grad_norms``).
    act_means: ``{(nonlinearity, rho): mean of act'(a_t) over units and steps}``, same keys.
    rhos: the spectral radii, in increasing order.

    Returns the Figure: panels 0 and 1 share one log scale (so tanh and relu compare directly),
    panel 2 plots the mean slope against rho with the line act' = 1 of a linear RNN.
    Raises ``ValueError`` when a key is missing.
    """
    import matplotlib.pyplot as plt

    keys = [(nl, r) for nl in NONLINEARITIES for r in rhos]
    missing = [key for key in keys if key not in curves or key not in act_means]
    if missing:
        raise ValueError(f"curves, act_means: expected an entry for every (nonlinearity, rho), missing {missing}")
    low = min(float(curves[key].min()) for key in keys)
    high = max(float(curves[key].max()) for key in keys)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, nl in zip(axes, NONLINEARITIES):
        plot_grad_norms({rf"$\rho$ = {r}": curves[nl, r] for r in rhos}, ax=ax, ylim=(low / 10, high * 10),
                        title=f"{nl}: " + r"$\|\partial L/\partial h_t\|$, loss on the last step")
    for nl, marker, color in [("tanh", "o", BLUE), ("relu", "s", ORANGE)]:
        axes[2].plot(list(rhos), [act_means[nl, r] for r in rhos], marker=marker, color=color, label=nl)
    axes[2].axhline(1.0, color="0.6", ls="--", label="a linear RNN (act' = 1)")
    axes[2].set_ylim(0, 1.1)
    axes[2].set_xlabel(r"spectral radius $\rho$")
    axes[2].set_title(r"mean of act'$(a_t)$ over units and steps")
    axes[2].legend(fontsize=8)
    fig.subplots_adjust(wspace=0.3)
    return fig
