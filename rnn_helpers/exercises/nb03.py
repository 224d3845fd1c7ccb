"""Exercises of notebook 03: unroll the cell over a sequence; output vs h_n with batch_first; shapes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from .. import functional, fused, get_layer_weights
from ._core import Exercise, not_attempted

_REFUSED = "write the loop yourself"


def _refuse(*args, **kwargs):
    raise RuntimeError("write the loop yourself: calling rnn(x) is not allowed in this exercise")


def _refuse_package(*args, **kwargs):
    # runs with the globals of the function it replaces: only builtins and literals here
    raise RuntimeError(
        "write the loop yourself: rnn_helpers' rnn_layer / rnn_forward do the whole loop, so they are "
        "off limits in this exercise (rnn_cell for one step is fine)"
    )


@contextmanager
def _package_loops_refused() -> Iterator[None]:
    """Make the package's whole-layer functions raise while a learner's answer runs.

    The code object is swapped (and restored), so every name bound to them refuses too,
    e.g. ``rnn_layer`` imported into the notebook by ``from rnn_helpers import rnn_layer``.
    """
    targets = [functional.rnn_layer, functional.rnn_forward, fused.rnn_layer_concat, fused.rnn_layer_hoisted]
    saved = [f.__code__ for f in targets]
    try:
        for f in targets:
            f.__code__ = _refuse_package.__code__
        yield
    finally:
        for f, code in zip(targets, saved):
            f.__code__ = code


def _unroll_variants(x: torch.Tensor, rnn: nn.RNN) -> dict[str, torch.Tensor]:
    """Outputs of the typical wrong loops, each (seq_len, batch, hidden_size), to name a learner's mistake."""
    w_ih, w_hh, b_ih, b_hh = get_layer_weights(rnn)
    h0 = torch.zeros(x.shape[1], w_ih.shape[0], dtype=x.dtype)

    def loop(carry=True, use_b_ih=True, use_b_hh=True, w_hh_t=True, shifted=False, tanh=True):
        h, states = h0, []
        for x_t in x:
            h_prev = h if carry else h0
            new = x_t @ w_ih.T + h_prev @ (w_hh.T if w_hh_t else w_hh)
            new = new + (b_ih if use_b_ih else 0) + (b_hh if use_b_hh else 0)
            if shifted:
                states.append(h)  # appended before the update: h0 in, last state out
            h = torch.tanh(new) if tanh else new
            if not shifted:
                states.append(h)
        return torch.stack(states)

    return {
        "no tanh": loop(tanh=False),
        "not carried": loop(carry=False),
        "no b_hh": loop(use_b_hh=False),
        "no b_ih": loop(use_b_ih=False),
        "no bias": loop(use_b_ih=False, use_b_hh=False),
        "w_hh untransposed": loop(w_hh_t=False),
        "shifted": loop(shifted=True),
    }


_UNROLL_FEEDBACK = {
    "no tanh": "you forgot the tanh: h = torch.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)",
    "not carried": "the hidden state is not carried over: every step must use the h computed at the "
    "step before (h = tanh(... + h @ w_hh.T + ...)), not h0 again",
    "no b_hh": "missing bias: you left out b_hh (bias_hh_l0); nn.RNN adds both b_ih and b_hh",
    "no b_ih": "missing bias: you left out b_ih (bias_ih_l0); nn.RNN adds both b_ih and b_hh",
    "no bias": "missing bias: nn.RNN adds both b_ih and b_hh at every step",
    "w_hh untransposed": "h @ w_hh should be h @ w_hh.T: rows of weight_hh_l0 are outputs (PyTorch's layout)",
    "shifted": "your output is shifted by one step (output[0] is h0): append h after computing it, not before",
}


_STEP_IS_X_T = (
    "x is sequence-first: step t is x[t] (or `for x_t in x`); x[:, t] is sequence t of the batch, all its steps"
)


def _reads_x_batch_first(fn) -> bool:
    """Does ``fn`` step through x[:, t]? Run it where seq_len == batch, so that mistake cannot crash."""
    torch.manual_seed(124)
    rnn = nn.RNN(3, 4)
    x = torch.randn(3, 3, 3)  # (seq_len, batch, input_size) with seq_len == batch
    mixed_up, _ = rnn(x.transpose(0, 1))  # what a loop over x[:, t] computes
    rnn.forward = _refuse
    try:
        got = fn(x, rnn)
    except Exception:
        return False
    return (
        isinstance(got, torch.Tensor)
        and got.shape == mixed_up.shape
        and torch.allclose(got.to(mixed_up.dtype), mixed_up, atol=1e-5, rtol=1e-5)
    )


