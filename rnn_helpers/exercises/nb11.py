"""Exercises for notebook 11: training an RNN (a generation loop, SGD with momentum, the loss's slice)."""

from __future__ import annotations

import copy
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


# --- 11.2 SGD with momentum, by hand ------------------------------------------------------------

MOMENTUM_STEPS = 4


def _momentum_problem():
    """A small next-step model, its twin, and a few batches of noisy sines (float64)."""
    from ..training import RNNWithHead, noisy_sine

    torch.manual_seed(121)  # inside the checker's fork_rng: the learner's random state is left alone
    model = RNNWithHead(nn.RNN(1, 6, dtype=F64))
    data = torch.Generator().manual_seed(122)
    batches = []
    for _ in range(MOMENTUM_STEPS):
        series, _ = noisy_sine(batch=4, seq_len=8, generator=data)
        batches.append((series[:-1], series[1:]))
    return model, batches


def _momentum_run(model, batches, step):
    """Train with ``step(parameters)`` after each backward pass; the parameters after every step."""
    parameters = list(model.parameters())
    history = []
    for x, y in batches:
        model.zero_grad()
        F.mse_loss(model(x), y).backward()
        step(parameters)
        history.append(torch.cat([p.detach().flatten().clone() for p in parameters]))
    return history


def _momentum_variant(kind: str, lr: float, momentum: float):
    """A step function: ``"sgd"``, torch.optim.SGD(lr, momentum)'s update (dampening 0, no Nesterov), or one
    with a typical slip: ``"plain"``, ``"ema"``, ``"nesterov"``, ``"old buffer"`` (for the diagnosis)."""
    buffers: dict[int, torch.Tensor] = {}

    def step(parameters):
        with torch.no_grad():
            for i, p in enumerate(parameters):
                g = p.grad
                old = buffers.get(i)
                if kind == "plain":
                    new = g
                elif kind == "ema":
                    new = (1 - momentum) * g if old is None else momentum * old + (1 - momentum) * g
                else:
                    new = g.clone() if old is None else momentum * old + g
                buffers[i] = new
                if kind == "nesterov":
                    p -= lr * (g + momentum * new)
                elif kind == "old buffer":
                    p -= lr * (g if old is None else old)
                else:
                    p -= lr * new

    return step


MOMENTUM_SLIPS = (
    ("plain", (
        "that is plain gradient descent: momentum keeps a velocity per parameter, buf = momentum * buf + grad, "
        "carried from step to step (return it), and the step is p -= lr * buf"
    )),
    ("ema", (
        "that is an average, buf = momentum * buf + (1 - momentum) * grad; PyTorch's SGD adds the whole "
        "gradient (dampening=0): buf = momentum * buf + grad, and buf = grad at the first step"
    )),
    ("nesterov", "that is Nesterov momentum (nesterov=True): plain momentum steps along buf itself, p -= lr * buf"),
    ("old buffer", "you stepped along last step's buffer: update buf first, then p -= lr * buf with the new one"),
)


def _check_momentum_step(fn):
    lr, momentum = 0.1, 0.9
    model, batches = _momentum_problem()
    # torch.optim.SGD's update, written out (its first step() imports torch._dynamo, seconds on a laptop;
    # tests/test_exercises_nb09_11.py proves this reference equal to torch.optim.SGD)
    want = _momentum_run(copy.deepcopy(model), batches, _momentum_variant("sgd", lr, momentum))

    state = {"buffers": [None] * len(list(model.parameters())), "problem": None}

    def learner_step(parameters):
        if state["problem"]:
            return
        try:
            result = fn(parameters, list(state["buffers"]), lr, momentum)
        except RuntimeError as exc:
            if "leaf Variable" in str(exc) or "requires grad" in str(exc):
                state["problem"] = (
                    "your update ran while autograd was recording: change the parameters inside "
                    "`with torch.no_grad():` (section 3, line 5)"
                )
                return
            raise
        if not_attempted(result):
            raise NotImplementedError
        if not isinstance(result, (list, tuple)) or len(result) != len(parameters):
            state["problem"] = (
                f"return the new buffers: a list with one tensor per parameter ({len(parameters)} here), "
                f"got {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, (list, tuple)) else "")
            )
            return
        if not all(isinstance(b, torch.Tensor) and b.shape == p.shape for b, p in zip(result, parameters)):
            state["problem"] = "each buffer is a tensor of its parameter's shape (the velocity of that parameter)"
            return
        state["buffers"] = list(result)

    got = _momentum_run(model, batches, learner_step)
    if state["problem"]:
        return state["problem"]
    wrong = [k for k in range(len(want)) if not torch.allclose(got[k], want[k], rtol=1e-10, atol=1e-12)]
    if not wrong:
        return None
    for kind, message in MOMENTUM_SLIPS:
        variant = copy.deepcopy(_momentum_problem()[0])
        if all(torch.allclose(a, b, rtol=1e-10, atol=1e-12)
               for a, b in zip(got, _momentum_run(variant, batches, _momentum_variant(kind, lr, momentum)))):
            return f"after step {wrong[0] + 1} the parameters differ from torch.optim.SGD(momentum=0.9)'s: {message}"
    return f"after step {wrong[0] + 1} the parameters differ from torch.optim.SGD(..., momentum=0.9)'s"


