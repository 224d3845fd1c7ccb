"""Exercises for notebook 11: training an RNN (a generation loop, a bidirectional head, the loss's slice)."""

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


# --- 11.1 generate: feed each prediction back in -------------------------------------------


def _generation_problem():
    """A small next-step model (an RNNWithHead on a time-first nn.RNN) and a prompt of noisy sines."""
    from ..training import RNNWithHead, noisy_sine

    torch.manual_seed(111)  # inside the checker's fork_rng: the learner's random state is left alone
    model = RNNWithHead(nn.RNN(1, 8, dtype=F64))
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(2.0)  # larger weights than the default init: every wrong variant differs clearly
    prompt, _ = noisy_sine(batch=3, seq_len=6, generator=torch.Generator().manual_seed(112))
    return model, prompt


def _generate(model, prompt, n_steps, *, carry_state=True, feed="prediction"):
    """The reference generation loop, and the ways it typically goes wrong (for the diagnosis)."""
    with torch.no_grad():
        output, h = model.rnn(prompt)
        point = model.head(output[-1:])
        points = [point]
        for _ in range(n_steps - 1):
            step_input = point if feed == "prediction" else prompt[-1:]
            output, h_new = model.rnn(step_input, h if carry_state else None)
            h = h_new
            point = model.head(output)
            points.append(point)
    return torch.cat(points)


def _check_generate(fn):
    model, prompt = _generation_problem()
    for n_steps in (5, 1):
        with torch.no_grad():
            got = fn(model, prompt.clone(), n_steps)
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, torch.Tensor):
            return f"return one tensor of shape (n_steps, batch, 1), got {type(got).__name__}"
        want = _generate(model, prompt, n_steps)
        batch = prompt.shape[1]
        shape = tuple(got.shape)
        if shape == (n_steps, batch, model.rnn.hidden_size):
            return f"your answer has shape {shape}: those are hidden states; pass each output through model.head"
        if shape == (prompt.shape[0] + n_steps - 1, batch, 1) and prompt.shape[0] > 1:
            return (
                f"your answer has shape {shape}: it includes the predictions made while reading the prompt; "
                f"return only the n_steps = {n_steps} new points, (n_steps, batch, 1)"
            )
        if shape != tuple(want.shape):
            return (
                f"with n_steps = {n_steps} your answer has shape {shape}, expected {tuple(want.shape)} "
                "= (n_steps, batch, 1)"
            )
        if _same(got, want):
            continue
        if _same(got, _generate(model, prompt, n_steps, carry_state=False)):
            return (
                "each step started from a zero state: pass the state along, output, h = model.rnn(point, h); "
                "without it the model forgets the prompt after one step"
            )
        if _same(got, _generate(model, prompt, n_steps, feed="prompt")):
            return "you fed the prompt's last point again and again; feed back each new prediction as the next input"
        if _same(got, torch.cat([prompt[-1:], want[:-1]])):
            return "off by one: the first generated point is the prediction AFTER the prompt's last point, not that point"
        return f"with n_steps = {n_steps} your points differ from the reference generation loop's"
    return None


q1 = Exercise(
    name="11.1 generate: feed each prediction back in",
    answer="generate",
    kind="function",
    checker=_check_generate,
    hint_text=(
        "RNNWithHead's forward returns only the prediction, so use its parts: output, h = model.rnn(prompt) "
        "reads the prompt and keeps the state h: (1, batch, hidden_size); model.head(output[-1:]) is the next "
        "point, (1, batch, 1). Then, n_steps - 1 times: output, h = model.rnn(point, h); point = "
        "model.head(output). Collect the points and torch.cat them along time."
    ),
    solution_code='''
def generate(model, prompt, n_steps):
    with torch.no_grad():                                   # we only look: no graph
        output, h = model.rnn(prompt)                       # read the prompt; h: (1, batch, hidden_size)
        point = model.head(output[-1:])                     # (1, batch, 1): the point after the prompt
        points = [point]
        for _ in range(n_steps - 1):
            output, h = model.rnn(point, h)                 # one step, from the carried state
            point = model.head(output)                      # (1, batch, 1)
            points.append(point)
    return torch.cat(points)                                # (n_steps, batch, 1)
''',
    mistakes={
        "state not carried": (
            """
def generate(model, prompt, n_steps):
    point = model(prompt)[-1:]
    points = [point]
    for _ in range(n_steps - 1):
        point = model(point)
        points.append(point)
    return torch.cat(points)
""",
            "zero state",
        ),
        "prompt fed again": (
            """
def generate(model, prompt, n_steps):
    output, h = model.rnn(prompt)
    points = [model.head(output[-1:])]
    for _ in range(n_steps - 1):
        output, h = model.rnn(prompt[-1:], h)
        points.append(model.head(output))
    return torch.cat(points)
""",
            "feed back each new prediction",
        ),
        "starts with the prompt's last point": (
            """
def generate(model, prompt, n_steps):
    output, h = model.rnn(prompt[:-1])
    point = prompt[-1:]
    points = []
    for _ in range(n_steps):
        points.append(point)
        output, h = model.rnn(point, h)
        point = model.head(output)
    return torch.cat(points)
""",
            "off by one",
        ),
        "hidden states, not points": (
            """
def generate(model, prompt, n_steps):
    output, h = model.rnn(prompt)
    outs = [output[-1:]]
    for _ in range(n_steps - 1):
        output, h = model.rnn(model.head(output[-1:]), h)
        outs.append(output)
    return torch.cat(outs)
""",
            "model.head",
        ),
    },
)