def _check_unroll(fn) -> str | None:
    with torch.random.fork_rng(), torch.no_grad(), _package_loops_refused():  # leave the notebook's RNG alone
        torch.manual_seed(123)
        # float32, the default: a learner's torch.zeros(batch, hidden_size) then has the right dtype
        rnn = nn.RNN(3, 4)
        x = torch.randn(6, 2, 3)  # (seq_len, batch, input_size)
        want, _ = rnn(x)
        mixed_up, _ = rnn(x.transpose(0, 1))  # a loop over x[:, t]: (batch, seq_len, hidden) here
        rnn.forward = _refuse  # the learner writes the loop; nn.RNN's own forward is off limits
        try:
            got = fn(x, rnn)
        except Exception as exc:
            if str(exc).startswith(_REFUSED):
                return str(exc)
            if _reads_x_batch_first(fn):  # x[:, t] crashes on this x: (seq_len, input) rows meet (batch, hidden)
                return _STEP_IS_X_T
            raise
        if not_attempted(got):
            raise NotImplementedError
        seq_len, batch, hidden = tuple(want.shape)
        if isinstance(got, (list, tuple)):
            if len(got) == 2 and all(isinstance(g, torch.Tensor) for g in got) and got[0].dim() >= 3:
                return (
                    "return only output, like rnn(x)[0]: your function returns a pair (output, h); "
                    "h_n is not part of this answer"
                )
            return (
                f"you returned a {type(got).__name__}; stack the states into one tensor with "
                "torch.stack(states), shape (seq_len, batch, hidden_size)"
            )
        if not isinstance(got, torch.Tensor):
            return f"expected a tensor, got {type(got).__name__}"
        shape, expected = tuple(got.shape), tuple(want.shape)
        if shape == (seq_len, 1, batch, hidden):
            return (
                f"your output has shape {shape}: your h has a layer axis. One layer's loop needs no "
                "layer axis (that is nn.RNN's h0 layout): use h = torch.zeros(batch, hidden_size)"
            )
        if shape in {(batch, hidden), (1, batch, hidden)}:
            return (
                f"your output has shape {shape}: you kept only the last step. Append h at every step "
                f"and stack: expected {expected} = (seq_len, batch, hidden_size)"
            )
        if shape == tuple(mixed_up.shape):
            if torch.allclose(got.to(want.dtype), mixed_up, atol=1e-5, rtol=1e-5):
                return _STEP_IS_X_T
            return f"your output has shape {shape} = (batch, seq_len, hidden): x and output are seq-first here"
        if shape != expected:
            return f"your output has shape {shape}, expected {expected} = (seq_len, batch, hidden_size)"
        # float32 (eps 1.2e-7), a few steps: a correct loop is within ~1e-6; every mistake below moves >1e-2
        got = got.to(want.dtype)
        if torch.allclose(got, want, atol=1e-5, rtol=1e-5):
            return None
        for label, wrong in _unroll_variants(x, rnn).items():
            if torch.allclose(got, wrong, atol=1e-5, rtol=1e-5):
                return _UNROLL_FEEDBACK[label]
        if torch.allclose(got[-1], want[-1], atol=1e-5, rtol=1e-5):
            return "the last step is right but earlier ones differ: store the state of every step"
        return (
            "values differ from nn.RNN. Each step: h = tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh), "
            "starting from h = zeros(batch, hidden_size); stack every h"
        )


