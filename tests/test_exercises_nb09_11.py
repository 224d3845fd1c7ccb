"""Exercises of notebooks 09-11 beyond the shared checks: kinds, numbers quoted in feedback, other right answers,
the slips each checker names, and the references the checkers compute by hand, proven against PyTorch."""

import copy

import pytest
import torch

from rnn_helpers.exercises import nb09, nb10, nb11
from rnn_helpers.exercises._core import run_answer_code

EXERCISES = [nb09.q1, nb09.q2, nb09.q3, nb09.q4, nb10.q1, nb10.q2, nb10.q3, nb11.q1, nb11.q2, nb11.q3]
F64 = torch.float64


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.number)
def test_every_exercise_says_what_kind_of_answer_it_wants(exercise):
    assert exercise.kind != "any"
    correct, message = exercise.feedback(42 if exercise.kind != "int" else "42")
    assert not correct and message.startswith("Not yet: expected")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.number)
def test_a_wrong_type_of_answer_is_told_so_not_a_type_error_from_the_checker(exercise):
    wrong = [3, "text", [1, 2], {"a": 1}, (None, None), lambda *args: 7, lambda *args: (7, 8),
             lambda *args: [None] * 5, lambda *args: (..., ...), lambda *args: "x"]
    for answer in wrong:
        correct, message = exercise.feedback(answer)
        assert not correct
        assert "raised TypeError" not in message and "raised AttributeError" not in message, (
            f"{exercise.name}: {answer!r} -> {message}"
        )


# --- 09.1 -------------------------------------------------------------------------------------


def test_sigmoid_step_back_accepts_the_derivative_written_from_the_pre_activation():
    def sigmoid_step_back(g, h_t, h_prev, w_hh):
        a = torch.log(h_t / (1 - h_t))                      # sigmoid's inverse: a_t from h_t
        grad_a = g * torch.sigmoid(a) * torch.sigmoid(-a)   # sigmoid'(a) = sigmoid(a) sigmoid(-a)
        return grad_a @ w_hh, grad_a.T @ h_prev

    assert nb09.q1.feedback(sigmoid_step_back)[0]
    correct, message = nb09.q1.feedback(lambda g, h, hp, w: (g @ w, torch.zeros(4, 4)))
    assert not correct and "float32" in message


# --- 09.2 -------------------------------------------------------------------------------------


def test_upstream_gradients_may_enter_through_output_minus_one_instead():
    """For the top layer of a one-direction RNN, output[-1] IS h_n[-1]: the same gradients follow."""
    def upstream_grads(output, h_n, prediction, y, head_weight):
        grad_output = torch.zeros_like(output)
        grad_output[-1] = 2 * (prediction - y) / prediction.numel() @ head_weight
        return grad_output, torch.zeros_like(h_n)

    assert nb09.q2.feedback(upstream_grads)[0]
    correct, message = nb09.q2.feedback(lambda *args: torch.zeros(3))
    assert not correct and "pair (grad_output, grad_h_n)" in message


def test_upstream_gradients_read_none_as_zeros_as_rnn_backward_does():
    def upstream_grads(output, h_n, prediction, y, head_weight):
        grad_h_n = torch.zeros_like(h_n)
        grad_h_n[-1] = 2 * (prediction - y) / prediction.numel() @ head_weight
        return None, grad_h_n

    assert nb09.q2.feedback(upstream_grads) == (True, "Correct! (09.2 where the gradient enters: a head on h_n)")
    correct, message = nb09.q2.feedback(lambda output, *args: (None, None) if output.ndim else 0)
    assert not correct and "no gradient would reach the RNN" in message
    correct, message = nb09.q2.feedback(lambda output, *args: (torch.zeros_like(output), ...))
    assert not correct and "still ..." in message


# --- 09.3 -------------------------------------------------------------------------------------


def test_reached_steps_accepts_a_tensor_or_a_range():
    def reached_steps(s, lengths):
        starts = torch.tensor([0, *lengths]).cumsum(0)
        start = int(starts[starts <= s].max())
        return torch.arange(start, s + 1)

    assert nb09.q3.feedback(reached_steps)[0]
    as_range = nb09.q3.solution_code.replace("return list(range(start, s + 1))", "return range(start, s + 1)")
    assert as_range != nb09.q3.solution_code
    assert nb09.q3.feedback(run_answer_code(as_range, "reached_steps"))[0]


def test_reached_steps_reference_matches_the_chunks_of_its_own_autograd_run():
    """The truth the checker uses is autograd's, and it starts at each chunk's boundary (not a formula)."""
    assert nb09._reached_by_autograd([3, 5, 2])[6] == [3, 4, 5, 6]
    assert nb09._reached_by_autograd([3, 5, 2])[8] == [8]


# --- 09.4 -------------------------------------------------------------------------------------


