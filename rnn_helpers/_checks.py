"""Shape and argument checks shared by the public functions.

Every check raises ``ValueError`` with a message that names what was
expected and what was received, so a learner sees *which* dimension is
wrong instead of a broadcasting accident further down.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

NONLINEARITIES = ("tanh", "relu")


def fmt_shape(shape: Sequence[int | str | None]) -> str:
    """Format a shape as ``(5, 1, 4)``; ``None`` or a string prints as a named free dimension."""
    parts = ["*" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def check_shape(name: str, tensor: Tensor, expected: Sequence[int | str | None]) -> None:
    """Raise ``ValueError`` unless ``tensor.shape`` equals ``expected``.

    ``expected`` may hold ``None`` (any size) or a string naming the
    dimension (any size, but the name is printed in the message).
    """
    if not hasattr(tensor, "shape"):
        raise TypeError(f"{name}: expected a tensor, got {type(tensor).__name__}")
    actual = tuple(tensor.shape)
    if len(actual) != len(expected):
        raise ValueError(
            f"{name}: expected a {len(expected)}-D tensor of shape {fmt_shape(expected)}, "
            f"got a {len(actual)}-D tensor of shape {fmt_shape(actual)}"
        )
    for want, got in zip(expected, actual):
        if isinstance(want, int) and want != got:
            raise ValueError(f"{name}: expected shape {fmt_shape(expected)}, got {fmt_shape(actual)}")


def check_nonlinearity(nonlinearity: str) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity: expected one of {NONLINEARITIES}, got {nonlinearity!r}")


def check_same_dtype(**tensors: Tensor | None) -> None:
    """Raise ``ValueError`` if the given tensors (``None`` ignored) do not share one dtype."""
    present = {name: t for name, t in tensors.items() if t is not None}
    dtypes = {t.dtype for t in present.values()}
    if len(dtypes) > 1:
        listing = ", ".join(f"{name}={t.dtype}" for name, t in present.items())
        raise ValueError(f"expected one dtype for all tensors, got {listing}")
