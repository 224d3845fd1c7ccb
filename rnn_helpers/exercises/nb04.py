"""Exercises of notebook 04 (stacked layers): a time-outer stack with dropout; pick a layer from h_n; weight_ih shapes."""

from __future__ import annotations

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
    if identity.calls == 0:
        return "you never called drop: use the function you are given (the checker passes its own)"
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
            layer_input = h[l] if is_top else F.dropout(h[l], p=0.5, training=False)
        outputs.append(layer_input)
    return torch.stack(outputs), torch.stack(h)
""",
            "never called drop",
        ),
    },
    kind="function",
)

# ---------------------------------------------------------------------------------------------
# 04.2  Layer l's last state, from a batch-first model
# ---------------------------------------------------------------------------------------------
# nn.RNN(3, 5, num_layers=3, batch_first=True) on x: (4, 6, 3) -> output (4, 6, 5), h_n (3, 4, 5)
_Q2_INPUT, _Q2_HIDDEN, _Q2_LAYERS, _Q2_BATCH, _Q2_SEQ = 3, 5, 3, 4, 6


def _check_last_state(fn) -> str | None:
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(44)
        rnn = nn.RNN(_Q2_INPUT, _Q2_HIDDEN, _Q2_LAYERS, batch_first=True, dtype=torch.float64)
        x = torch.randn(_Q2_BATCH, _Q2_SEQ, _Q2_INPUT, dtype=torch.float64)
        output, h_n = rnn(x)
        # Each layer's own last state, computed layer by layer (not read from h_n).
        layer_input, own_last = x.transpose(0, 1), []
        for w in get_weights(rnn):
            layer_input, last = rnn_layer(layer_input, None, *w)
            own_last.append(last)
        want_shape = (_Q2_BATCH, _Q2_HIDDEN)
        answers = []
        for layer in range(_Q2_LAYERS):
            got = fn(output.clone(), h_n.clone(), layer)
            if not_attempted(got):
                raise NotImplementedError
            if not isinstance(got, torch.Tensor):
                return f"expected a tensor, got {type(got).__name__}"
            shape = tuple(got.shape)
            if shape == (_Q2_LAYERS, _Q2_HIDDEN) and torch.equal(got, h_n[:, layer]):
                return (
                    f"h_n[:, {layer}] has shape {fmt_shape(shape)}: h_n is never batch-first, even with "
                    "batch_first=True. Its first dimension is the layer: (num_layers, batch, hidden_size)"
                )
            if shape == tuple(output[-1].shape) and torch.equal(got, output[-1]):
                return (
                    f"output[-1] has shape {fmt_shape(shape)} = (seq_len, hidden_size): with batch_first, "
                    "output[-1] is the last sequence, not the last step (that would be output[:, -1]). "
                    "And output only holds the top layer: for layer l, look in h_n"
                )
            if shape != want_shape:
                return (
                    f"for layer {layer} your answer has shape {fmt_shape(shape)}, expected "
                    f"{fmt_shape(want_shape)} = (batch, hidden_size)"
                )
            # which layer's last state did the learner return? (None: none of them)
            got = got.to(torch.float64)
            matches = [k for k, state in enumerate(own_last) if torch.allclose(got, state, atol=1e-10)]
            answers.append(matches[0] if matches else None)
    if answers == list(range(_Q2_LAYERS)):
        return None
    top = _Q2_LAYERS - 1
    if answers == [top] * _Q2_LAYERS:
        return (
            "you returned the top layer's last state for every layer: output (and output[:, -1]) only "
            "holds the top layer; the layers below are only in h_n"
        )
    if answers == list(range(top, -1, -1)):
        return "h_n counts layers from the bottom: h_n[0] is layer 0, the one that reads x; h_n[-1] is the top"
    layer = next(l for l, k in enumerate(answers) if k != l)
    if answers[layer] is None:
        return f"for layer {layer} the values are not any layer's last state; look in h_n"
    return f"for layer {layer} you returned layer {answers[layer]}'s last state; h_n[l] is layer l's"


q2 = Exercise(
    name="04.2 layer l's last state",
    answer="last_state",
    checker=_check_last_state,
    hint_text=(
        "output (batch, seq_len, hidden_size) holds only the top layer. h_n (num_layers, batch, hidden_size) "
        "holds every layer's last state, layer first, batch_first or not: index its first dimension."
    ),
    solution_code='''
def last_state(output, h_n, layer):
    # h_n: (num_layers, batch, hidden_size), never batch-first -> (batch, hidden_size)
    return h_n[layer]
''',
    kind="function",
    mistakes={
        "batch-first indexing of h_n": (
            "def last_state(output, h_n, layer):\n    return h_n[:, layer]\n",
            "never batch-first",
        ),
        "output's last step for every layer": (
            "def last_state(output, h_n, layer):\n    return output[:, -1]\n",
            "only holds the top layer",
        ),
        "output[-1] with batch_first": (
            "def last_state(output, h_n, layer):\n    return output[-1]\n",
            "output[-1] is the last sequence, not the last step",
        ),
        "counted from the top": (
            "def last_state(output, h_n, layer):\n    return h_n[-1 - layer]\n",
            "counts layers from the bottom",
        ),
    },
)

# ---------------------------------------------------------------------------------------------
# 04.3  The shape of weight_ih_l{layer}
# ---------------------------------------------------------------------------------------------
_Q3_CASES = ((7, 3, 0), (7, 3, 1), (2, 5, 1), (6, 4, 2), (4, 4, 1))  # (input_size, hidden_size, layer)


def _check_weight_shape(fn) -> str | None:
    with torch.random.fork_rng(devices=[]):
        for input_size, hidden_size, layer in _Q3_CASES:
            rnn = nn.RNN(input_size, hidden_size, num_layers=layer + 1)
            want = tuple(getattr(rnn, f"weight_ih_l{layer}").shape)
            got = fn(input_size, hidden_size, layer)
            if not_attempted(got):
                raise NotImplementedError
            try:
                got = tuple(int(d) for d in got)
            except (TypeError, ValueError):
                return f"return a shape, a tuple of ints such as (3, 7); got {got!r}"
            if got == want:
                continue
            case = f"nn.RNN(input_size={input_size}, hidden_size={hidden_size}): weight_ih_l{layer}"
            if layer > 0 and got == (hidden_size, input_size):
                return (
                    f"{case} is {fmt_shape(want)}, not {fmt_shape(got)}: from layer 1 up, a layer's input "
                    "is the output of the layer below, with hidden_size features, not input_size"
                )
            if layer == 0 and got == (hidden_size, hidden_size):
                return f"{case} is {fmt_shape(want)}: layer 0 reads x, which has input_size features"
            if got == want[::-1]:
                return (
                    f"{case} is {fmt_shape(want)}, you wrote it transposed: rows are the outputs, so "
                    "(hidden_size, features in)"
                )
            return f"{case} is {fmt_shape(want)}, you wrote {fmt_shape(got)}"
    return None


q3 = Exercise(
    name="04.3 the shape of weight_ih_l{layer}",
    answer="weight_ih_shape",
    checker=_check_weight_shape,
    hint_text=(
        "weight_ih_l{k} is (hidden_size, features of layer k's input). Layer 0's input is x (input_size "
        "features); every higher layer's input is the output of the layer below (hidden_size features)."
    ),
    solution_code='''
def weight_ih_shape(input_size, hidden_size, layer):
    features_in = input_size if layer == 0 else hidden_size   # x, or the layer below's output
    return (hidden_size, features_in)
''',
    kind="function",
    mistakes={
        "input_size at every layer": (
            "def weight_ih_shape(input_size, hidden_size, layer):\n    return (hidden_size, input_size)\n",
            "output of the layer below",
        ),
        "hidden_size at every layer": (
            "def weight_ih_shape(input_size, hidden_size, layer):\n    return (hidden_size, hidden_size)\n",
            "layer 0 reads x",
        ),
        "transposed": (
            "def weight_ih_shape(input_size, hidden_size, layer):\n"
            "    return (input_size if layer == 0 else hidden_size, hidden_size)\n",
            "transposed",
        ),
    },
)
