"""Exercises of notebook 04 (stacked layers): a time-outer stack with dropout; a lower layer's state at an earlier step;
the parameter count of a stacked, bidirectional RNN."""

from __future__ import annotations

from unittest import mock

import torch
from torch import nn

from .. import get_weights, rnn_cell, rnn_layer
from .._checks import fmt_shape
from ._core import Exercise, not_attempted

# ---------------------------------------------------------------------------------------------
# 04.1  A time-outer stack with dropout between layers
# ---------------------------------------------------------------------------------------------
# The notebook shows dropout in the layer-outer loop and the time-outer loop without dropout;
# the learner puts the two together. The checker hands in its own `drop`: a fixed, known mask,
# so every placement of the dropout (right or wrong) gives numbers it can name.


class _CountingDrop:
    """A stand-in for ``F.dropout(h, p, training=True)``: a fixed mask of zeros and 1/(1-p) = 2.

    The mask depends only on the position of each entry, so the result does not depend on the
    order of the calls; ``calls`` counts them.
    """

    def __init__(self, active: bool = True):
        self.active = active
        self.calls = 0

    def __call__(self, h):
        self.calls += 1
        if not isinstance(h, torch.Tensor):
            raise TypeError(f"drop expects a tensor, got {type(h).__name__}")
        if not self.active:
            return h
        keep = (torch.arange(h.numel()).reshape(h.shape) * 7 % 5) >= 2  # 3 of every 5 entries kept
        return h * keep.to(h.dtype) * 2.0


def _time_outer(x, weights, h0, drop, *, recurrent=False, top=False, on_x=False, h_n_dropped=False):
    """The time-outer stack with dropout placed right (all flags False) or in a typical wrong place.

    recurrent: the dropped state is also carried to the layer's next step.
    top: the top layer's output is dropped too.
    on_x: off by one layer: the INPUT of layers 0 .. L-2 is dropped (x included), the top reads undropped.
    h_n_dropped: h_n collects the dropped states.
    """
    h = list(h0)
    kept = list(h0)  # what h_n holds
    outputs = []
    last = len(weights) - 1
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            if on_x and l < last:
                layer_input = drop(layer_input)
            new = rnn_cell(layer_input, h[l], *w)
            dropped = drop(new) if (not on_x and (l < last or top)) else new
            h[l] = dropped if recurrent else new
            kept[l] = dropped if (h_n_dropped or recurrent) else new
            layer_input = dropped
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(kept)


_DROPOUT_FEEDBACK = {
    "recurrent": (
        "dropout hit the recurrent path: the state a layer carries to its own next step (h[l]) must stay "
        "undropped. Drop only the copy the layer above reads: layer_input = drop(h[l]), h[l] unchanged"
    ),
    "top": "the top layer's output is never dropped: nn.RNN drops between layers only, layers 0 .. L-2",
    "on_x": "nn.RNN never drops its input x: dropout sits between layers, on the output of layers 0 .. L-2 "
    "(what layers 1 .. L-1 read)",
    "h_n_dropped": "h_n holds each layer's state from before dropout: dropout changes what the layer above reads, "
    "not what the layer computed",
}


