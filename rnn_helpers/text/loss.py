"""Softmax cross-entropy by hand (notebook 12): the loss, its gradient, and perplexity.

For logits ``z: (N, V)`` (one row of V scores per position) and targets ``y: (N,)`` (the id of
the character that came next), the loss is the mean over the N positions of

    -log softmax(z_n)[y_n] = logsumexp(z_n) - z_n[y_n]

which is what ``F.cross_entropy(z, y)`` computes. ``logsumexp`` is taken after subtracting each
row's maximum, so no ``exp`` overflows. Its gradient with respect to the logits is
``(softmax(z) - one_hot(y)) / N``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .._checks import fmt_shape


def _check_logits_targets(logits: Tensor, targets: Tensor) -> None:
    if not isinstance(logits, Tensor) or not isinstance(targets, Tensor):
        raise TypeError(
            f"logits, targets: expected two tensors, got {type(logits).__name__} and {type(targets).__name__}"
        )
    if logits.dim() != 2 or logits.shape[0] == 0 or logits.shape[1] == 0:
        raise ValueError(
            f"logits: expected a 2-D tensor (N, V) with N, V >= 1, got shape {fmt_shape(tuple(logits.shape))}; "
            "flatten (batch, seq_len, V) with .reshape(-1, V)"
        )
    if not logits.is_floating_point():
        raise ValueError(f"logits: expected a floating-point tensor, got dtype {logits.dtype}")
    n, v = logits.shape
    if targets.dtype != torch.long:
        raise ValueError(f"targets: expected class ids of dtype torch.long, got dtype {targets.dtype}")
    if tuple(targets.shape) != (n,):
        raise ValueError(
            f"targets: expected shape ({n},), one class id per row of logits (N, V) = {fmt_shape((n, v))}, "
            f"got {fmt_shape(tuple(targets.shape))}"
        )
    low, high = int(targets.min()), int(targets.max())
    if low < 0 or high >= v:
        bad = low if low < 0 else high
        raise ValueError(f"targets: expected class ids from 0 to V - 1 = {v - 1}, got {bad}")


def log_softmax_by_hand(logits: Tensor) -> Tensor:
    """``log softmax`` of every row, stably: ``z - max - log(sum(exp(z - max)))``. (N, V) -> (N, V)."""
    shifted = logits - logits.max(dim=1, keepdim=True).values   # every row's largest entry becomes 0
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def cross_entropy_by_hand(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean softmax cross-entropy, as ``F.cross_entropy(logits, targets)``.

    logits: (N, V) floating point; targets: (N,) torch.long ids in ``0 .. V - 1``.
    Returns a 0-d tensor: ``mean_n (logsumexp(logits[n]) - logits[n, targets[n]])``.
    Raises ``ValueError`` naming the expected and actual shape, dtype or out-of-range id.
    """
    _check_logits_targets(logits, targets)
    picked = log_softmax_by_hand(logits).gather(1, targets.unsqueeze(1))   # (N, 1): log p of each target
    return -picked.mean()


def cross_entropy_grad_by_hand(logits: Tensor, targets: Tensor) -> Tensor:
    """The gradient of ``cross_entropy_by_hand(logits, targets)`` with respect to ``logits``.

    logits: (N, V); targets: (N,). Returns (N, V): ``(softmax(logits) - one_hot(targets)) / N``.
    Every row sums to 0: the target's score is pushed up by ``1 - p``, every other score down by its ``p``.
    """
    _check_logits_targets(logits, targets)
    n = logits.shape[0]
    grad = log_softmax_by_hand(logits).exp()                   # softmax: (N, V)
    grad[torch.arange(n), targets] -= 1                         # minus the one-hot of the target
    return grad / n


def perplexity(loss: float | Tensor) -> float:
    """``exp(loss)`` for a mean cross-entropy in nats: the number of equally likely characters a
    model is as unsure as. A model that spreads its probability evenly over V characters has loss
    ``log V`` and perplexity V; a model that is always sure and right has perplexity 1.
    """
    if isinstance(loss, Tensor):
        if loss.numel() != 1:
            raise ValueError(f"loss: expected one number (a mean loss), got a tensor of shape {tuple(loss.shape)}")
        loss = float(loss)
    if isinstance(loss, bool) or not isinstance(loss, (int, float)) or not loss >= 0:
        raise ValueError(f"loss: expected a mean cross-entropy >= 0 (in nats), got {loss!r}")
    return math.exp(loss)
