"""A picture of a stacked RNN unrolled over time (notebooks 01 and 04), drawn with matplotlib.

Every box is one hidden state ``h^{(l)}_t``, the result of one call of ``rnn_cell``; every
arrow is one tensor flowing into the next call. Nothing here computes anything: it only
draws the dependency grid that ``rnn_forward`` walks.

- ``draw_unrolled_rnn``: the grid, with ``output`` (the top row) and ``h_n`` (the last column).
- ``draw_loop_orders``: the same grid twice, numbered in the order a layer-outer and a
  time-outer loop compute it (notebook 04).

Colours come from ``style`` (Okabe-Ito): orange fill for the top layer (``output``), a
vermillion edge for the last step (``h_n``), blue for every other box.
"""

from __future__ import annotations

from .style import BLUE, ORANGE, VERMILLION

MAX_DRAWN = 16  # more layers or steps than this is unreadable on a page

# Layout, in data units: column t is centred at x = t * _DX, layer l at y = l * _DY.
_DX, _DY = 1.7, 1.35
_BOX_W, _BOX_H = 1.0, 0.62

_ORDERS = (None, "layer", "time")
BADGE_FONTSIZE = 11  # the order numbers: readable when a notebook scales the figure to its width


def tint(color: str, amount: float) -> str:
    """``color`` (``"#RRGGBB"``) mixed with white: ``amount`` 0 is the colour, 1 is white.

    Box fills use light tints of the palette, so black text on them stays readable.
    """
    if not (isinstance(color, str) and len(color) == 7 and color.startswith("#")):
        raise ValueError(f"color: expected a hex colour '#RRGGBB', got {color!r}")
    if not 0 <= amount <= 1:
        raise ValueError(f"amount: expected a number from 0 to 1, got {amount!r}")
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


_FILL = tint(BLUE, 0.85)  # an ordinary hidden state
_FILL_TOP = tint(ORANGE, 0.7)  # the top layer: these states are `output`
_EDGE = BLUE
_EDGE_LAST = VERMILLION  # the last step of each layer: these states are `h_n`
_ARROW = "#444444"
_ARROW_OUT = ORANGE


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: expected a positive int, got {value!r}")
    if not 1 <= value <= MAX_DRAWN:
        raise ValueError(f"{name}: expected 1 <= {name} <= {MAX_DRAWN}, got {value}")
    return value


def box_id(layer: int, t: int) -> str:
    """The id of the box for ``h^{(layer)}_t``, used in the gid of boxes and arrows: ``"h1,3"``."""
    return f"h{layer},{t}"


def step_number(layer: int, t: int, num_layers: int, seq_len: int, order: str) -> int:
    """When ``h^{(layer)}_t`` is computed (1, 2, ...) if the loops run in ``order``.

    order="layer": layer outer, time inner (a whole layer, then the next, as ``rnn_forward`` works).
    order="time": time outer, layer inner (one step through every layer, then the next step).
    """
    if order == "layer":
        return layer * seq_len + t + 1
    if order == "time":
        return t * num_layers + layer + 1
    raise ValueError(f"order: expected 'layer' or 'time', got {order!r}")


