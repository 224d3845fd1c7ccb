"""What hoisting moves out of the loop, and what it cannot (notebook 05), drawn with matplotlib.

One band stands for ``projected = x @ W_ih.T + b_ih + b_hh``, computed for every step in one
matmul before the loop; below it, the chain of hidden states ``h_{-1} -> h_0 -> ... -> h_{T-1}``,
each step reading ``projected[t]`` (an arrow down from the band) and the previous state (an
arrow from the left). Nothing here computes anything: it only draws the dependencies of
``rnn_layer_hoisted``.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from .style import BLUE, GREEN

MAX_STEPS = 12  # more steps than this is unreadable on a page

PROJECTION_COLOR = GREEN  # the work done once, for all steps (parallel across time)
STATE_COLOR = BLUE  # the hidden states, computed one after another
INITIAL_COLOR = "0.85"  # the initial state h_{-1}: given, not computed


def draw_hoisting(seq_len: int = 6, ax=None):
    """Draw the hoisted projection band over the sequential chain of states; return the Figure.

    seq_len: number of steps T drawn (1 <= T <= 12): states h_{-1} (h0 in code) to h_{T-1}.
    ax: a matplotlib Axes to draw into, or None for a new figure.

    Every arrow carries a ``gid``: ``"projected[t]->h{t}"`` (the band feeds step t) and
    ``"h{t-1}->h{t}"`` (the recurrence, ``"h-1->h0"`` for the first step), so a test can find it.
    """
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or not 1 <= seq_len <= MAX_STEPS:
        raise ValueError(f"seq_len: expected an int with 1 <= seq_len <= {MAX_STEPS}, got {seq_len!r}")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    T = seq_len
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.5 + 1.25 * T, 3))
    else:
        fig = ax.figure
    ax.add_patch(Rectangle((0.6, 2.0), T - 0.2, 0.8, color=PROJECTION_COLOR, alpha=0.3, gid="projected"))
    ax.text(0.5 + T / 2, 2.4, "projected = x @ W_ih.T + b_ih + b_hh\n(one matmul, all steps: parallel across time)",
            ha="center", va="center", fontsize=9)
    for k in range(T + 1):  # box k holds h_{k-1}: box 0 is the initial state h_{-1} (h0 in code)
        ax.add_patch(Rectangle((k - 0.3, 0.2), 0.6, 0.6, color=STATE_COLOR if k else INITIAL_COLOR, alpha=0.45))
        ax.text(k, 0.5, f"$h_{{{k - 1}}}$", ha="center", va="center", fontsize=10)
        if k:  # step t = k - 1 reads projected[t] and h_{t-1}
            t = k - 1
            ax.annotate("", xy=(k, 0.8), xytext=(k, 2.0), gid=f"projected[{t}]->h{t}",
                        arrowprops={"arrowstyle": "->", "color": PROJECTION_COLOR, "lw": 1.5})
            ax.text(k + 0.06, 1.4, f"[{t}]", ha="left", va="center", fontsize=8, color="0.25")
            ax.annotate("", xy=(k - 0.3, 0.5), xytext=(k - 0.7, 0.5), gid=f"h{t - 1}->h{t}",
                        arrowprops={"arrowstyle": "->", "color": "0.2", "lw": 1.5})
    ax.text(0.5 + T / 2, -0.25, "h_t = tanh(projected[t] + h_{t-1} @ W_hh.T)   (one step after another: sequential)",
            ha="center", va="center", fontsize=9)
    ax.set_xlim(-0.6, T + 0.6)
    ax.set_ylim(-0.5, 3.0)
    ax.axis("off")
    ax.set_title("What hoisting moves out of the loop, and what it cannot", fontsize=11)
    return fig
