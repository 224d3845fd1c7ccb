"""The pictures of the series: every figure a notebook shows is drawn here and called in one line.

- ``show(fig, alt)``: display a figure with its alt text (every notebook figure goes through it).
- ``style``: the colour-blind-safe palette and the colormaps every picture uses.
- ``draw_lstm_step`` (13: one LSTM step, its additive path), ``plot_gates`` (13, 14: gates over time),
  ``plot_grad_paths`` (13: gradient norms along paths).
- ``plot_hidden_states`` (03), ``draw_unrolled_rnn`` (04), ``plot_timings`` (05),
  ``plot_seen_steps`` / ``plot_packed_layout`` (06, 07), ``draw_bptt`` (09).

matplotlib is imported when a picture is drawn, not when ``rnn_helpers`` is imported.
"""

from .bptt import draw_bptt
from .directions import plot_packed_layout, plot_seen_steps, seen_steps
from .gates import plot_gates
from .grad_paths import plot_grad_paths
from .hidden_states import plot_hidden_states
from .lstm_cell import draw_lstm_step
from .output import show
from .timings import plot_timings
from .unrolled import draw_unrolled_rnn

__all__ = [
    "draw_bptt",
    "draw_lstm_step",
    "draw_unrolled_rnn",
    "plot_gates",
    "plot_grad_paths",
    "plot_hidden_states",
    "plot_packed_layout",
    "plot_seen_steps",
    "plot_timings",
    "seen_steps",
    "show",
]