def _check_one_dropout_stack(fn, input_size, hidden_size, num_layers, batch, seq_len) -> str | None:
    rnn = nn.RNN(input_size, hidden_size, num_layers, dtype=torch.float64)
    weights = get_weights(rnn)
    x = torch.randn(seq_len, batch, input_size, dtype=torch.float64)
    h0 = torch.randn(num_layers, batch, hidden_size, dtype=torch.float64)
    # 1. with a drop that changes nothing, the stack is nn.RNN (eval mode)
    identity = _CountingDrop(active=False)
    got = fn(x, weights, h0.clone(), identity)
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2 or not all(isinstance(g, torch.Tensor) for g in got):
        return "return a pair of tensors (output, h_n), as nn.RNN does"
    if identity.calls == 0:  # before any value: a loop that drops with F.dropout itself is not a loop bug
        return (
            "you never called drop: the checker passes its own drop (a mask it knows) and counts the calls; "
            "call drop(...) where nn.RNN drops, and don't call F.dropout yourself"
        )
    want_out, want_hn = rnn.eval()(x, h0)
    out, h_n = (g.detach().to(torch.float64) for g in got)
    if tuple(out.shape) != tuple(want_out.shape):
        return f"output has shape {tuple(out.shape)}, expected {tuple(want_out.shape)} = (seq_len, batch, hidden_size)"
    if tuple(h_n.shape) != tuple(want_hn.shape):
        return f"h_n has shape {tuple(h_n.shape)}, expected {tuple(want_hn.shape)} = (num_layers, batch, hidden_size)"
    if not torch.allclose(out, want_out, atol=1e-10) or not torch.allclose(h_n, want_hn, atol=1e-10):
        return (
            "with a drop that changes nothing, your stack should equal nn.RNN in eval mode and it does not: "
            "check the time-outer loop itself (layer 0 reads x[t], layer l reads layer l-1's new state, "
            "every layer starts from its own h0[l])"
        )
    # 2. with a known mask: where did the dropout go?
    mask_drop = _CountingDrop()
    out, h_n = (g.detach().to(torch.float64) for g in fn(x, weights, h0.clone(), mask_drop))
    right_out, right_hn = _time_outer(x, weights, h0, _CountingDrop())
    if torch.allclose(out, right_out, atol=1e-10) and torch.allclose(h_n, right_hn, atol=1e-10):
        expected_calls = (num_layers - 1) * seq_len
        if mask_drop.calls != expected_calls:
            return (
                f"drop was called {mask_drop.calls} times; a stack of {num_layers} layers over {seq_len} steps "
                f"needs it {expected_calls} times, once per step between each pair of layers"
            )
        return None
    for flag, message in _DROPOUT_FEEDBACK.items():
        try:
            wrong_out, wrong_hn = _time_outer(x, weights, h0, _CountingDrop(), **{flag: True})
        except ValueError:  # e.g. a mask on x that a layer cannot read: not this learner's mistake
            continue
        if torch.allclose(out, wrong_out, atol=1e-10) and torch.allclose(h_n, wrong_hn, atol=1e-10):
            return message
    if torch.allclose(out, right_out, atol=1e-10):
        return _DROPOUT_FEEDBACK["h_n_dropped"]
    return (
        "with dropout on, your numbers differ from nn.RNN's placement: after layer l (l < L-1) computes h[l], "
        "the layer above reads drop(h[l]); h[l] itself, h_n and the top layer's output stay undropped"
    )


def _check_dropout_stack(fn) -> str | None:
    with torch.no_grad():
        torch.manual_seed(404)
        for case in ((3, 4, 3, 2, 4), (4, 4, 2, 3, 5)):  # (input, hidden, layers, batch, seq_len)
            problem = _check_one_dropout_stack(fn, *case)
            if problem is not None:
                return problem
    return None


_DROPOUT_HEAD = "from rnn_helpers import rnn_cell\n\ndef stack_time_outer_dropout(x, weights, h0, drop):\n"

