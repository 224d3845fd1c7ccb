"""Exercises of notebook 08 (every remaining option): unbatched shapes, the parameters of bias=False, a ReLU step."""

from __future__ import annotations

from unittest import mock

import torch
from torch import nn

from .. import rnn_cell
from .. import ManualRNN
from ._core import Exercise, not_attempted

# ---------------------------------------------------------------------------------------------
# 08.1  The shapes of an unbatched run
# ---------------------------------------------------------------------------------------------


def _as_shape(value) -> tuple | None:
    try:
        return tuple(int(d) for d in value)
    except (TypeError, ValueError):
        return None


def _check_unbatched_shapes(answer):
    if not_attempted(answer):
        raise NotImplementedError
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "give a pair (output shape, h_n shape), e.g. ((1, 2), (3, 4))"
    got_out, got_h_n = (_as_shape(a) for a in answer)
    if got_out is None or got_h_n is None:
        return "each shape should be a tuple of ints, e.g. (6, 14)"
    rnn = nn.RNN(5, 7, num_layers=2, bidirectional=True)
    with torch.no_grad():
        output, h_n = rnn(torch.zeros(6, 5))
    want_out, want_h_n = tuple(output.shape), tuple(h_n.shape)
    problems = []
    if got_out != want_out:
        if len(got_out) == 3:
            problems.append(f"output {got_out} has a batch dimension; unbatched output has none: (seq_len, ...)")
        elif got_out == (6, 7):
            problems.append(
                "output has 6 steps but bidirectional doubles its features: num_directions * hidden_size"
            )
        else:
            problems.append(f"output: {got_out} is not (seq_len, num_directions * hidden_size)")
    if got_h_n != want_h_n:
        if len(got_h_n) == 3:
            problems.append(f"h_n {got_h_n} has a batch dimension; for unbatched input it has none")
        elif got_h_n == (2, 7):
            problems.append(
                "h_n has one row per layer AND direction (bidirectional): num_layers * num_directions rows"
            )
        elif got_h_n == (2, 14):
            problems.append("h_n is never concatenated over directions: each direction has its own row")
        else:
            problems.append(f"h_n: {got_h_n} is not (num_layers * num_directions, hidden_size)")
    return "; ".join(problems) or None


q1 = Exercise(
    name="08.1 unbatched shapes",
    answer="unbatched_shapes",
    checker=_check_unbatched_shapes,
    hint_text=(
        "Unbatched means the batched shapes with the batch dimension removed, h_n included. output has "
        "num_directions * hidden_size features per step; h_n has num_layers * num_directions rows."
    ),
    solution_code="""
        # output: (seq_len, num_directions * hidden_size); h_n: (num_layers * num_directions, hidden_size)
        unbatched_shapes = ((6, 2 * 7), (2 * 2, 7))
    """,
    mistakes={
        "kept a batch of one": ("unbatched_shapes = ((6, 1, 14), (4, 1, 7))", "batch dimension"),
        "forgot bidirectional": ("unbatched_shapes = ((6, 7), (2, 7))", "bidirectional"),
        "concatenated h_n": ("unbatched_shapes = ((6, 14), (2, 14))", "never concatenated"),
    },
)

# ---------------------------------------------------------------------------------------------
# 08.2  Which parameters exist with bias=False
# ---------------------------------------------------------------------------------------------


def _want_names(num_layers: int, bidirectional: bool) -> list[str]:
    rnn = nn.RNN(3, 2, num_layers=num_layers, bias=False, bidirectional=bidirectional)
    return [name for name, _ in rnn.named_parameters()]


class _BuiltAnRNN(Exception):
    """Raised when the learner's param_names constructs an RNN module (the exercise says: without building one)."""


def _refuse_to_build(self, *args, **kwargs):
    raise _BuiltAnRNN


def _call_without_building(fn, *args):
    """Call ``fn`` with every way of building an RNN module patched to raise ``_BuiltAnRNN``."""
    with mock.patch.object(nn.RNNBase, "__init__", _refuse_to_build), \
            mock.patch.object(nn.RNN, "__init__", _refuse_to_build), \
            mock.patch.object(ManualRNN, "__init__", _refuse_to_build):
        return fn(*args)


