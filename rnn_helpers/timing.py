"""Timing small functions honestly (notebook 05); the picture of the result is ``pictures.timings``.

A single timing is noise: another process, a cache miss, the first call's warm-up.
``best_time`` repeats and keeps the best round, which is the least disturbed
estimate of what the code itself costs (the approach of Python's ``timeit``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
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


def timing_table(seq_lens: Sequence[int], timings: Mapping[str, Sequence[float]], reference: str) -> str:
    """A text table: microseconds per time step, and each time relative to ``timings[reference]``.

    seq_lens: the n sequence lengths measured. timings: ``{name: n times in seconds}`` (e.g. from
    ``best_time``), the i-th measured at ``seq_lens[i]``. One row per name, n columns of µs per step
    (seconds / seq_len * 1e6), then n columns of ratios (1.00 in the reference's row).
    Raises ``ValueError`` if ``reference`` is not a key or a list of times does not have n entries.
    """
    seq_lens = list(seq_lens)
    if reference not in timings:
        raise ValueError(f"reference: expected one of {list(timings)}, got {reference!r}")
    for name, times in timings.items():
        if len(times) != len(seq_lens):
            raise ValueError(f"timings[{name!r}]: expected {len(seq_lens)} times (one per seq_len), got {len(times)}")
    width = max(len(name) for name in timings) + 1
    n = len(seq_lens)
    block = 7 * n
    lines = [
        " " * width + f"{'µs per step':>{block}}" + "   " + f"{f'time / {reference}':>{block}}",
        " " * width + "".join(f"{f'T={t}':>7}" for t in seq_lens) + "   " + "".join(f"{f'T={t}':>7}" for t in seq_lens),
    ]
    for name, times in timings.items():
        per_step = "".join(f"{s / t * 1e6:7.1f}" for s, t in zip(times, seq_lens))
        ratios = "".join(f"{s / r:7.2f}" for s, r in zip(times, timings[reference]))
        lines.append(f"{name:>{width}}" + per_step + "   " + ratios)
    return "\n".join(lines)


def performance_table(times: Mapping[str, float], seq_len: int, flops: float, reference: str,
                      matmul: str, matmul_flops: float) -> str:
    """A text table: each contender's time, time per step, ratio to ``reference`` and arithmetic rate.

    times: ``{name: seconds per call}`` (e.g. best of interleaved rounds), including ``reference`` and
    ``matmul``, a single matrix product of ``matmul_flops`` floating-point operations whose rate is the
    machine's own limit for this work. flops: the floating-point operations of the products one call of
    every other contender makes (2 per multiply-add). Columns: ms per call, µs per step (seconds / seq_len),
    time / reference, GFLOP/s (flops / seconds), and that rate as a share of the matmul's.
    Raises ``ValueError`` if ``reference`` or ``matmul`` is not a key.
    """
    for key, what in ((reference, "reference"), (matmul, "matmul")):
        if key not in times:
            raise ValueError(f"{what}: expected one of {list(times)}, got {key!r}")
    limit = matmul_flops / times[matmul] / 1e9
    width = max(len(name) for name in times if name != matmul) + 1
    lines = [f"{'':<{width}}{'ms':>8}{'µs/step':>9}{f'x {reference}':>{len(reference) + 4}}{'GFLOP/s':>9}{'% of matmul':>13}"]
    for name, seconds in times.items():
        if name == matmul:
            continue
        rate = flops / seconds / 1e9
        lines.append(f"{name:<{width}}{seconds * 1e3:8.2f}{seconds / seq_len * 1e6:9.1f}"
                     f"{seconds / times[reference]:{len(reference) + 4}.2f}{rate:9.1f}{100 * rate / limit:12.0f}%")
    lines.append(f"{matmul}: {limit:.1f} GFLOP/s, this machine's rate for the product every step makes")
    return "\n".join(lines)


def interleaved_best(fns: Mapping[str, Callable[[], Any]], rounds: int = 7, number: int = 3,
                     threads: int | None = 1) -> dict[str, float]:
    """Seconds per call of each function, the best of ``rounds`` interleaved rounds.

    fns: ``{name: fn}``, each called with no arguments. In every round each function is called once to warm
    up, then timed over ``number`` calls (``best_time(fn, repeat=1, number=number, warmup=1)``), one after
    the other, so a slow moment of a shared machine hits them all alike. threads: torch's thread count
    while timing (restored after), or None to leave it. Returns ``{name: best seconds per call}``.
    """
    import torch

    if rounds < 1:
        raise ValueError(f"rounds: expected at least 1, got {rounds}")
    best = dict.fromkeys(fns, float("inf"))
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        for _ in range(rounds):
            for name, fn in fns.items():
                best[name] = min(best[name], best_time(fn, repeat=1, number=number, warmup=1))
    finally:
        torch.set_num_threads(before)
    return best
