"""Asserting that a hand-written result equals PyTorch's, and saying so in one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor

#: Tolerances (atol, rtol) by dtype, for results computed on the CPU.
#:
#: float64: nn.RNN and the manual loop add the same products in a different
#: order; the rounding differences are ~1e-16, so 1e-10 leaves a wide margin yet
#: catches any real mistake (a missing bias moves results by ~1e-1).
#: float32: machine epsilon is 1.2e-7. The two computations round differently at
#: every step, and an error made at one step is carried into every later one,
#: multiplied each time by that step's Jacobian diag(1 - h^2) W_hh: tanh's slope
#: (at most 1) can only shrink it, but W_hh can stretch it, so tanh alone does not
#: keep errors small. The weights do: PyTorch's default initialisation gives W_hh a
#: spectral radius of about 0.6 for any hidden size, and in practice (a heuristic,
#: not a bound; notebook 10 computes these Jacobians) the carried errors then die
#: out, so over a few dozen steps the observed gap stays at a few 1e-7. atol=1e-6
#: with rtol=1e-5 passes every correct implementation in the series while a change
#: in the 4th decimal fails. With large weights (randn: spectral radius about
#: sqrt(hidden_size)) and long sequences, errors can grow past it.
TOLERANCES: dict[torch.dtype, tuple[float, float]] = {
    torch.float64: (1e-10, 1e-10),
    torch.float32: (1e-6, 1e-5),
}

#: On CUDA (Ampere and newer GPUs), float32 matmuls may run in TF32: inputs rounded to a
#: 10-bit mantissa, a relative error around 1e-3. cuDNN does this for RNNs by default, so a
#: float32 manual result differs from nn.RNN by about that much. ``tolerance`` returns this
#: pair whenever a switch that governs the CUDA computation says TF32 (``cuda_float32_uses_tf32``).
TF32_TOLERANCE: tuple[float, float] = (5e-3, 5e-3)


_RNN_SWITCH = "torch.backends.cudnn.rnn.fp32_precision"
_LEGACY_CUDNN_SWITCH = "torch.backends.cudnn.allow_tf32"


def _rnn_flags() -> object | None:
    """``torch.backends.cudnn.rnn`` where it declares an ``fp32_precision`` switch (torch >= 2.9), else None.

    Declares, not merely holds: on an older torch, ``torch.backends.cudnn.rnn.fp32_precision = "ieee"``
    would only store a string that nothing reads.
    """
    flags = getattr(torch.backends.cudnn, "rnn", None)
    return flags if "fp32_precision" in vars(type(flags)) else None


def cudnn_rnn_switch() -> tuple[str, str | bool]:
    """The switch that decides whether cuDNN computes float32 RNNs with TF32, and its value now.

    torch >= 2.9: ``("torch.backends.cudnn.rnn.fp32_precision", "tf32" | "ieee" | ...)``, the switch
    ATen's cuDNN RNN reads (``allowTF32CuDNN(Float32Op::RNN)`` in aten/src/ATen/native/cudnn/RNN.cpp).
    Its getter resolves ``"none"`` (inherit) to the parent switch's setting, as ATen does.
    Older torch: ``("torch.backends.cudnn.allow_tf32", True | False)``, one flag for all of cuDNN.
    On a new torch that flag is legacy: the RNN does not read it, and it can disagree with the new switch.
    """
    flags = _rnn_flags()
    if flags is not None:
        return _RNN_SWITCH, flags.fp32_precision
    return _LEGACY_CUDNN_SWITCH, bool(torch.backends.cudnn.allow_tf32)


def cudnn_rnn_uses_tf32() -> bool:
    """Whether cuDNN may compute float32 RNNs (``nn.RNN`` on CUDA) with TF32 matmuls (see ``cudnn_rnn_switch``)."""
    _, value = cudnn_rnn_switch()
    return value == "tf32" if isinstance(value, str) else bool(value)


def cuda_matmul_uses_tf32() -> bool:
    """Whether float32 matmuls on CUDA (cuBLAS: a hand-written loop run on the GPU) may use TF32.

    torch >= 2.9: ``torch.backends.cuda.matmul.fp32_precision == "tf32"``; older torch:
    ``torch.backends.cuda.matmul.allow_tf32``. Off by default (since torch 1.12).
    """
    try:
        return torch.backends.cuda.matmul.fp32_precision == "tf32"
    except AttributeError:  # torch < 2.9
        return bool(torch.backends.cuda.matmul.allow_tf32)


def cuda_float32_uses_tf32() -> bool:
    """Whether a float32 comparison on CUDA must allow for TF32: cuDNN's RNN or cuBLAS's matmul may use it."""
    return cudnn_rnn_uses_tf32() or cuda_matmul_uses_tf32()


@contextmanager
def cudnn_rnn_precision(precision: str) -> Iterator[None]:
    """Within the ``with`` block, cuDNN computes float32 RNNs in ``precision``; the old setting is restored after.

    precision: ``"ieee"`` (full float32) or ``"tf32"``. Sets ``torch.backends.cudnn.rnn.fp32_precision``
    on torch >= 2.9, ``torch.backends.cudnn.allow_tf32`` on an older torch. Works without a GPU too
    (the switch is only read when cuDNN runs). Raises ``ValueError`` for another precision.
    """
    if precision not in ("ieee", "tf32"):
        raise ValueError(f"precision: expected 'ieee' or 'tf32', got {precision!r}")
    flags = _rnn_flags()
    if flags is not None:
        before = flags.fp32_precision
        flags.fp32_precision = precision
        try:
            yield
        finally:
            flags.fp32_precision = before
    else:  # torch < 2.9: the one legacy switch for all of cuDNN
        before = torch.backends.cudnn.allow_tf32
        torch.backends.cudnn.allow_tf32 = precision == "tf32"
        try:
            yield
        finally:
            torch.backends.cudnn.allow_tf32 = before


def tolerance(dtype: torch.dtype, device: torch.device | str = "cpu") -> tuple[float, float]:
    """The ``(atol, rtol)`` used by ``assert_matches`` for this dtype and device.

    ``TOLERANCES[dtype]``, except for float32 on CUDA while ``cuda_float32_uses_tf32()``: then
    ``TF32_TOLERANCE``. The switches are read at each call, so setting
    ``torch.backends.cudnn.rnn.fp32_precision = "ieee"`` takes effect at once.
    Raises ``ValueError`` for a dtype without a tolerance (e.g. an integer dtype).
    """
    device = torch.device(device)
    if dtype not in TOLERANCES:
        raise ValueError(f"dtype: expected one of {list(TOLERANCES)}, got {dtype}")
    if device.type == "cuda" and dtype == torch.float32 and cuda_float32_uses_tf32():
        return TF32_TOLERANCE
    return TOLERANCES[dtype]


def _close_enough(actual: Tensor, expected: Tensor, atol: float, rtol: float) -> bool:
    """assert_close's rule for tensors, without its cost.

    The same test torch.testing.assert_close applies (same shape, dtype and device, and
    ``|actual - expected| <= atol + rtol * |expected|`` everywhere, NaN never equal), done
    with ``torch.isclose``. In torch 2.13 the first assert_close call imports
    torch.distributed (1-3 s), a large share of a notebook's time budget; the slow, detailed
    path runs only when this says no (tests/test_functional.py checks the two agree).
    """
    return (
        isinstance(actual, Tensor)
        and isinstance(expected, Tensor)
        and actual.shape == expected.shape
        and actual.dtype == expected.dtype
        and actual.device == expected.device
        and bool(torch.isclose(actual.detach(), expected.detach(), rtol=rtol, atol=atol).all())
    )


def assert_matches(
    actual: Tensor,
    expected: Tensor,
    what: str = "output",
    label: str = "manual == nn.RNN",
    atol: float | None = None,
    rtol: float | None = None,
) -> None:
    """Assert ``actual`` equals ``expected`` within a stated tolerance, then print one line.

    actual, expected: tensors of the same shape and dtype (anything ``torch.testing.assert_close``
    accepts). ``atol``/``rtol`` default to ``tolerance(expected.dtype, expected.device)``.
    On success prints e.g. ``output: manual == nn.RNN (float32, atol=1e-06, rtol=1e-05)``;
    on failure raises ``AssertionError`` saying what differs (shape, dtype or values).
    """
    if atol is None or rtol is None:
        default_atol, default_rtol = tolerance(expected.dtype, expected.device)
        atol = default_atol if atol is None else atol
        rtol = default_rtol if rtol is None else rtol
    if not _close_enough(actual, expected, atol, rtol):
        # torch.testing.assert_close decides failures and writes the detailed message.
        torch.testing.assert_close(
            actual,
            expected,
            atol=atol,
            rtol=rtol,
            msg=lambda detail: f"{what}: {label} FAILED (atol={atol:g}, rtol={rtol:g})\n{detail}",
        )
        raise AssertionError(f"{what}: {label} FAILED (atol={atol:g}, rtol={rtol:g})")  # pragma: no cover
    dtype = str(expected.dtype).removeprefix("torch.")
    print(f"{what}: {label} ({dtype}, atol={atol:g}, rtol={rtol:g})")