def _check_param_names(fn):
    cases = ((1, False), (2, False), (1, True), (3, True))
    wants = {case: _want_names(*case) for case in cases}  # built here, before the patch below
    for num_layers, bidirectional in cases:
        try:
            got = _call_without_building(fn, num_layers, bidirectional)
        except _BuiltAnRNN:
            return (
                "your function builds an RNN to read its names, and the exercise says: without building one. "
                "Write them from the rule: weight_ih_l{k} and weight_hh_l{k} per layer k, with _reverse at the "
                "end for the backward direction"
            )
        if not_attempted(got):
            raise NotImplementedError
        want = wants[(num_layers, bidirectional)]
        where = f"for num_layers={num_layers}, bidirectional={bidirectional}"
        if not isinstance(got, (list, tuple)) or not all(isinstance(n, str) for n in got):
            return f"return a list of names (strings) {where}"
        got = list(got)
        if any(n.startswith("bias") for n in got):
            return f"bias=False: nn.RNN creates no bias_ih / bias_hh at all, yet you listed {[n for n in got if n.startswith('bias')]} ({where})"
        if got == want:
            continue
        misplaced = [n for n in got if "_reverse" in n and not n.endswith("_reverse")]
        if misplaced:
            return (
                f"_reverse goes at the end of the name: weight_ih_l0_reverse, not {misplaced[0]} ({where}); "
                f"expected {want}"
            )
        if sorted(got) == sorted(want):
            return (
                f"right names, wrong order {where}: nn.RNN registers layer by layer, and within a layer the "
                f"forward direction before _reverse, weight_ih before weight_hh; expected {want}"
            )
        if bidirectional and not any(n.endswith("_reverse") for n in got):
            return f"a bidirectional RNN also has the _reverse direction's weights ({where}): expected {want}"
        return f"expected {want} {where}, got {got}"
    return None


q2 = Exercise(
    name="08.2 the parameters of bias=False",
    answer="param_names",
    checker=_check_param_names,
    hint_text=(
        "Two weights per layer and direction, weight_ih_l{k} and weight_hh_l{k}, with a '_reverse' suffix for the "
        "backward direction; no biases. Order: layer 0 forward, layer 0 reverse, layer 1 forward, ..."
    ),
    solution_code="""
        def param_names(num_layers, bidirectional):
            names = []
            for layer in range(num_layers):
                for suffix in (["", "_reverse"] if bidirectional else [""]):
                    names += [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
            return names
    """,
    mistakes={
        "kept the biases": (
            """
            def param_names(num_layers, bidirectional):
                names = []
                for layer in range(num_layers):
                    for suffix in (["", "_reverse"] if bidirectional else [""]):
                        names += [f"{kind}_l{layer}{suffix}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                return names
            """,
            "bias=False",
        ),
        "directions outside layers": (
            """
            def param_names(num_layers, bidirectional):
                names = []
                for suffix in (["", "_reverse"] if bidirectional else [""]):
                    for layer in range(num_layers):
                        names += [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
                return names
            """,
            "wrong order",
        ),
        "forgot the reverse direction": (
            """
            def param_names(num_layers, bidirectional):
                return [f"weight_{k}_l{layer}" for layer in range(num_layers) for k in ("ih", "hh")]
            """,
            "_reverse",
        ),
        "_reverse before the layer": (
            """
            def param_names(num_layers, bidirectional):
                names = []
                for layer in range(num_layers):
                    for suffix in (["", "_reverse"] if bidirectional else [""]):
                        names += [f"weight_ih{suffix}_l{layer}", f"weight_hh{suffix}_l{layer}"]
                return names
            """,
            "_reverse goes at the end of the name",
        ),
        "built an nn.RNN": (
            """
            def param_names(num_layers, bidirectional):
                rnn = nn.RNN(1, 1, num_layers, bias=False, bidirectional=bidirectional)
                return [name for name, _ in rnn.named_parameters()]
            """,
            "without building one",
        ),
    },
)

# ---------------------------------------------------------------------------------------------
# 08.3  One ReLU step without bias
# ---------------------------------------------------------------------------------------------


