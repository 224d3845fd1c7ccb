"""Exercises for notebook 09: backpropagation through time by hand.

09.1 one step back through a relu cell (section 2, with another activation)
09.2 where the gradient enters when the head reads ``h_n[-1]`` of a 2-layer RNN (section 4, elsewhere)
09.3 which input steps a truncated window reaches (section 7)
09.4 the capstone: the whole backward pass of one tanh layer, checked first with finite differences
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64


def _shape_problem(got, want, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your answer has shape {tuple(got.shape)}, expected {tuple(want.shape)} = {meaning}"
    return None


def _close(a, b) -> bool:
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and torch.allclose(a.to(F64), b.to(F64), atol=1e-10, rtol=1e-10)
    )


# --- 09.1 one step back through a relu cell -------------------------------------------------


def _check_relu_step_back(fn):
    gen = torch.Generator().manual_seed(91)
    batch, hidden = 3, 4
    w_hh = torch.randn(hidden, hidden, dtype=F64, generator=gen)
    h_prev = torch.randn(batch, hidden, dtype=F64, generator=gen)
    a = torch.randn(batch, hidden, dtype=F64, generator=gen)          # about half the units inactive
    h = torch.relu(a)
    g = torch.randn(batch, hidden, dtype=F64, generator=gen)
    got = fn(g.clone(), h.clone(), w_hh.clone())
    if not_attempted(got):
        raise NotImplementedError
    # autograd: h_t = relu(a_t) with a_t = ... + h_prev @ w_hh.T; we want dL/dh_prev for dL/dh_t = g
    h_leaf = h_prev.clone().requires_grad_()
    a_leaf = a - h_prev @ w_hh.T + h_leaf @ w_hh.T                    # the same a_t, as a function of h_prev
    (want,) = torch.autograd.grad(torch.relu(a_leaf), h_leaf, g)
    problem = _shape_problem(got, want, "(batch, hidden_size), the shape of h_{t-1}")
    if problem:
        return problem
    if _close(got, want):
        return None
    mask = (h > 0).to(F64)
    if _close(got, g @ w_hh) or _close(got, (g * (h >= 0).to(F64)) @ w_hh):
        return (
            "every unit passed its gradient on: relu'(a) is 1 only where the unit was active, h_t > 0 "
            "(h_t >= 0 holds for every unit: relu never outputs a negative number)"
        )
    if _close(got, (g * h) @ w_hh):
        return "you multiplied by h_t itself; relu'(a) is the 0/1 mask (h_t > 0), not the value of h_t"
    if _close(got, (g * (1 - h**2)) @ w_hh):
        return "that is tanh's derivative 1 - h**2; this cell is relu: relu'(a) = 1 where h_t > 0, else 0"
    if _close(got, (g * mask) @ w_hh.T):
        return "looks transposed: a_t contains h_{t-1} @ W_hh.T, so the gradient goes back through @ W_hh (no .T)"
    if _close(got, g * mask):
        return "you stopped at dL/da_t; one more step: dL/dh_{t-1} = dL/da_t @ W_hh"
    return "values differ from autograd's dL/dh_{t-1} = (g * relu'(a_t)) @ W_hh"


q1 = Exercise(
    name="09.1 one step back through a relu cell",
    answer="relu_step_back",
    kind="function",
    checker=_check_relu_step_back,
    hint_text=(
        "Section 2 did this for tanh: dL/da_t = g * act'(a_t), then dL/dh_{t-1} = dL/da_t @ W_hh. For relu, "
        "act'(a_t) is 1 where the unit was active and 0 elsewhere, and a unit was active exactly where "
        "h_t > 0 (careful: h_t >= 0 is true everywhere)."
    ),
    solution_code='''
def relu_step_back(g, h_t, w_hh):
    grad_a = g * (h_t > 0).to(g.dtype)     # relu'(a_t): 1 where the unit was active
    return grad_a @ w_hh                   # (batch, hidden) @ (hidden, hidden)
''',
    mistakes={
        "no derivative": ("def relu_step_back(g, h_t, w_hh):\n    return g @ w_hh", "only where the unit was active"),
        "h >= 0": (
            "def relu_step_back(g, h_t, w_hh):\n    return (g * (h_t >= 0).double()) @ w_hh",
            "relu never outputs a negative",
        ),
        "times h": ("def relu_step_back(g, h_t, w_hh):\n    return (g * h_t) @ w_hh", "0/1 mask"),
        "tanh's derivative": (
            "def relu_step_back(g, h_t, w_hh):\n    return (g * (1 - h_t**2)) @ w_hh",
            "tanh's derivative",
        ),
        "transposed": (
            "def relu_step_back(g, h_t, w_hh):\n    return (g * (h_t > 0).double()) @ w_hh.T",
            "transposed",
        ),
    },
)


# --- 09.2 where the gradient enters: a head on h_n[-1] ----------------------------------------


def _head_problem(seed: int = 92):
    """A 2-layer nn.RNN, a head on h_n[-1], a target: everything the learner's function gets, and autograd."""
    gen = torch.Generator().manual_seed(seed)
    seq_len, batch, input_size, hidden = 5, 4, 3, 6
    rnn = nn.RNN(input_size, hidden, num_layers=2, dtype=F64)
    head = nn.Linear(hidden, 1, dtype=F64)
    with torch.no_grad():
        for p in list(rnn.parameters()) + list(head.parameters()):
            p.copy_(0.5 * torch.randn(p.shape, dtype=F64, generator=gen))
    x = torch.randn(seq_len, batch, input_size, dtype=F64, generator=gen)
    y = torch.randn(batch, 1, dtype=F64, generator=gen)
    output, h_n = rnn(x)
    prediction = head(h_n[-1])                                        # (batch, 1)
    F.mse_loss(prediction, y).backward()
    want = {name: p.grad.clone() for name, p in rnn.named_parameters()}
    return rnn, head, x, y, output.detach(), h_n.detach(), prediction.detach(), want


