"""A picture of backpropagation through time (notebook 09), drawn with matplotlib.

One layer, one direction, unrolled over ``seq_len`` steps: the forward pass in blue
(``x_t -> h_t`` and ``h_{t-1} -> h_t``, walking t = 0 -> T-1) and the gradient in vermillion
(``grad_output[t]``, the loss's direct gradient of ``output[t]``, entering every ``h_t``;
``dL/dh_n`` entering the last one; and the gradient leaving each ``h_t`` towards ``x_t``
and ``h_{t-1}``, walking t = T-1 -> 0).
Nothing here computes a gradient: it only draws where ``rnn_layer_backward`` sends them.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from .style import BLUE, VERMILLION

MAX_STEPS = 12  # more steps than this is unreadable on a page

FORWARD_COLOR = BLUE  # Okabe-Ito (rnn_helpers/pictures/style.py): told apart in every common colour blindness
GRADIENT_COLOR = VERMILLION


def draw_bptt(seq_len: int = 5, ax=None):
    """Draw one layer's forward pass (blue) and its gradient flow (vermillion); return the Figure.

    seq_len: number of steps T drawn (1 <= T <= 12).
    ax: a matplotlib Axes to draw into, or None for a new figure.

    Every arrow carries a ``gid`` naming what it is, so a test (or a reader of the code)
    can find it: ``"forward x0->h0"``, ``"forward h-1->h0"`` (h-1 is the initial state
    ``h0``), ``"grad output0->h0"``, ``"grad h0->x0"``, ``"grad h0->h-1"`` and
    ``"grad h_n->h{T-1}"``.
    """
    if isinstance(seq_len, bool) or not isinstance(seq_len, int) or not 1 <= seq_len <= MAX_STEPS:
        raise ValueError(f"seq_len: expected an int with 1 <= seq_len <= {MAX_STEPS}, got {seq_len!r}")
    import matplotlib.pyplot as plt

    T = seq_len
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.4 + 1.6 * T, 3.4))
    else:
        fig = ax.figure
    box = dict(boxstyle="round,pad=0.35", fc="white", ec="0.4")

    def arrow(start, end, color, gid):
        ax.annotate(
            "", xy=end, xytext=start, gid=gid,
            arrowprops=dict(arrowstyle="->", color=color, lw=1.6),
        )

    ax.text(-1, 1, "$h_{-1}$\n(h0)", ha="center", va="center", bbox=box)
    for t in range(T):
        ax.text(t, 1, f"$h_{{{t}}}$", ha="center", va="center", bbox=box)
        ax.text(t, 0, f"$x_{{{t}}}$", ha="center", va="center", bbox=box)
        ax.text(t, 2, f"grad_output[{t}]", ha="center", va="center", color=GRADIENT_COLOR,
                fontsize=8, family="monospace")  # dL/d output[t]: the loss's direct gradient
        arrow((t - 0.05, 0.18), (t - 0.05, 0.82), FORWARD_COLOR, f"forward x{t}->h{t}")
        arrow((t + 0.05, 0.82), (t + 0.05, 0.18), GRADIENT_COLOR, f"grad h{t}->x{t}")
        arrow((t, 1.85), (t, 1.2), GRADIENT_COLOR, f"grad output{t}->h{t}")
        arrow((t - 0.78, 1.06), (t - 0.22, 1.06), FORWARD_COLOR, f"forward h{t - 1}->h{t}")
        arrow((t - 0.22, 0.94), (t - 0.78, 0.94), GRADIENT_COLOR, f"grad h{t}->h{t - 1}")
    arrow((T - 0.22, 1.0), (T - 0.78, 1.0), GRADIENT_COLOR, f"grad h_n->h{T - 1}")
    ax.text(T - 0.18, 1.0, "$\\partial L/\\partial h_n$", va="center", color=GRADIENT_COLOR, fontsize=9)
    ax.text(
        (T - 2) / 2, -0.55,
        "blue: forward, $t = 0 \\to T-1$.   vermillion: gradient, $t = T-1 \\to 0$; "
        "along each vermillion arrow left: $\\odot(1-h_t^2)$ then $\\cdot W_{hh}$",
        ha="center", fontsize=9,
    )
    ax.set_xlim(-1.6, T + 0.9)
    ax.set_ylim(-0.8, 2.3)
    ax.axis("off")
    return fig
