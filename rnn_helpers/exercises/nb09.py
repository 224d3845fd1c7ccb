"""Exercises for notebook 09: backpropagation through time by hand, each in a new setting.

09.1 one step back through a sigmoid cell (section 2's step, with an activation nn.RNN does not offer)
09.2 where the gradient enters when the head reads ``h_n[-1]`` of a 2-layer RNN (section 4, elsewhere)
09.3 which input steps truncated BPTT reaches when the chunks have different lengths (section 7)
09.4 the capstone: the whole backward pass of a leaky tanh layer, checked first with finite differences

Every checker compares with autograd run on plain tensor operations (or on ``nn.RNN``), never on the
package's own layer functions, whose backward pass is the hand-written one of section 3.
"""

from __future__ import annotations

import numbers

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


def _dtype_problem(name: str, got: torch.Tensor) -> str | None:
    if got.dtype != F64:
        return (
            f"{name} is {got.dtype}, but every input was float64: a tensor you create yourself "
            "(torch.zeros(n), say) is float32 unless you ask otherwise; create it with dtype=x.dtype, "
            "or with torch.zeros_like(...) of an input"
        )
    return None


def _close(a, b) -> bool:
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and torch.allclose(a.to(F64), b.to(F64), atol=1e-10, rtol=1e-10)
    )


# --- 09.1 one step back through a sigmoid cell ---------------------------------------------------


def _sigmoid_problem():
    """One step h_t = sigmoid(a_t), a_t = x_t W_ih^T + b + h_{t-1} W_hh^T, and autograd's two gradients."""
    gen = torch.Generator().manual_seed(91)
    batch, input_size, hidden = 3, 2, 4
    x_t = torch.randn(batch, input_size, dtype=F64, generator=gen)
    w_ih = torch.randn(hidden, input_size, dtype=F64, generator=gen)
    b = torch.randn(hidden, dtype=F64, generator=gen)
    h_prev = torch.randn(batch, hidden, dtype=F64, generator=gen)
    w_hh = torch.randn(hidden, hidden, dtype=F64, generator=gen)
    g = torch.randn(batch, hidden, dtype=F64, generator=gen)
    h_leaf, w_leaf = h_prev.clone().requires_grad_(), w_hh.clone().requires_grad_()
    h_t = torch.sigmoid(x_t @ w_ih.T + b + h_leaf @ w_leaf.T)
    want = torch.autograd.grad(h_t, (h_leaf, w_leaf), g)   # dL/dh_{t-1}, dL/dW_hh for dL/dh_t = g
    return (g, h_t.detach(), h_prev, w_hh), want


def _sigmoid_variants(g, h_t, h_prev, w_hh):
    """What typical slips return, each as (dL/dh_{t-1}, dL/dW_hh), with the message for each."""
    def pair(slope, back=w_hh, prev=h_prev, weight_first=True):
        grad_a = g * slope
        grad_w = grad_a.T @ prev if weight_first else prev.T @ grad_a
        return grad_a @ back, grad_w

    right = h_t * (1 - h_t)
    return [
        (pair(1 - h_t**2), "that is tanh's derivative 1 - h**2; for h = sigmoid(a) it is sigmoid'(a) = h * (1 - h)"),
        (pair(torch.sigmoid(h_t) * (1 - torch.sigmoid(h_t))), (
            "sigmoid applied again: h_t already IS sigmoid(a_t), so sigmoid'(a_t) = h_t * (1 - h_t), no new sigmoid"
        )),
        (pair(torch.ones_like(h_t)), "no derivative: first multiply g by sigmoid'(a_t) = h_t * (1 - h_t), elementwise"),
        (pair(h_t), "you multiplied by h_t alone; sigmoid'(a_t) = h_t * (1 - h_t)"),
        (pair(right, back=w_hh.T), (
            "transposed in the step back: a_t contains h_{t-1} @ W_hh.T, so dL/dh_{t-1} = dL/da_t @ W_hh (no .T)"
        )),
        (pair(right, weight_first=False), (
            "dL/dW_hh looks transposed: entry (j, i) of W_hh multiplies h_{t-1}[:, i] into a_t[:, j], "
            "so dL/dW_hh = dL/da_t.T @ h_{t-1}"
        )),
        (pair(right, prev=h_t), "off by one: W_hh multiplies h_{t-1}, so dL/dW_hh = dL/da_t.T @ h_{t-1}, not @ h_t"),
    ]


