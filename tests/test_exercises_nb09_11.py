"""Exercises of notebooks 09-11 beyond the shared checks: kinds, numbers quoted in feedback, other right answers."""

import pytest
import torch

from rnn_helpers.backward import rnn_layer_backward
from rnn_helpers.cells import LayerWeights
from rnn_helpers.exercises import nb09, nb10, nb11

EXERCISES = [nb09.q1, nb09.q2, nb09.q3, nb09.q4, nb10.q1, nb10.q2, nb10.q3, nb11.q1, nb11.q2, nb11.q3]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.number)
def test_every_exercise_says_what_kind_of_answer_it_wants(exercise):
    assert exercise.kind != "any"
    correct, message = exercise.feedback(42 if exercise.kind != "int" else "42")
    assert not correct and message.startswith("Not yet: expected")


def test_the_transient_growth_quoted_for_matrix_a_is_true():
    """10.3's feedback: ||g W_A^k|| grows to 11 times ||g|| at k = 9 and drops below ||g|| only at k = 48."""
    w = nb10.MATRICES["A"].double()
    g = torch.ones(2, dtype=torch.float64)
    ratios = [float((g @ torch.linalg.matrix_power(w, k)).norm() / g.norm()) for k in range(60)]
    peak = max(range(60), key=ratios.__getitem__)
    assert peak == 9 and round(ratios[peak]) == 11
    assert min(k for k in range(peak, 60) if ratios[k] < 1) == 48
    assert round(float(torch.linalg.matrix_norm(w, ord=2)), 1) == 4.2
    assert "11 times" in nb10.WHY["A"] and "k = 9" in nb10.WHY["A"] and "k = 48" in nb10.WHY["A"]


def test_capstone_accepts_the_package_backward_and_names_a_wrong_type():
    def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
        weights = LayerWeights(w_ih, w_hh, torch.zeros(w_ih.shape[0], dtype=x.dtype), None)
        grad_x, grad_h0, grads = rnn_layer_backward(x, h0, weights, hs, grad_output, torch.zeros_like(h0))
        return grad_x, grad_h0, grads.w_ih, grads.w_hh, grads.b_ih

    assert nb09.q4.feedback(layer_backward) == (True, "Correct! (09.4 capstone: the backward pass of a layer)")
    correct, message = nb09.q4.feedback(lambda *args: torch.zeros(3))
    assert not correct and "tuple of 5 gradients" in message
    correct, message = nb09.q4.feedback(lambda x, h0, w_ih, w_hh, hs, g: (x, h0, w_ih, w_hh, hs))
    assert not correct and "dL/db: your answer has shape" in message


def test_capstone_names_the_gradient_of_the_state_after_step_0():
    def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
        *_, grads, states = rnn_layer_backward(
            x, h0, LayerWeights(w_ih, w_hh, torch.zeros(w_ih.shape[0], dtype=x.dtype), None), hs, grad_output,
            torch.zeros_like(h0), return_state_grads=True,
        )
        grad_x, grad_h0, _ = rnn_layer_backward(
            x, h0, LayerWeights(w_ih, w_hh, torch.zeros(w_ih.shape[0], dtype=x.dtype), None), hs, grad_output,
            torch.zeros_like(h0),
        )
        return grad_x, states[0], grads.w_ih, grads.w_hh, grads.b_ih

    correct, message = nb09.q4.feedback(layer_backward)
    assert not correct and "state AFTER step 0" in message


def test_upstream_gradients_may_enter_through_output_minus_one_instead():
    """For the top layer of a one-direction RNN, output[-1] IS h_n[-1]: the same gradients follow."""
    def upstream_grads(output, h_n, prediction, y, head_weight):
        grad_output = torch.zeros_like(output)
        grad_output[-1] = 2 * (prediction - y) / prediction.numel() @ head_weight
        return grad_output, torch.zeros_like(h_n)

    assert nb09.q2.feedback(upstream_grads)[0]
    correct, message = nb09.q2.feedback(lambda *args: torch.zeros(3))
    assert not correct and "pair (grad_output, grad_h_n)" in message


def test_other_right_answers_of_notebook_11_are_accepted():
    def generate(model, prompt, n_steps):  # slow (re-reads everything each time) but right
        sequence = prompt
        for _ in range(n_steps):
            sequence = torch.cat([sequence, model(sequence)[-1:]])
        return sequence[prompt.shape[0]:]

    def head_input(output, h_n):
        hidden = h_n.shape[2]
        return torch.cat([output[-1, :, :hidden], output[0, :, hidden:]], dim=1)

    assert nb11.q1.feedback(generate)[0]
    assert nb11.q2.feedback(head_input)[0]
    correct, message = nb11.q1.feedback(lambda model, prompt, n: [prompt])
    assert not correct and "return one tensor" in message


def test_wrong_return_types_are_named_not_crashed_on():
    cases = [
        (nb09.q1, lambda g, h, w: [1, 2]),
        (nb10.q1, lambda w: "rho"),
        (nb10.q2, lambda grads, max_norm: 1.0),
        (nb11.q2, lambda output, h_n: 3),
    ]
    for exercise, answer in cases:
        correct, message = exercise.feedback(answer)
        assert not correct and "raised" not in message, (exercise.number, message)
