"""Hidden states as a picture (notebook 03): a heatmap of hidden units over time.

- ``plot_hidden_states`` draws one sequence's states into a matplotlib ``Axes`` (a new figure
  when ``ax`` is None) and returns it; a notebook shows it with ``show(ax, alt)``.
- ``plot_tanh_in_out`` puts what tanh receives (the pre-activations) beside its slope there,
  ``1 - h_t^2`` (what a gradient is multiplied by), to show saturation; it returns the Figure.

Signed values use ``style.DIVERGING`` (red positive, blue negative, white 0); the slope, a magnitude
from 0 to 1, uses ``style.SEQUENTIAL``.
(The diagram of an unrolled RNN is ``rnn_helpers.pictures.unrolled.draw_unrolled_rnn``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .style import DIVERGING, SEQUENTIAL

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not when rnn_helpers is
    from matplotlib.axes import Axes

#: Above this many cells, ``plot_hidden_states`` stops writing the value into each cell.
ANNOTATE_MAX_CELLS = 120


def _as_2d_array(states: Any) -> np.ndarray:
    if hasattr(states, "detach"):  # a torch tensor, possibly requiring grad or on a GPU
        states = states.detach().cpu().float().numpy()  # float(): numpy has no bfloat16
    array = np.asarray(states, dtype=float)
    if array.ndim != 2:
        hint = ""
        if array.ndim == 3:
            hint = (
                "; pick one sequence of the batch, e.g. output[:, 0] (seq-first) "
                "or output[0] (batch_first=True)"
            )
        raise ValueError(
            "states: expected a 2-D tensor of shape (seq_len, hidden_size), one sequence, "
            f"got a {array.ndim}-D tensor of shape {tuple(array.shape)}{hint}"
        )
    if array.size == 0:
        raise ValueError(f"states: expected at least one step and one unit, got shape {tuple(array.shape)}")
    return array


def plot_hidden_states(
    states: Any,
    ax: Axes | None = None,
    title: str = "Hidden states over time",
    *,
    vmax: float | None = 1.0,
    annotate: bool | None = None,
    cmap: str = DIVERGING,
    colorbar: bool = True,
) -> Axes:
    """Heatmap of one sequence's hidden states: hidden units down, time steps across.

    states: (seq_len, hidden_size), the hidden state after every step of ONE sequence, e.g.
        ``output[:, b]`` for seq-first output or ``output[b]`` with ``batch_first=True``.
        A torch tensor (detached for you) or anything ``numpy.asarray`` accepts.
    ax: the Axes to draw in; None makes a new figure.
    title: the Axes title.
    vmax: the colour scale runs from -vmax (blue) through 0 (white) to +vmax (red); 1.0 is the
        range of tanh, so saturated units show as the darkest colours. None: the largest |value|.
    annotate: write each value (2 decimals) in its cell; None writes them when there are at
        most ``ANNOTATE_MAX_CELLS`` cells.
    cmap: a diverging matplotlib colormap name.
    colorbar: add a colour bar beside the Axes.

    Returns the Axes. Its image, ``ax.images[0]``, holds ``states`` transposed:
    data of shape (hidden_size, seq_len), so row i is unit i over time, column t is step t.
    Raises ValueError unless ``states`` is 2-D and non-empty.
    """
    import matplotlib.pyplot as plt

    array = _as_2d_array(states)
    seq_len, hidden_size = array.shape
    if vmax is None:
        vmax = float(np.abs(array).max()) or 1.0
    if vmax <= 0:
        raise ValueError(f"vmax: expected a positive number or None, got {vmax}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.6 * seq_len, 1.0 + 0.45 * hidden_size))

    image = ax.imshow(array.T, cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(seq_len))
    ax.set_yticks(range(hidden_size))
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    ax.set_title(title)
    if annotate is None:
        annotate = array.size <= ANNOTATE_MAX_CELLS
    if annotate:
        for t in range(seq_len):
            for unit in range(hidden_size):
                value = array[t, unit]
                color = "white" if abs(value) > 0.6 * vmax else "black"
                ax.text(t, unit, f"{value:.2f}", ha="center", va="center", fontsize=8, color=color)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    return ax


def plot_tanh_in_out(pre_activations: Any, states: Any, *, title: str | None = None):
    """What tanh receives beside its slope there, for one sequence; return the Figure.

    pre_activations: (seq_len, hidden_size), ``x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh`` at
        every step, drawn on a diverging scale of its own largest |value| (left panel).
    states: (seq_len, hidden_size), ``h_t = tanh`` of the above (e.g. ``output[:, b]`` or,
        batch-first, ``output[b]``). The right panel draws tanh's slope at every step,
        ``1 - h_t^2``, from 0 (dark: saturated, a gradient through it is multiplied by ~0) to 1
        (bright: the responsive middle), each value written in its cell. On this scale a state of
        0.9 (slope 0.19) and one of 1.0 (slope 0) look different, where a -1..1 colour scale of
        the states draws both almost equally dark.
    title: an optional title over both panels.
    Raises ValueError unless both are 2-D, non-empty and of the same shape.
    """
    pre, out = _as_2d_array(pre_activations), _as_2d_array(states)
    if pre.shape != out.shape:
        raise ValueError(
            "pre_activations and states: expected the same shape (seq_len, hidden_size), "
            f"got {tuple(pre.shape)} and {tuple(out.shape)}"
        )
    import matplotlib.pyplot as plt

    seq_len, hidden_size = out.shape
    slope = 1.0 - out**2  # (seq_len, hidden_size): tanh'(a_t) = 1 - tanh(a_t)^2
    fig, (left, right) = plt.subplots(1, 2, figsize=(2.0 + 1.2 * seq_len, 1.6 + 0.45 * hidden_size))
    plot_hidden_states(pre, ax=left, vmax=None, title="what tanh receives: $a_t$")
    image = right.imshow(slope.T, cmap=SEQUENTIAL, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    right.set_xticks(range(seq_len))
    right.set_yticks(range(hidden_size))
    right.set(xlabel="time step t", ylabel="hidden unit", title="tanh's slope there: $1 - h_t^2$")
    if slope.size <= ANNOTATE_MAX_CELLS:
        for t in range(seq_len):
            for unit in range(hidden_size):
                value = slope[t, unit]
                color = "white" if value < 0.5 else "black"  # viridis: dark at 0, bright at 1
                right.text(t, unit, f"{value:.2f}", ha="center", va="center", fontsize=8, color=color)
    fig.colorbar(image, ax=right, fraction=0.05, pad=0.03)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
