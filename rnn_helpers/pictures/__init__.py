"""The pictures of the series: every figure a notebook shows is drawn here and called in one line.

- ``show(fig, alt)``: display a figure with its alt text (every notebook figure goes through it).
- ``style``: the colour-blind-safe palette and the colormaps every picture uses.
- ``draw_unrolled_rnn`` (01), ``draw_rnn_step``, ``plot_matrices`` (02), ``plot_hidden_states``,
  ``plot_tanh_in_out`` (03), ``draw_loop_orders`` (04), ``plot_weight_layouts``, ``draw_hoisting``,
  ``plot_timings`` / ``plot_timing_panels`` (05), ``plot_seen_steps`` / ``plot_packed_layout`` (06, 07),
  ``plot_state_growth``, ``plot_dropout_masks`` (08), ``draw_bptt`` (09),
  ``plot_grad_reach``, ``plot_grad_norms`` (09), ``plot_vanishing_exploding``, ``plot_spectrum``,
  ``plot_clip_directions``, ``plot_clip_runs`` (10), ``plot_noisy_sines``, ``plot_sine_predictions``,
  ``plot_training_losses``, ``plot_echo_memory`` (11),
  ``draw_stream_batches`` / ``plot_loss_curves`` / ``plot_right_by_distance`` (12).
- ``draw_lstm_step`` (13: one LSTM step, its additive path), ``plot_gates`` (13, 14: gates over time),
  ``plot_grad_paths`` (13: gradient norms along paths), ``draw_gru_step`` (14: where the reset gate multiplies).
- ``plot_recall_by_delay`` (15: how far back each cell remembers), ``plot_right_by_distance_compared``
  (15: notebook 12's right-type bars for several language models side by side).

matplotlib is imported when a picture is drawn, not when ``rnn_helpers`` is imported.
"""

from .bptt import draw_bptt
from .clip_training import plot_clip_runs
from .clipping import plot_clip_directions
from .directions import plot_packed_layout, plot_seen_steps, seen_steps
from .dropout_masks import plot_dropout_masks
from .echo_memory import plot_echo_memory
from .gates import plot_gates
from .grad_over_time import plot_grad_norms
from .grad_paths import plot_grad_paths
from .grad_reach import plot_grad_reach
from .gru_cell import draw_gru_step
from .hidden_states import plot_hidden_states, plot_tanh_in_out
from .hoisting import draw_hoisting
from .loss_curves import plot_loss_curves
from .lstm_cell import draw_lstm_step
from .matrices import plot_matrices
from .memory_distance import plot_right_by_distance, right_by_distance
from .one_step import draw_rnn_step
from .output import show
from .recall_by_delay import plot_recall_by_delay
from .right_by_distance_compared import plot_right_by_distance_compared
from .sine_predictions import plot_sine_predictions
from .sines import plot_noisy_sines
from .spectrum import plot_spectrum
from .state_growth import plot_state_growth
from .stream_layout import draw_stream_batches
from .timings import plot_timing_panels, plot_timings
from .training_curves import plot_training_losses
from .unrolled import draw_loop_orders, draw_unrolled_rnn
from .vanishing import plot_vanishing_exploding
from .weight_layouts import plot_weight_layouts

__all__ = [
    "draw_bptt",
    "draw_gru_step",
    "draw_hoisting",
    "draw_loop_orders",
    "draw_lstm_step",
    "draw_rnn_step",
    "draw_stream_batches",
    "draw_unrolled_rnn",
    "plot_clip_directions",
    "plot_clip_runs",
    "plot_dropout_masks",
    "plot_echo_memory",
    "plot_gates",
    "plot_grad_norms",
    "plot_grad_paths",
    "plot_grad_reach",
    "plot_hidden_states",
    "plot_loss_curves",
    "plot_matrices",
    "plot_noisy_sines",
    "plot_packed_layout",
    "plot_recall_by_delay",
    "plot_right_by_distance",
    "plot_right_by_distance_compared",
    "plot_seen_steps",
    "plot_sine_predictions",
    "plot_spectrum",
    "plot_state_growth",
    "plot_tanh_in_out",
    "plot_timing_panels",
    "plot_timings",
    "plot_training_losses",
    "plot_vanishing_exploding",
    "plot_weight_layouts",
    "right_by_distance",
    "seen_steps",
    "show",
]