q1 = Exercise(
    name="04.1 a time-outer stack with dropout",
    answer="stack_time_outer_dropout",
    checker=_check_dropout_stack,
    hint_text=(
        "Start from stack_time_outer (section 2). Inside the layer loop, h[l] = rnn_cell(layer_input, h[l], *w) "
        "is the state layer l carries to its next step: never drop it. What the layer ABOVE reads is a copy: "
        "layer_input = drop(h[l]) for every layer but the top one, layer_input = h[l] for the top. "
        "output collects the top layer's states, h_n stacks the undropped h."
    ),
    solution_code=_DROPOUT_HEAD + """\
    h = list(h0)                                   # h[l]: (batch, hidden_size), carried along time, never dropped
    outputs = []
    for x_t in x:                                  # x_t: (batch, input_size)
        layer_input = x_t
        for l, w in enumerate(weights):
            h[l] = rnn_cell(layer_input, h[l], *w)
            is_top = l == len(weights) - 1
            layer_input = h[l] if is_top else drop(h[l])   # only what the layer above reads is dropped
        outputs.append(layer_input)                # the top layer's state at step t
    return torch.stack(outputs), torch.stack(h)   # (seq_len, batch, hidden), (num_layers, batch, hidden)
""",
    mistakes={
        "dropped the carried state": (
            _DROPOUT_HEAD + """\
    h = list(h0)
    outputs = []
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            h[l] = rnn_cell(layer_input, h[l], *w)
            if l < len(weights) - 1:
                h[l] = drop(h[l])
            layer_input = h[l]
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(h)
""",
            "recurrent path",
        ),
        "dropped the top layer too": (
            _DROPOUT_HEAD + """\
    h = list(h0)
    outputs = []
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            h[l] = rnn_cell(layer_input, h[l], *w)
            layer_input = drop(h[l])
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(h)
""",
            "never dropped",
        ),
        "dropped the input x": (
            _DROPOUT_HEAD + """\
    h = list(h0)
    outputs = []
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            if l < len(weights) - 1:
                layer_input = drop(layer_input)
            h[l] = rnn_cell(layer_input, h[l], *w)
            layer_input = h[l]
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(h)
""",
            "never drops its input x",
        ),
        "h_n after dropout": (
            _DROPOUT_HEAD + """\
    h, kept = list(h0), list(h0)
    outputs = []
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            h[l] = rnn_cell(layer_input, h[l], *w)
            layer_input = h[l] if l == len(weights) - 1 else drop(h[l])
            kept[l] = layer_input
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(kept)
""",
            "before dropout",
        ),
        "F.dropout instead of drop": (
            _DROPOUT_HEAD + """\
    h = list(h0)
    outputs = []
    for x_t in x:
        layer_input = x_t
        for l, w in enumerate(weights):
            h[l] = rnn_cell(layer_input, h[l], *w)
            is_top = l == len(weights) - 1
            layer_input = h[l] if is_top else F.dropout(h[l], p=0.5, training=True)
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(h)
""",
            "never called drop",
        ),
    },
    kind="function",
)

# ---------------------------------------------------------------------------------------------
# 04.2  Layer l's state after step t: in neither output nor h_n
# ---------------------------------------------------------------------------------------------
# nn.RNN(3, 5, num_layers=3, batch_first=True) on x: (4, 6, 3) -> output (4, 6, 5), h_n (3, 4, 5)
_Q2_INPUT, _Q2_HIDDEN, _Q2_LAYERS, _Q2_BATCH, _Q2_SEQ = 3, 5, 3, 4, 6
# (layer, t): t > 0 first, so an off-by-one is named before t = 0 can make it fail differently, and
# t + 1 = 2 first, unlike num_layers (3) and batch (4), so a slice along the wrong axis shows in the shape;
# then the top layer at an early step (output has it) and a low layer at the last step (h_n has it)
_Q2_CASES = ((0, 1), (1, 4), (2, 2), (0, 5), (1, 0), (2, 5))


def _all_states(rnn: nn.RNN, x: torch.Tensor) -> torch.Tensor:
    """Every layer's state after every step, computed layer by layer: (num_layers, seq_len, batch, hidden)."""
    layer_input, states = x.transpose(0, 1), []  # sequence first inside
    for w in get_weights(rnn):
        layer_input, _ = rnn_layer(layer_input, None, *w)
        states.append(layer_input)
    return torch.stack(states)


def _which_state(got: torch.Tensor, states: torch.Tensor) -> tuple[int, int] | None:
    """(layer, step) of the state ``got`` equals, or None."""
    for layer in range(states.shape[0]):
        for t in range(states.shape[1]):
            if torch.allclose(got, states[layer, t], atol=1e-10):
                return layer, t
    return None


