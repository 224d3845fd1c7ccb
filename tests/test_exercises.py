"""Every exercise's reference solution passes its checker; every typical mistake is rejected with its hint."""

import importlib
import pkgutil

import pytest

import rnn_helpers.exercises as exercises_pkg
from rnn_helpers.exercises import Exercise, run_answer_code
from rnn_helpers.exercises._core import NOT_ATTEMPTED


def _all_exercises():
    found = []
    for info in pkgutil.iter_modules(exercises_pkg.__path__):
        if info.name.startswith("nb"):
            module = importlib.import_module(f"rnn_helpers.exercises.{info.name}")
            for attr, value in vars(module).items():
                if isinstance(value, Exercise):
                    found.append(pytest.param(value, id=f"{info.name}.{attr}"))
    return found


EXERCISES = _all_exercises()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_solution_is_accepted(exercise):
    answer = run_answer_code(exercise.solution_code, exercise.answer)
    correct, message = exercise.feedback(answer)
    assert correct, message


@pytest.mark.parametrize("exercise", EXERCISES)
def test_typical_mistakes_are_rejected_with_their_hint(exercise):
    assert exercise.mistakes, f"{exercise.name}: list at least one typical mistake"
    for label, (code, phrase) in exercise.mistakes.items():
        correct, message = exercise.feedback(run_answer_code(code, exercise.answer))
        assert not correct, f"{exercise.name}: mistake {label!r} was accepted"
        assert phrase.lower() in message.lower(), f"{exercise.name}: {label!r} got feedback {message!r}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_unattempted_answer_says_so(exercise):
    assert exercise.feedback(...) == (False, NOT_ATTEMPTED)


def test_a_placeholder_is_not_attempted_but_a_missing_return_is_named():
    def checker(fn):
        if fn(2) is None:
            raise NotImplementedError
        return None

    ex = Exercise("t", "f", checker, "square it", "def f(x):\n    return x * x")

    def placeholder(x):
        ...  # your code here

    def forgot_return(x):
        y = x * x  # noqa: F841

    assert ex.feedback(placeholder) == (False, NOT_ATTEMPTED)
    assert ex.feedback(forgot_return) == (False, "Not yet: your function returned None: did you forget the `return` line?")


def test_an_exercise_reports_an_exception_instead_of_crashing():
    def checker(answer):
        return None if answer(2) == 4 else "expected 4"

    ex = Exercise("t", "f", checker, "square it", "def f(x):\n    return x * x")
    assert ex.feedback(lambda x: x * x) == (True, "Correct! (t)")
    assert ex.feedback(lambda x: x + 3)[1] == "Not yet: expected 4"
    assert "raised ZeroDivisionError" in ex.feedback(lambda x: 1 / 0)[1]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_is_named_nn_k_with_a_title(exercise):
    import re

    assert re.fullmatch(r"\d\d\.\d+ \S.*", exercise.name), exercise.name


def test_an_answer_of_the_wrong_kind_is_told_so_before_the_checker_runs():
    calls = []

    def checker(answer):
        calls.append(answer)
        return None

    ex = Exercise("01.9 t", "f", checker, "h", "def f(x):\n    return x", kind="function")
    correct, message = ex.feedback({"a": 1})
    assert not correct and message == "Not yet: expected a function (def name(...): ... return ...), got a dict of 1 item"
    assert calls == []
    with pytest.raises(ValueError, match="kind: expected one of"):
        Exercise("01.9 t", "f", checker, "h", "", kind="functoin")


def test_the_checker_leaves_the_learners_random_state_alone():
    import torch

    def checker(fn):
        torch.randn(100)  # a checker draws its own test inputs
        return None if fn(torch.randn(3)).shape == (3,) else "wrong shape"

    ex = Exercise("01.9 t", "f", checker, "h", "", kind="function")
    torch.manual_seed(123)
    before = torch.randn(5)
    torch.manual_seed(123)
    assert ex.feedback(lambda x: x)[0]
    assert torch.equal(torch.randn(5), before)


def test_a_wrong_answer_points_at_the_hint_and_a_right_one_does_not(capsys):
    ex = Exercise("01.9 t", "f", lambda a: None if a == 4 else "expected 4", "h", "", kind="int")
    ex.check(5)
    assert capsys.readouterr().out == (
        "Not yet: expected 4\nStuck? Uncomment the hint() line of this cell for a nudge on 01.9.\n"
    )
    ex.check(4)
    assert capsys.readouterr().out == "Correct! (01.9 t)\n"
    ex.check(...)
    assert "hint" not in capsys.readouterr().out



# Notebooks 01-04 (issue 8): every exercise declares its kind, and no answer of another type makes its
# checker raise a TypeError. (Other notebooks' exercises join these lists as their owners convert them.)
EXERCISES_01_04 = [e for e in EXERCISES if e.id.split(".")[0] in {"nb01", "nb02", "nb03", "nb04"}]


@pytest.mark.parametrize("exercise", EXERCISES_01_04)
def test_exercises_of_01_to_04_declare_what_kind_of_answer_they_take(exercise):
    assert exercise.kind != "any", f"{exercise.name}: set kind= (function, tensor, dict, tuple, int, number)"


@pytest.mark.parametrize("exercise", EXERCISES_01_04)
def test_a_wrong_type_of_answer_is_told_so_not_a_type_error_from_the_checker(exercise):
    for wrong in (3, "text", [1, 2], {"a": 1}, (None, None), lambda *args: 7, lambda *args: (7, 8)):
        correct, message = exercise.feedback(wrong)
        assert not correct
        assert "raised TypeError" not in message, f"{exercise.name}: {wrong!r} -> {message}"
