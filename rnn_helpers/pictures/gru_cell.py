"""Where the GRU's reset gate multiplies (notebook 14): nn.GRU's candidate beside the textbook one.

Two panels, the candidate ``n`` of one GRU step in each. Left, ``nn.GRU``: the recurrent product
``h_{t-1} W_hn^T + b_hn`` is finished first, bias included, and then multiplied by ``r`` ("reset after",
linear before reset). Right, the textbook cell: ``r`` multiplies ``h_{t-1}`` first and the product comes
after ("reset before"), with one bias on the input side. The multiplication by ``r`` and its arrows are
drawn in vermillion, everything else in grey; both panels end in the same interpolation
``h_t = (1 - z) * n + z * h_{t-1}``. Nothing here computes anything.
"""

from __future__ import annotations

from .style import BLUE, VERMILLION

RESET_COLOR = VERMILLION  # the multiplication by r
FLOW_COLOR = "0.45"       # every other connection


def _panel(ax, after: bool) -> None:
    """One candidate path; ``after``: nn.GRU's reset-after, else the textbook's reset-before."""
    box = dict(boxstyle="round,pad=0.3", fc="white", ec="0.4")
    gate_box = dict(boxstyle="round,pad=0.3", fc="#EAF2FA", ec=BLUE)
    node = dict(boxstyle="circle,pad=0.15", fc="white", ec=RESET_COLOR)
    plain_node = dict(boxstyle="circle,pad=0.15", fc="white", ec="0.3")

    def arrow(start, end, gid, color=FLOW_COLOR, lw=1.4):
        ax.annotate("", xy=end, xytext=start, gid=gid,
                    arrowprops=dict(arrowstyle="->", color=color, lw=lw, shrinkA=2, shrinkB=2))

    y_h, y_x, y_r, y_add, y_out = 3.5, 1.3, 4.75, 2.4, 0.35
    x_add, x_tanh, x_n = 7.6, 8.7, 9.8
    # the recurrent side: product and multiplication by r, in the order of each cell
    if after:
        x_product, x_mul, product = 3.3, 6.0, "$h_{t-1} W_{hn}^T + b_{hn}$"
        edges = [(0.95, 1.85, "h_prev->product", FLOW_COLOR), (4.75, 5.75, "product->mul r", FLOW_COLOR)]
        last = (x_mul + 0.2, y_h - 0.15, "mul r->add", RESET_COLOR)
    else:
        x_product, x_mul, product = 4.6, 2.3, "$(r \\odot h_{t-1})\\, W_{hn}^T$"
        edges = [(0.95, 2.05, "h_prev->mul r", FLOW_COLOR), (2.55, 3.3, "mul r->product", RESET_COLOR)]
        last = (x_product + 1.0, y_h - 0.2, "product->add", FLOW_COLOR)
    ax.text(0.5, y_h, "$h_{t-1}$", ha="center", va="center", bbox=box)
    ax.text(x_product, y_h, product, ha="center", va="center", bbox=box, fontsize=9, gid="product")
    ax.text(x_mul, y_h, "$\\times$", ha="center", va="center", bbox=node, color=RESET_COLOR, gid="mul r")
    ax.text(x_mul, y_r, "$r = \\sigma(\\ldots)$", ha="center", va="center", bbox=gate_box, fontsize=9)
    arrow((x_mul, y_r - 0.3), (x_mul, y_h + 0.3), "r->mul r", RESET_COLOR, 2.2)
    for x0, x1, gid, color in edges:
        arrow((x0, y_h), (x1, y_h), gid, color, 2.2 if color == RESET_COLOR else 1.4)
    x0, y0, gid, color = last
    arrow((x0, y0), (x_add - 0.2, y_add + 0.15), gid, color, 2.2 if color == RESET_COLOR else 1.4)
    # the input side, the sum, tanh, and the interpolation
    x_input = "$x_t W_{in}^T + b_{in}$" if after else "$x_t W_{in}^T + b_{n}$"
    ax.text(0.5, y_x, "$x_t$", ha="center", va="center", bbox=box)
    ax.text(3.1, y_x, x_input, ha="center", va="center", bbox=box, fontsize=9)
    arrow((0.85, y_x), (2.0, y_x), "x->input product")
    arrow((4.2, y_x + 0.1), (x_add - 0.2, y_add - 0.15), "input product->add")
    ax.text(x_add, y_add, "$+$", ha="center", va="center", bbox=plain_node)
    ax.text(x_tanh, y_add, "$\\tanh$", ha="center", va="center", bbox=box, fontsize=9)
    arrow((x_add + 0.25, y_add), (x_tanh - 0.4, y_add), "add->tanh")
    ax.text(x_n, y_add, "$n$", ha="center", va="center", bbox=box)
    arrow((x_tanh + 0.4, y_add), (x_n - 0.3, y_add), "tanh->n")
    ax.text(8.4, y_out, "$h_t = (1 - z) \\odot n + z \\odot h_{t-1}$", ha="center", va="center", bbox=box,
            fontsize=9)
    arrow((x_n, y_add - 0.3), (x_n, y_out + 0.3), "n->h_t")
    ax.set_title("nn.GRU: reset AFTER the product ($b_{hn}$ inside)" if after
                 else "textbook: reset BEFORE the product (one bias)", fontsize=10)
    ax.set_xlim(-0.1, 10.6)
    ax.set_ylim(-0.1, 5.2)
    ax.axis("off")


def draw_gru_step(axes=None):
    """Draw the candidate of one GRU step twice, reset after (nn.GRU) and reset before; return the Figure.

    axes: two Axes to draw into (left: after, right: before), or None for a new Figure. In each panel the
    product box carries ``gid="product"`` and the multiplication by r ``gid="mul r"`` (their positions
    show the order along the path); every arrow carries a gid naming its two ends, e.g. ``"r->mul r"``,
    ``"h_prev->product"``, ``"product->mul r"``, ``"mul r->add"`` (after) or ``"h_prev->mul r"``,
    ``"mul r->product"``, ``"product->add"`` (before).
    """
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
    else:
        fig = axes[0].figure
    if len(axes) != 2:
        raise ValueError(f"axes: expected two Axes (reset after, reset before), got {len(axes)}")
    _panel(axes[0], after=True)
    _panel(axes[1], after=False)
    return fig