# --- 11.2 the head of a bidirectional classifier --------------------------------------------


def _check_head_input(fn):
    gen = torch.Generator().manual_seed(112)
    seq_len, batch, hidden = 6, 4, 5
    torch.manual_seed(112)  # inside the checker's fork_rng: the learner's random state is left alone
    rnn = nn.RNN(3, hidden, num_layers=2, bidirectional=True, dtype=F64)
    x = torch.randn(seq_len, batch, 3, dtype=F64, generator=gen)
    with torch.no_grad():
        output, h_n = rnn(x)
    got = fn(output.clone(), h_n.clone())
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    want = torch.cat([h_n[-2], h_n[-1]], dim=1)
    shape = tuple(got.shape)
    if shape == (batch, hidden):
        return (
            f"your answer has shape {shape} = (batch, hidden_size): one direction only. h_n[-1] is the top "
            "layer's REVERSE direction (the layout is [layer * 2 + direction]); put h_n[-2] (forward) beside it"
        )
    if shape == (2, batch, hidden):
        return f"your answer has shape {shape}: two states stacked; the head wants them side by side, torch.cat(..., dim=1)"
    if shape != (batch, 2 * hidden):
        return f"your answer has shape {shape}, expected {(batch, 2 * hidden)} = (batch, 2 * hidden_size)"
    if _same(got, want):
        return None
    if _same(got, output[-1]):
        return (
            "output[-1] holds the forward direction's final state, but its reverse half is the reverse "
            "direction's state after ONE step (it ran from t = T-1 down to 0): its final state is "
            "output[0, :, hidden_size:] = h_n[-1]"
        )
    if _same(got, torch.cat([h_n[-1], h_n[-2]], dim=1)):
        return "the two directions are swapped: forward first, reverse second, as in output"
    if _same(got, torch.cat([h_n[0], h_n[1]], dim=1)):
        return "those are layer 0's final states (the bottom layer); the top layer's are h_n[-2] and h_n[-1]"
    return "values differ from the top layer's final states side by side, torch.cat([h_n[-2], h_n[-1]], dim=1)"


q2 = Exercise(
    name="11.2 the head of a bidirectional classifier",
    answer="head_input",
    kind="function",
    checker=_check_head_input,
    hint_text=(
        "h_n is (num_layers * 2, batch, hidden_size), laid out [layer * 2 + direction] (notebook 06): the top "
        "layer's forward state is h_n[-2], its reverse state h_n[-1]. Side by side along the features: "
        "torch.cat([..., ...], dim=1). output[-1] will not do: its reverse half has seen one step only."
    ),
    solution_code='''
def head_input(output, h_n):
    return torch.cat([h_n[-2], h_n[-1]], dim=1)   # (batch, 2 * hidden_size): forward, then reverse
''',
    mistakes={
        "output[-1]": ("def head_input(output, h_n):\n    return output[-1]", "after one step"),
        "h_n[-1] only": ("def head_input(output, h_n):\n    return h_n[-1]", "one direction only"),
        "bottom layer": (
            "def head_input(output, h_n):\n    return torch.cat([h_n[0], h_n[1]], dim=1)",
            "bottom layer",
        ),
        "swapped": ("def head_input(output, h_n):\n    return torch.cat([h_n[-1], h_n[-2]], dim=1)", "swapped"),
        "stacked": ("def head_input(output, h_n):\n    return h_n[-2:]", "side by side"),
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
    kind="function",
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