def _grads_from(rnn, x, grad_output, grad_h_n):
    """The RNN's parameter gradients for the given upstream gradients, by autograd: sum(output * G) + ..."""
    for p in rnn.parameters():
        p.grad = None
    output, h_n = rnn(x)
    ((output * grad_output).sum() + (h_n * grad_h_n).sum()).backward()
    return {name: p.grad.clone() for name, p in rnn.named_parameters()}


def _same_grads(a, b) -> bool:
    return all(_close(a[name], b[name]) for name in b)


def _check_upstream_grads(fn):
    rnn, head, x, y, output, h_n, prediction, want = _head_problem()
    got = fn(output.clone(), h_n.clone(), prediction.clone(), y.clone(), head.weight.detach().clone())
    if not_attempted(got):
        raise NotImplementedError
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return "return a pair (grad_output, grad_h_n)"
    grad_output, grad_h_n = got
    if not_attempted(grad_output) or not_attempted(grad_h_n):
        raise NotImplementedError
    for name, tensor, like, meaning in [
        ("grad_output", grad_output, output, "(seq_len, batch, hidden_size), the shape of output"),
        ("grad_h_n", grad_h_n, h_n, "(num_layers, batch, hidden_size), the shape of h_n"),
    ]:
        problem = _shape_problem(tensor, like, meaning)
        if problem:
            return f"{name}: {problem}"
    got_grads = _grads_from(rnn, x, grad_output.to(F64), grad_h_n.to(F64))
    if _same_grads(got_grads, want):
        return None
    d_pred = 2 * (prediction - y) / y.numel()                          # dL/dprediction: (batch, 1)
    into_head = d_pred @ head.weight.detach()                          # (batch, hidden_size)

    def effect(scale=1.0, layer=-1, every_step=False, source=into_head):
        g_out, g_n = torch.zeros_like(output), torch.zeros_like(h_n)
        if every_step:
            g_out[:] = scale * source
        else:
            g_n[layer] = scale * source
        return _grads_from(rnn, x, g_out, g_n)

    if _same_grads(got_grads, effect(-1.0)):
        return "the sign is flipped: mse_loss = mean((prediction - y)**2), so dL/dprediction = 2 (prediction - y) / N"
    for scale in (y.numel() / 2, y.numel(), 0.5, 1 / y.numel()):
        if _same_grads(got_grads, effect(scale)):
            return (
                "right place, wrong size: F.mse_loss is a MEAN over the N = batch predictions, so "
                "dL/dprediction = 2 (prediction - y) / N (the 2 from the square, the 1/N from the mean)"
            )
    if _same_grads(got_grads, effect(layer=0)):
        return "you put it into h_n[0], the bottom layer's final state; the head reads h_n[-1], the top layer's"
    if _same_grads(got_grads, effect(every_step=True)):
        return (
            "you sent the head's gradient into output at every step; the head read only the final state, "
            "so the gradient enters once, at h_n[-1] (or, the same state, output[-1])"
        )
    if _same_grads(got_grads, effect(source=d_pred.expand_as(into_head))):
        return "the gradient must pass through the head first: dL/dh_n[-1] = dL/dprediction @ head.weight"
    return "the RNN's parameter gradients that follow from your two tensors differ from autograd's"