q1 = Exercise(
    name="03.1 unroll over time",
    answer="unroll",
    checker=_check_unroll,
    hint_text=(
        "Start from h = torch.zeros(batch, hidden_size): no layer axis. x is sequence-first, so step t is "
        "x[t]; `for x_t in x` walks the time axis. Each step computes "
        "h = torch.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh) with the SAME h you just updated; append "
        "it to a list, and return torch.stack(list) alone (output only, no h_n). The weights are "
        "rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0."
    ),
    solution_code='''
def unroll(x, rnn):
    w_ih, w_hh = rnn.weight_ih_l0, rnn.weight_hh_l0   # (hidden, input), (hidden, hidden)
    b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0       # (hidden,) each
    h = torch.zeros(x.shape[1], rnn.hidden_size, dtype=x.dtype)  # (batch, hidden)
    states = []
    for x_t in x:                                     # x_t: (batch, input)
        h = torch.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        states.append(h)
    return torch.stack(states)                        # (seq_len, batch, hidden)
''',
    mistakes={
        "forgot to carry h": (
            '''
def unroll(x, rnn):
    h0 = torch.zeros(x.shape[1], rnn.hidden_size, dtype=x.dtype)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h0 @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)
''',
            "not carried",
        ),
        "kept only the last step": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size, dtype=x.dtype)
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
    return h
''',
            "only the last step",
        ),
        "missing b_hh": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size, dtype=x.dtype)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T)
        states.append(h)
    return torch.stack(states)
''',
            "b_hh",
        ),
        "returned the list": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size, dtype=x.dtype)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        states.append(h)
    return states
''',
            "torch.stack",
        ),
        "w_hh not transposed": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0 + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)
''',
            "w_hh.T",
        ),
        "appended before the update": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    states = []
    for x_t in x:
        states.append(h)
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
    return torch.stack(states)
''',
            "shifted by one step",
        ),
        "called nn.RNN": ("def unroll(x, rnn):\n    return rnn(x)[0]\n", "write the loop yourself"),
        "stepped through x[:, t] (sequence-first input)": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    states = []
    for t in range(x.shape[0]):
        x_t = x[:, t]
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)
''',
            "step t is x[t]",
        ),
        "returned (output, h_n)": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states), h
''',
            "return only output, like rnn(x)[0]",
        ),
        "h with a layer axis, like nn.RNN's h0": (
            '''
def unroll(x, rnn):
    h = torch.zeros(1, x.shape[1], rnn.hidden_size)
    states = []
    for x_t in x:
        h = torch.tanh(x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)
''',
            "your h has a layer axis",
        ),
        "forgot tanh": (
            '''
def unroll(x, rnn):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    states = []
    for x_t in x:
        h = x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
        states.append(h)
    return torch.stack(states)
''',
            "forgot the tanh",
        ),
        "called rnn_helpers.rnn_layer": (
            '''
def unroll(x, rnn):
    from rnn_helpers import get_layer_weights, rnn_layer
    return rnn_layer(x, None, *get_layer_weights(rnn))[0]
''',
            "write the loop yourself",
        ),
        "called rnn_helpers.rnn_forward": (
            '''
def unroll(x, rnn):
    import rnn_helpers
    return rnn_helpers.rnn_forward(x, rnn_helpers.get_weights(rnn))[0]
''',
            "write the loop yourself",
        ),
    },
)


def _check_last_state(fn) -> str | None:
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(7)
        for batch, seq_len in ((2, 5), (3, 3)):  # the second: output[-1] has h_n[-1]'s shape, by accident
            rnn = nn.RNN(3, 4, batch_first=True, dtype=torch.float64)
            x = torch.randn(batch, seq_len, 3, dtype=torch.float64)  # (batch, seq_len, input_size)
            output, h_n = rnn(x)  # output: (batch, seq_len, hidden); h_n: (1, batch, hidden)
            got = fn(output.clone())
            if not_attempted(got):
                raise NotImplementedError
            if not isinstance(got, torch.Tensor):
                return f"expected a tensor (a slice of output), got {type(got).__name__}"
            want = h_n[-1]
            if tuple(got.shape) == tuple(output[:, -1:].shape) and torch.equal(got, output[:, -1:]):
                return (
                    f"right values, but shape {tuple(got.shape)}: index the time axis with an integer "
                    f"(-1), not a slice (-1:), to get (batch, hidden_size) = {tuple(want.shape)} like h_n[-1]"
                )
            if tuple(got.shape) == tuple(output[-1].shape) and torch.equal(got, output[-1]):
                return (
                    "output[-1] is the last SEQUENCE of the batch (all its steps), not the last step: "
                    "with batch_first=True the time axis is dim 1"
                )
            if tuple(got.shape) == tuple(output[:, 0].shape) and torch.equal(got, output[:, 0]):
                return "output[:, 0] is the FIRST step; h_n holds the state after the LAST step"
            if tuple(got.shape) != tuple(want.shape):
                return f"your slice has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, hidden_size)"
            if not torch.equal(got, want):
                return "your slice has the right shape but other values: which step is the last one?"
    return None


q2 = Exercise(
    name="03.2 output vs h_n with batch_first",
    answer="last_state",
    checker=_check_last_state,
    hint_text=(
        "With batch_first=True, output is (batch, seq_len, hidden_size): time is dim 1. h_n is never "
        "batch-first: h_n[-1] is (batch, hidden_size). Keep every batch row, take the last time step."
    ),
    solution_code='''
