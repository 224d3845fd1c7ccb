"""Exercises of notebook 15, what tests/test_exercises.py does not check for every exercise: the wrong
variants a checker recognises are all different answers on its cases (two variants giving the same answer
would hide the second one's message); 15.3 names the wrong path."""

import math
from itertools import combinations

import numpy as np
import pytest
import torch

from rnn_helpers.exercises import nb15, run_answer_code

EXERCISES = [pytest.param(nb15.q1, id="15.1"), pytest.param(nb15.q2, id="15.2"), pytest.param(nb15.q3, id="15.3")]


# Kind, wrong types and one message per mistake: tests/test_exercises.py checks them for every exercise
# of the series, these included.
@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_wants_a_function(exercise):
    assert exercise.kind == "function"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_hint_is_a_nudge_that_gives_no_line_of_the_solution_away(exercise):
    for line in exercise.solution_code.strip().splitlines()[1:]:
        code = line.split("#")[0].strip()
        expression = code.split("=", 1)[-1].strip() if "=" in code and "==" not in code else code
        if len(expression) > 12:
            assert expression not in exercise.hint_text, f"{exercise.name}: the hint gives away {expression!r}"


# --- 15.1 ------------------------------------------------------------------------------------------


def _brute_force(cell, input_size, n_params):
    g = {"RNN": 1, "LSTM": 4, "GRU": 3}[cell]
    return min(range(1, 2000), key=lambda h: (abs(g * h * (input_size + h + 2) - n_params), h))


def test_15_1_the_checkers_answers_are_the_brute_force_closest_counts_and_its_cases_do_what_they_say():
    assert [nb15._matched(*case) for case in nb15._Q1_CASES] == [_brute_force(*case) for case in nb15._Q1_CASES]
    count = lambda cell, i, h: nb15._count(cell, i, h)  # noqa: E731
    assert count("GRU", 2, 10) == 420 and count("GRU", 2, 11) == 495, "457: the lower size is strictly closer"
    assert round((-4 + math.sqrt(16 + 4 * 457 / 3)) / 2) == 11, "while rounding the quadratic's root gives 11"
    assert 142 - count("RNN", 1, 10) == count("RNN", 1, 11) - 142, "142: an exact tie"
    assert nb15._matched("GRU", 5, 10) == 1 and count("GRU", 5, 1) > 10, "fewer parameters than H = 1 has"


def test_15_1_every_wrong_variant_gives_other_answers_over_the_cases():
    variants = [{}] + [m for m, _ in nb15._Q1_MISTAKES] + [{"blocks": b} for b in (1, 3, 4)]
    answers = [tuple(nb15._matched(*case, **m) for case in nb15._Q1_CASES) for m in variants]
    for (a, va), (b, vb) in combinations(zip(variants, answers), 2):
        assert va != vb, f"{a} and {b} give the same answers"


def test_15_1_accepts_a_numpy_int_and_an_integral_float_and_names_a_fraction():
    assert nb15.q1.feedback(lambda c, i, n: np.int64(_brute_force(c, i, n)))[0]
    assert nb15.q1.feedback(lambda c, i, n: float(_brute_force(c, i, n)))[0]

    def fraction(c, i, n):
        return n / 37.6

    correct, message = nb15.q1.feedback(fraction)
    assert not correct and "expected a whole number (an int)" in message


# --- 15.2 ------------------------------------------------------------------------------------------


