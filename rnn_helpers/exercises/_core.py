"""The ``Exercise`` class behind every notebook's exercises."""

from __future__ import annotations

import dis
import math
import numbers
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

NOT_ATTEMPTED = "Not attempted yet: replace the ... above with your answer, then run this cell again."
NO_RETURN = "your function returned None: did you forget the `return` line?"

#: What an answer may be, by ``Exercise.kind``: a test of the answer, and the words for it in a message.
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "function": (callable, "a function (def name(...): ... return ...)"),
    "tensor": (lambda a: isinstance(a, torch.Tensor), "a tensor"),
    "dict": (lambda a: isinstance(a, dict), "a dict like the one given ({...: ...})"),
    "tuple": (lambda a: isinstance(a, (tuple, list, torch.Size)), "a tuple such as (5, 3)"),
    "shape_pair": (lambda a: isinstance(a, (tuple, list)), "a pair of shapes, ((...), (...))"),
    "int": (lambda a: isinstance(a, numbers.Integral) and not isinstance(a, bool), "a whole number (an int)"),
    "number": (lambda a: isinstance(a, (int, float)) and not isinstance(a, bool), "a number"),
    "any": (lambda a: True, "an answer"),
}


def describe(answer: Any) -> str:
    """A short description of what the learner handed in: ``a list of 3 items``, ``a tensor of shape (2, 5)``."""
    if isinstance(answer, torch.Tensor):
        return f"a tensor of shape {tuple(answer.shape)}"
    if isinstance(answer, (list, tuple, dict, set)):
        return f"a {type(answer).__name__} of {len(answer)} item{'s' * (len(answer) != 1)}"
    if callable(answer):
        return "a function"
    return f"{type(answer).__name__} {answer!r}"


def is_placeholder(answer: Any) -> bool:
    """True for ``...``/None, and for a function whose body is only ``...`` (or ``pass``).

    Such a body compiles to nothing but "return None"; a function that computes something
    but forgets ``return`` does more, so it is told about the missing return instead.
    """
    if answer is None or answer is Ellipsis:
        return True
    if not hasattr(answer, "__code__"):
        return False
    idle = {"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "POP_TOP", "CACHE"}
    return all(ins.opname in idle for ins in dis.get_instructions(answer))


def run_answer_code(code: str, name: str) -> Any:
    """Execute ``code`` (with torch, nn, F and math imported) and return the object it names ``name``."""
    namespace: dict[str, Any] = {"torch": torch, "nn": nn, "F": F, "math": math}
    exec(textwrap.dedent(code), namespace)  # noqa: S102 - our own reference code and test mistakes
    return namespace[name]


@dataclass
class Exercise:
    """One exercise.

    name: shown in feedback, e.g. ``"02.1 one time step"``.
    answer: the name the learner's answer has in the notebook (a function, a tensor, a tuple...).
    checker: ``checker(answer) -> None`` when right, else a message naming what differs
        (a shape, a transpose, a missing bias, a direction). It may raise; the exception's
        message is shown as feedback.
    hint: shown by ``hint()``; after a wrong answer, ``check`` says where to find it.
    solution: reference code that defines ``answer``; ``solution()`` prints it.
    mistakes: ``{label: (code defining answer, a phrase the feedback must contain)}`` -
        typical wrong answers, run by the tests to prove each is rejected with a useful hint.
    kind: what the answer must be, a key of ``KINDS`` (``"function"``, ``"tensor"``, ``"dict"``,
        ``"tuple"``, ``"shape_pair"``, ``"int"``, ``"number"``, ``"any"``): an answer of another type is told so in
        one line, before the checker sees it.
    number: ``"NN.K"``, how the notebook and ``hint()`` name the exercise (taken from ``name``).

    The checker runs inside ``torch.random.fork_rng``: the random numbers it draws to test an
    answer never change the learner's own random state.
    """

    name: str
    answer: str
    checker: Callable[[Any], str | None]
    hint_text: str
    solution_code: str
    mistakes: dict[str, tuple[str, str]] = field(default_factory=dict)
    kind: str = "any"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {sorted(KINDS)}, got {self.kind!r}")

    @property
    def number(self) -> str:
        return self.name.split(" ", 1)[0]

    def feedback(self, answer: Any) -> tuple[bool, str]:
        """(correct?, message) without printing; the tests use this."""
        if is_placeholder(answer):
            return False, NOT_ATTEMPTED
        accepts, wanted = KINDS[self.kind]
        if not accepts(answer):
            return False, f"Not yet: expected {wanted}, got {describe(answer)}"
        try:
            with torch.random.fork_rng(devices=[]):  # the checker's draws leave the learner's RNG alone
                problem = self.checker(answer)
        except NotImplementedError:
            # the checker got None/... back from a function that is not a placeholder
            return False, f"Not yet: {NO_RETURN}" if callable(answer) else NOT_ATTEMPTED
        except Exception as exc:  # the learner's code raised: say what, not a traceback
            problem = f"your answer raised {type(exc).__name__}: {exc}"
        if problem is None:
            return True, f"Correct! ({self.name})"
        if problem == NOT_ATTEMPTED:
            return False, problem
        return False, f"Not yet: {problem}"

    def check(self, answer: Any) -> None:
        """Print whether ``answer`` is right; if not, what differs, and where the hint is."""
        correct, message = self.feedback(answer)
        print(message)
        if not correct and message != NOT_ATTEMPTED:
            print(f"Stuck? Uncomment the hint() line of this cell for a nudge on {self.number}.")

    def hint(self) -> None:
        print(f"Hint ({self.name}): {self.hint_text}")

    def solution(self) -> None:
        print(f"Solution ({self.name}):\n{textwrap.dedent(self.solution_code).strip()}")

    def __repr__(self) -> str:
        return f"Exercise({self.name!r}: answer in `{self.answer}`; .check({self.answer}), .hint(), .solution())"


def not_attempted(result: Any) -> bool:
    """True for the placeholder answers a notebook ships with (``...`` or a function returning ``...``/None)."""
    return result is None or result is Ellipsis
