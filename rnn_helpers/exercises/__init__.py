"""Exercises that check themselves: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

Each notebook's exercises live in ``rnn_helpers.exercises.nbNN`` as ``Exercise`` objects
``q1``, ``q2``, ... The reference solution is stored as code, and the tests run it through
its own checker, along with each typical mistake, which must be rejected with its hint.
"""

from ._core import Exercise, run_answer_code

__all__ = ["Exercise", "run_answer_code"]
