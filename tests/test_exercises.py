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


def test_kind_int_takes_any_whole_number_type_but_not_a_bool_or_a_float():
    import numpy as np
    import torch

    ex = Exercise("01.9 t", "n", lambda answer: None if answer == 320 else "not 320", "h", "n = 320", kind="int")
    for whole in (320, np.int64(320), np.int32(320)):
        assert ex.feedback(whole) == (True, "Correct! (01.9 t)"), type(whole)
    for other in (True, 320.0, torch.tensor(320), "320"):
        correct, message = ex.feedback(other)
        assert not correct and message.startswith("Not yet: expected a whole number (an int)"), (other, message)


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



# Every exercise of the series declares its kind and takes any wrong type without a TypeError from inside its
# checker; every listed mistake reaches a message of its own (two mistakes with one message would hide the
# second one's hint behind the first).


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_declares_its_kind_and_takes_any_wrong_type(exercise):
    assert exercise.kind != "any", f"{exercise.name}: set kind= (function, tensor, dict, tuple, int, number)"
    for wrong in (3, "text", [1, 2], {"a": 1}, (None, None), lambda *args: 7, lambda *args: (7, 8)):
        correct, message = exercise.feedback(wrong)
        assert not correct
        assert "raised TypeError" not in message, f"{exercise.name}: {wrong!r} -> {message}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_listed_mistake_gets_a_message_of_its_own(exercise):
    messages = [exercise.feedback(run_answer_code(code, exercise.answer))[1] for code, _ in exercise.mistakes.values()]
    assert len(set(messages)) == len(messages), f"{exercise.name}: two mistakes share a message: {messages}"
    assert 2 <= len(messages) <= 5, f"{exercise.name}: list 2 to 5 typical mistakes"


def test_12_1_every_sampler_variant_draws_different_ids():
    from itertools import combinations

    from rnn_helpers.exercises import nb12

    table, q = nb12._q1_table(), nb12._Q1
    args = (table, q["start"], q["length"], q["k"], q["temperature"], q["seed"])
    draws = {v: nb12._top_k(*args, variant=v) for v in ("right", *nb12.TOP_K_MISTAKES)}
    same = [(a, b) for a, b in combinations(draws, 2) if draws[a] == draws[b]]
    assert not same, f"these variants draw the same ids, so the checker cannot tell them apart: {same}"
    assert len(set(draws["right"])) >= q["k"], "the reference draws more than one character"


def _pairwise_distinct(tensors: dict) -> list:
    import torch
    from itertools import combinations

    def same(a, b):
        a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
        return all(torch.allclose(x, y, atol=1e-10, rtol=1e-10) for x, y in zip(a, b))

    return [(a, b) for a, b in combinations(tensors, 2) if same(tensors[a], tensors[b])]


def test_13_3_every_wrong_backward_differs_from_the_right_one_and_from_each_other():
    import torch

    from rnn_helpers.exercises import nb13

    gen = torch.Generator().manual_seed(0)
    B, H = 3, 4
    f, o = torch.rand(B, H, dtype=torch.float64, generator=gen), torch.rand(B, H, dtype=torch.float64, generator=gen)
    g = torch.rand(B, H, dtype=torch.float64, generator=gen) * 2 - 1
    grad_h, grad_c, c_prev = (torch.randn(B, H, dtype=torch.float64, generator=gen) for _ in range(3))
    c = f * c_prev + (1 - f) * g
    variants = nb13._cifg_back_variants(grad_h, grad_c, f, g, o, c_prev, c)
    assert set(nb13._CIFG_BACK_MESSAGES) == set(variants) - {None}
    assert _pairwise_distinct(variants) == []


def test_14_2_the_onednn_layout_step_is_nn_grucell_and_every_wrong_step_differs():
    import torch
    from torch import nn

    from rnn_helpers.exercises import nb14

    torch.manual_seed(0)
    cell = nn.GRUCell(3, 5, dtype=torch.float64)
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64)
    layout = nb14.to_onednn_layout(*(p.detach() for p in cell.parameters()))
    assert [tuple(t.shape) for t in layout] == [(15, 3), (15, 5), (20,)]
    variants = nb14._lbr_variants(x, h, *layout)
    torch.testing.assert_close(variants[None], cell(x, h).detach(), atol=1e-10, rtol=1e-10)
    assert set(nb14._LBR_MESSAGES) == set(variants) - {None}
    assert _pairwise_distinct(variants) == []
    # the bias blocks, by hand: (b_iz + b_hz, b_ir + b_hr, b_in, b_hn), as PyTorch's _shuffle_bias builds them
    b_ih, b_hh = cell.bias_ih.detach(), cell.bias_hh.detach()
    torch.testing.assert_close(layout[2][:5], b_ih[5:10] + b_hh[5:10])
    torch.testing.assert_close(layout[2][15:], b_hh[10:])
