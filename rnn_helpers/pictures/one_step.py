"""One recurrent step as a diagram (notebook 02): two linear maps, one sum, one tanh.

``draw_rnn_step`` draws the data flow of
``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with the shape of every tensor, and
the dashed arrow that makes it recurrent: ``h_t`` becomes the next step's ``h_{t-1}``.
Nothing is computed here. Every box carries a ``gid`` (``"box:x_t"``, ``"box:h_prev"``,
``"box:ih"``, ``"box:hh"``, ``"box:sum"``, ``"box:tanh"``, ``"box:h_t"``) and every arrow a
``gid`` ``"arrow:<from>-><to>"``, so a test can find them.
"""

from __future__ import annotations

from .style import BLUE, GREEN, ORANGE, VERMILLION
from .unrolled import tint

#: (gid, centre x, centre y, label, fill) of every box, left to right.
BOXES: tuple[tuple[str, float, float, str, str], ...] = (
    ("x_t", 1.1, 3.0, "$x_t$\n(batch, input_size)", tint(BLUE, 0.8)),
    ("h_prev", 1.1, 1.0, "$h_{t-1}$\n(batch, hidden_size)", tint(GREEN, 0.8)),
    ("ih", 4.3, 3.0, "$x_t W_{ih}^T + b_{ih}$\n(batch, hidden_size)", tint(ORANGE, 0.75)),
    ("hh", 4.3, 1.0, "$h_{t-1} W_{hh}^T + b_{hh}$\n(batch, hidden_size)", tint(ORANGE, 0.75)),
    ("sum", 6.7, 2.0, "+", "white"),
    ("tanh", 7.7, 2.0, "tanh", tint(VERMILLION, 0.75)),
    ("h_t", 9.5, 2.0, "$h_t$\n(batch, hidden_size)", tint(GREEN, 0.8)),
)

#: (from, to, start, end) of every solid arrow.
ARROWS: tuple[tuple[str, str, tuple[float, float], tuple[float, float]], ...] = (
    ("x_t", "ih", (2.25, 3.0), (3.05, 3.0)),
    ("h_prev", "hh", (2.35, 1.0), (2.95, 1.0)),
    ("ih", "sum", (5.55, 2.8), (6.5, 2.15)),
    ("hh", "sum", (5.65, 1.2), (6.5, 1.85)),
    ("sum", "tanh", (6.9, 2.0), (7.3, 2.0)),
    ("tanh", "h_t", (8.1, 2.0), (8.35, 2.0)),
)


def draw_rnn_step(title: str = "One recurrent step: two linear maps, one sum, one tanh"):
    """Draw one step of nn.RNN with the shape of every tensor; return the Figure.

    x_t: (batch, input_size) and h_{t-1}: (batch, hidden_size) each go through a linear map
    (with its own bias) to (batch, hidden_size); the two are added, tanh is applied, and the
    result h_t: (batch, hidden_size) is fed back (dashed) as the next step's h_{t-1}. At
    t = 0 the state fed in is the initial state, h_{-1} = h0[0].
    title: the Axes title (a str).
    """
    if not isinstance(title, str):
        raise TypeError(f"title: expected a str, got {type(title).__name__}")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.4))
    ax.set_xlim(0, 10.6)
    ax.set_ylim(0, 4)
    ax.axis("off")
    for gid, x, y, text, fill in BOXES:
        ax.text(x, y, text, ha="center", va="center", fontsize=10, gid=f"box:{gid}",
                bbox={"boxstyle": "round,pad=0.45", "facecolor": fill, "edgecolor": "0.35"})
    for source, target, start, end in ARROWS:
        ax.annotate("", xy=end, xytext=start, gid=f"arrow:{source}->{target}",
                    arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 1.4})
    ax.annotate("", xy=(1.1, 0.45), xytext=(9.5, 1.55), gid="arrow:h_t->h_prev",
                arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 1.4,
                            "connectionstyle": "arc3,rad=-0.12", "linestyle": "--"})
    ax.text(5.3, 0.08, "becomes the next step's $h_{t-1}$; at t = 0, $h_{-1}$ = h0[0]",
            ha="center", fontsize=9, color="0.3")
    ax.set_title(title)
    return fig
