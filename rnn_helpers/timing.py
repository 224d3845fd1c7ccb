"""Timing small functions honestly (notebook 05); the picture of the result is ``pictures.timings``.

A single timing is noise: another process, a cache miss, the first call's warm-up.
``best_time`` repeats and keeps the best round, which is the least disturbed
estimate of what the code itself costs (the approach of Python's ``timeit``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[..., Any], *args: Any, repeat: int = 5, number: int = 3, warmup: int = 1,
              **kwargs: Any) -> float:
    """Seconds per call of ``fn(*args, **kwargs)``: the best of ``repeat`` rounds.

    Each round calls ``fn`` ``number`` times back to back and measures the round with
    ``time.perf_counter``; the round's time divided by ``number`` is its seconds per call.
    The smallest over the rounds is returned (in seconds, a float), after ``warmup``
    untimed calls. ``fn`` is called ``warmup + repeat * number`` times in all.

    Raises ``ValueError`` unless ``repeat >= 1``, ``number >= 1`` and ``warmup >= 0``.
    """
    if repeat < 1 or number < 1 or warmup < 0:
        raise ValueError(
            f"expected repeat >= 1, number >= 1, warmup >= 0, got repeat={repeat}, number={number}, warmup={warmup}"
        )
    for _ in range(warmup):
        fn(*args, **kwargs)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        best = min(best, (time.perf_counter() - start) / number)
    return best