def _check_sigmoid_step_back(fn):
    args, want = _sigmoid_problem()
    got = fn(*(a.clone() for a in args))
    if not_attempted(got):
        raise NotImplementedError
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return "return a pair (dL/dh_{t-1}, dL/dW_hh)"
    names = ("dL/dh_{t-1}", "dL/dW_hh")
    meanings = ("(batch, hidden_size), the shape of h_{t-1}", "(hidden_size, hidden_size), the shape of W_hh")
    for name, tensor, w, meaning in zip(names, got, want, meanings):
        if not_attempted(tensor):
            return f"{name} is {tensor!r}: both entries of the pair must be tensors"
        problem = _shape_problem(tensor, w, meaning) or _dtype_problem(name, tensor)
        if problem:
            return f"{name}: {problem}"
    wrong = [i for i in range(2) if not _close(got[i], want[i])]
    if not wrong:
        return None
    for variant, message in _sigmoid_variants(*args):
        if all(_close(got[i], variant[i]) for i in wrong):
            return message
    return " and ".join(names[i] for i in wrong) + " differ from autograd's"


q1 = Exercise(
    name="09.1 one step back through a sigmoid cell",
    answer="sigmoid_step_back",
    kind="function",
    checker=_check_sigmoid_step_back,
    hint_text=(
        "Section 2's four items, with another derivative. Write sigmoid'(a) from the output, as section 2 "
        "wrote tanh'(a) = 1 - h**2: with h = sigmoid(a) = 1 / (1 + exp(-a)), sigmoid'(a) = h * (1 - h). Then "
        "dL/da_t = g * h_t * (1 - h_t); dL/dh_{t-1} = dL/da_t @ W_hh; dL/dW_hh = dL/da_t.T @ h_{t-1}."
    ),
    solution_code='''
def sigmoid_step_back(g, h_t, h_prev, w_hh):
    grad_a = g * h_t * (1 - h_t)           # sigmoid'(a_t) = h_t (1 - h_t), from the output
    return grad_a @ w_hh, grad_a.T @ h_prev   # (batch, hidden) and (hidden, hidden)
''',
    mistakes={
        "tanh's derivative": (
            "def sigmoid_step_back(g, h_t, h_prev, w_hh):\n    a = g * (1 - h_t**2)\n    return a @ w_hh, a.T @ h_prev",
            "tanh's derivative",
        ),
        "sigmoid applied again": (
            "def sigmoid_step_back(g, h_t, h_prev, w_hh):\n"
            "    s = torch.sigmoid(h_t)\n    a = g * s * (1 - s)\n    return a @ w_hh, a.T @ h_prev",
            "already is sigmoid",
        ),
        "transposed step back": (
            "def sigmoid_step_back(g, h_t, h_prev, w_hh):\n    a = g * h_t * (1 - h_t)\n    return a @ w_hh.T, a.T @ h_prev",
            "transposed in the step back",
        ),
        "dW_hh transposed": (
            "def sigmoid_step_back(g, h_t, h_prev, w_hh):\n    a = g * h_t * (1 - h_t)\n    return a @ w_hh, h_prev.T @ a",
            "dL/dW_hh looks transposed",
        ),
        "h_t in dW_hh": (
            "def sigmoid_step_back(g, h_t, h_prev, w_hh):\n    a = g * h_t * (1 - h_t)\n    return a @ w_hh, a.T @ h_t",
            "off by one",
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
    if got[0] is Ellipsis or got[1] is Ellipsis:
        return "one entry of your pair is still ...: return two tensors (grad_output, grad_h_n)"
    if got[0] is None and got[1] is None:
        return (
            "both entries are None, which rnn_backward reads as zeros: then no gradient would reach the RNN "
            "at all; the head read h_n[-1], so grad_h_n carries the head's gradient"
        )
    # None means zeros, as rnn_backward reads it (section 5)
    grad_output = torch.zeros_like(output) if got[0] is None else got[0]
    grad_h_n = torch.zeros_like(h_n) if got[1] is None else got[1]
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
        "Nothing reads output or the lower layer's h_n: zeros there (None also means zeros)."
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
    return None, grad_h_n
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


# --- 09.3 which steps truncated BPTT reaches, chunks of different lengths -----------------------

#: The chunkings the checker tries: a stream of 10 steps cut into chunks of these lengths.
CHUNKINGS = ([3, 5, 2], [4, 4, 2], [1, 6, 3], [2, 3, 3, 2], [10])


def _reached_by_autograd(lengths: list[int]) -> list[list[int]]:
    """For each loss step s: the input steps t whose gradient from output[s] is nonzero, with truncated
    BPTT over chunks of the given lengths (h carried from chunk to chunk, detached)."""
    gen = torch.Generator().manual_seed(94)
    rnn = nn.RNN(2, 3, dtype=F64)
    with torch.no_grad():
        for p in rnn.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
    seq_len = sum(lengths)
    x = torch.randn(seq_len, 1, 2, dtype=F64, generator=gen, requires_grad=True)
    h, outs, start = None, [], 0
    for length in lengths:
        out, h = rnn(x[start : start + length], h)
        outs.append(out)
        h = h.detach()
        start += length
    output = torch.cat(outs)
    reached = []
    for s in range(seq_len):
        (g,) = torch.autograd.grad(output[s].sum(), x, retain_graph=True)
        reached.append([t for t in range(seq_len) if g[t].abs().sum() > 0])
    return reached


def _as_steps(got) -> list[int] | None:
    if isinstance(got, torch.Tensor):
        got = got.flatten().tolist()
    if not isinstance(got, (list, tuple, range)) or not all(isinstance(t, numbers.Real) for t in got):
        return None
    return sorted(int(t) for t in got)


def _chunk_start(s: int, lengths: list[int], *, boundary_in_previous: bool = False) -> int:
    start = 0
    for length in lengths:
        if s < start + length or (boundary_in_previous and s == start + length):
            return start
        start += length
    return start


#: Typical slips: (what the slip answers for step s and the chunk lengths, what to say). The message is
#: formatted with ``starts``, the true chunk starts.
REACH_SLIPS = (
    (lambda s, lengths: list(range(s + 1)),
     "detach() cuts the path at each chunk boundary, so earlier chunks get nothing"),
    (lambda s, lengths: list(range((s // lengths[0]) * lengths[0], s + 1)),
     "that is (s // k) * k with k = lengths[0], as if every chunk had the first one's length; add up the "
     "lengths to find where each chunk starts: {starts}"),
    (lambda s, lengths: list(range(max(0, s - lengths[_chunk_index(s, lengths)] + 1), s + 1)),
     "the window is not the last few steps (a sliding window); chunks are fixed, so it starts where s's "
     "chunk starts, one of {starts}"),
    (lambda s, lengths: list(range(max(0, s - lengths[0] + 1), s + 1)),
     "the window is not the last few steps (a sliding window); chunks are fixed, so it starts where s's "
     "chunk starts, one of {starts}"),
    (lambda s, lengths: list(range(_chunk_start(s, lengths), s)),
     "include s itself: h_s reads x_s directly, so the loss at step s reaches x_s"),
    (lambda s, lengths: list(range(_chunk_start(s, lengths),
                                   _chunk_start(s, lengths) + lengths[_chunk_index(s, lengths)])),
     "output at step s cannot depend on future inputs (steps after s)"),
    (lambda s, lengths: list(range(_chunk_start(s, lengths, boundary_in_previous=True), s + 1)),
     "a step where a chunk starts (one of {starts}) is the FIRST step of the new chunk, not the last of the "
     "one before"),
)


def _chunk_index(s: int, lengths: list[int]) -> int:
    return max(i for i in range(len(lengths)) if sum(lengths[:i]) <= s)


def _check_reached_steps(fn):
    first = fn(0, [3, 5, 2])
    if not_attempted(first):
        raise NotImplementedError
    for lengths in CHUNKINGS:
        truth = _reached_by_autograd(lengths)
        starts = [sum(lengths[:i]) for i in range(len(lengths))]
        answers = []
        for s in range(sum(lengths)):
            answer = fn(s, list(lengths))
            got = _as_steps(answer)
            if got is None:
                return f"for s={s}, lengths={lengths}: return a list of step indices, got {type(answer).__name__}"
            answers.append(got)
        if answers == truth:
            continue
        s = next(s for s in range(len(truth)) if answers[s] != truth[s])
        where = f"for s={s}, lengths={lengths} you gave {answers[s]}, autograd reaches {truth[s]}"
        for slip, message in REACH_SLIPS:
            if all(answers[t] == slip(t, list(lengths)) for t in range(len(truth))):
                return f"{where}: " + message.format(starts=starts)
        if any(t > s for t in answers[s]):
            return f"{where}: output at step s cannot depend on future inputs (steps after s)"
        return where
    return None


q3 = Exercise(
    name="09.3 which steps truncated BPTT reaches, chunks of different lengths",
    answer="reached_steps",
    kind="function",
    checker=_check_reached_steps,
    hint_text=(
        "The stream is cut into consecutive chunks of lengths[0], lengths[1], ... steps, and h is detached "
        "between them, so chunk i starts at lengths[0] + ... + lengths[i-1]. The loss at step s reaches back "
        "only to the start of the chunk that holds s, and never forward past s; include s itself."
    ),
    solution_code='''
def reached_steps(s, lengths):
    start = 0                                   # where the current chunk starts
    for length in lengths:
        if s < start + length:                  # s lies in this chunk
            return list(range(start, s + 1))
        start += length
''',
    mistakes={
        "every chunk as long as the first": (
            "def reached_steps(s, lengths):\n    k = lengths[0]\n    return list(range((s // k) * k, s + 1))",
            "add up the lengths",
        ),
        "sliding window": (
            '''
def reached_steps(s, lengths):
    start = 0
    for length in lengths:
        if s < start + length:
            return list(range(max(0, s - length + 1), s + 1))
        start += length
''',
            "sliding window",
        ),
        "whole chunk": (
            '''
def reached_steps(s, lengths):
    start = 0
    for length in lengths:
        if s < start + length:
            return list(range(start, start + length))
        start += length
''',
            "future inputs",
        ),
        "no truncation": ("def reached_steps(s, lengths):\n    return list(range(s + 1))", "detach() cuts"),
        "a boundary step counted in the chunk before": (
            '''
def reached_steps(s, lengths):
    start = 0
    for length in lengths:
        if s <= start + length:
            return list(range(start, s + 1))
        start += length
''',
            "first step of the new chunk",
        ),
    },
)


# --- 09.4 capstone: the whole backward pass of a leaky tanh layer ------------------------------

#: The five gradients the capstone returns, in order, with the shape each must have.
CAPSTONE_NAMES = ("dL/dx", "dL/dh0", "dL/dW_ih", "dL/dW_hh", "dL/db")
CAPSTONE_SHAPES = (
    "(seq_len, batch, input_size), like x",
    "(batch, hidden_size), like h0",
    "(hidden_size, input_size), like W_ih",
    "(hidden_size, hidden_size), like W_hh",
    "(hidden_size,), like b_ih (and b_hh: the same gradient)",
)


def leaky_forward(x, h0, w_ih, w_hh, b_ih, b_hh, alpha):
    """The leaky tanh layer, forwards, in plain tensor ops (the notebook shows the same lines).

    x: (seq_len, batch, input_size); h0: (batch, hidden_size); w_ih: (hidden_size, input_size);
    w_hh: (hidden_size, hidden_size); b_ih, b_hh: (hidden_size,); alpha: a number in (0, 1].
    ``u_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, ``h_t = (1 - alpha) h_{t-1} + alpha u_t``.
    Returns ``(hs, us)``, each (seq_len, batch, hidden_size).
    """
    h, hs, us = h0, [], []
    for t in range(x.shape[0]):
        u = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        h = (1 - alpha) * h + alpha * u
        hs.append(h)
        us.append(u)
    return torch.stack(hs), torch.stack(us)


def _leaky_backward(x, h0, w_ih, w_hh, alpha, hs, us, grad_output, *, leak="1 - alpha", alpha_in=True,
                    derivative="u", prev="h_{t-1}", direct="every step", accumulate=True, direction="backwards"):
    """The capstone's backward pass, and the ways it typically goes wrong (for the diagnosis)."""
    seq_len = x.shape[0]
    grad_x = torch.zeros_like(x)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)
    grad_h = torch.zeros_like(h0)
    steps = reversed(range(seq_len)) if direction == "backwards" else range(seq_len)
    for t in steps:
        if prev == "h_{t-1}":
            h_prev = h0 if t == 0 else hs[t - 1]
        elif prev == "h_t":
            h_prev = hs[t]
        else:  # "hs[t-1]": at t = 0 that is hs[-1], the LAST state
            h_prev = hs[t - 1]
        direct_t = grad_output[t] if direct == "every step" or t == seq_len - 1 else 0
        g_t = direct_t + grad_h
        state = us[t] if derivative == "u" else hs[t]
        grad_a = (alpha if alpha_in else 1) * g_t * (1 - state**2)
        if accumulate:
            grad_w_ih += grad_a.T @ x[t]
            grad_w_hh += grad_a.T @ h_prev
            grad_b += grad_a.sum(dim=0)
        else:
            grad_w_ih, grad_w_hh, grad_b = grad_a.T @ x[t], grad_a.T @ h_prev, grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        keep = {"1 - alpha": 1 - alpha, "alpha": alpha, "none": 0.0}[leak]
        grad_h = keep * g_t + grad_a @ w_hh
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b


#: Typical slips: the keyword arguments of ``_leaky_backward`` that reproduce one, and what to say.
CAPSTONE_SLIPS: tuple[tuple[dict, str], ...] = (
    (dict(leak="none"), (
        "the leak is a second path from h_{t-1} to h_t: h_t = (1 - alpha) h_{t-1} + alpha u_t, so "
        "dL/dh_{t-1} = (1 - alpha) * g_t + dL/da_t @ W_hh; you kept only the path through W_hh"
    )),
    (dict(leak="alpha"), (
        "the leak keeps (1 - alpha) of the old state, so that path multiplies g_t by (1 - alpha), not by alpha"
    )),
    (dict(alpha_in=False), (
        "alpha is missing: h_t = ... + alpha * u_t, so the gradient reaching u_t is alpha * g_t, and "
        "dL/da_t = alpha * g_t * (1 - u_t**2)"
    )),
    (dict(derivative="h"), (
        "tanh' taken at the wrong value: 1 - h_t**2 is tanh'(a_t) only when h_t = tanh(a_t); in this cell "
        "u_t = tanh(a_t), so tanh'(a_t) = 1 - u_t**2"
    )),
    (dict(direct="last step only"), (
        "grad_output[t] enters at EVERY step (the loss reads every output[t]), not only at the last one"
    )),
    (dict(prev="h_t"), "off by one: W_hh multiplies h_{t-1}, so step t adds dL/da_t.T @ h_{t-1}, not @ h_t"),
    (dict(prev="hs[t-1]"), "at t = 0 you used hs[t - 1] = hs[-1], the LAST state; the state before step 0 is h0"),
    (dict(accumulate=False), (
        "you kept only one step's share: the weights are tied (every step uses the same W), so each step ADDS "
        "its share, grad_w += ..., and the gradient is the sum over the steps"
    )),
    (dict(direction="forwards"), (
        "the loop must walk the steps backwards, t = T-1 down to 0: step t needs what step t+1 sends back, "
        "so step t+1 must be done first"
    )),
)


def _capstone_problem(seed: int = 95, alpha: float = 0.3):
    """A leaky layer's inputs, its saved forward values, and autograd's five gradients on plain tensor ops."""
    gen = torch.Generator().manual_seed(seed)
    seq_len, batch, input_size, hidden = 5, 3, 4, 6
    x = torch.randn(seq_len, batch, input_size, dtype=F64, generator=gen)
    h0 = torch.randn(batch, hidden, dtype=F64, generator=gen)
    w_ih = 0.6 * torch.randn(hidden, input_size, dtype=F64, generator=gen)
    w_hh = 0.5 * torch.randn(hidden, hidden, dtype=F64, generator=gen)
    b = 0.3 * torch.randn(2, hidden, dtype=F64, generator=gen)
    grad_output = torch.randn(seq_len, batch, hidden, dtype=F64, generator=gen)
    leaves = [t.clone().requires_grad_() for t in (x, h0, w_ih, w_hh, b[0], b[1])]
    hs, us = leaky_forward(*leaves, alpha)
    want = torch.autograd.grad((hs * grad_output).sum(), leaves)  # L = sum(output * G): dL/d output = G
    return (x, h0, w_ih, w_hh, alpha, hs.detach(), us.detach(), grad_output), want[:5]


def _grad_h_after_step0(x, h0, w_ih, w_hh, alpha, hs, us, grad_output):
    """dL/dh_0 (the state AFTER step 0): the total gradient a loop holds just before its last step back."""
    grad_h = torch.zeros_like(h0)
    g_t = grad_h
    for t in reversed(range(x.shape[0])):
        g_t = grad_output[t] + grad_h
        grad_h = (1 - alpha) * g_t + (alpha * g_t * (1 - us[t] ** 2)) @ w_hh
    return g_t


def _check_leaky_backward(fn):
    args, want = _capstone_problem()
    got = fn(*(a.clone() if isinstance(a, torch.Tensor) else a for a in args))
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 5:
        return "return a tuple of 5 gradients: (dL/dx, dL/dh0, dL/dW_ih, dL/dW_hh, dL/db)"
    for name, g, w, meaning in zip(CAPSTONE_NAMES, got, want, CAPSTONE_SHAPES):
        if not_attempted(g):
            return f"{name} is {g!r}: every entry of the tuple must be a tensor (compute it, or return zeros for now)"
        if isinstance(g, torch.Tensor) and g.ndim == 2 and tuple(g.shape) == tuple(w.shape[::-1]) != tuple(w.shape):
            return f"{name} has shape {tuple(g.shape)}, expected {tuple(w.shape)} = {meaning}: looks transposed"
        problem = _shape_problem(g, w, meaning) or _dtype_problem(name, g)
        if problem:
            return f"{name}: {problem}"
    wrong = [i for i in range(5) if not _close(got[i], want[i])]
    if not wrong:
        return None
    names = ", ".join(CAPSTONE_NAMES[i] for i in wrong) + (" differs" if len(wrong) == 1 else " differ")
    # one slip usually spoils several gradients: name the slip that explains all of them
    for kwargs, message in CAPSTONE_SLIPS:
        variant = _leaky_backward(*args, **kwargs)
        if all(_close(got[i], variant[i]) for i in wrong):
            return f"{names} from autograd's: {message}"
    for i in wrong:
        if _close(got[i], -want[i]):
            return f"{names} from autograd's; {CAPSTONE_NAMES[i]} has the wrong sign"
        if got[i].ndim == 2 and got[i].shape[0] == got[i].shape[1] and _close(got[i], want[i].T):
            return f"{names} from autograd's; {CAPSTONE_NAMES[i]} looks transposed: dL/dW = dL/da_t.T @ (its input)"
        if i == 1 and _close(got[i], _grad_h_after_step0(*args)):
            return (
                f"{names} from autograd's; for dL/dh0 you returned dL/dh_0, the gradient of the state AFTER "
                "step 0; h0 is the state before it: one more step back"
            )
        if i == 4 and _close(got[i], want[i] / (args[0].shape[0] * args[0].shape[1])):
            return f"{names} from autograd's; dL/db is a SUM over steps and batch, not a mean"
    return f"{names} from autograd's (run your finite-difference check on {CAPSTONE_NAMES[wrong[0]]} first)"


_CAPSTONE_SOLUTION = '''
def leaky_backward(x, h0, w_ih, w_hh, alpha, hs, us, grad_output):
    grad_x = torch.zeros_like(x)                                   # (seq_len, batch, input_size)
    grad_w_ih, grad_w_hh = torch.zeros_like(w_ih), torch.zeros_like(w_hh)
    grad_b = torch.zeros(w_ih.shape[0], dtype=x.dtype)             # (hidden_size,): float64 like x
    grad_h = torch.zeros_like(h0)                                  # dL/dh_n: nothing reads h_n
    for t in reversed(range(x.shape[0])):                          # t = T-1 down to 0
        h_prev = h0 if t == 0 else hs[t - 1]                       # the state step t started from
        g_t = grad_output[t] + grad_h                              # direct + from step t+1
        grad_a = alpha * g_t * (1 - us[t] ** 2)                    # through alpha * tanh(a_t)
        grad_w_ih += grad_a.T @ x[t]                               # tied weights: every step adds
        grad_w_hh += grad_a.T @ h_prev
        grad_b += grad_a.sum(dim=0)
        grad_x[t] = grad_a @ w_ih
        grad_h = (1 - alpha) * g_t + grad_a @ w_hh                 # two paths back to h_{t-1}
    return grad_x, grad_h, grad_w_ih, grad_w_hh, grad_b
'''


def _capstone_mistake(*, replace: dict[str, str]) -> str:
    """The reference solution with some lines replaced: a typical mistake, as code."""
    code = _CAPSTONE_SOLUTION
    for old, new in replace.items():
        assert old in code, old
        code = code.replace(old, new)
    return code


q4 = Exercise(
    name="09.4 capstone: the backward pass of a leaky layer",
    answer="leaky_backward",
    kind="function",
    checker=_check_leaky_backward,
    hint_text=(
        "Walk t = T-1 down to 0, carrying grad_h (zeros at the start: nothing reads h_n). At each step: "
        "g_t = grad_output[t] + grad_h; through h_t = (1 - alpha) h_{t-1} + alpha u_t the gradient reaching "
        "u_t is alpha * g_t, and through u_t = tanh(a_t): grad_a = alpha * g_t * (1 - u_t**2). Then, as in "
        "section 3, add grad_a.T @ x[t] to dW_ih, grad_a.T @ h_prev to dW_hh (h_prev = h0 at t = 0) and "
        "grad_a.sum(0) to db; dx[t] = grad_a @ W_ih. h_{t-1} reaches h_t along TWO paths, so "
        "grad_h = (1 - alpha) * g_t + grad_a @ W_hh. After the loop grad_h is dL/dh0. Check each gradient "
        "with numerical_grad and rel_error before you call check()."
    ),
    solution_code=_CAPSTONE_SOLUTION,
    mistakes={
        "no leak path back": (
            _capstone_mistake(replace={"(1 - alpha) * g_t + grad_a @ w_hh": "grad_a @ w_hh"}),
            "second path",
        ),
        "alpha missing": (
            _capstone_mistake(replace={"alpha * g_t * (1 - us[t] ** 2)": "g_t * (1 - us[t] ** 2)"}),
            "alpha is missing",
        ),
        "tanh' at h_t": (
            _capstone_mistake(replace={"(1 - us[t] ** 2)": "(1 - hs[t] ** 2)"}),
            "tanh' taken at the wrong value",
        ),
        "= instead of +=": (
            _capstone_mistake(replace={"grad_w_ih += ": "grad_w_ih = ", "grad_w_hh += ": "grad_w_hh = ",
                                       "grad_b += ": "grad_b = "}),
            "tied",
        ),
        "float32 accumulator": (
            _capstone_mistake(replace={"torch.zeros(w_ih.shape[0], dtype=x.dtype)": "torch.zeros(w_ih.shape[0])"}),
            "dtype=x.dtype",
        ),
    },
)