def _check_state_at(fn) -> str | None:
    torch.manual_seed(44)
    rnn = nn.RNN(_Q2_INPUT, _Q2_HIDDEN, _Q2_LAYERS, batch_first=True, dtype=torch.float64)
    x = torch.randn(_Q2_BATCH, _Q2_SEQ, _Q2_INPUT, dtype=torch.float64)
    with torch.no_grad():
        states = _all_states(rnn, x)
        output, h_n = rnn(x)
    want_shape = (_Q2_BATCH, _Q2_HIDDEN)
    for layer, t in _Q2_CASES:
        where = f"state_at(rnn, x, layer={layer}, t={t})"
        try:
            with torch.no_grad():
                got = fn(rnn, x.clone(), layer, t)
        except (RuntimeError, ValueError, IndexError) as exc:
            if t == 0:
                return (
                    f"{where} raised {type(exc).__name__} ({exc}). Steps count from 0: the state after step 0 has "
                    "read 1 step, so the RNN must read x[:, :t + 1]"
                )
            raise
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, torch.Tensor):
            return f"{where}: expected a tensor, got {type(got).__name__}"
        got = got.detach().to(torch.float64)
        shape = tuple(got.shape)
        if shape != want_shape:
            if shape == (_Q2_LAYERS, _Q2_HIDDEN):
                return (
                    f"{where} has shape {fmt_shape(shape)}: h_n is never batch-first, even with batch_first=True; "
                    "its first dimension is the layer: h_n[layer] is (batch, hidden_size)"
                )
            if shape == (_Q2_SEQ, _Q2_HIDDEN) or shape[0] == min(t + 1, _Q2_BATCH):
                return (
                    f"{where} has shape {fmt_shape(shape)}: x and output are batch-first here, so time is dim 1: "
                    "step t of output is output[:, t], and the first t + 1 steps of x are x[:, :t + 1]"
                )
            return f"{where} has shape {fmt_shape(shape)}, expected {fmt_shape(want_shape)} = (batch, hidden_size)"
        if torch.allclose(got, states[layer, t], atol=1e-10):
            continue
        found = _which_state(got, states)
        top, last = _Q2_LAYERS - 1, _Q2_SEQ - 1
        if found == (layer, last):
            return (
                f"{where}: that is layer {layer}'s state after the LAST step (h_n[{layer}]); for step {t}, run the "
                f"RNN again on the first t + 1 steps, x[:, :t + 1]: its h_n[{layer}] is the state you want"
            )
        if found == (top, t):
            return (
                f"{where}: that is the TOP layer's state after step {t} (output[:, {t}]); output only holds the "
                f"top layer, so for layer {layer} you need h_n, of an RNN run that stops after step {t}"
            )
        if found == (layer, t - 1):
            return (
                f"{where}: that is layer {layer}'s state after step {t - 1}, one step early. Steps count from 0: "
                f"the state after step t has read t + 1 steps, x[:, :t + 1]"
            )
        if found is not None and found[1] == t:
            return f"{where}: that is layer {found[0]}'s state after step {t}; h_n counts layers from the bottom, h_n[0] reads x"
        if found is not None:
            return f"{where}: that is layer {found[0]}'s state after step {found[1]}, not layer {layer}'s after step {t}"
        return f"{where}: the values are not the state of any layer after any step"
    if not torch.equal(output, rnn(x)[0]):  # the learner's calls must not have changed the RNN
        return "your function changed the RNN's parameters: only call it, never write to it"
    return None


