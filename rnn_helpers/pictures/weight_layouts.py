"""The concatenated weight of one RNN step in its two layouts (notebook 05), drawn with matplotlib.

Left, the textbook layout ``(in, out)``: ``cat((U_xh, U_hh), dim=0)`` with ``U_xh = W_ih^T`` on top
of ``U_hh = W_hh^T``, shape ``(input_size + hidden_size, hidden_size)``. Right, PyTorch's layout
``(out, in)``: ``cat([W_ih, W_hh], dim=1)``, the two side by side, shape
``(hidden_size, input_size + hidden_size)``. The same numbers, each picture the other transposed.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .style import DIVERGING

#: Above this many cells per matrix, the values are not written into the cells.
ANNOTATE_MAX_CELLS = 80


def concat_layouts(w_ih: Tensor, w_hh: Tensor) -> tuple[Tensor, Tensor]:
    """``(textbook, pytorch)``: ``cat((w_ih.T, w_hh.T), dim=0)`` and ``cat([w_ih, w_hh], dim=1)``.

    w_ih: (hidden_size, input_size), w_hh: (hidden_size, hidden_size), PyTorch's ``(out, in)``
    weights. Returns tensors of shape (input_size + hidden_size, hidden_size) and
    (hidden_size, input_size + hidden_size); the first is the second transposed.
    Raises ``ValueError`` unless both are 2-D with ``hidden_size`` rows and ``w_hh`` is square.
    """
    if not (isinstance(w_ih, Tensor) and isinstance(w_hh, Tensor) and w_ih.dim() == 2 and w_hh.dim() == 2):
        raise ValueError("w_ih, w_hh: expected 2-D tensors (hidden_size, input_size) and (hidden_size, hidden_size)")
    hidden = w_hh.shape[0]
    if tuple(w_hh.shape) != (hidden, hidden) or w_ih.shape[0] != hidden:
        raise ValueError(
            f"w_ih, w_hh: expected shapes (hidden_size, input_size) and (hidden_size, hidden_size) with the "
            f"same hidden_size, got {tuple(w_ih.shape)} and {tuple(w_hh.shape)}"
        )
    w_ih, w_hh = w_ih.detach().cpu(), w_hh.detach().cpu()
    return torch.cat((w_ih.T, w_hh.T), dim=0), torch.cat([w_ih, w_hh], dim=1)


def plot_weight_layouts(w_ih: Tensor, w_hh: Tensor):
    """Draw the concatenated weight in the textbook and in PyTorch's layout side by side; return the Figure.

    w_ih: (hidden_size, input_size), w_hh: (hidden_size, hidden_size), as ``nn.RNN`` stores them.
    Signed values on a diverging colour scale centred on 0; a black line separates the input's
    block from the hidden state's. Values are written in the cells of small matrices.
    """
    import matplotlib.pyplot as plt

    textbook, pytorch = concat_layouts(w_ih, w_hh)
    n_in, hidden = w_ih.shape[1], w_hh.shape[0]
    vmax = float(pytorch.abs().max()) or 1.0
    fig, (ax_tb, ax_pt) = plt.subplots(
        1, 2, figsize=(2.5 + 0.9 * (n_in + 2 * hidden), 1.6 + 0.5 * (n_in + hidden)),
        gridspec_kw={"width_ratios": [hidden, n_in + hidden]},
    )
    panels = [
        (ax_tb, textbook, f"textbook: cat((U_xh, U_hh), dim=0)\n(input + hidden, hidden) = {tuple(textbook.shape)}"),
        (ax_pt, pytorch, f"PyTorch: cat([W_ih, W_hh], dim=1)\n(hidden, input + hidden) = {tuple(pytorch.shape)}"),
    ]
    for ax, matrix, title in panels:
        ax.imshow(matrix.numpy(), cmap=DIVERGING, vmin=-vmax, vmax=vmax)
        if matrix.numel() <= ANNOTATE_MAX_CELLS:
            for (i, j), value in zip(torch.cartesian_prod(*map(torch.arange, matrix.shape)).tolist(), matrix.flatten()):
                color = "white" if abs(float(value)) > 0.6 * vmax else "black"
                ax.text(j, i, f"{float(value):.2f}", ha="center", va="center", fontsize=8, color=color)
        ax.set_title(title, fontsize=10)
    block_centres = [(n_in - 1) / 2, n_in + (hidden - 1) / 2]
    ax_tb.axhline(n_in - 0.5, color="black", lw=2)  # U_xh's rows above, U_hh's below
    ax_tb.set_yticks(block_centres, ["U_xh", "U_hh"])
    ax_tb.set_xticks([])
    ax_tb.set(ylabel="rows: inputs (x_t, then h)", xlabel="columns: hidden units (outputs)")
    ax_pt.axvline(n_in - 0.5, color="black", lw=2)  # W_ih's columns left, W_hh's right
    ax_pt.set_xticks(block_centres, ["W_ih", "W_hh"])
    ax_pt.set_yticks([])
    ax_pt.set(xlabel="columns: inputs (x_t, then h)", ylabel="rows: hidden units (outputs)")
    fig.suptitle("The same concatenated weight in two layouts: each is the transpose of the other", fontsize=11)
    fig.tight_layout()
    return fig
