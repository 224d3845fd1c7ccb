"""The pictures of the series: every figure a notebook shows is drawn here and called in one line.

- ``show(fig, alt)``: display a figure with its alt text (every notebook figure goes through it).
- ``style``: the colour-blind-safe palette and the colormaps every picture uses.
- ``draw_unrolled_rnn`` (01), ``draw_rnn_step``, ``plot_matrices`` (02), ``plot_hidden_states``,
  ``plot_tanh_in_out`` (03), ``draw_loop_orders`` (04), ``plot_timings`` (05),
  ``plot_seen_steps`` / ``plot_packed_layout`` (06, 07), ``draw_bptt`` (09),
  ``draw_stream_batches`` / ``plot_loss_curves`` / ``plot_right_by_distance`` (12).
- ``draw_lstm_step`` (13: one LSTM step, its additive path), ``plot_gates`` (13, 14: gates over time),
  ``plot_grad_paths`` (13: gradient norms along paths).
- ``plot_recall_by_delay`` (15: how far back each cell remembers), ``plot_right_by_distance_compared``
  (15: notebook 12's right-type bars for several language models side by side).

matplotlib is imported when a picture is drawn, not when ``rnn_helpers`` is imported.
"""

from .bptt import draw_bptt
from .directions import plot_packed_layout, plot_seen_steps, seen_steps
from .gates import plot_gates
from .grad_paths import plot_grad_paths
from .hidden_states import plot_hidden_states, plot_tanh_in_out
from .loss_curves import plot_loss_curves
from .lstm_cell import draw_lstm_step
from .matrices import plot_matrices
from .memory_distance import plot_right_by_distance, right_by_distance
from .one_step import draw_rnn_step
from .recall_by_delay import plot_recall_by_delay
from .right_by_distance_compared import plot_right_by_distance_compared
from .output import show
from .stream_layout import draw_stream_batches
from .timings import plot_timings
from .unrolled import draw_loop_orders, draw_unrolled_rnn

__all__ = [
    "draw_bptt",
    "draw_loop_orders",
    "draw_lstm_step",
    "draw_rnn_step",
    "draw_stream_batches",
    "draw_unrolled_rnn",
    "plot_gates",
    "plot_grad_paths",
    "plot_hidden_states",
    "plot_loss_curves",
    "plot_matrices",
    "plot_packed_layout",
    "plot_recall_by_delay",
    "plot_right_by_distance",
    "plot_right_by_distance_compared",
    "plot_seen_steps",
    "plot_tanh_in_out",
    "plot_timings",
    "right_by_distance",
    "seen_steps",
    "show",
]
