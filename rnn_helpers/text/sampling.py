"""Sampling text from a character-level language model (notebook 12)."""

from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .vocab import Vocab


def _check_temperature(temperature) -> None:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not temperature >= 0:
        raise ValueError(f"temperature: expected a number >= 0 (0 means always the most likely), got {temperature!r}")


def sample_batch(
    model: nn.Module,
    vocab: Vocab,
    prompt: str,
    length: int,
    num_samples: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[str]:
    """``num_samples`` continuations of ``prompt``, ``length`` characters each, drawn side by side.

    model: maps ids (batch, seq_len) and a state to ``(logits (batch, seq_len, V), state)``, as
        ``CharLM``. vocab: its ``Vocab``. prompt: a non-empty string of vocabulary characters.
    The prompt is read once (all samples share it); then, ``length`` times, the last step's logits
    (num_samples, V) are divided by ``temperature``, turned into probabilities with a softmax, one
    character per sample is drawn with ``torch.multinomial(probs, 1, generator=generator)``, and
    each sample's character is fed back in with its own carried state. ``temperature=0`` takes the
    most likely character instead of drawing (greedy decoding: no randomness).
    Returns the list of the ``num_samples`` generated strings, without the prompt.
    Raises ``ValueError`` for an empty prompt, a prompt character outside the vocabulary (named),
    ``length`` or ``num_samples`` < 1, or ``temperature`` < 0.
    """
    for name, value in (("length", length), ("num_samples", num_samples)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
    _check_temperature(temperature)
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt: expected a non-empty string to start from (e.g. '\\n'), got {prompt!r}")
    ids = vocab.encode(prompt).unsqueeze(0).expand(num_samples, -1)        # (num_samples, len(prompt))
    drawn = []
    with torch.no_grad():
        logits, state = model(ids)                                          # read the whole prompt
        for step in range(length):
            last = logits[:, -1]                                            # (num_samples, V)
            if temperature == 0:
                next_ids = last.argmax(dim=-1, keepdim=True)                # (num_samples, 1)
            else:
                probs = F.softmax(last / temperature, dim=-1)
                next_ids = torch.multinomial(probs, 1, generator=generator)  # (num_samples, 1)
            drawn.append(next_ids)
            if step + 1 < length:
                logits, state = model(next_ids, state)                      # feed it back in
    out = torch.cat(drawn, dim=1)                                           # (num_samples, length)
    return [vocab.decode(row) for row in out]


def sample(
    model: nn.Module,
    vocab: Vocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> str:
    """One continuation of ``prompt``, ``length`` characters long: ``sample_batch(..., num_samples=1)[0]``.

    Each step draws ``torch.multinomial(probs, 1, generator=generator)`` from
    ``probs = softmax(logits / temperature)`` of shape (1, V) and feeds the character back in;
    ``temperature=0`` is greedy (argmax). The same generator seed gives the same text.
    """
    return sample_batch(model, vocab, prompt, length, 1, temperature, generator)[0]