q2 = Exercise(
    name="09.2 where the gradient enters: a head on h_n",
    answer="upstream_grads",
    kind="function",
    checker=_check_upstream_grads,
    hint_text=(
        "prediction = head(h_n[-1]) and L = F.mse_loss(prediction, y) = mean((prediction - y)**2), so "
        "dL/dprediction = 2 (prediction - y) / N with N = prediction.numel(). Through the head, as in "
        "section 4: dL/dh_n[-1] = dL/dprediction @ head.weight, (batch, 1) @ (1, hidden) = (batch, hidden). "
        "Nothing reads output or the lower layer's h_n: zeros there."
    ),
    solution_code='''
def upstream_grads(output, h_n, prediction, y, head_weight):
    grad_prediction = 2 * (prediction - y) / prediction.numel()   # (batch, 1): F.mse_loss is a mean
    grad_output = torch.zeros_like(output)                         # the loss does not read output
    grad_h_n = torch.zeros_like(h_n)                               # ... nor the bottom layer's h_n[0]
    grad_h_n[-1] = grad_prediction @ head_weight                   # (batch, 1) @ (1, hidden_size)
    return grad_output, grad_h_n
''',
    mistakes={
        "forgot the mean": (
            '''
def upstream_grads(output, h_n, prediction, y, head_weight):
    grad_h_n = torch.zeros_like(h_n)
    grad_h_n[-1] = 2 * (prediction - y) @ head_weight
    return torch.zeros_like(output), grad_h_n
''',
            "mean over the n = batch",
        ),
        "sign": (
            '''
def upstream_grads(output, h_n, prediction, y, head_weight):
    grad_h_n = torch.zeros_like(h_n)
    grad_h_n[-1] = 2 * (y - prediction) / y.numel() @ head_weight
    return torch.zeros_like(output), grad_h_n
''',
            "sign is flipped",
        ),
        "bottom layer": (
            '''
def upstream_grads(output, h_n, prediction, y, head_weight):
    grad_h_n = torch.zeros_like(h_n)
    grad_h_n[0] = 2 * (prediction - y) / y.numel() @ head_weight
    return torch.zeros_like(output), grad_h_n
''',
            "bottom layer",
        ),
        "every step": (
            '''
def upstream_grads(output, h_n, prediction, y, head_weight):
    grad_output = (2 * (prediction - y) / y.numel() @ head_weight).expand_as(output).clone()
    return grad_output, torch.zeros_like(h_n)
''',
            "at every step",
        ),
        "h_n without the layer index": (
            '''
def upstream_grads(output, h_n, prediction, y, head_weight):
    return torch.zeros_like(output), 2 * (prediction - y) / y.numel() @ head_weight
''',
            "the shape of h_n",
        ),
    },
)


# --- 09.3 which steps a truncated window reaches -----------------------------------------


def _reached_by_autograd(seq_len: int, k: int) -> list[list[int]]:
    """For each loss step s: the input steps t whose gradient from output[s] is nonzero,
    with truncated BPTT in chunks of k steps (h carried across chunks, detached)."""
    gen = torch.Generator().manual_seed(94)
    rnn = nn.RNN(2, 3, dtype=F64)
    with torch.no_grad():
        for p in rnn.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
    x = torch.randn(seq_len, 1, 2, dtype=F64, generator=gen, requires_grad=True)
    h, outs = None, []
    for start in range(0, seq_len, k):
        out, h = rnn(x[start : start + k], h)
        outs.append(out)
        h = h.detach()
    output = torch.cat(outs)
    reached = []
    for s in range(seq_len):
        (g,) = torch.autograd.grad(output[s].sum(), x, retain_graph=True)
        reached.append([t for t in range(seq_len) if g[t].abs().sum() > 0])
    return reached


