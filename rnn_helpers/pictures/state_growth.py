"""tanh against relu: the squashing functions, and how large the hidden state grows (notebook 08).

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor

from .style import LINE_COLORS

FUNCTIONS = {"tanh": torch.tanh, "relu": torch.relu}


def plot_state_growth(peaks: Mapping[str, Tensor], title: str = "largest |h_t| per step"):
    """Two panels, returned as a Figure: the squashing functions on [-3, 3] (left) and, for each
    nonlinearity, the largest ``|h_t|`` at every step on a log scale (right).

    peaks: ``{"tanh": (seq_len,), "relu": (seq_len,)}``, one positive value per step (e.g.
        ``output.abs().amax(dim=(1, 2))``); keys must be among ``"tanh"`` and ``"relu"``.
    The same colour stands for the same function in both panels.
    Raises ``ValueError`` for another key or a tensor that is not 1-D.
    """
    for name, peak in peaks.items():
        if name not in FUNCTIONS:
            raise ValueError(f"peaks: expected keys among {list(FUNCTIONS)}, got {name!r}")
        if not isinstance(peak, Tensor) or peak.dim() != 1:
            raise ValueError(f"peaks[{name!r}]: expected a 1-D tensor (seq_len,), got {getattr(peak, 'shape', peak)!r}")
    import matplotlib.pyplot as plt

    fig, (ax_f, ax_h) = plt.subplots(1, 2, figsize=(9, 3))
    z = torch.linspace(-3, 3, 61)
    for color, (name, fn) in zip(LINE_COLORS, FUNCTIONS.items()):
        ax_f.plot(z, fn(z), label=name, color=color)
        if name in peaks:
            ax_h.semilogy(peaks[name].detach().cpu(), label=name, color=color)
    ax_f.set(title="the squashing function", xlabel="z")
    ax_f.legend()
    ax_h.set(title=title, xlabel="step t")
    ax_h.legend()
    fig.tight_layout()
    return fig