q2 = Exercise(
    name="04.2 layer l's state at step t",
    answer="state_at",
    checker=_check_state_at,
    hint_text=(
        "output (batch, seq_len, hidden_size) holds the TOP layer at every step; h_n (num_layers, batch, "
        "hidden_size) holds EVERY layer, but only after the last step it read. So make step t the last one: "
        "run the RNN on the first t + 1 steps, x[:, :t + 1] (batch-first: time is dim 1), and take h_n[layer]."
    ),
    solution_code='''
def state_at(rnn, x, layer, t):
    # x: (batch, seq_len, input_size). An RNN that stops after step t returns, in h_n, every layer's
    # state after step t: run it on the first t + 1 steps (steps count from 0).
    _, h_n = rnn(x[:, : t + 1])      # h_n: (num_layers, batch, hidden_size), never batch-first
    return h_n[layer]                # (batch, hidden_size)
''',
    kind="function",
    mistakes={
        "h_n of the whole sequence": (
            "def state_at(rnn, x, layer, t):\n    return rnn(x)[1][layer]\n",
            "after the LAST step",
        ),
        "output's step t for every layer": (
            "def state_at(rnn, x, layer, t):\n    return rnn(x)[0][:, t]\n",
            "output only holds the top layer",
        ),
        "off by one step": (
            "def state_at(rnn, x, layer, t):\n    return rnn(x[:, :t])[1][layer]\n",
            "one step early",
        ),
        "time taken as dim 0": (
            "def state_at(rnn, x, layer, t):\n    return rnn(x[: t + 1])[1][layer]\n",
            "time is dim 1",
        ),
        "h_n read batch-first": (
            "def state_at(rnn, x, layer, t):\n    return rnn(x[:, : t + 1])[1][:, layer]\n",
            "never batch-first",
        ),
    },
)

# ---------------------------------------------------------------------------------------------
# 04.3  How many numbers does an nn.RNN learn? (stacked, bidirectional, with or without bias)
# ---------------------------------------------------------------------------------------------
# (input_size, hidden_size, num_layers, bidirectional, bias): input_size != hidden_size throughout,
# so a layer that reads the wrong width is caught; the first cases isolate one idea each.
_Q3_CASES = (
    (7, 3, 1, False, True),
    (7, 3, 2, False, True),
    (7, 3, 1, True, True),
    (7, 3, 2, True, True),
    (4, 5, 3, True, False),
    (2, 6, 3, False, False),
)


def _count(input_size, hidden_size, num_layers, bidirectional, bias, *, upper_reads=None, directions=None,
           biases=2, bias_flag=True) -> int:
    """The parameter count, or one typical miscount of it (the keyword arguments)."""
    d = 2 if bidirectional else 1
    per = directions if directions is not None else d
    upper = upper_reads if upper_reads is not None else d * hidden_size
    total = 0
    for layer in range(num_layers):
        features_in = input_size if layer == 0 else upper
        total += per * (hidden_size * features_in + hidden_size * hidden_size)
        if bias or not bias_flag:
            total += per * biases * hidden_size
    return total


class _BuiltAnRNN(Exception):
    """The learner's num_parameters built an RNN module; the exercise says: without building one."""


def _refuse(self, *args, **kwargs):
    raise _BuiltAnRNN