def _as_steps(got) -> list[int]:
    if isinstance(got, torch.Tensor):
        got = got.tolist()
    return sorted(int(t) for t in got)


def _check_reached_steps(fn):
    seq_len = 10
    first = fn(0, 3)
    if not_attempted(first):
        raise NotImplementedError
    for k in (2, 3, 4):
        truth = _reached_by_autograd(seq_len, k)
        for s in range(seq_len):
            answer = fn(s, k)
            if not isinstance(answer, (list, tuple, range, torch.Tensor)):
                return f"for s={s}, k={k}: return a list of step indices, got {type(answer).__name__}"
            got = _as_steps(answer)
            want = truth[s]
            if got == want:
                continue
            where = f"for s={s}, k={k} you gave {got}, autograd reaches {want}"
            start = (s // k) * k
            if got == list(range(seq_len))[: s + 1]:
                return f"{where}: detach() cuts the path at each chunk boundary, so earlier chunks get nothing"
            if got == list(range(max(0, s - k + 1), s + 1)):
                return (
                    f"{where}: the window is not the last k steps (a sliding window); chunks are fixed, "
                    f"so it starts at the chunk boundary (s // k) * k = {start}"
                )
            if got == list(range(start, s)):
                return f"{where}: include s itself: h_s reads x_s directly, so the loss at step s reaches x_s"
            if any(t > s for t in got):
                return f"{where}: output at step s cannot depend on future inputs (steps after s)"
            return where
    return None


q3 = Exercise(
    name="09.3 which steps a truncated window reaches",
    answer="reached_steps",
    kind="function",
    checker=_check_reached_steps,
    hint_text=(
        "The sequence is cut into fixed chunks [0, k), [k, 2k), ... and h is detached between them. "
        "The loss at step s reaches back through the recurrence only to the start of its own chunk, "
        "(s // k) * k, and never forward past s; include s itself (h_s reads x_s)."
    ),
    solution_code='''
def reached_steps(s, k):
    start = (s // k) * k          # the first step of s's chunk
    return list(range(start, s + 1))
''',
    mistakes={
        "sliding window": (
            "def reached_steps(s, k):\n    return list(range(max(0, s - k + 1), s + 1))",
            "sliding window",
        ),
        "whole chunk": (
            "def reached_steps(s, k):\n    start = (s // k) * k\n    return list(range(start, start + k))",
            "future inputs",
        ),
        "no truncation": ("def reached_steps(s, k):\n    return list(range(s + 1))", "detach() cuts"),
        "forgot s itself": (
            "def reached_steps(s, k):\n    return list(range((s // k) * k, s))",
            "include s itself",
        ),
    },
)


# --- 09.4 capstone: the whole backward pass of one layer --------------------------------------

#: The five gradients the capstone returns, in order, with the shape each must have.
CAPSTONE_NAMES = ("dL/dx", "dL/dh0", "dL/dW_ih", "dL/dW_hh", "dL/db")
CAPSTONE_SHAPES = (
    "(seq_len, batch, input_size), like x",
    "(batch, hidden_size), like h0",
    "(hidden_size, input_size), like W_ih",
    "(hidden_size, hidden_size), like W_hh",
    "(hidden_size,), like b_ih (and b_hh: the same gradient)",
)


def _layer_backward(x, h0, w_ih, w_hh, hs, grad_output, *, derivative="tanh", recurrence=True,
                    direct="every step", prev="h_{t-1}", step_back="W_hh"):
    """The backward pass of one tanh layer, and the ways it typically goes wrong (for the diagnosis)."""
    seq_len = x.shape[0]
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(seq_len)):
        if prev == "h_{t-1}":
            h_prev = h0 if t == 0 else hs[t - 1]
        elif prev == "h_t":
            h_prev = hs[t]
        else:  # "hs[t-1]": at t = 0 that is hs[-1], the LAST state
            h_prev = hs[t - 1]
        direct_t = grad_output[t] if direct == "every step" or t == seq_len - 1 else 0
        g_t = direct_t + (grad_h if recurrence else 0)
        if derivative == "tanh":
            grad_a = g_t * (1 - hs[t] ** 2)
        elif derivative == "tanh twice":
            grad_a = g_t * (1 - torch.tanh(hs[t]) ** 2)
        else:  # none
            grad_a = g_t
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ (w_hh if step_back == "W_hh" else w_hh.T)
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b


