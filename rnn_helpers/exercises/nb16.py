"""Exercises for notebook 16: one text, three cells (what two seeds can settle)."""

from __future__ import annotations

import math

import torch

from ..pictures.memory_distance import right_by_distance
from ._core import Exercise, not_attempted


def _separated(pooled, a, b, bins, *, width=2.0, quadrature=True, per_count=True, exclusive=False):
    """The right answer (defaults), or a typical wrong one (the keywords name the mistake)."""
    out = []
    for low, high in bins:
        if exclusive:  # low <= d < high: for whole-number distances the bin (low, high - 1), empty if high == low
            high -= 1
        if high < low:
            out.append(False)
            continue
        (pa, na), (pb, nb) = ((f.item(), int(n)) for f, n in
                              (right_by_distance(*pooled[cell], [(low, high)]) for cell in (a, b)))
        if na == 0 or nb == 0:
            out.append(False)
            continue
        se_a = math.sqrt(pa * (1 - pa) / (na if per_count else 1))
        se_b = math.sqrt(pb * (1 - pb) / (nb if per_count else 1))
        se = math.sqrt(se_a**2 + se_b**2) if quadrature else se_a + se_b
        out.append(abs(pa - pb) > width * se)
    return out


def _make_pooled(seed: int = 54):
    """Made-up closings, {cell: (distance (n,), right (n,))}, as section 2's `pooled`: many closings near, few
    far; the LSTM right more often than the GRU further back, by different margins."""
    g = torch.Generator().manual_seed(seed)
    pooled = {}
    for cell, keep in (("LSTM", 0.98), ("GRU", 0.97)):
        distance = torch.cat([torch.full((n,), d) for d, n in
                              ((1, 900), (2, 500), (3, 420), (5, 300), (8, 160), (11, 120), (13, 80), (16, 60), (19, 25),
                               (24, 12), (30, 4))])
        p_right = keep ** distance.double()                          # fewer right the further back
        right = torch.rand(distance.shape, generator=g, dtype=torch.float64) < p_right
        pooled[cell] = (distance, right)
    # A third cell with real counts, AHEAD of the GRU one character back and behind it further on: an answer
    # that tests only "a above b" (one-sided) differs from the right one on the cases below.
    distance = torch.cat([torch.full((n,), d) for d, n in ((1, 800), (2, 300), (9, 200), (24, 40))])
    right = torch.rand(distance.shape, generator=g, dtype=torch.float64) < torch.tensor(
        [{1: 0.999, 2: 0.9, 9: 0.55, 24: 0.5}[int(d)] for d in distance], dtype=torch.float64)
    pooled["RNN"] = (distance, right)
    return pooled


_POOLED = _make_pooled()  # seed 54: no bin of the cases within 0.15 of 1 or 2 standard errors (tests)
_CASES = [("LSTM", "GRU", ((1, 1), (2, 3), (4, 6), (7, 9), (10, 13), (14, 19), (20, 30))),
          ("LSTM", "GRU", ((1, 3), (4, 13), (14, 30))),
          ("LSTM", "GRU", ((2, 2), (3, 3), (5, 5), (8, 8), (11, 11), (13, 13), (16, 16), (19, 19))),
          ("GRU", "RNN", ((1, 1), (2, 3), (9, 9), (20, 30)))]
_MISTAKES = [
    ({"width": 1.0}, "two standard errors, not one: a gap of one standard error happens by chance about one time "
                     "in three"),
    ({"quadrature": False}, "the standard error of a difference of two independent fractions is "
                            "sqrt(se_a**2 + se_b**2), not se_a + se_b"),
    ({"per_count": False}, "a fraction's standard error shrinks with the number of closings: sqrt(p * (1 - p) / n)"),
    ({"exclusive": True}, "a bin (low, high) includes both ends, as right_by_distance's bins do: low <= d <= high"),
]


