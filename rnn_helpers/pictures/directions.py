"""Pictures for notebooks 06 and 07: which time steps each direction has read, and how a
PackedSequence lays out a padded batch.

matplotlib is imported inside the plotting functions, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .style import BLUE, SKY, VERMILLION

DIRECTIONS = ("forward", "backward")
#: Cell colours: a real step read (blue), a padding step read (vermillion), padding in packed.data (grey).
READ_COLOR, PAD_READ_COLOR = BLUE, VERMILLION
REAL_STEP_COLOR, PAD_COLOR = SKY, "#f0f0f0"


def seen_steps(seq_len: int, length: int | None = None, packed: bool = True) -> dict[str, Tensor]:
    """Which input steps each direction has read when it writes each output position.

    seq_len: the padded length T of the batch.
    length: this sequence's true length L (1 <= L <= T), or None for L = T (no padding).
    packed: True if the batch went through ``pack_padded_sequence`` (each direction runs only
        over steps 0..L-1); False if the padded tensor was fed to the RNN as it is (both
        directions run over all T steps, padding included).

    Returns ``{"forward": seen, "backward": seen}``, each a bool tensor of shape (T, T):
    ``seen[t, s]`` is True when the output at position t depends on input step s.
    forward: s <= t.  backward: s >= t (and s < L when packed).
    Packed, positions t >= L are padding in ``output`` (zeros): they have read nothing.
    """
    if not isinstance(seq_len, int) or seq_len < 1:
        raise ValueError(f"seq_len: expected an int >= 1, got {seq_len!r}")
    if length is None:
        length = seq_len
    if not isinstance(length, int) or not 1 <= length <= seq_len:
        raise ValueError(f"length: expected an int with 1 <= length <= seq_len={seq_len}, got {length!r}")
    t = torch.arange(seq_len).unsqueeze(1)  # output position, (T, 1)
    s = torch.arange(seq_len).unsqueeze(0)  # input step, (1, T)
    forward = s <= t
    backward = s >= t
    if packed:
        real = (t < length) & (s < length)
        forward = forward & real
        backward = backward & real
    return {"forward": forward, "backward": backward}


def plot_seen_steps(seq_len: int, length: int | None = None, packed: bool = True, title: str | None = None):
    """Draw ``seen_steps`` as two grids side by side (forward, backward) and return the Figure.

    Rows: output position t. Columns: input step s. A blue cell means output[t] has read
    step s; a vermillion (orange-red) cell means it has read a *padding* step (s >= length), which
    happens only when the padded batch was not packed. Padding columns are labelled "pad". A legend
    below the grids names the colours that appear ("read: real step", "read: pad step").
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    seen = seen_steps(seq_len, length, packed)
    length = seq_len if length is None else length
    # 0: not read, 1: read a real step, 2: read a padding step
    pad = torch.arange(seq_len).unsqueeze(0) >= length
    cmap = ListedColormap(["white", READ_COLOR, PAD_READ_COLOR])
    fig, axes = plt.subplots(1, 2, figsize=(2.0 + 1.1 * seq_len, 0.9 + 0.45 * seq_len), sharey=True)
    labels = [str(s) if s < length else f"{s}\npad" for s in range(seq_len)]
    for ax, direction in zip(axes, DIRECTIONS):
        grid = seen[direction].int() * (1 + pad.int())
        ax.imshow(grid.numpy(), cmap=cmap, vmin=0, vmax=2)
        ax.set_xticks(range(seq_len), labels)
        ax.set_yticks(range(seq_len))
        ax.set_xticks([i - 0.5 for i in range(1, seq_len)], minor=True)
        ax.set_yticks([i - 0.5 for i in range(1, seq_len)], minor=True)
        ax.grid(which="minor", color="lightgray")
        ax.tick_params(which="minor", length=0)
        ax.set_xlabel("input step s")
        last = length - 1 if packed else seq_len - 1  # the last step this direction's walk covers
        arrow = f"walks 0 → {last}" if direction == "forward" else f"walks {last} → 0"
        ax.set_title(f"{direction} ({arrow})", fontsize=10)
    axes[0].set_ylabel("output position t")
    if title is None:
        title = "which input steps output[t] has read"
        if length < seq_len:
            title += f" (length {length}, padded to {seq_len}, {'packed' if packed else 'NOT packed'})"
    fig.suptitle(title, fontsize=11)
    handles = [Patch(facecolor=READ_COLOR, label="read: real step")]
    if bool((torch.stack(list(seen.values())) & pad).any()):
        handles.append(Patch(facecolor=PAD_READ_COLOR, label="read: pad step"))
    handles.append(Patch(facecolor="white", edgecolor="lightgray", label="not read"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def plot_packed_layout(packed):
    """Draw where each (time step, sequence) of a padded batch lands in ``packed.data``; return the Figure.

    packed: a ``torch.nn.utils.rnn.PackedSequence``.
    Rows: time step t. Columns: the sequences in their original batch order.
    Each real step shows its row index in ``packed.data``; padding cells are grey and empty.
    ``batch_sizes[t]`` (how many sequences are still running at step t) is written on the right.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    batch_sizes = packed.batch_sizes
    seq_len, batch = len(batch_sizes), int(batch_sizes[0])
    sorted_indices = packed.sorted_indices
    if sorted_indices is None:
        sorted_indices = torch.arange(batch)
    row = torch.full((seq_len, batch), -1)
    offset = 0
    for t, n in enumerate(batch_sizes.tolist()):
        for j in range(n):  # the j-th longest sequence is batch element sorted_indices[j]
            row[t, int(sorted_indices[j])] = offset + j
        offset += n
    fig, ax = plt.subplots(figsize=(3.4 + 1.0 * batch, 1.0 + 0.45 * seq_len))
    cmap = ListedColormap([PAD_COLOR, REAL_STEP_COLOR])
    ax.imshow((row >= 0).int().numpy(), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for t in range(seq_len):
        for b in range(batch):
            if row[t, b] >= 0:
                ax.text(b, t, f"data[{int(row[t, b])}]", ha="center", va="center", fontsize=9)
            else:
                ax.text(b, t, "pad", ha="center", va="center", fontsize=8, color="gray")
        ax.text(batch - 0.4, t, f"batch_sizes[{t}] = {int(batch_sizes[t])}", va="center", fontsize=9)
    ax.set_xticks(range(batch), [f"seq {b}\nlength {int((row[:, b] >= 0).sum())}" for b in range(batch)])
    ax.set_yticks(range(seq_len))
    ax.set_ylabel("time step t")
    ax.set_xlim(-0.5, batch + 1.8)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title("where each step lands in packed.data", fontsize=10)
    fig.tight_layout()
    return fig
