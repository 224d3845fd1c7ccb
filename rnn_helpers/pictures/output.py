"""``show(fig, alt)``: the one way a figure reaches a notebook's output, with its alt text.

A picture in a notebook is read by a screen reader, by the series' site and by the slide export, all
from the stored output. ``show`` renders the figure to PNG, closes it (so matplotlib's inline backend
does not display it a second time, without alt text), and displays it with ``alt`` in the output's
metadata, ``{"image/png": {"alt": alt}}``: where nbconvert's templates read an image's alt text.
"""

from __future__ import annotations

import io
from typing import Any

#: Fixed resolution, so a stored picture does not depend on the machine's matplotlib defaults.
DPI = 100
#: Alt text shorter than this many words says too little ("A plot.") to stand in for a picture.
MIN_ALT_WORDS = 6


def check_alt(alt: Any) -> str:
    """``alt`` stripped, or ``ValueError`` unless it is a sentence of at least ``MIN_ALT_WORDS`` words."""
    if not isinstance(alt, str):
        raise TypeError(f"alt: expected a sentence (str) describing the figure, got {type(alt).__name__}")
    alt = " ".join(alt.split())
    if len(alt.split()) < MIN_ALT_WORDS:
        raise ValueError(
            f"alt: expected a sentence of at least {MIN_ALT_WORDS} words saying what the figure shows, "
            f"got {alt!r} ({len(alt.split())} words)"
        )
    return alt


def show(fig: Any, alt: str) -> None:
    """Display the matplotlib ``fig`` as a PNG with alt text ``alt``, then close it.

    fig: a ``matplotlib.figure.Figure`` (or an ``Axes``: its figure is shown).
    alt: one or two sentences saying what the picture shows (not how it was drawn), for a reader
        who cannot see it; at least ``MIN_ALT_WORDS`` words.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    alt = check_alt(alt)
    fig = getattr(fig, "figure", fig)  # an Axes -> its Figure
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", metadata={"alt": alt}))
