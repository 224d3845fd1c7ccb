"""One LSTM step as a diagram (notebook 13): the gates, and the cell state's additive path.

The cell state runs along the top, from ``c_{t-1}`` to ``c_t``, through exactly two operations: a
multiplication by the forget gate and the addition of ``i * g``. That line is drawn in vermillion: it is
the path along which the gradient flows back with only ``f_t`` in the way (``dL/dc_{t-1} = dL/dc_t * f_t``
from this step). Everything else (the one product that makes the four gates, the gates' nonlinearities,
the output ``h_t = o * tanh(c_t)``) is drawn in grey. Nothing here computes anything.
"""

from __future__ import annotations

from .style import BLUE, VERMILLION

PATH_COLOR = VERMILLION  # the cell state's additive path
FLOW_COLOR = "0.45"      # every other connection


def draw_lstm_step(ax=None):
    """Draw one LSTM step, PyTorch's gates i, f, g, o and the cell state's path; return the Figure.

    Every connection carries a ``gid`` naming it, so a test (or a reader) can find it: the path
    ``"path c_prev->mul f"``, ``"path mul f->add"``, ``"path add->c_t"``; the gates ``"gate f->mul f"``,
    ``"gate i->mul ig"``, ``"gate g->mul ig"``, ``"mul ig->add"``, ``"gate o->mul o"``; the output
    ``"c_t->tanh"``, ``"tanh->mul o"``, ``"mul o->h_t"``; and ``"gates->{i,f,g,o}"`` from the product.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.6, 3.9))
    else:
        fig = ax.figure
    box = dict(boxstyle="round,pad=0.3", fc="white", ec="0.4")
    gate_box = dict(boxstyle="round,pad=0.3", fc="#EAF2FA", ec=BLUE)
    node = dict(boxstyle="circle,pad=0.15", fc="white", ec="0.3")

    def arrow(start, end, gid, color=FLOW_COLOR, lw=1.4):
        ax.annotate("", xy=end, xytext=start, gid=gid, arrowprops=dict(arrowstyle="->", color=color, lw=lw,
                                                                      shrinkA=9, shrinkB=9))

    y_c, y_gate, y_in = 4.0, 2.0, 0.7
    x = {"f": 2.6, "i": 4.2, "g": 5.4, "o": 7.0, "out": 8.4}
    # the cell state's path along the top
    ax.text(0.3, y_c, "$c_{t-1}$", ha="center", va="center", bbox=box)
    ax.text(x["f"], y_c, "$\\times$", ha="center", va="center", bbox=node)
    ax.text(4.8, y_c, "$+$", ha="center", va="center", bbox=node)
    ax.text(9.8, y_c, "$c_t$", ha="center", va="center", bbox=box)
    arrow((0.3, y_c), (x["f"], y_c), "path c_prev->mul f", PATH_COLOR, 2.6)
    arrow((x["f"], y_c), (4.8, y_c), "path mul f->add", PATH_COLOR, 2.6)
    arrow((4.8, y_c), (9.8, y_c), "path add->c_t", PATH_COLOR, 2.6)
    ax.text(5.6, y_c + 0.45, "the additive path: only $\\times f_t$ and $+\\, i \\odot g$", color=PATH_COLOR,
            ha="center", fontsize=9)
    # the four gates, from one product
    for name, label in [("i", "$i = \\sigma$"), ("f", "$f = \\sigma$"), ("g", "$g = \\tanh$"), ("o", "$o = \\sigma$")]:
        ax.text(x[name], y_gate, label, ha="center", va="center", bbox=gate_box, fontsize=9)
        arrow((x[name], y_in), (x[name], y_gate), f"gates->{name}")
    ax.text(4.8, y_in, "$x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh}$: $(B, 4H)$, blocks i, f, g, o",
            ha="center", va="center", bbox=box, fontsize=9)
    ax.text(0.3, y_in, "$h_{t-1}$", ha="center", va="center", bbox=box)
    arrow((0.3, y_in), (1.25, y_in), "h_prev->gates")
    ax.text(4.8, -0.35, "$x_t$", ha="center", va="center", bbox=box)
    arrow((4.8, -0.35), (4.8, y_in), "x->gates")
    # f scales the old memory; i * g is added
    arrow((x["f"], y_gate), (x["f"], y_c), "gate f->mul f")
    ax.text(4.8, 3.0, "$\\times$", ha="center", va="center", bbox=node)
    arrow((x["i"], y_gate), (4.8, 3.0), "gate i->mul ig")
    arrow((x["g"], y_gate), (4.8, 3.0), "gate g->mul ig")
    arrow((4.8, 3.0), (4.8, y_c), "mul ig->add")
    # the output: h_t = o * tanh(c_t)
    ax.text(x["out"], 3.1, "$\\tanh$", ha="center", va="center", bbox=box, fontsize=9)
    ax.text(x["out"], y_gate, "$\\times$", ha="center", va="center", bbox=node)
    arrow((x["out"], y_c), (x["out"], 3.1), "c_t->tanh")
    arrow((x["out"], 3.1), (x["out"], y_gate), "tanh->mul o")
    arrow((x["o"], y_gate), (x["out"], y_gate), "gate o->mul o")
    ax.text(9.8, y_gate, "$h_t$", ha="center", va="center", bbox=box)
    arrow((x["out"], y_gate), (9.8, y_gate), "mul o->h_t")
    ax.set_xlim(-0.3, 10.4)
    ax.set_ylim(-0.8, 4.7)
    ax.axis("off")
    return fig
