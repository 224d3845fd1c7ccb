"""Text as numbers (notebook 12): a character vocabulary, ``encode`` and ``decode``."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor


class Vocab:
    """The characters of a text, each with an id: ``0 .. len(vocab) - 1``, in sorted order.

    ``Vocab(text)`` collects every distinct character of ``text`` (a ``str``, or any iterable of
    one-character strings). ``vocab.chars[i]`` is the character with id ``i``.

    encode(s: str) -> LongTensor (len(s),)        decode(ids: (n,) ints) -> str of n characters
    """

    def __init__(self, text: str | Iterable[str]) -> None:
        chars = sorted(set(text))
        if not chars:
            raise ValueError("text: expected at least one character to build a vocabulary from, got none")
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"text: expected one-character strings, got {c!r}")
        self.chars: list[str] = chars
        self.ids: dict[str, int] = {c: i for i, c in enumerate(chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Vocab({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, s: str) -> Tensor:
        """``s`` as a LongTensor of ids, shape ``(len(s),)``.

        Raises ``ValueError`` naming the first character that is not in the vocabulary, and where.
        """
        if not isinstance(s, str):
            raise TypeError(f"s: expected a str, got {type(s).__name__}")
        try:
            return torch.tensor([self.ids[c] for c in s], dtype=torch.long)
        except KeyError:
            position, char = next((i, c) for i, c in enumerate(s) if c not in self.ids)
            raise ValueError(
                f"character {char!r} at position {position} of {s!r} is not in the vocabulary; "
                f"expected one of {''.join(self.chars)!r}"
            ) from None

    def decode(self, ids: Tensor | Iterable[int]) -> str:
        """A 1-D tensor (or list) of ids ``(n,)`` back to a string of ``n`` characters.

        Raises ``ValueError`` for a tensor that is not 1-D or an id outside ``0 .. len(vocab) - 1``.
        """
        if isinstance(ids, Tensor):
            if ids.dim() != 1:
                raise ValueError(
                    f"ids: expected a 1-D tensor (n,), got a {ids.dim()}-D tensor of shape {tuple(ids.shape)}; "
                    "decode one row at a time"
                )
            if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
                raise ValueError(f"ids: expected integer ids (torch.long), got dtype {ids.dtype}")
            outside = (ids < 0) | (ids >= len(self.chars))
            if not outside.any():  # checked in one pass over the tensor, not id by id: sampling decodes many
                return "".join([self.chars[i] for i in ids.tolist()])
            ids = ids.tolist()
        out = []
        for i in ids:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.chars):
                raise ValueError(f"ids: expected ints from 0 to {len(self.chars) - 1} (the vocabulary), got {i!r}")
            out.append(self.chars[i])
        return "".join(out)
