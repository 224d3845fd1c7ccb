"""Batches that carry state (notebook 12): one long stream of ids cut into parallel rows and chunks."""

from __future__ import annotations

import torch
from torch import Tensor

from .._checks import fmt_shape


def stream_batches(ids: Tensor, batch_size: int, seq_len: int) -> list[tuple[Tensor, Tensor]]:
    """Cut one stream of token ids into ``batch_size`` parallel rows, then into chunks of ``seq_len``.

    ids: (n,) integer token ids, one long text.
    With ``m = (n - 1) // batch_size`` characters per row, row b of the inputs is the slice
    ``ids[b*m : (b+1)*m]`` and row b of the targets the same slice shifted by one,
    ``ids[b*m + 1 : (b+1)*m + 1]`` (the character that comes next). The rows are cut into
    consecutive chunks of ``seq_len`` columns, so **row b of chunk k+1 continues row b of chunk k**:
    a model can carry each row's hidden state from one chunk to the next.

    Returns the list of chunks ``(x, y)``, both ``(batch_size, seq_len)`` (batch first); the last
    one is shorter, ``(batch_size, m % seq_len)``, when ``seq_len`` does not divide ``m``. The last
    ``n - 1 - batch_size * m`` inputs, too few to fill a column, are not used.
    Raises ``ValueError`` for ``ids`` that is not a 1-D integer tensor of at least
    ``batch_size + 1`` ids, or ``batch_size``/``seq_len`` < 1.
    """
    for name, value in (("batch_size", batch_size), ("seq_len", seq_len)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    if not isinstance(ids, Tensor):
        raise TypeError(f"ids: expected a 1-D tensor of token ids, got {type(ids).__name__}")
    if ids.dim() != 1:
        raise ValueError(f"ids: expected a 1-D tensor (n,), one stream, got shape {fmt_shape(tuple(ids.shape))}")
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise ValueError(f"ids: expected integer token ids (torch.long), got dtype {ids.dtype}")
    per_row = (len(ids) - 1) // batch_size
    if per_row < 1:
        raise ValueError(
            f"ids: expected at least batch_size + 1 = {batch_size + 1} ids (one input and its target per row), "
            f"got {len(ids)}"
        )
    x = ids[: batch_size * per_row].view(batch_size, per_row)             # (batch_size, m)
    y = ids[1 : batch_size * per_row + 1].view(batch_size, per_row)       # the next character of each
    return [(x[:, s : s + seq_len], y[:, s : s + seq_len]) for s in range(0, per_row, seq_len)]