#: Typical slips: the keyword arguments of ``_layer_backward`` that reproduce one, and what to say.
CAPSTONE_SLIPS: tuple[tuple[dict, str], ...] = (
    (dict(derivative="none"), "missing tanh': multiply the incoming gradient by (1 - h_t**2) before anything else"),
    (dict(derivative="tanh twice"), "tanh applied again: h_t already is tanh(a_t), so tanh'(a_t) = 1 - h_t**2"),
    (dict(recurrence=False), (
        "missing the recurrence term: g_t is grad_output[t] PLUS what step t+1 sends back, "
        "dL/da_{t+1} @ W_hh"
    )),
    (dict(direct="last step only"), (
        "grad_output[t] enters at EVERY step (the loss reads every output[t]), not only at the last one"
    )),
    (dict(prev="h_t"), "off by one: W_hh multiplies h_{t-1}, so step t adds dL/da_t.T @ h_{t-1}, not @ h_t"),
    (dict(prev="hs[t-1]"), (
        "at t = 0 you used hs[t - 1] = hs[-1], the LAST state; the state before step 0 is h0"
    )),
    (dict(step_back="W_hh.T"), (
        "transposed in the step back: a_t contains h_{t-1} @ W_hh.T, so dL/dh_{t-1} = dL/da_t @ W_hh (no .T)"
    )),
)


def _capstone_problem(seed: int):
    gen = torch.Generator().manual_seed(seed)
    seq_len, batch, input_size, hidden = 5, 3, 4, 6
    x = torch.randn(seq_len, batch, input_size, dtype=F64, generator=gen)
    h0 = torch.randn(batch, hidden, dtype=F64, generator=gen)
    w_ih = 0.6 * torch.randn(hidden, input_size, dtype=F64, generator=gen)
    w_hh = 0.4 * torch.randn(hidden, hidden, dtype=F64, generator=gen)
    b = 0.3 * torch.randn(2, hidden, dtype=F64, generator=gen)
    grad_output = torch.randn(seq_len, batch, hidden, dtype=F64, generator=gen)
    leaves = [t.clone().requires_grad_() for t in (x, h0, w_ih, w_hh, b[0], b[1])]
    xl, hl, wil, whl, bil, bhl = leaves
    h, states = hl, []
    for t in range(seq_len):
        h = torch.tanh(xl[t] @ wil.T + bil + h @ whl.T + bhl)
        states.append(h)
    hs = torch.stack(states)
    want = torch.autograd.grad((hs * grad_output).sum(), leaves)  # L = sum(output * G): dL/d output = G
    return (x, h0, w_ih, w_hh, hs.detach(), grad_output), want[:5]


def _diagnose(index: int, got, args) -> str | None:
    for kwargs, message in CAPSTONE_SLIPS:
        if _close(got, _layer_backward(*args, **kwargs)[index]):
            return message
    return None


def _check_layer_backward(fn: Callable):
    args, want = _capstone_problem(95)
    got = fn(*(a.clone() for a in args))
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 5:
        return "return a tuple of 5 gradients: (dL/dx, dL/dh0, dL/dW_ih, dL/dW_hh, dL/db)"
    if any(not_attempted(g) for g in got):
        raise NotImplementedError
    for name, g, w, meaning in zip(CAPSTONE_NAMES, got, want, CAPSTONE_SHAPES):
        if isinstance(g, torch.Tensor) and g.ndim == 2 and tuple(g.shape) == tuple(w.shape[::-1]) != tuple(w.shape):
            return f"{name} has shape {tuple(g.shape)}, expected {tuple(w.shape)} = {meaning}: looks transposed"
        problem = _shape_problem(g, w, meaning)
        if problem:
            return f"{name}: {problem}"
    wrong = [i for i in range(5) if not _close(got[i], want[i])]
    if not wrong:
        return None
    names = ", ".join(CAPSTONE_NAMES[i] for i in wrong) + (" differs" if len(wrong) == 1 else " differ")
    for i in wrong:
        if _close(got[i], -want[i]):
            return f"{names} from autograd's; {CAPSTONE_NAMES[i]} has the wrong sign"
        if got[i].ndim == 2 and got[i].shape[0] == got[i].shape[1] and _close(got[i], want[i].T):
            return f"{names} from autograd's; {CAPSTONE_NAMES[i]} looks transposed: dL/dW = dL/da_t.T @ (its input)"
        if i == 1 and _close(got[i], _grad_h_after_step0(args)):
            return (
                f"{names} from autograd's; for dL/dh0 you returned dL/dh_0, the gradient of the state "
                "AFTER step 0; h0 is the state before it: one more step back, (g_0 * (1 - h_0**2)) @ W_hh"
            )
        if i == 4 and _close(got[i], want[i] / (args[0].shape[0] * args[0].shape[1])):
            return f"{names} from autograd's; dL/db is a SUM over steps and batch, not a mean"
        message = _diagnose(i, got[i], args)
        if message:
            return f"{names} from autograd's; {CAPSTONE_NAMES[i]}: {message}"
    return f"{names} from autograd's (run your finite-difference check on {CAPSTONE_NAMES[wrong[0]]} first)"


