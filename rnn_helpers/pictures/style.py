"""One palette for every picture in the series: colour-blind safe, perceptually uniform where it matters.

- ``PALETTE``: Okabe and Ito's eight colours (Color Universal Design, 2008), distinguishable with every
  common form of colour blindness; line plots take their colours from here, in this order.
- ``SEQUENTIAL``: ``viridis``, perceptually uniform, for magnitudes (norms, counts, |values|).
- ``DIVERGING``: for signed values around 0 (hidden states in [-1, 1], weights): ``RdBu_r``, a
  ColorBrewer map that stays readable with red-green colour blindness.
"""

from __future__ import annotations

#: Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
PALETTE: tuple[str, ...] = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
)
#: Named roles, so the same idea has the same colour in every notebook.
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
)
#: Line colours in the order a plot with several lines uses them (black and yellow last: low contrast
#: against each other's neighbours and against white, respectively).
LINE_COLORS: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW)
SEQUENTIAL = "viridis"
DIVERGING = "RdBu_r"