def test_capstone_accepts_the_weight_gradients_as_one_product_after_the_loop():
    """The engine's arrangement (notebook 09, section 3): stack every step's dL/da_t, multiply once."""
    def leaky_backward(x, h0, w_ih, w_hh, alpha, hs, us, grad_output):
        grad_as, grad_h = [None] * x.shape[0], torch.zeros_like(h0)
        for t in reversed(range(x.shape[0])):
            g_t = grad_output[t] + grad_h
            grad_as[t] = alpha * g_t * (1 - us[t] ** 2)
            grad_h = (1 - alpha) * g_t + grad_as[t] @ w_hh
        G = torch.stack(grad_as)                                     # (seq_len, batch, hidden)
        h_prev = torch.cat([h0[None], hs[:-1]])                      # (seq_len, batch, hidden)
        flat = G.flatten(0, 1)
        return (G @ w_ih, grad_h, flat.T @ x.flatten(0, 1), flat.T @ h_prev.flatten(0, 1), flat.sum(0))

    assert nb09.q4.feedback(leaky_backward) == (True, "Correct! (09.4 capstone: the backward pass of a leaky layer)")


def test_capstone_checks_against_autograd_on_plain_tensor_ops():
    """The reference is autograd through nb09.leaky_forward (plain ops), and for alpha = 1 the leaky
    layer is nn.RNN's tanh layer: the forward equals nn.RNN's."""
    torch.manual_seed(0)
    rnn = torch.nn.RNN(4, 6, dtype=F64)
    x, h0 = torch.randn(5, 3, 4, dtype=F64), torch.randn(1, 3, 6, dtype=F64)
    hs, _ = nb09.leaky_forward(x, h0[0], *(p.detach() for p in rnn.parameters()), 1.0)
    torch.testing.assert_close(hs, rnn(x, h0)[0].detach(), atol=1e-12, rtol=1e-12)
    args, want = nb09._capstone_problem()
    assert all(w.grad_fn is None for w in want)


@pytest.mark.parametrize("slip, phrase", [
    ({"direction": "forwards"}, "walk the steps backwards"),
    ({"prev": "hs[t-1]"}, "hs[-1], the last state"),
    ({"prev": "h_t"}, "off by one"),
    ({"direct": "last step only"}, "enters at every step"),
    ({"leak": "alpha"}, "not by alpha"),
])
def test_capstone_names_the_slips_not_in_its_mistakes_list(slip, phrase):
    def leaky_backward(*args):
        return nb09._leaky_backward(*args, **slip)

    correct, message = nb09.q4.feedback(leaky_backward)
    assert not correct and phrase.lower() in message.lower(), message


def test_capstone_names_a_wrong_type_an_unfinished_entry_and_the_state_after_step_0():
    correct, message = nb09.q4.feedback(lambda *args: torch.zeros(3))
    assert not correct and "tuple of 5 gradients" in message
    correct, message = nb09.q4.feedback(lambda x, h0, w_ih, w_hh, alpha, hs, us, g: (x, h0, w_ih, w_hh, hs))
    assert not correct and "dL/db: your answer has shape" in message
    correct, message = nb09.q4.feedback(lambda x, h0, w_ih, w_hh, alpha, hs, us, g: (x, h0, ..., w_hh, us))
    assert not correct and "dL/dW_ih is Ellipsis" in message and "return line" not in message

    def after_step0(*args):
        grads = list(nb09._leaky_backward(*args))
        grads[1] = nb09._grad_h_after_step0(*args)
        return tuple(grads)

    correct, message = nb09.q4.feedback(after_step0)
    assert not correct and "state AFTER step 0" in message


# --- 10.1 -------------------------------------------------------------------------------------


def test_step_radii_accepts_a_list_and_the_column_scaled_jacobian():
    """diag(s) W and W diag(s) have the same eigenvalues (AB and BA do): both are right."""
    def step_radii(w_hh, hs, nonlinearity):
        radii = []
        for h in hs:
            s = 1 - h ** 2 if nonlinearity == "tanh" else (h > 0).double()
            radii.append(float(torch.linalg.eigvals(w_hh * s).abs().max()))
        return radii

    assert nb10.q1.feedback(step_radii)[0]


def test_step_radii_names_a_float32_answer_and_prints_enough_digits():
    solution = run_answer_code(nb10.q1.solution_code, "step_radii")
    correct, message = nb10.q1.feedback(lambda w, hs, n: solution(w, hs, n).float())
    assert not correct and "float32" in message
    correct, message = nb10.q1.feedback(lambda w, hs, n: solution(w, hs, n) * (1 + 1e-6))
    assert not correct
    given, truth = message.split("you gave ")[1].split(", the radius is ")
    assert given != truth.split(":")[0], "the message must show the digits where the two differ"


def test_step_radii_reference_matches_autograd_jacobians():
    """The checker's Jacobian diag(act'(a_t)) W_hh is autograd's Jacobian of the step."""
    w_hh, hs = nb10._trajectory("relu", 102)
    torch.manual_seed(1)
    a = torch.randn(5, dtype=F64)                   # any pre-activation with the same signs as hs[3]
    a = torch.where(hs[3] > 0, a.abs() + 0.1, -a.abs() - 0.1)
    jac = torch.autograd.functional.jacobian(lambda h: torch.relu(a - hs[2] @ w_hh.T + h @ w_hh.T), hs[2])
    torch.testing.assert_close(jac, (hs[3] > 0).double()[:, None] * w_hh)


