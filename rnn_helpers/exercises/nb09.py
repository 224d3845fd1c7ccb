"""Exercises for notebook 09: backpropagation through time by hand."""

from __future__ import annotations

import torch
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
    return a.shape == b.shape and torch.allclose(a.to(F64), b.to(F64), atol=1e-10, rtol=1e-10)


# --- 09.1 dL/da through tanh -------------------------------------------------------------


def _check_grad_pre_activation(fn):
    gen = torch.Generator().manual_seed(91)
    a = 2 * torch.randn(3, 4, dtype=F64, generator=gen)  # (batch, hidden_size); some units saturate
    grad_h = torch.randn(3, 4, dtype=F64, generator=gen)
    h = torch.tanh(a)
    got = fn(grad_h.clone(), h.clone())
    if not_attempted(got):
        raise NotImplementedError
    a_leaf = a.clone().requires_grad_()
    (want,) = torch.autograd.grad(torch.tanh(a_leaf), a_leaf, grad_h)  # autograd's dL/da
    problem = _shape_problem(got, want, "(batch, hidden_size), the shape of a_t")
    if problem:
        return problem
    if _close(got, want):
        return None
    if _close(got, grad_h * (1 - torch.tanh(h) ** 2)):
        return "you applied tanh to h again: h is already tanh(a), so tanh'(a) = 1 - h**2"
    if _close(got, grad_h):
        return "you passed grad_h straight through: multiply by tanh'(a) = 1 - h**2"
    if _close(got, 1 - h**2):
        return "that is tanh'(a) alone: the chain rule multiplies it by grad_h"
    if _close(got, grad_h * (1 - h)):
        return "tanh'(a) is 1 - h**2 (h squared), not 1 - h"
    if _close(got, grad_h * (1 - a**2)) or _close(got, grad_h * h):
        return "tanh'(a) = 1 - tanh(a)**2 = 1 - h**2, times grad_h, elementwise"
    return "values differ from autograd's dL/da = grad_h * (1 - h**2)"


q1 = Exercise(
    name="09.1 dL/da through tanh",
    answer="grad_pre_activation",
    checker=_check_grad_pre_activation,
    hint_text=(
        "h = tanh(a), and tanh'(a) = 1 - tanh(a)**2. You are given h, which already is tanh(a): "
        "do not apply tanh again. Multiply elementwise by grad_h (chain rule)."
    ),
    solution_code='''
def grad_pre_activation(grad_h, h):
    return grad_h * (1 - h**2)
''',
    mistakes={
        "tanh applied twice": (
            "def grad_pre_activation(grad_h, h):\n    return grad_h * (1 - torch.tanh(h) ** 2)",
            "tanh to h again",
        ),
        "no derivative": ("def grad_pre_activation(grad_h, h):\n    return grad_h", "straight through"),
        "1 - h": ("def grad_pre_activation(grad_h, h):\n    return grad_h * (1 - h)", "h squared"),
        "forgot grad_h": ("def grad_pre_activation(grad_h, h):\n    return 1 - h**2", "chain rule"),
    },
)


# --- 09.2 the bias gradient --------------------------------------------------------------


def _check_bias_grad(fn):
    gen = torch.Generator().manual_seed(92)
    grad_a = torch.randn(5, 3, 4, dtype=F64, generator=gen)  # (seq_len, batch, hidden_size)
    got = fn(grad_a.clone())
    if not_attempted(got):
        raise NotImplementedError
    want = grad_a.sum(dim=(0, 1))
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (3, 4):
        return (
            "your answer has shape (3, 4) = (batch, hidden_size): you summed over time only; "
            "sum over the batch too, since b is added to every sample"
        )
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (5, 4):
        return (
            "your answer has shape (5, 4) = (seq_len, hidden_size): sum over time as well, "
            "since the same b is used at every step"
        )
    problem = _shape_problem(got, want, "(hidden_size,), the shape of b_ih")
    if problem:
        return problem
    if _close(got, want):
        return None
    if _close(got, grad_a.mean(dim=(0, 1))):
        return "you averaged: the loss adds up every use of b, so its gradient is a sum, not a mean"
    if _close(got, grad_a[-1].sum(dim=0)):
        return "you kept only the last step: b is used at every step, so every step's dL/da_t adds in"
    return "values differ from the sum of dL/da_t over time and batch"


q2 = Exercise(
    name="09.2 the bias gradient",
    answer="bias_grad",
    checker=_check_bias_grad,
    hint_text=(
        "b_ih is added to a_t for every sample and at every step, so each of those uses sends "
        "its share back: add dL/da_t over the batch axis and the time axis, keep hidden_size."
    ),
    solution_code='''
def bias_grad(grad_a):
    return grad_a.sum(dim=(0, 1))   # (seq_len, batch, hidden_size) -> (hidden_size,)
''',
    mistakes={
        "time only": ("def bias_grad(grad_a):\n    return grad_a.sum(dim=0)", "sum over the batch too"),
        "batch only": ("def bias_grad(grad_a):\n    return grad_a.sum(dim=1)", "sum over time as well"),
        "mean": ("def bias_grad(grad_a):\n    return grad_a.mean(dim=(0, 1))", "averaged"),
        "last step": ("def bias_grad(grad_a):\n    return grad_a[-1].sum(dim=0)", "only the last step"),
    },
)


