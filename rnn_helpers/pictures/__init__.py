"""The pictures of the series: every figure a notebook shows is drawn here and called in one line.

- ``show(fig, alt)``: display a figure with its alt text (every notebook figure goes through it).
- ``style``: the colour-blind-safe palette and the colormaps every picture uses.
- ``plot_hidden_states`` (03), ``draw_unrolled_rnn`` (04), ``plot_timings`` (05),
  ``plot_seen_steps`` / ``plot_packed_layout`` (06, 07), ``draw_bptt`` (09).

matplotlib is imported when a picture is drawn, not when ``rnn_helpers`` is imported.
"""

from .bptt import draw_bptt
from .directions import plot_packed_layout, plot_seen_steps, seen_steps
from .hidden_states import plot_hidden_states
from .output import show
from .timings import plot_timings
from .unrolled import draw_unrolled_rnn

__all__ = [
    "draw_bptt",
    "draw_unrolled_rnn",
    "plot_hidden_states",
    "plot_packed_layout",
    "plot_seen_steps",
    "plot_timings",
    "seen_steps",
    "show",
]

# Notebooks 09-11 (imported from their modules; listed here so the package names them all)
from .clip_training import plot_clip_runs  # noqa: E402
from .clipping import plot_clip_directions  # noqa: E402
from .echo_memory import plot_echo_memory  # noqa: E402
from .grad_over_time import plot_grad_norms  # noqa: E402
from .grad_reach import plot_grad_reach  # noqa: E402
from .loss_curves import plot_loss_curves  # noqa: E402
from .sine_predictions import plot_sine_predictions  # noqa: E402
from .sines import plot_noisy_sines  # noqa: E402
from .spectrum import plot_spectrum  # noqa: E402
from .vanishing import plot_vanishing_exploding  # noqa: E402

__all__ += [
    "plot_clip_directions",
    "plot_clip_runs",
    "plot_echo_memory",
    "plot_grad_norms",
    "plot_grad_reach",
    "plot_loss_curves",
    "plot_noisy_sines",
    "plot_sine_predictions",
    "plot_spectrum",
    "plot_vanishing_exploding",
]