# --- 10.2 -------------------------------------------------------------------------------------


def test_clip_by_norm_reference_is_the_package_and_pytorch():
    """Every case the checker tries: clip_grad_norm_ (the reference) == the package's clip_grad_norm_by_hand."""
    from rnn_helpers import clip_grad_norm_by_hand

    for label, grads, max_norm, norm_type in nb10._clip_cases():
        params = [torch.nn.Parameter(torch.zeros(1 if g is None else g.shape, dtype=F64)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.clone()
        clip_grad_norm_by_hand(params, max_norm, norm_type=norm_type)
        for p, want in zip(params, nb10._torch_clip(grads, max_norm, norm_type)):
            assert (p.grad is None) == (want is None), label
            if want is not None:
                torch.testing.assert_close(p.grad, want, atol=0, rtol=1e-15)


def test_clip_by_norm_tells_none_from_zeros():
    solution = run_answer_code(nb10.q2.solution_code, "clip_by_norm")
    correct, message = nb10.q2.feedback(
        lambda grads, m, p: [torch.zeros(1) if g is None else g for g in solution(grads, m, p)]
    )
    assert not correct and "return None" in message


# --- 10.3 -------------------------------------------------------------------------------------


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


def test_predictions_may_say_vanishes_or_exploding():
    answer = {"A": "Vanishes", "B": "explodes", "C": "exploding", "D": " explode "}
    assert nb10.q3.feedback(answer)[0]
    correct, message = nb10.q3.feedback({"A": "shrinks", "B": "explode", "C": "explode", "D": "explode"})
    assert not correct and "shrinks" in message


# --- 11.1 -------------------------------------------------------------------------------------


def test_other_right_answers_of_notebook_11_are_accepted():
    def generate(model, prompt, n_steps):  # slow (re-reads everything each time) but right
        sequence = prompt
        for _ in range(n_steps):
            sequence = torch.cat([sequence, model(sequence)[-1:]])
        return sequence[prompt.shape[0]:]

    assert nb11.q1.feedback(generate)[0]
    correct, message = nb11.q1.feedback(lambda model, prompt, n: [prompt])
    assert not correct and "return one tensor" in message


# --- 11.2 -------------------------------------------------------------------------------------


def test_the_momentum_reference_is_torch_optim_sgd():
    """The checker writes SGD(momentum)'s update out (torch.optim's first step imports torch._dynamo):
    it must equal torch.optim.SGD's, step by step."""
    model, batches = nb11._momentum_problem()
    twin = copy.deepcopy(model)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    want = nb11._momentum_run(twin, batches, lambda parameters: optimizer.step())
    got = nb11._momentum_run(model, batches, nb11._momentum_variant("sgd", 0.1, 0.9))
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, atol=1e-14, rtol=1e-14)


def test_momentum_step_accepts_in_place_buffers_and_names_the_old_buffer_slip():
    def momentum_step(parameters, buffers, lr, momentum):
        with torch.no_grad():
            for i, p in enumerate(parameters):
                if buffers[i] is None:
                    buffers[i] = torch.clone(p.grad).detach()
                else:
                    buffers[i].mul_(momentum).add_(p.grad)
                p.add_(buffers[i], alpha=-lr)
        return buffers

    assert nb11.q2.feedback(momentum_step)[0]

    def old_buffer(parameters, buffers, lr, momentum):
        new = []
        with torch.no_grad():
            for p, buf in zip(parameters, buffers):
                p -= lr * (p.grad if buf is None else buf)
                new.append(p.grad.clone() if buf is None else momentum * buf + p.grad)
        return new

    correct, message = nb11.q2.feedback(old_buffer)
    assert not correct and "last step's buffer" in message
    correct, message = nb11.q2.feedback(lambda parameters, buffers, lr, m: None if buffers[0] is None else 1)
    assert not correct and "return" in message


# --- 11.3 -------------------------------------------------------------------------------------


def test_echo_loss_accepts_a_masked_mean():
    def echo_loss(prediction, x, k):
        T = x.shape[0]
        shifted = torch.cat([torch.zeros_like(x[:k]), x[: T - k]])
        mask = (torch.arange(T) >= k).double()[:, None, None].expand_as(x)
        return (((prediction - shifted) ** 2) * mask).sum() / mask.sum()

    assert nb11.q3.feedback(echo_loss)[0]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.number)
def test_every_listed_mistake_gets_a_message_of_its_own(exercise):
    messages = [exercise.feedback(run_answer_code(code, exercise.answer))[1] for code, _ in exercise.mistakes.values()]
    assert len(set(messages)) == len(messages), f"{exercise.name}: two mistakes share a message: {messages}"
    assert 2 <= len(messages) <= 5, f"{exercise.name}: list 2 to 5 typical mistakes"