q2 = Exercise(
    name="11.2 SGD with momentum, by hand",
    answer="momentum_step",
    kind="function",
    checker=_check_momentum_step,
    hint_text=(
        "For each parameter p (with its buffer buf): the first time (buf is None) buf = p.grad.clone(), "
        "afterwards buf = momentum * buf + p.grad; then p -= lr * buf, inside torch.no_grad() as in section 3. "
        "Collect the new buffers in a list and return it: the next step starts from them."
    ),
    solution_code='''
def momentum_step(parameters, buffers, lr, momentum):
    new_buffers = []
    with torch.no_grad():                                  # the update is not part of any graph
        for p, buf in zip(parameters, buffers):
            if buf is None:
                buf = p.grad.clone()                       # the first step: the velocity is the gradient
            else:
                buf = momentum * buf + p.grad              # keep most of the old velocity, add the gradient
            p -= lr * buf                                  # step along the velocity
            new_buffers.append(buf)
    return new_buffers
''',
    mistakes={
        "no velocity": (
            '''
def momentum_step(parameters, buffers, lr, momentum):
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad
    return [p.grad.clone() for p in parameters]
''',
            "plain gradient descent",
        ),
        "an average": (
            '''
def momentum_step(parameters, buffers, lr, momentum):
    new_buffers = []
    with torch.no_grad():
        for p, buf in zip(parameters, buffers):
            buf = torch.zeros_like(p) if buf is None else buf
            buf = momentum * buf + (1 - momentum) * p.grad
            p -= lr * buf
            new_buffers.append(buf)
    return new_buffers
''',
            "adds the whole gradient",
        ),
        "nesterov": (
            '''
def momentum_step(parameters, buffers, lr, momentum):
    new_buffers = []
    with torch.no_grad():
        for p, buf in zip(parameters, buffers):
            buf = p.grad.clone() if buf is None else momentum * buf + p.grad
            p -= lr * (p.grad + momentum * buf)
            new_buffers.append(buf)
    return new_buffers
''',
            "nesterov",
        ),
        "without no_grad": (
            '''
def momentum_step(parameters, buffers, lr, momentum):
    new_buffers = []
    for p, buf in zip(parameters, buffers):
        buf = p.grad.clone() if buf is None else momentum * buf + p.grad
        p -= lr * buf
        new_buffers.append(buf)
    return new_buffers
''',
            "torch.no_grad()",
        ),
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
        kept = (seq_len - k) * batch
        if k > 0 and math.isclose(value, want * kept / prediction.numel(), rel_tol=1e-10):
            return (
                f"for k = {k} you divided by all seq_len * batch = {prediction.numel()} predictions; only the "
                f"(seq_len - k) * batch = {kept} that have a target count: take the mean over those"
            )
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
        "divided by every step": (
            "def echo_loss(prediction, x, k):\n"
            "    return ((prediction[k:] - x[:len(x) - k]) ** 2).sum() / prediction.numel()",
            "divided by all",
        ),
        "wrong direction": (
            "def echo_loss(prediction, x, k):\n    return F.mse_loss(prediction[:len(x) - k], x[k:])",
            "future",
        ),
    },
)