def _check_separated(fn):
    first = fn(_POOLED, *_CASES[0])
    if not_attempted(first):
        raise NotImplementedError
    got = []
    for a, b, bins in _CASES:
        answer = fn(_POOLED, a, b, bins)
        if isinstance(answer, torch.Tensor):
            answer = answer.tolist()
        if isinstance(answer, (list, tuple)):  # a list of 0-d bool tensors: take their values
            answer = [bool(x) if isinstance(x, torch.Tensor) and x.dtype == torch.bool and x.numel() == 1 else x
                      for x in answer]
        if not isinstance(answer, (list, tuple)) or len(answer) != len(bins) or not all(
                isinstance(x, bool) for x in answer):
            return (f"{a} against {b}, bins {bins}: expected a list of {len(bins)} True/False, one per bin, "
                    f"got {answer!r}")
        got.append(list(answer))
    want = [_separated(_POOLED, a, b, bins) for a, b, bins in _CASES]
    if got == want:
        return None
    for mistake, message in _MISTAKES:
        if got == [_separated(_POOLED, a, b, bins, **mistake) for a, b, bins in _CASES]:
            return message
    for (a, b, bins), g, w in zip(_CASES, got, want):
        if g != w:
            k = next(k for k in range(len(bins)) if g[k] != w[k])
            (pa, na), (pb, nb) = ((f.item(), int(n)) for f, n in
                                  (right_by_distance(*_POOLED[cell], [bins[k]]) for cell in (a, b)))
            empty = " (an empty bin in either cell: False)" if na == 0 or nb == 0 else ""
            return (f"{a} against {b}, bin {bins[k]}: {a} {pa:.3f} right of {na} closings, {b} {pb:.3f} of {nb}: "
                    f"expected {w[k]}, got {g[k]}{empty}")
    return None  # pragma: no cover


q1 = Exercise(
    name="16.1 which bins can these samples separate?",
    answer="separated_bins",
    checker=_check_separated,
    kind="function",
    hint_text=(
        "right_by_distance gives each bin's fraction p and count n. How far does a fraction measured on n "
        "closings wander by chance? And how far the difference of two such fractions, measured on different "
        "closings?"
    ),
    solution_code='''
def separated_bins(pooled, a, b, bins):
    import math
    from rnn_helpers.pictures import right_by_distance         # section 2: (fraction, count) per bin
    (pa, na), (pb, nb) = (right_by_distance(*pooled[cell], bins) for cell in (a, b))   # each (len(bins),)
    out = []
    for k in range(len(bins)):
        if na[k] == 0 or nb[k] == 0:
            out.append(False)                                  # an empty bin separates nothing
            continue
        p, q = pa[k].item(), pb[k].item()
        se = math.sqrt(p * (1 - p) / na[k].item() + q * (1 - q) / nb[k].item())   # of the difference
        out.append(abs(p - q) > 2 * se)
    return out
''',
    mistakes={
        "one standard error": (
            "def separated_bins(pooled, a, b, bins):\n"
            "    from rnn_helpers.pictures import right_by_distance\n"
            "    (pa, na), (pb, nb) = (right_by_distance(*pooled[c], bins) for c in (a, b))\n"
            "    se = (pa * (1 - pa) / na + pb * (1 - pb) / nb).sqrt()\n"
            "    return [bool(na[k] > 0 and nb[k] > 0 and (pa[k] - pb[k]).abs() > se[k]) for k in range(len(bins))]",
            "two standard errors",
        ),
        "standard errors added": (
            "def separated_bins(pooled, a, b, bins):\n"
            "    from rnn_helpers.pictures import right_by_distance\n"
            "    (pa, na), (pb, nb) = (right_by_distance(*pooled[c], bins) for c in (a, b))\n"
            "    se = (pa * (1 - pa) / na).sqrt() + (pb * (1 - pb) / nb).sqrt()\n"
            "    return [bool(na[k] > 0 and nb[k] > 0 and (pa[k] - pb[k]).abs() > 2 * se[k]) for k in range(len(bins))]",
            "sqrt(se_a**2 + se_b**2)",
        ),
        "the count left out": (
            "def separated_bins(pooled, a, b, bins):\n"
            "    from rnn_helpers.pictures import right_by_distance\n"
            "    (pa, na), (pb, nb) = (right_by_distance(*pooled[c], bins) for c in (a, b))\n"
            "    se = (pa * (1 - pa) + pb * (1 - pb)).sqrt()\n"
            "    return [bool(na[k] > 0 and nb[k] > 0 and (pa[k] - pb[k]).abs() > 2 * se[k]) for k in range(len(bins))]",
            "shrinks with the number of closings",
        ),
    },
)
