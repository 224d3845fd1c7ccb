"""Time against sequence length, one line per implementation (notebook 05)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .style import LINE_COLORS


def plot_timings(
    seq_lens: Iterable[int],
    timings: Mapping[str, Sequence[float]],
    ax: Any = None,
    per_step: bool = False,
    title: str | None = None,
) -> Any:
    """Plot one line per implementation: time against sequence length.

    seq_lens: n sequence lengths (the x axis), any iterable of ints.
    timings: ``{name: n times in seconds}``, one entry per implementation, the i-th time
        measured at ``seq_lens[i]`` (e.g. from ``best_time``).
    per_step: plot microseconds per time step (seconds / seq_len * 1e6) instead of
        milliseconds per call; a flat line then means a fixed cost per step.
    ax: a matplotlib Axes to draw on (a new figure if None).
    Returns the Axes. Raises ``ValueError`` if a list of times does not have n entries.
    """
    import matplotlib.pyplot as plt  # imported here so importing rnn_helpers stays light

    seq_lens = list(seq_lens)
    for name, times in timings.items():
        if len(times) != len(seq_lens):
            raise ValueError(
                f"timings[{name!r}]: expected {len(seq_lens)} times (one per seq_len), got {len(times)}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for i, (name, times) in enumerate(timings.items()):
        if per_step:
            values = [t / n * 1e6 for t, n in zip(times, seq_lens)]
        else:
            values = [t * 1e3 for t in times]
        ax.plot(seq_lens, values, marker="o", label=name, color=LINE_COLORS[i % len(LINE_COLORS)])
    ax.set_xlabel("sequence length (time steps)")
    ax.set_ylabel("µs per time step" if per_step else "ms per call")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_timing_panels(seq_lens: Iterable[int], timings: Mapping[str, Sequence[float]]) -> Any:
    """Two panels side by side, returned as a Figure: ms per call (left), µs per time step (right).

    Arguments as ``plot_timings``. The right panel makes a fixed cost per step visible: a flat line.
    The legend sits in the left panel only.
    """
    import matplotlib.pyplot as plt

    seq_lens = list(seq_lens)
    fig, (ax_total, ax_step) = plt.subplots(1, 2, figsize=(11, 4))
    plot_timings(seq_lens, timings, ax=ax_total, title="time per forward pass")
    plot_timings(seq_lens, timings, ax=ax_step, per_step=True, title="time per step (flat = a fixed cost per step)")
    ax_step.get_legend().remove()
    fig.tight_layout()
    return fig
