"""Exercises of notebook 04 (stacked layers): write the stack loop; pick a layer from h_n; weight_ih shapes."""

from __future__ import annotations

import torch
from torch import nn

from .. import get_weights, rnn_layer
from .._checks import fmt_shape
from ._core import Exercise, not_attempted

# ---------------------------------------------------------------------------------------------
# 04.1  The stack loop: which input does layer 1 read?
# ---------------------------------------------------------------------------------------------


def _stack_variants(x: torch.Tensor, weights) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """(output, h_n) of the right stack and of the typical wrong ones, to name a learner's mistake."""
    right_outs, right_last = [], []
    layer_input = x
    for w in weights:
        out, last = rnn_layer(layer_input, None, *w)
        right_outs.append(out)
        right_last.append(last)
        layer_input = out
    variants = {
        "right": (right_outs[-1], torch.stack(right_last)),
        "layer 0's output": (right_outs[0], torch.stack(right_last)),
    }
    if all(w.w_ih.shape[1] == x.shape[2] for w in weights):  # only then can every layer read x
        x_runs = [rnn_layer(x, None, *w) for w in weights]  # the docstring bug
        variants["x to every layer"] = (x_runs[-1][0], torch.stack([last for _, last in x_runs]))
    return variants


class _WatchedWeights(list):
    """The list of LayerWeights handed to the learner's ``stack``; remembers whether it was read."""

    def __init__(self, items):
        super().__init__(items)
        self.read = False

    def __iter__(self):
        self.read = True
        return super().__iter__()

    def __getitem__(self, index):
        self.read = True
        return super().__getitem__(index)


_USE_GIVEN_WEIGHTS = (
    "use the weights you were given: `weights` holds one LayerWeights(w_ih, w_hh, b_ih, b_hh) per layer, "
    "and the checker compares against an nn.RNN with exactly those weights. Loop over them "
    "(for w in weights: ... rnn_layer(layer_input, None, *w)) instead of building a new nn.RNN"
)
_DTYPE_HINT = (
    "the checker's x and weights are float64: a tensor you create yourself (an h0 of zeros, say) must have "
    "the same dtype, e.g. torch.zeros(..., dtype=x.dtype); or pass None as rnn_layer's h0 for zeros"
)


def _check_one_stack(fn, input_size: int, hidden_size: int, num_layers: int, batch: int, seq_len: int):
    rnn = nn.RNN(input_size, hidden_size, num_layers, dtype=torch.float64)
    x = torch.randn(seq_len, batch, input_size, dtype=torch.float64)  # (seq_len, batch, input_size)
    weights = _WatchedWeights(get_weights(rnn))
    want_out, want_hn = rnn(x)
    try:
        got = fn(x, weights)
    except NotImplementedError:
        raise
    except Exception as exc:
        if not weights.read:
            return f"{_USE_GIVEN_WEIGHTS} (your stack raised {type(exc).__name__}: {exc})"
        if "dtype" in str(exc) or "Double" in str(exc):
            return f"{_DTYPE_HINT} (your stack raised {type(exc).__name__}: {exc})"
        raise
    if not_attempted(got):
        raise NotImplementedError
    if not weights.read:
        return _USE_GIVEN_WEIGHTS
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"return a pair (output, h_n), as nn.RNN does; you returned a {type(got).__name__}"
    out, h_n = got
    if not_attempted(out) or not_attempted(h_n):
        raise NotImplementedError
    if isinstance(h_n, (list, tuple)):
        return "h_n is a list: torch.stack it into one tensor of shape (num_layers, batch, hidden_size)"
    if not isinstance(out, torch.Tensor) or not isinstance(h_n, torch.Tensor):
        return "output and h_n must both be tensors"
    variants = _stack_variants(x, weights)
    out_shape, want_out_shape = tuple(out.shape), tuple(want_out.shape)
    if out_shape != want_out_shape:
        if out_shape == (batch, hidden_size):
            return (
                f"output has shape {fmt_shape(out_shape)}: that is one step. output holds the top layer "
                f"at EVERY step: {fmt_shape(want_out_shape)} = (seq_len, batch, hidden_size)"
            )
        return (
            f"output has shape {fmt_shape(out_shape)}, expected {fmt_shape(want_out_shape)} "
            "= (seq_len, batch, hidden_size)"
        )
    out = out.to(torch.float64)
    if not torch.allclose(out, want_out, atol=1e-10):
        if "x to every layer" in variants and torch.allclose(out, variants["x to every layer"][0], atol=1e-6):
            return (
                "layers 1 and up read x: only layer 0 reads x. Layer l must read layer l-1's output "
                "SEQUENCE (the `out` that rnn_layer returned for the layer below), so set "
                "layer_input = out after each layer"
            )
        if num_layers > 1 and torch.allclose(out, variants["layer 0's output"][0], atol=1e-6):
            return "your output is layer 0's output; output holds the TOP layer's state at every step"
        return "output differs from nn.RNN: feed each layer the output sequence of the layer below, starting from x"
    hn_shape, want_hn_shape = tuple(h_n.shape), tuple(want_hn.shape)
    if hn_shape != want_hn_shape:
        if hn_shape in {(batch, hidden_size), (1, batch, hidden_size)}:
            return (
                f"h_n has shape {fmt_shape(hn_shape)}: h_n holds every layer's last state, one row per "
                f"layer: {fmt_shape(want_hn_shape)} = (num_layers, batch, hidden_size)"
            )
        return (
            f"h_n has shape {fmt_shape(hn_shape)}, expected {fmt_shape(want_hn_shape)} "
            "= (num_layers, batch, hidden_size)"
        )
    h_n = h_n.to(torch.float64)
    if torch.allclose(h_n, want_hn, atol=1e-10):
        return None
    if num_layers > 1 and torch.allclose(h_n, want_hn.flip(0), atol=1e-6):
        return "h_n is upside down: h_n[0] is layer 0 (the one that reads x), h_n[-1] the top layer"
    if torch.allclose(h_n, want_out[-1].expand_as(h_n), atol=1e-6):
        return "every row of your h_n is the top layer's last state; h_n[l] is layer l's own last state"
    return "h_n differs from nn.RNN: collect the last state (h_n) that rnn_layer returns for each layer"


