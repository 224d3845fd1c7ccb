"""Turning what a notebook has (tensors, lists) into numpy arrays for the pictures of notebooks 09-11."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(name: str, values: Any, ndim: int, meaning: str) -> np.ndarray:
    """``values`` (a tensor, detached for you, or anything ``numpy.asarray`` takes) as a float array.

    Raises ``ValueError`` naming ``name``, the expected shape ``meaning`` and the shape received
    unless the array has ``ndim`` dimensions and at least one element.
    """
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim != ndim or array.size == 0:
        raise ValueError(f"{name}: expected a non-empty {ndim}-D array {meaning}, got shape {tuple(array.shape)}")
    return array