def _grad_h_after_step0(args):
    """dL/dh_0 (after step 0), the total gradient a loop holds just before its last step back."""
    x, h0, w_ih, w_hh, hs, grad_output = args
    grad_h = torch.zeros_like(h0)
    g_t = grad_h
    for t in reversed(range(x.shape[0])):
        g_t = grad_output[t] + grad_h
        grad_h = (g_t * (1 - hs[t] ** 2)) @ w_hh
    return g_t


q4 = Exercise(
    name="09.4 capstone: the backward pass of a layer",
    answer="layer_backward",
    kind="function",
    checker=_check_layer_backward,
    hint_text=(
        "Walk t = T-1 down to 0, carrying grad_h (zeros at the start: nothing reads h_n here). At each step: "
        "g_t = grad_output[t] + grad_h; grad_a = g_t * (1 - hs[t]**2); add grad_a.T @ x[t] to dW_ih, "
        "grad_a.T @ h_prev to dW_hh (h_prev = h0 at t = 0, else hs[t-1]) and grad_a.sum(0) to db; "
        "set dx[t] = grad_a @ W_ih; then grad_h = grad_a @ W_hh. After the loop, grad_h is dL/dh0. "
        "Check each gradient with numerical_grad and rel_error before you call check()."
    ),
    solution_code='''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)                                   # (seq_len, batch, input_size)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)             # (hidden_size,)
    grad_h = torch.zeros_like(h0)                                  # dL/dh_n: nothing reads h_n
    for t in reversed(range(x.shape[0])):
        h_prev = h0 if t == 0 else hs[t - 1]                       # the state step t started from
        grad_a = (grad_output[t] + grad_h) * (1 - hs[t] ** 2)      # direct + recurrence, through tanh
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh                                     # on to step t - 1
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
    mistakes={
        "missing tanh'": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        h_prev = h0 if t == 0 else hs[t - 1]
        grad_a = grad_output[t] + grad_h
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "missing tanh'",
        ),
        "no recurrence": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        h_prev = h0 if t == 0 else hs[t - 1]
        grad_a = grad_output[t] * (1 - hs[t] ** 2)
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "missing the recurrence term",
        ),
        "h_t instead of h_{t-1}": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        grad_a = (grad_output[t] + grad_h) * (1 - hs[t] ** 2)
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ hs[t]
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "off by one",
        ),
        "hs[t - 1] at t = 0": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        grad_a = (grad_output[t] + grad_h) * (1 - hs[t] ** 2)
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ hs[t - 1]
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "hs[-1], the last state",
        ),
        "W_hh transposed in the step back": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        h_prev = h0 if t == 0 else hs[t - 1]
        grad_a = (grad_output[t] + grad_h) * (1 - hs[t] ** 2)
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh.T
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "transposed in the step back",
        ),
        "dW_hh transposed": (
            '''
def layer_backward(x, h0, w_ih, w_hh, hs, grad_output):
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        h_prev = h0 if t == 0 else hs[t - 1]
        grad_a = (grad_output[t] + grad_h) * (1 - hs[t] ** 2)
        grad_w_ih += grad_a.T @ x[t]
        grad_w_hh += h_prev.T @ grad_a
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
''',
            "dL/dW_hh looks transposed",
        ),
    },
)