def _check_relu_step(fn):
    torch.manual_seed(83)
    cell = nn.RNNCell(3, 5, bias=False, nonlinearity="relu", dtype=torch.float64)
    x_t = torch.randn(4, 3, dtype=torch.float64)      # (batch, input_size)
    h_prev = torch.randn(4, 5, dtype=torch.float64)   # (batch, hidden_size)
    w_ih, w_hh = cell.weight_ih.detach(), cell.weight_hh.detach()
    try:
        got = fn(x_t, h_prev, w_ih, w_hh)
    except RuntimeError as e:
        if "shape" in str(e) or "size" in str(e):
            return (
                f"your step raised RuntimeError ({e}): w_ih is (hidden_size, input_size), rows are outputs, "
                "so multiply x_t @ w_ih.T (and h_prev @ w_hh.T)"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    with torch.no_grad():
        want = cell(x_t, h_prev)
    if not isinstance(got, torch.Tensor):
        return f"return a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your h_t has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, hidden_size)"
    if torch.allclose(got, want, atol=1e-10):
        return None
    if torch.allclose(got, rnn_cell(x_t, h_prev, w_ih, w_hh, nonlinearity="tanh"), atol=1e-10):
        return "that is the tanh step: this RNN uses relu, torch.relu(...) = max(..., 0)"
    if torch.allclose(got, torch.relu(x_t @ w_ih.T + h_prev @ w_hh), atol=1e-10):
        return (
            "h_prev @ w_hh is missing its .T: w_hh is (hidden_size, hidden_size) with rows = outputs, like every "
            "PyTorch weight, so multiply h_prev @ w_hh.T. w_hh is square, so no shape error warns you"
        )
    if torch.allclose(got, torch.relu(x_t @ w_ih.T) + torch.relu(h_prev @ w_hh.T), atol=1e-10):
        return (
            "relu of the sum, not the sum of relus: relu(a) + relu(b) differs from relu(a + b) whenever a and b "
            "have opposite signs. Apply torch.relu once, to x_t @ w_ih.T + h_prev @ w_hh.T"
        )
    if torch.allclose(got, torch.relu(x_t @ w_ih.T) + h_prev @ w_hh.T, atol=1e-10):
        return "relu must wrap the whole sum x_t @ w_ih.T + h_prev @ w_hh.T, not only the input part"
    if bool((got < 0).any()):
        return "some of your values are negative: a relu state never is. Apply torch.relu to the sum"
    return "values differ from nn.RNNCell(bias=False, nonlinearity='relu'): relu(x_t @ w_ih.T + h_prev @ w_hh.T)"


q3 = Exercise(
    name="08.3 a ReLU step without bias",
    answer="relu_step",
    checker=_check_relu_step,
    hint_text=(
        "Take the tanh step of notebook 02, drop both biases, and replace torch.tanh by torch.relu around the "
        "whole sum x_t @ w_ih.T + h_prev @ w_hh.T."
    ),
    solution_code="""
        def relu_step(x_t, h_prev, w_ih, w_hh):
            return torch.relu(x_t @ w_ih.T + h_prev @ w_hh.T)
    """,
    mistakes={
        "kept tanh": (
            """
            def relu_step(x_t, h_prev, w_ih, w_hh):
                return torch.tanh(x_t @ w_ih.T + h_prev @ w_hh.T)
            """,
            "tanh step",
        ),
        "relu on the input part only": (
            """
            def relu_step(x_t, h_prev, w_ih, w_hh):
                return torch.relu(x_t @ w_ih.T) + h_prev @ w_hh.T
            """,
            "whole sum",
        ),
        "no transpose": (
            """
            def relu_step(x_t, h_prev, w_ih, w_hh):
                return torch.relu(x_t @ w_ih + h_prev @ w_hh)
            """,
            "w_ih.T",
        ),
        "w_hh not transposed": (
            """
            def relu_step(x_t, h_prev, w_ih, w_hh):
                return torch.relu(x_t @ w_ih.T + h_prev @ w_hh)
            """,
            "missing its .T",
        ),
        "sum of relus": (
            """
            def relu_step(x_t, h_prev, w_ih, w_hh):
                return torch.relu(x_t @ w_ih.T) + torch.relu(h_prev @ w_hh.T)
            """,
            "relu of the sum, not the sum of relus",
        ),
    },
)
