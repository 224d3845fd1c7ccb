"""Exercises for notebook 11: training an RNN (targets, the head's input, the loss's slice)."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64


def _same(a, b) -> bool:
    return isinstance(a, torch.Tensor) and a.shape == b.shape and torch.allclose(a.to(F64), b.to(F64), atol=1e-12, rtol=1e-12)


# --- 11.1 next-step inputs and targets ---------------------------------------------------


def _check_next_step_pairs(fn):
    gen = torch.Generator().manual_seed(111)
    series = torch.randn(8, 3, 1, dtype=F64, generator=gen)   # (seq_len + 1, batch, 1) = (8, 3, 1)
    got = fn(series.clone())
    if not_attempted(got):
        raise NotImplementedError
    if not (isinstance(got, tuple) and len(got) == 2):
        return "return a pair (inputs, targets)"
    inputs, targets = got
    if not_attempted(inputs) or not_attempted(targets):
        raise NotImplementedError
    want_x, want_y = series[:-1], series[1:]
    for name, t in [("inputs", inputs), ("targets", targets)]:
        if not isinstance(t, torch.Tensor):
            return f"{name}: expected a tensor, got {type(t).__name__}"
        if tuple(t.shape) == (8, 2, 1):
            return (
                f"{name} has shape (8, 2, 1): you sliced dimension 1, the batch; series is time first, "
                "(seq_len + 1, batch, 1), so slice dimension 0"
            )
        if tuple(t.shape) == (8, 3, 1):
            return (
                f"{name} has all seq_len + 1 = 8 points: each of inputs and targets must drop one end, "
                "leaving seq_len = 7 steps"
            )
        if tuple(t.shape) != (7, 3, 1):
            return f"{name} has shape {tuple(t.shape)}, expected (7, 3, 1) = (seq_len, batch, 1)"
    if _same(inputs, want_x) and _same(targets, want_y):
        return None
    if _same(inputs, targets):
        return (
            "your targets equal your inputs (no shift): the model would learn to copy x_t, and its loss "
            "would look perfect while it learns nothing about what comes next"
        )
    if _same(inputs, want_y) and _same(targets, want_x):
        return "inputs and targets are swapped: that asks the model for the point *before* the one it reads"
    return "at every step t the target must be the point right after the input: targets[t] == inputs[t + 1]"


q1 = Exercise(
    name="11.1 next-step pairs",
    answer="next_step_pairs",
    checker=_check_next_step_pairs,
    hint_text=(
        "Time is dimension 0. The inputs are every point but the last (nothing comes after it to "
        "predict); the targets are every point but the first (nothing comes before it to predict from)."
    ),
    solution_code='''
def next_step_pairs(series):
    return series[:-1], series[1:]   # inputs s_0..s_{T-1}, targets s_1..s_T
''',
    mistakes={
        "no shift": ("def next_step_pairs(series):\n    return series[:-1], series[:-1]", "no shift"),
        "swapped": ("def next_step_pairs(series):\n    return series[1:], series[:-1]", "swapped"),
        "batch dimension": (
            "def next_step_pairs(series):\n    return series[:, :-1], series[:, 1:]",
            "time first",
        ),
    },
)


# --- 11.2 what goes into a one-prediction-per-sequence head --------------------------------


def _check_head_input(fn):
    gen = torch.Generator().manual_seed(112)
    seq_len, batch, hidden = 6, 4, 5
    torch_state = torch.get_rng_state()
    torch.manual_seed(112)
    rnn = nn.RNN(3, hidden, num_layers=2, dtype=F64)
    torch.set_rng_state(torch_state)  # leave the learner's random stream as it was
    x = torch.randn(seq_len, batch, 3, dtype=F64, generator=gen)
    with torch.no_grad():
        output, h_n = rnn(x)
    got = fn(output.clone(), h_n.clone())
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    want = h_n[-1]
    if tuple(got.shape) == (2, batch, hidden) or tuple(got.shape) == (1, batch, hidden):
        return (
            f"your answer has shape {tuple(got.shape)}: it keeps h_n's layer dimension, (num_layers, batch, "
            "hidden_size). The head would then predict (layers, batch, 1), which mse_loss quietly broadcasts "
            "against (batch, 1) targets. Pick the top layer with h_n[-1]"
        )
    if tuple(got.shape) == (seq_len, hidden):
        return (
            f"your answer has shape {tuple(got.shape)} = (seq_len, hidden_size): output is time first, "
            "(seq_len, batch, hidden_size), so output[:, -1] is the last *sequence* of the batch at every step"
        )
    if tuple(got.shape) != (batch, hidden):
        return f"your answer has shape {tuple(got.shape)}, expected {(batch, hidden)} = (batch, hidden_size)"
    if _same(got, want):
        return None
    if _same(got, h_n[0]):
        return "that is h_n[0], the bottom layer's final state; the head reads the top layer, h_n[-1]"
    if _same(got, output[0]):
        return "that is output[0], the first time step: the state after a single input; the last step is output[-1]"
    return "values differ from the top layer's final state, h_n[-1]"


q2 = Exercise(
    name="11.2 the head's input",
    answer="head_input",
    checker=_check_head_input,
    hint_text=(
        "h_n is (num_layers, batch, hidden_size): one final state per layer. The head wants one "
        "(batch, hidden_size) matrix, the top layer's: index the layer dimension with -1."
    ),
    solution_code='''
def head_input(output, h_n):
    return h_n[-1]   # (batch, hidden_size): the top layer's final state (== output[-1] here)
''',
    mistakes={
        "all of h_n": ("def head_input(output, h_n):\n    return h_n", "h_n[-1]"),
        "bottom layer": ("def head_input(output, h_n):\n    return h_n[0]", "bottom layer"),
        "batch index": ("def head_input(output, h_n):\n    return output[:, -1]", "time first"),
        "first step": ("def head_input(output, h_n):\n    return output[0]", "first time step"),
    },
)


# --- 11.3 the loss on the steps that have a target ----------------------------------------


def _as_float(value) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach())
    if isinstance(value, (int, float)):
        return float(value)
    return None


EMPTY_SLICE = "x[:-0] == x[:0], an empty slice; write x[:len(x) - k] (or x[:x.shape[0] - k]) instead"


def _check_echo_loss(fn):
    gen = torch.Generator().manual_seed(113)
    seq_len, batch = 6, 3
    for k in [2, 0, 1, 5, 3]:  # a typical delay first, then the edges
        prediction = torch.randn(seq_len, batch, 1, dtype=F64, generator=gen)
        x = torch.randn(seq_len, batch, 1, dtype=F64, generator=gen)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty slice makes mse_loss warn; we explain it instead
            try:
                got = fn(prediction.clone(), x.clone(), k)
            except Exception as exc:
                if k != 0:
                    raise
                return (
                    f"for k = 0 your code raised {type(exc).__name__}: {exc}. If you wrote x[:-k]: with k = 0 "
                    f"that is {EMPTY_SLICE}"
                )
            want = F.mse_loss(prediction[k:], x[: seq_len - k]).item()
            no_lag = F.mse_loss(prediction[k:], x[k:]).item()
            future = F.mse_loss(prediction[: seq_len - k], x[k:]).item()
            rolled = F.mse_loss(prediction, x.roll(k, dims=0)).item()
        if not_attempted(got):
            raise NotImplementedError
        value = _as_float(got)
        if value is None:
            return f"return the loss as a single number (a 0-d tensor), got {type(got).__name__}"
        if math.isclose(value, want, rel_tol=1e-10, abs_tol=1e-12):
            continue
        if k == 0 and math.isnan(value):
            return f"for k = 0 your loss is nan. If you wrote x[:-k]: with k = 0 that is {EMPTY_SLICE}"
        if math.isclose(value, no_lag, rel_tol=1e-10):
            return f"for k = {k} you compared prediction[t] with x[t]: the target must lag k steps behind, x[t - k]"
        if math.isclose(value, future, rel_tol=1e-10):
            return f"for k = {k} you paired prediction[t] with x[t + k], the future; the target is x[t - k]"
        if math.isclose(value, rolled, rel_tol=1e-10):
            return (
                f"for k = {k}: roll wraps the last k inputs around to the first k steps, which have no "
                "target; drop those steps instead"
            )
        return f"for k = {k} the loss differs from the mean squared error of prediction[k:] against x[:seq_len - k]"
    return None


q3 = Exercise(
    name="11.3 the loss on the right slice",
    answer="echo_loss",
    checker=_check_echo_loss,
    hint_text=(
        "Steps t = k .. seq_len-1 have a target, x[t - k]: that is prediction[k:] against the first "
        "seq_len - k inputs. Careful with k = 0: x[:-0] is empty."
    ),
    solution_code='''
def echo_loss(prediction, x, k):
    seq_len = x.shape[0]
    return F.mse_loss(prediction[k:], x[:seq_len - k])   # step t (t >= k) against x[t - k]
''',
    mistakes={
        "no lag": ("def echo_loss(prediction, x, k):\n    return F.mse_loss(prediction[k:], x[k:])", "lag"),
        "x[:-k]": ("def echo_loss(prediction, x, k):\n    return F.mse_loss(prediction[k:], x[:-k])", "k = 0"),
        "roll": (
            "def echo_loss(prediction, x, k):\n    return F.mse_loss(prediction, x.roll(k, dims=0))",
            "wraps",
        ),
        "wrong direction": (
            "def echo_loss(prediction, x, k):\n    return F.mse_loss(prediction[:len(x) - k], x[k:])",
            "future",
        ),
    },
)