def last_state(output):
    # output: (batch, seq_len, hidden_size) -> (batch, hidden_size), equal to h_n[-1]
    return output[:, -1]
''',
    mistakes={
        "output[-1]": ("def last_state(output):\n    return output[-1]\n", "time axis is dim 1"),
        "slice keeps the time axis": ("def last_state(output):\n    return output[:, -1:]\n", "not a slice"),
        "first step": ("def last_state(output):\n    return output[:, 0]\n", "FIRST step"),
    },
)

# 03.3: nn.RNN(input_size=7, hidden_size=5, num_layers=2, batch_first=True) on x of shape (4, 9, 7)
_BATCH, _SEQ, _INPUT, _HIDDEN, _LAYERS = 4, 9, 7, 5, 2


def _as_shape(value) -> tuple[int, ...] | None:
    try:
        return tuple(int(d) for d in value)
    except (TypeError, ValueError):
        return None


def _check_shapes(answer) -> str | None:
    if not_attempted(answer):
        raise NotImplementedError
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "expected a pair: shapes = (output_shape, h_n_shape), e.g. ((1, 2, 3), (4, 5, 6))"
    out, hn = (_as_shape(a) for a in answer)
    if out is None or hn is None or Ellipsis in answer:
        return "each shape must be a tuple of integers, e.g. (1, 2, 3)"
    want_out, want_hn = (_BATCH, _SEQ, _HIDDEN), (_LAYERS, _BATCH, _HIDDEN)
    if out != want_out:
        if out == (_SEQ, _BATCH, _HIDDEN):
            return "output follows batch_first=True: (batch, seq_len, hidden_size), not seq-first"
        if len(out) == 3 and out[:2] == want_out[:2] and out[2] == _INPUT:
            return "the last dim of output is hidden_size (the state), not input_size"
        if len(out) == 3 and out[:2] == want_out[:2] and out[2] == _LAYERS * _HIDDEN:
            return "output holds only the TOP layer's state at every step: its last dim is hidden_size"
        if len(out) == 4:
            return "output has no layer axis: it holds only the top layer, (batch, seq_len, hidden_size)"
        return f"output_shape {out} is not right: batch_first=True, so (batch, seq_len, hidden_size)"
    if hn != want_hn:
        if hn == (_BATCH, _LAYERS, _HIDDEN):
            return "h_n is never batch-first, even with batch_first=True: (num_layers, batch, hidden_size)"
        if len(hn) == 3 and hn[1:] == want_hn[1:] and hn[0] == 1:
            return "h_n holds the last state of EVERY layer: its first dim is num_layers = 2"
        if len(hn) == 2:
            return "h_n keeps a layer axis even for one layer: (num_layers * num_directions, batch, hidden_size)"
        if len(hn) == 3 and hn[1] == _SEQ:
            return "h_n has no time axis: its middle dim is batch"
        return f"h_n_shape {hn} is not right: (num_layers * num_directions, batch, hidden_size)"
    return None


q3 = Exercise(
    name="03.3 shapes of output and h_n",
    answer="shapes",
    checker=_check_shapes,
    hint_text=(
        "batch_first=True changes the layout of x and output only: output is (batch, seq_len, hidden_size). "
        "h_n is always (num_layers * num_directions, batch, hidden_size), one row per layer."
    ),
    solution_code='''
# rnn = nn.RNN(input_size=7, hidden_size=5, num_layers=2, batch_first=True); x: (4, 9, 7)
shapes = ((4, 9, 5), (2, 4, 5))   # output: (batch, seq_len, hidden); h_n: (num_layers, batch, hidden)
''',
    mistakes={
        "h_n batch-first": ("shapes = ((4, 9, 5), (4, 2, 5))\n", "never batch-first"),
        "output seq-first": ("shapes = ((9, 4, 5), (2, 4, 5))\n", "batch_first=True"),
        "h_n with one layer": ("shapes = ((4, 9, 5), (1, 4, 5))\n", "every layer"),
        "output's last dim is input_size": ("shapes = ((4, 9, 7), (2, 4, 5))\n", "hidden_size"),
    },
)
