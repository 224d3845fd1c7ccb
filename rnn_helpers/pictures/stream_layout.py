"""How ``stream_batches`` lays one text out in parallel rows and chunks (notebook 12), as a picture.

Top: the text as one strip, each character coloured by the row it goes to. Below: every chunk's
inputs ``x`` and targets ``y``, ``(batch_size, seq_len)`` each, in the same colours, so the eye
sees that row b of chunk k+1 picks up where row b of chunk k stopped, and that ``y`` is ``x``
shifted by one character. The characters come from ``stream_batches`` itself.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from .style import LINE_COLORS

MAX_CHARS = 60  # more characters than this do not fit on a page
_UNUSED = "#dddddd"


def draw_stream_batches(text: str, batch_size: int, seq_len: int):
    """Draw ``stream_batches`` of ``text`` (one character per id); return the Figure.

    text: 2 to ``MAX_CHARS`` characters. batch_size, seq_len: as in ``stream_batches``.
    Every drawn character carries a ``gid``: ``"stream:i"`` for character i of the strip,
    ``"x:k,b,t"`` / ``"y:k,b,t"`` for ``x[b, t]`` / ``y[b, t]`` of chunk k; its facecolour is
    its row's colour (grey in the strip for characters no row uses).
    """
    import matplotlib.pyplot as plt
    import torch
    from matplotlib.patches import Rectangle

    from ..text.batches import stream_batches

    if not isinstance(text, str) or not 2 <= len(text) <= MAX_CHARS:
        raise ValueError(f"text: expected a str of 2 to {MAX_CHARS} characters, got {text!r}")
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > len(LINE_COLORS):
        raise ValueError(f"batch_size: expected at most {len(LINE_COLORS)} rows to draw, got {batch_size}")
    ids = torch.tensor([ord(c) for c in text])
    chunks = stream_batches(ids, batch_size, seq_len)   # checks batch_size, seq_len and the length
    per_row = (len(text) - 1) // batch_size
    row_of = [i // per_row if i < batch_size * per_row else None for i in range(len(text))]

    gap = 1.2
    widths = [x.shape[1] for x, _ in chunks]
    lefts = [sum(widths[:k]) + gap * k for k in range(len(chunks))]
    width = max(len(text), lefts[-1] + widths[-1])
    fig, ax = plt.subplots(figsize=(0.42 * width + 1.6, 0.42 * (2 * batch_size + 5) + 0.4))

    def cell(x0, y0, char, color, gid):
        ax.add_patch(Rectangle((x0, y0), 1, 1, facecolor=color, edgecolor="white", lw=1.5, alpha=0.55, gid=gid))
        ax.text(x0 + 0.5, y0 + 0.5, repr(char)[1:-1], ha="center", va="center", fontsize=10, family="monospace")

    for i, char in enumerate(text):
        row = row_of[i]
        cell(i, 0, char, _UNUSED if row is None else LINE_COLORS[row], f"stream:{i}")
    ax.text(-0.3, 0.5, "text", ha="right", va="center", fontsize=10)
    for k, (x, y) in enumerate(chunks):
        for name, grid, top in (("x", x, 2.2), ("y", y, 3.4 + batch_size)):
            for b in range(batch_size):
                for t in range(grid.shape[1]):
                    cell(lefts[k] + t, top + b, chr(int(grid[b, t])), LINE_COLORS[b], f"{name}:{k},{b},{t}")
            ax.text(lefts[k] + widths[k] / 2, top - 0.15, f"chunk {k}: {name}", ha="center", va="bottom", fontsize=9)
    for b in range(batch_size):
        for top in (2.2, 3.4 + batch_size):
            ax.text(-0.3, top + 0.5 + b, f"row {b}", ha="right", va="center", fontsize=9, color="0.3")
    ax.text(
        -2.2, 3.9 + 2 * batch_size,
        "colour: the row a character is read by as an input; grey: no row reads it as an input",
        ha="left", va="top", fontsize=9, color="0.3",
    )
    ax.set_xlim(-2.2, width + 0.2)
    ax.set_ylim(4.6 + 2 * batch_size, -0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
