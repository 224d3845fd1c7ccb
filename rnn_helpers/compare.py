"""Asserting that a hand-written result equals PyTorch's, and saying so in one line."""

from __future__ import annotations

import torch
from torch import Tensor

#: Tolerances (atol, rtol) by dtype, for results computed on the CPU.
#:
#: float64: nn.RNN and the manual loop add the same products in a different
#: order; the rounding differences are ~1e-16, so 1e-10 leaves a wide margin yet
#: catches any real mistake (a missing bias moves results by ~1e-1).
#: float32: machine epsilon is 1.2e-7; over a few dozen steps the observed gap is
#: a few 1e-7 (tanh squashes, so errors do not grow), so atol=1e-6 with rtol=1e-5
#: passes every correct implementation while a change in the 4th decimal fails.
TOLERANCES: dict[torch.dtype, tuple[float, float]] = {
    torch.float64: (1e-10, 1e-10),
    torch.float32: (1e-6, 1e-5),
}

#: On CUDA, cuDNN computes float32 RNNs with TF32 matmuls by default (10-bit
#: mantissa, relative error ~1e-3), so a float32 manual result differs from nn.RNN
#: by ~1e-3 unless ``torch.backends.cudnn.allow_tf32 = False``.
TF32_TOLERANCE: tuple[float, float] = (5e-3, 5e-3)


def tolerance(dtype: torch.dtype, device: torch.device | str = "cpu") -> tuple[float, float]:
    """The ``(atol, rtol)`` used by ``assert_matches`` for this dtype and device."""
    device = torch.device(device)
    if (
        device.type == "cuda"
        and dtype == torch.float32
        and torch.backends.cudnn.allow_tf32
    ):
        return TF32_TOLERANCE
    if dtype not in TOLERANCES:
        raise ValueError(f"dtype: expected one of {list(TOLERANCES)}, got {dtype}")
    return TOLERANCES[dtype]


def _close_enough(actual: Tensor, expected: Tensor, atol: float, rtol: float) -> bool:
    """assert_close's rule for tensors, without its cost.

    The same test torch.testing.assert_close applies (same shape, dtype and device, and
    ``|actual - expected| <= atol + rtol * |expected|`` everywhere, NaN never equal), done
    with ``torch.isclose``. In torch 2.13 the first assert_close call imports
    torch.distributed (1-3 s), a large share of a notebook's time budget; the slow, detailed
    path runs only when this says no (tests/test_core.py checks the two agree).
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