def _check_stack(fn) -> str | None:
    with torch.random.fork_rng(), torch.no_grad():  # leave the notebook's random state alone
        torch.manual_seed(404)
        # input_size == hidden_size first: feeding x to every layer then runs, and gives wrong numbers
        problem = _check_one_stack(fn, input_size=4, hidden_size=4, num_layers=3, batch=2, seq_len=5)
        if problem is not None:
            return problem
        problem = _check_one_stack(fn, input_size=3, hidden_size=5, num_layers=2, batch=3, seq_len=4)
        if problem is not None:
            return f"(with input_size=3, hidden_size=5, num_layers=2) {problem}"
    return None


_STACK_SOLUTION = '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    layer_input = x                         # (seq_len, batch, input_size) for layer 0
    last_states = []
    for w in weights:                       # w = LayerWeights(w_ih, w_hh, b_ih, b_hh) of one layer
        out, h_last = rnn_layer(layer_input, None, *w)  # out: (seq_len, batch, hidden_size)
        last_states.append(h_last)          # (batch, hidden_size)
        layer_input = out                   # the next layer reads this whole sequence, not x
    return layer_input, torch.stack(last_states)   # (seq_len, batch, hidden), (num_layers, batch, hidden)
'''

q1 = Exercise(
    name="04.1 the stack loop",
    answer="stack",
    checker=_check_stack,
    hint_text=(
        "Use the weights you are given, in order: weights[l] is layer l's LayerWeights. "
        "Keep a variable layer_input, equal to x before the loop. For each layer's weights w, call "
        "out, h_last = rnn_layer(layer_input, None, *w), keep h_last, then set layer_input = out: "
        "layer l reads the output sequence of layer l-1, NOT x. Return (the top layer's out, "
        "torch.stack of the kept h_last). The checker uses float64: a tensor you create needs dtype=x.dtype."
    ),
    solution_code=_STACK_SOLUTION,
    mistakes={
        "x to every layer": (
            '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    last_states = []
    for w in weights:
        out, h_last = rnn_layer(x, None, *w)
        last_states.append(h_last)
    return out, torch.stack(last_states)
''',
            "only layer 0 reads x",
        ),
        "kept only the top layer in h_n": (
            '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    layer_input = x
    for w in weights:
        layer_input, h_last = rnn_layer(layer_input, None, *w)
    return layer_input, h_last
''',
            "every layer's last state",
        ),
        "returned the bottom layer's output": (
            '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    layer_input, last_states, outputs = x, [], []
    for w in weights:
        layer_input, h_last = rnn_layer(layer_input, None, *w)
        outputs.append(layer_input)
        last_states.append(h_last)
    return outputs[0], torch.stack(last_states)
''',
            "TOP layer",
        ),
        "built its own nn.RNN": (
            '''
def stack(x, weights):
    rnn = nn.RNN(x.shape[2], 4, num_layers=3, dtype=x.dtype)
    return rnn(x)
''',
            "use the weights you were given",
        ),
        "float32 h0 of its own": (
            '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    layer_input, last_states = x, []
    for w in weights:
        h0 = torch.zeros(x.shape[1], w.w_ih.shape[0])   # float32: the checker's x is float64
        layer_input, h_last = rnn_layer(layer_input, h0, *w)
        last_states.append(h_last)
    return layer_input, torch.stack(last_states)
''',
            "dtype=x.dtype",
        ),
        "h_n upside down": (
            '''
from rnn_helpers import rnn_layer

def stack(x, weights):
    layer_input, last_states = x, []
    for w in weights:
        layer_input, h_last = rnn_layer(layer_input, None, *w)
        last_states.insert(0, h_last)
    return layer_input, torch.stack(last_states)
''',
            "upside down",
        ),
    },
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
