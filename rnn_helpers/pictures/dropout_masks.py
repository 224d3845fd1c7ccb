"""The dropout masks nn.RNN draws between layers, for one sequence (notebook 08).

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from .style import BLUE

DROPPED_COLOR = "0.92"  # a dropped entry: light grey
KEPT_COLOR = BLUE
EDGE_COLOR = "0.55"  # the border drawn around every cell, so that neighbouring dropped cells stay apart


def plot_dropout_masks(masks: Sequence[Tensor]):
    """One panel per mask, returned as a Figure: hidden units down, time steps across; kept entries
    coloured, dropped ones light grey, every cell outlined (grid lines between cells), so that each
    entry reads as its own coin flip.

    masks: a sequence of bool tensors, each (seq_len, features): which entries of one sequence of a
        layer's output survived dropout (``out != 0`` after ``F.dropout``), layer 0 first.
    Each panel's title counts the kept entries. Raises ``ValueError`` for an empty sequence or a
    mask that is not 2-D.
    """
    if len(masks) == 0:
        raise ValueError("masks: expected at least one mask, got none")
    for k, mask in enumerate(masks):
        if not isinstance(mask, Tensor) or mask.dim() != 2:
            raise ValueError(f"masks[{k}]: expected a 2-D tensor (seq_len, features), got {getattr(mask, 'shape', mask)!r}")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    fig, axes = plt.subplots(1, len(masks), figsize=(0.6 + 3.4 * len(masks), 2.6), squeeze=False)
    cmap = ListedColormap([DROPPED_COLOR, KEPT_COLOR])
    for k, (ax, mask) in enumerate(zip(axes[0], masks)):
        kept = mask.detach().cpu().bool()
        ax.imshow(kept.T.int().numpy(), cmap=cmap, vmin=0, vmax=1)
        steps, units = kept.shape
        ax.set_xticks(range(steps))
        ax.set_yticks(range(units))
        ax.set_xticks([i - 0.5 for i in range(steps + 1)], minor=True)
        ax.set_yticks([i - 0.5 for i in range(units + 1)], minor=True)
        ax.grid(which="minor", color=EDGE_COLOR, linewidth=1.0)
        ax.tick_params(which="minor", length=0)
        ax.set(title=f"layer {k} output: {int(kept.sum())} of {kept.numel()} kept", xlabel="step t",
               ylabel="hidden unit")
    fig.tight_layout()
    return fig