def _check_num_parameters(fn) -> str | None:
    for case in _Q3_CASES:
        input_size, hidden_size, num_layers, bidirectional, bias = case
        rnn = nn.RNN(input_size, hidden_size, num_layers, bias=bias, bidirectional=bidirectional)
        want = sum(p.numel() for p in rnn.parameters())
        assert want == _count(*case)  # the formula below names mistakes relative to this truth
        try:
            with mock.patch.object(nn.RNNBase, "__init__", _refuse), mock.patch.object(nn.RNN, "__init__", _refuse):
                got = fn(*case)
        except _BuiltAnRNN:
            return "your function builds an RNN and counts its parameters: count them from the shapes instead"
        if not_attempted(got):
            raise NotImplementedError
        if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.dtype.is_floating_point:
            got = int(got)
        if isinstance(got, bool) or not isinstance(got, int):
            return f"return a whole number (an int), got {type(got).__name__} {got!r}"
        if got == want:
            continue
        where = (f"nn.RNN({input_size}, {hidden_size}, num_layers={num_layers}, bidirectional={bidirectional}, "
                 f"bias={bias}) has {want} parameters, you counted {got}")
        H = hidden_size
        slips = {
            "from layer 1 up, a layer reads the output of the layer below, hidden_size features, not "
            "input_size": _count(*case, upper_reads=input_size),
            "with bidirectional=True, layers 1 and up read BOTH directions of the layer below, concatenated: "
            "2 * hidden_size features, so weight_ih_l1 is (hidden_size, 2 * hidden_size)": _count(*case, upper_reads=H),
            "bidirectional=True gives every layer two directions, each with its own weights and biases": _count(
                *case, directions=1, upper_reads=2 * H if bidirectional else H),
            "bidirectional=True doubles the parameters of every layer, and layers 1 and up also read 2 * "
            "hidden_size features": _count(*case, directions=1, upper_reads=H),
            "nn.RNN has TWO bias vectors per layer and direction, b_ih and b_hh, each (hidden_size,)": _count(*case, biases=1),
            "bias=False drops both bias vectors, b_ih and b_hh": _count(*case, bias_flag=False),
        }
        for message, value in slips.items():
            if value != want and got == value:
                return f"{where}: {message}"
        return f"{where}: per layer and direction, count weight_ih (hidden_size, features in), weight_hh and the biases"
    return None


q3 = Exercise(
    name="04.3 how many parameters",
    answer="num_parameters",
    checker=_check_num_parameters,
    hint_text=(
        "Per layer and per direction: weight_ih (hidden_size, features in), weight_hh (hidden_size, hidden_size), "
        "and with bias two vectors (hidden_size,). Features in: input_size for layer 0; for every higher layer, "
        "the width of the output below, num_directions * hidden_size. Then multiply by num_directions."
    ),
    solution_code='''
def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        features_in = input_size if layer == 0 else directions * hidden_size   # x, or both directions below
        per_direction = hidden_size * features_in + hidden_size * hidden_size  # weight_ih, weight_hh
        if bias:
            per_direction += 2 * hidden_size                                   # bias_ih, bias_hh
        total += directions * per_direction
    return total
''',
    kind="function",
    mistakes={
        "upper layers read input_size": (
            "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
            "    d = 2 if bidirectional else 1\n"
            "    per = hidden_size * input_size + hidden_size * hidden_size + (2 * hidden_size if bias else 0)\n"
            "    return num_layers * d * per\n",
            "not input_size",
        ),
        "upper layers read one direction": (
            "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
            "    d = 2 if bidirectional else 1\n"
            "    total = 0\n"
            "    for layer in range(num_layers):\n"
            "        f = input_size if layer == 0 else hidden_size\n"
            "        total += d * (hidden_size * f + hidden_size * hidden_size + (2 * hidden_size if bias else 0))\n"
            "    return total\n",
            "BOTH directions",
        ),
        "one direction only": (
            "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
            "    total = 0\n"
            "    for layer in range(num_layers):\n"
            "        f = input_size if layer == 0 else hidden_size\n"
            "        total += hidden_size * f + hidden_size * hidden_size + (2 * hidden_size if bias else 0)\n"
            "    return total\n",
            "two directions",
        ),
        "bias ignored": (
            "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
            "    d = 2 if bidirectional else 1\n"
            "    total = 0\n"
            "    for layer in range(num_layers):\n"
            "        f = input_size if layer == 0 else d * hidden_size\n"
            "        total += d * (hidden_size * f + hidden_size * hidden_size + 2 * hidden_size)\n"
            "    return total\n",
            "bias=False drops both",
        ),
        "built an nn.RNN": (
            "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
            "    rnn = nn.RNN(input_size, hidden_size, num_layers, bias=bias, bidirectional=bidirectional)\n"
            "    return sum(p.numel() for p in rnn.parameters())\n",
            "count them from the shapes",
        ),
    },
)