def test_15_2_the_answer_is_what_the_direct_path_carries_in_a_gru_run_by_hand():
    """Run the GRU from h_step with everything but the direct path cut: h_{T-1} = kept * h_step exactly."""
    gru, x, step = nb15._q2_cases()[0]
    H = gru.hidden_size
    z = nb15._kept(gru, x, step, first=1) / nb15._kept(gru, x, step + 1, first=1)   # z_{step+1}
    gi = x @ gru.weight_ih_l0.detach().T + gru.bias_ih_l0.detach()
    h, zs = torch.zeros(x.shape[1], H, dtype=x.dtype), []
    w_hh, b_hh = gru.weight_hh_l0.detach(), gru.bias_hh_l0.detach()
    for t in range(x.shape[0]):
        gh = h @ w_hh.T + b_hh
        r, zt = torch.sigmoid(gi[t, :, :H] + gh[:, :H]), torch.sigmoid(gi[t, :, H : 2 * H] + gh[:, H : 2 * H])
        h = (1 - zt) * torch.tanh(gi[t, :, 2 * H :] + r * gh[:, 2 * H :]) + zt * h
        zs.append(zt)
    torch.testing.assert_close(z, zs[step + 1], atol=1e-12, rtol=1e-12)
    torch.testing.assert_close(nb15._kept(gru, x, step), torch.stack(zs[step + 1 :]).prod(0), atol=1e-12, rtol=1e-12)


def test_15_2_every_wrong_variant_differs_from_the_right_answer_and_from_each_other():
    for gru, x, step in nb15._q2_cases():
        variants = [{}] + [m for m, _ in nb15._Q2_MISTAKES]
        answers = [nb15._kept(gru, x, step, **m) for m in variants]
        for (a, va), (b, vb) in combinations(zip(variants, answers), 2):
            assert not torch.allclose(va, vb, atol=1e-6), f"{a} and {b} give the same answer for step {step}"


def test_15_2_the_update_gates_of_the_checkers_grus_spread_over_the_unit_interval():
    gru, x, _ = nb15._q2_cases()[0]
    z = nb15._kept(gru, x, -1, first=1, last=x.shape[0] - 1)     # z at step 0 only
    assert z.min() < 0.3 and z.max() > 0.8


# --- 15.3 ------------------------------------------------------------------------------------------


def _step_back(**wrong):
    """An answer to 15.3 with one thing wrong (no keyword: right)."""
    def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):
        H = w_hh.shape[1]
        dn = {"none": 1.0, "twice": 1 - torch.tanh(n) ** 2}.get(wrong.get("tanh"), 1 - n**2)
        da_n = grad_h * (1 if wrong.get("no_keep") else 1 - z) * dn
        blocks = [da_n * gh_n * (1 if wrong.get("no_sigmoid_r") else r * (1 - r)),
                  grad_h * (h_prev - n) * (1 if wrong.get("no_sigmoid_z") else z * (1 - z)),
                  da_n * r]
        if "drop" in wrong:
            blocks[wrong["drop"]] = torch.zeros_like(da_n)
        w = [w_hh[k * H : (k + 1) * H] for k in range(3)]
        w = [b.T for b in w] if wrong.get("transposed") else w
        return grad_h * z + sum(b @ m for b, m in zip(blocks, w))
    return gru_grad_h_prev


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        ({}, "Correct!"),
        ({"no_sigmoid_r": True}, "path through r (block 0 of w_hh, rows 0:H): r = sigmoid(a_r)"),
        ({"no_sigmoid_z": True}, "path through z (block 1 of w_hh, rows H:2H): z = sigmoid(a_z)"),
        ({"drop": 0}, "path through r (block 0 of w_hh, rows 0:H) is missing"),
        ({"drop": 1}, "path through z (block 1 of w_hh, rows H:2H) is missing"),
        ({"drop": 2}, "path through n (block 2 of w_hh, rows 2H:3H) is missing"),
        ({"no_keep": True}, "the gradient reaching n is grad_h * (1 - z)"),
        ({"tanh": "none"}, "multiply by tanh' = 1 - n**2"),
        ({"tanh": "twice"}, "1 - tanh(n)**2 takes tanh twice"),
        ({"transposed": True}, "goes back through W transposed"),
    ],
)
def test_15_3_the_checker_names_the_wrong_path(wrong, phrase):
    correct, message = nb15.q3.feedback(_step_back(**wrong))
    assert correct == (not wrong) and phrase in message, message


def test_15_3_a_float32_answer_is_told_to_compute_in_float64():
    right = run_answer_code(nb15.q3.solution_code, nb15.q3.answer)
    correct, message = nb15.q3.feedback(lambda *args: right(*[a.float() for a in args]))
    assert not correct and "right to float32 precision" in message