# --- 09.3 dL/dW_hh through time ----------------------------------------------------------


def _check_grad_w_hh(fn):
    gen = torch.Generator().manual_seed(93)
    seq_len, batch, hidden = 5, 2, 3
    h0 = torch.randn(batch, hidden, dtype=F64, generator=gen)
    hs = torch.tanh(torch.randn(seq_len, batch, hidden, dtype=F64, generator=gen))
    grad_a = torch.randn(seq_len, batch, hidden, dtype=F64, generator=gen)
    got = fn(h0.clone(), hs.clone(), grad_a.clone())
    if not_attempted(got):
        raise NotImplementedError
    prev = torch.cat([h0[None], hs[:-1]])  # h_{t-1} for every t: h0, h_0, ..., h_{T-2}
    # a_t = ... + h_{t-1} @ W_hh.T, so dL/dW_hh = sum_t dL/da_t.T @ h_{t-1}
    want = torch.einsum("tbi,tbj->ij", grad_a, prev)
    problem = _shape_problem(got, want, "(hidden_size, hidden_size), the shape of W_hh")
    if problem:
        return problem
    if _close(got, want):
        return None
    if _close(got, want.T):
        return "looks transposed: dL/dW_hh = dL/da_t.T @ h_{t-1} (rows are outputs, like W_hh)"
    if _close(got, torch.einsum("tbi,tbj->ij", grad_a, hs)):
        return "off by one step: W_hh multiplies the previous state h_{t-1}, not h_t"
    if _close(got, torch.einsum("tbi,tbj->ij", grad_a, hs.roll(1, dims=0))):
        return (
            "at t=0, hs[t-1] is hs[-1], the last state; use h0 "
            "(Python's index -1 counts from the end, it is not the state before step 0)"
        )
    if _close(got, torch.einsum("tbi,tbj->ij", grad_a[1:], prev[1:])):
        return "you skipped step 0: its previous state is h0, and it uses W_hh too"
    if _close(got, grad_a[-1].T @ prev[-1]):
        return "you kept only the last step: W_hh is shared by every step, so add every step's share"
    return "values differ from sum over t of dL/da_t.T @ h_{t-1}"


q3 = Exercise(
    name="09.3 dL/dW_hh through time",
    answer="grad_w_hh",
    checker=_check_grad_w_hh,
    hint_text=(
        "a_t contains h_{t-1} @ W_hh.T, so step t contributes dL/da_t.T @ h_{t-1}: "
        "(hidden, batch) @ (batch, hidden). The previous state of step 0 is h0, of step t it is "
        "hs[t - 1] (careful: at t=0, hs[t-1] is hs[-1], the LAST state). The same W_hh is used "
        "at every step: add all the contributions."
    ),
    solution_code='''
def grad_w_hh(h0, hs, grad_a):
    total = torch.zeros(hs.shape[2], hs.shape[2], dtype=hs.dtype)
    for t in range(hs.shape[0]):
        h_prev = h0 if t == 0 else hs[t - 1]     # (batch, hidden_size)
        total += grad_a[t].T @ h_prev            # (hidden, batch) @ (batch, hidden)
    return total
''',
    mistakes={
        "h_t instead of h_{t-1}": (
            '''
def grad_w_hh(h0, hs, grad_a):
    total = torch.zeros(hs.shape[2], hs.shape[2], dtype=hs.dtype)
    for t in range(hs.shape[0]):
        total += grad_a[t].T @ hs[t]
    return total
''',
            "off by one",
        ),
        "transposed": (
            '''
def grad_w_hh(h0, hs, grad_a):
    prev = torch.cat([h0[None], hs[:-1]])
    return sum(prev[t].T @ grad_a[t] for t in range(hs.shape[0]))
''',
            "transposed",
        ),
        "skipped step 0": (
            '''
def grad_w_hh(h0, hs, grad_a):
    return sum(grad_a[t].T @ hs[t - 1] for t in range(1, hs.shape[0]))
''',
            "skipped step 0",
        ),
        "hs[t - 1] at t=0": (
            '''
def grad_w_hh(h0, hs, grad_a):
    return sum(grad_a[t].T @ hs[t - 1] for t in range(hs.shape[0]))
''',
            "hs[-1], the last state",
        ),
    },
)


# --- 09.4 which steps a truncated window reaches -----------------------------------------


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
            got = _as_steps(fn(s, k))
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


q4 = Exercise(
    name="09.4 which steps a truncated window reaches",
    answer="reached_steps",
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
