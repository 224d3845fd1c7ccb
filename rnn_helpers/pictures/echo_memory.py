"""How far back a plain RNN remembers (notebook 11): recall scores and where the gradient reaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._arrays import as_array
from .style import BLACK, LINE_COLORS


def plot_echo_memory(
    delays: Sequence[int], scores: Mapping[int, float], untrained_reach: Any, trained_reach: Mapping[int, Any]
) -> Any:
    """Three panels: the test score per delay; the untrained network's reach; each trained model's reach.

    delays: the delays k, e.g. [1, 3, 5, 7].
    scores: ``{k: test loss / (1/3)}`` (1: remembers nothing, 0: perfect recall).
    untrained_reach: (seq_len,), |dh_n / dx_t| of the untrained network, entry j for the input
        j steps before the last one (log scale).
    trained_reach: ``{k: (seq_len,)}``, |d y_hat / d x_t| of the model trained for delay k, same
        order; a dot marks entry k, the step that model was asked to recall.
    Returns the Figure. Raises ``ValueError`` for a missing delay or reaches of different lengths.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    missing = [k for k in delays if k not in scores or k not in trained_reach]
    if missing:
        raise ValueError(f"scores, trained_reach: expected an entry for every delay, missing {missing}")
    untrained = as_array("untrained_reach", untrained_reach, 1, "(seq_len,)")
    trained = {k: as_array(f"trained_reach[{k}]", trained_reach[k], 1, "(seq_len,)") for k in delays}
    if any(len(t) != len(untrained) for t in trained.values()):
        raise ValueError(f"trained_reach: expected every reach of length {len(untrained)}, like untrained_reach")
    steps_back = np.arange(len(untrained))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), gridspec_kw={"wspace": 0.25})
    axes[0].plot(list(delays), [scores[k] for k in delays], "o-", color=BLACK)
    axes[0].axhline(1, color=BLACK, ls=":", lw=1)
    axes[0].text(delays[0], 1.03, "remembers nothing", fontsize=8)
    axes[0].set_ylim(-0.05, 1.15)
    axes[0].set_xlabel("delay k")
    axes[0].set_title("test loss / (1/3)")
    axes[1].semilogy(steps_back, untrained, ".-", color=BLACK)
    axes[1].set_xlabel("steps before the last input")
    axes[1].set_title(r"untrained: $|\partial h_n / \partial x_t|$")
    for k, color in zip(delays, LINE_COLORS):
        axes[2].semilogy(steps_back, trained[k], color=color, lw=1, label=f"k = {k}")
        axes[2].plot(k, trained[k][k], "o", color=color)
    for ax in axes[1:]:
        ax.minorticks_off()
    axes[2].set_xlabel("steps before the last input")
    axes[2].set_title(r"trained for delay k: $|\partial \hat y / \partial x_t|$")
    axes[2].legend(fontsize=8)
    return fig
