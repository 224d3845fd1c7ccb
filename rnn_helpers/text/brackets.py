"""A generated language whose structure can be checked (notebook 12): balanced brackets.

Each line of the corpus is a well-formed string over ``( ) [ ]`` and the filler letters ``a b``:
every bracket is closed, by a bracket of its own type, in the right order, before the line ends,
e.g. ``a(b[])b`` or ``[(a)[b]]``. A model of this text must *remember*: to close a bracket with
the right type it needs the type of the innermost open bracket, which may lie many characters
back. ``first_mistake`` checks a line, ``closings`` measures how far back each closing bracket had
to look, so samples from a model can be scored with numbers, not impressions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import torch
from torch import Tensor

OPENERS = "(["
CLOSERS = ")]"
LETTERS = "ab"
#: The closing bracket that matches each opening one.
PAIRS = dict(zip(OPENERS, CLOSERS))

#: What ``first_mistake`` can find in a line (``judge`` adds "unfinished" for a sample without a newline).
MISTAKES = ("wrong type", "nothing to close", "left open")


def _check_int(name: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name}: expected an int >= {low}, got {value!r}")


def _moves(depth: int, length: int, max_len: int, max_depth: int) -> list[str]:
    """The moves ``bracket_lines`` may make with ``depth`` brackets open after ``length`` characters."""
    moves = []
    if depth < max_depth and length + depth + 2 <= max_len:
        moves.append("open")
    if depth > 0:
        moves.append("close")
    if length + depth + 1 <= max_len:
        moves.append("letter")
    if depth == 0 and length > 0:
        moves.append("end")
    return moves


def bracket_lines(
    n_lines: int, generator: torch.Generator | None = None, max_len: int = 20, max_depth: int = 4
) -> list[str]:
    """``n_lines`` random well-formed lines (without their newline).

    Each line is written one character at a time. With ``d`` brackets open and ``L`` characters
    written, the allowed moves are: open a bracket (if ``d < max_depth`` and there is room to close
    it, ``L + d + 2 <= max_len``), close the innermost one (if ``d > 0``), write a letter (if
    ``L + d + 1 <= max_len``), end the line (if ``d == 0`` and ``L > 0``). One of the allowed moves
    is chosen with equal probability; an opening bracket is ``(`` or ``[`` and a letter ``a`` or
    ``b``, each with probability 1/2. So every line is non-empty, at most ``max_len`` characters
    long, nested at most ``max_depth`` deep, and well-formed by construction.

    The random numbers come from ``generator`` (``torch.rand``), a fixed block per line: the same
    seed gives the same lines, and the first k lines do not depend on ``n_lines``.
    """
    _check_int("n_lines", n_lines, 1)
    _check_int("max_len", max_len, 2)
    _check_int("max_depth", max_depth, 1)
    block = 2 * (max_len + 1)  # at most max_len + 1 moves, each using at most 2 numbers
    uniforms = torch.rand(n_lines, block, generator=generator, dtype=torch.float64).tolist()
    lines = []
    for u in uniforms:
        draws = iter(u)
        stack: list[str] = []
        line: list[str] = []
        while True:
            moves = _moves(len(stack), len(line), max_len, max_depth)
            move = moves[min(int(next(draws) * len(moves)), len(moves) - 1)]
            if move == "end":
                break
            if move == "close":
                line.append(PAIRS[stack.pop()])
            else:
                chars = OPENERS if move == "open" else LETTERS
                char = chars[min(int(next(draws) * 2), 1)]
                line.append(char)
                if move == "open":
                    stack.append(char)
        lines.append("".join(line))
    return lines


def bracket_corpus(
    n_lines: int, generator: torch.Generator | None = None, max_len: int = 20, max_depth: int = 4
) -> str:
    """``bracket_lines(...)`` as one text: every line followed by a newline ``"\\n"``."""
    return "".join(line + "\n" for line in bracket_lines(n_lines, generator, max_len, max_depth))


def _probs(stack: list[str], length: int, max_len: int, max_depth: int) -> dict[str, float]:
    """The generator's distribution of the next character with ``stack`` open after ``length`` characters."""
    moves = _moves(len(stack), length, max_len, max_depth)
    share = 1.0 / len(moves)
    probs: dict[str, float] = {}
    for move in moves:
        if move == "open":
            probs.update({c: share / 2 for c in OPENERS})
        elif move == "letter":
            probs.update({c: share / 2 for c in LETTERS})
        elif move == "close":
            probs[PAIRS[stack[-1]]] = share
        else:
            probs["\n"] = share
    return probs


def _walk(line: str, max_len: int, max_depth: int):
    """Yield ``(next_char_probs(line[:i]), line[i])`` for every i, in one pass over ``line``."""
    stack: list[str] = []
    for i, char in enumerate(line):
        probs = _probs(stack, i, max_len, max_depth)
        if probs.get(char, 0.0) == 0.0:
            raise ValueError(
                f"{line!r} cannot be written by bracket_lines(max_len={max_len}, max_depth={max_depth}): "
                f"character {char!r} at position {i} is not allowed there"
            )
        yield probs, char
        if char in PAIRS:
            stack.append(char)
        elif char in CLOSERS:
            stack.pop()


def next_char_probs(prefix: str, max_len: int = 20, max_depth: int = 4) -> dict[str, float]:
    """The generator's own probabilities for the character after ``prefix``, the start of a line.

    prefix: a line so far (no newline), that ``bracket_lines(..., max_len, max_depth)`` can write.
    Returns ``{char: probability}`` over the characters with a probability > 0 (they sum to 1):
    each allowed move has probability 1/m (m = the number of allowed moves); an opening bracket
    or a letter splits its move's probability between its two characters; "end" is ``"\\n"``.
    No model can predict the corpus better than these probabilities: they are how it was written.
    Raises ``ValueError`` for a prefix the generator cannot write.
    """
    if "\n" in prefix:
        raise ValueError(f"prefix: expected the start of one line, without a newline, got {prefix!r}")
    stack: list[str] = []
    for _, char in _walk(prefix, max_len, max_depth):
        if char in PAIRS:
            stack.append(char)
        elif char in CLOSERS:
            stack.pop()
    return _probs(stack, len(prefix), max_len, max_depth)


def ideal_loss(text: str, max_len: int = 20, max_depth: int = 4) -> float:
    """The mean cross-entropy (nats per character) of the generator's own probabilities on ``text``.

    text: whole lines, each ending in a newline, as ``bracket_corpus`` writes them. Every character,
    newlines included, is scored with ``-log next_char_probs(line so far)[char]``. This is the
    lowest loss a model can expect on text from this generator (up to sampling noise): a floor
    for the training curves. Raises ``ValueError`` for text the generator cannot write.
    """
    if not isinstance(text, str) or not text.endswith("\n"):
        raise ValueError(f"text: expected whole lines, each ending in a newline, got {text[-20:]!r} at the end")
    total, count = 0.0, 0
    for line in text[:-1].split("\n"):
        for probs, char in _walk(line + "\n", max_len, max_depth):
            total -= math.log(probs[char])
            count += 1
    return total / count


def first_mistake(line: str) -> str | None:
    """None if ``line`` is well-formed, else the first mistake reading left to right.

    ``"wrong type"``: a closing bracket of the other type than the innermost open one, e.g. ``(]``;
    ``"nothing to close"``: a closing bracket with no bracket open, e.g. ``a)``;
    ``"left open"``: the line ends with brackets still open, e.g. ``((a)``.
    Every character that is not a bracket is content and always allowed.
    """
    if not isinstance(line, str):
        raise TypeError(f"line: expected a str, got {type(line).__name__}")
    if "\n" in line:
        raise ValueError(f"line: expected one line without its newline, got {line!r}")
    stack = []
    for char in line:
        if char in PAIRS:
            stack.append(char)
        elif char in CLOSERS:
            if not stack:
                return "nothing to close"
            if PAIRS[stack.pop()] != char:
                return "wrong type"
    return "left open" if stack else None


def judge(sample: str) -> str:
    """Score one sampled continuation of a newline: ``"valid"``, a mistake of ``MISTAKES``, or ``"unfinished"``.

    The sample's first line (up to its first newline) is checked with ``first_mistake``; a sample
    without a newline never finished its line (corpus lines are at most ``max_len`` long) and is
    ``"unfinished"``.
    """
    if "\n" not in sample:
        return "unfinished"
    return first_mistake(sample.split("\n", 1)[0]) or "valid"


def judge_all(samples: Iterable[str]) -> Counter:
    """``Counter`` of ``judge(sample)`` over the samples: ``{"valid": 412, "wrong type": 50, ...}``."""
    return Counter(judge(s) for s in samples)


def closings(lines: Iterable[str]) -> tuple[Tensor, Tensor]:
    """Every closing bracket that has an open bracket to close, in every line.

    Returns ``(distance, right)``, two 1-D tensors with one entry per such closing bracket:
    ``distance`` (long) how many characters back its opening bracket is (1 for ``()``, 3 for
    ``(ab)``: what the model had to remember across), ``right`` (bool) whether it has the opening
    bracket's type. After a closing bracket of the wrong type the opening one counts as closed
    (the model meant to close it), and reading goes on. A closing bracket with nothing open has no
    distance and is not listed.
    """
    distance, right = [], []
    for line in lines:
        if "\n" in line:
            raise ValueError(f"lines: expected lines without their newline, got {line!r}")
        stack: list[tuple[str, int]] = []
        for i, char in enumerate(line):
            if char in PAIRS:
                stack.append((char, i))
            elif char in CLOSERS and stack:
                opener, j = stack.pop()
                distance.append(i - j)
                right.append(PAIRS[opener] == char)
    return torch.tensor(distance, dtype=torch.long), torch.tensor(right, dtype=torch.bool)