def draw_unrolled_rnn(
    num_layers: int,
    seq_len: int,
    ax=None,
    *,
    order: str | None = None,
    show_h0: bool = True,
    title: str | None = None,
):
    """Draw an ``nn.RNN(..., num_layers)`` unrolled over ``seq_len`` steps; return the Axes.

    One box per hidden state ``h^{(l)}_t``, ``l = 0 .. num_layers-1`` (bottom to top),
    ``t = 0 .. seq_len-1`` (left to right, the tensor index). Arrows, each with a ``gid``
    ``"arrow:<kind>:<source>-><target>"`` (boxes have gid ``"box:h<l>,<t>"``):

    - ``input``:  ``x[t]`` -> ``h^{(0)}_t``           seq_len arrows
    - ``layer``:  ``h^{(l-1)}_t`` -> ``h^{(l)}_t``    (num_layers - 1) * seq_len
    - ``time``:   ``h^{(l)}_{t-1}`` -> ``h^{(l)}_t``   num_layers * (seq_len - 1)
    - ``h0``:     ``h0[l]`` -> ``h^{(l)}_0``          num_layers (only if ``show_h0``)
    - ``output``: ``h^{(top)}_t`` -> ``output[t]``    seq_len
    - ``h_n``:    ``h^{(l)}_{seq_len-1}`` -> ``h_n[l]`` num_layers

    Shapes of what the labels stand for (sequence-first, one direction):
    x[t]: (batch, input_size)          h^{(l)}_t: (batch, hidden_size)
    h0, h_n: (num_layers, batch, hidden_size)   output: (seq_len, batch, hidden_size)
    Top-layer boxes are filled orange (they are ``output``); last-step boxes have a red
    edge (they are ``h_n``).

    num_layers, seq_len: ints from 1 to ``MAX_DRAWN`` (16).
    ax: a matplotlib Axes to draw into, or None for a new figure sized to the grid.
    order: None, ``"layer"`` or ``"time"``: write in each box the step at which it is
        computed when the loops run layer-outer or time-outer (see ``step_number``).
    show_h0: draw the initial states ``h0[l]`` feeding each layer's first step.
    title: an optional Axes title.
    Raises ``ValueError`` naming the bad argument.
    """
    num_layers = _check_count("num_layers", num_layers)
    seq_len = _check_count("seq_len", seq_len)
    if order not in _ORDERS:
        raise ValueError(f"order: expected None, 'layer' or 'time', got {order!r}")

    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if ax is None:
        import matplotlib.pyplot as plt

        width = 1.15 * (seq_len + 2) + 0.4
        height = 0.95 * (num_layers + 2) + (0.3 if title else 0.0)
        _, ax = plt.subplots(figsize=(width, height))
    elif not hasattr(ax, "add_patch"):
        raise ValueError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")

    top, last = num_layers - 1, seq_len - 1
    half_w, half_h = _BOX_W / 2, _BOX_H / 2

    def centre(layer: int, t: int) -> tuple[float, float]:
        return t * _DX, layer * _DY

    def arrow(kind, source, target, start, end, color=_ARROW, style="-"):
        patch = FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=11, linewidth=1.2,
            color=color, linestyle=style, shrinkA=0, shrinkB=0,
        )
        patch.set_gid(f"arrow:{kind}:{source}->{target}")
        ax.add_patch(patch)

    def label(x, y, text, **kw):
        ax.text(x, y, text, ha="center", va="center", **{"fontsize": 10, **kw})

    # Boxes: one per hidden state.
    for layer in range(num_layers):
        for t in range(seq_len):
            cx, cy = centre(layer, t)
            box = FancyBboxPatch(
                (cx - half_w, cy - half_h), _BOX_W, _BOX_H,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=_FILL_TOP if layer == top else _FILL,
                edgecolor=_EDGE_LAST if t == last else _EDGE,
                linewidth=2.0 if t == last else 1.0,
            )
            box.set_gid(f"box:{box_id(layer, t)}")
            ax.add_patch(box)
            label(cx, cy, f"$h^{{({layer})}}_{{{t}}}$", fontsize=12)
            if order is not None:
                n = step_number(layer, t, num_layers, seq_len, order)
                ax.text(
                    cx - half_w, cy + half_h, str(n), ha="center", va="center", fontsize=BADGE_FONTSIZE,
                    color="white", fontweight="bold", gid=f"order:{box_id(layer, t)}",
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": _EDGE, "edgecolor": "none"},
                )

    # Inputs: x[t] feeds layer 0 only.
    for t in range(seq_len):
        cx, cy = centre(0, t)
        label(cx, cy - _DY, f"x[{t}]")
        arrow("input", f"x{t}", box_id(0, t), (cx, cy - _DY + 0.2), (cx, cy - half_h))

    # Between layers: layer l reads layer l-1's state at the same step.
    for layer in range(1, num_layers):
        for t in range(seq_len):
            (cx, cy_below), (_, cy) = centre(layer - 1, t), centre(layer, t)
            arrow("layer", box_id(layer - 1, t), box_id(layer, t), (cx, cy_below + half_h), (cx, cy - half_h))

    # Along time: each layer carries its own state to its next step.
    for layer in range(num_layers):
        for t in range(1, seq_len):
            (x0, cy), (x1, _) = centre(layer, t - 1), centre(layer, t)
            arrow("time", box_id(layer, t - 1), box_id(layer, t), (x0 + half_w, cy), (x1 - half_w, cy))
        if show_h0:
            cx, cy = centre(layer, 0)
            label(cx - _DX + 0.05, cy, f"h0[{layer}]")
            arrow("h0", f"init{layer}", box_id(layer, 0), (cx - _DX + 0.5, cy), (cx - half_w, cy), style="--")

    # What comes out: every step of the top layer, and the last step of every layer.
    for t in range(seq_len):
        cx, cy = centre(top, t)
        label(cx, cy + _DY, f"output[{t}]")
        arrow("output", box_id(top, t), f"out{t}", (cx, cy + half_h), (cx, cy + _DY - 0.2), color=_ARROW_OUT)
    for layer in range(num_layers):
        cx, cy = centre(layer, last)
        label(cx + _DX - 0.05, cy, f"h_n[{layer}]", color=_EDGE_LAST)
        arrow("h_n", box_id(layer, last), f"hn{layer}", (cx + half_w, cy), (cx + _DX - 0.45, cy), color=_EDGE_LAST)

    left = -_DX - 0.35 if show_h0 else -half_w - 0.25
    ax.set_xlim(left, last * _DX + _DX + 0.45)
    ax.set_ylim(-_DY - 0.35, top * _DY + _DY + 0.35)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def draw_loop_orders(num_layers: int = 3, seq_len: int = 4):
    """The unrolled grid twice, one above the other, numbered in computation order; return the Figure.

    Top: layer outer (a whole layer over every step, then the next layer, as ``rnn_forward`` works).
    Bottom: time outer (one step through every layer, then the next step). Stacked rather than side
    by side, the figure is half as wide, so a notebook shrinks it less and the numbers stay legible.
    In both, every arrow runs from a smaller number to a larger one: each box is computed
    after the box below it and the box to its left, which is why the two orders agree.
    num_layers, seq_len: ints from 1 to ``MAX_DRAWN``. Raises ``ValueError`` otherwise.
    """
    num_layers = _check_count("num_layers", num_layers)
    seq_len = _check_count("seq_len", seq_len)
    import matplotlib.pyplot as plt

    width = 1.15 * (seq_len + 2) + 0.4
    height = 0.95 * (num_layers + 2) + 0.3
    fig, (upper, lower) = plt.subplots(2, 1, figsize=(width, 2 * height))
    draw_unrolled_rnn(num_layers, seq_len, ax=upper, order="layer", title="layer outer: a whole layer, then the next")
    draw_unrolled_rnn(num_layers, seq_len, ax=lower, order="time", title="time outer: one step through every layer")
    fig.tight_layout()
    return fig
