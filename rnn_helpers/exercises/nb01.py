"""Exercises of notebook 01 (the nn.RNN API tour): shapes, parameter names, an initial state."""

from __future__ import annotations

import torch
from torch import nn

from .._checks import fmt_shape
from ._core import Exercise, not_attempted

# ---------------------------------------------------------------------------------------------
# 01.1  The shapes of output and h_n
# ---------------------------------------------------------------------------------------------
# nn.RNN(input_size=4, hidden_size=6, num_layers=2, batch_first=True), x: (3, 7, 4)
_Q1_BATCH, _Q1_SEQ, _Q1_INPUT, _Q1_HIDDEN, _Q1_LAYERS = 3, 7, 4, 6, 2
_Q1_OUTPUT = (_Q1_BATCH, _Q1_SEQ, _Q1_HIDDEN)
_Q1_H_N = (_Q1_LAYERS, _Q1_BATCH, _Q1_HIDDEN)
_Q1_OUTPUT_DIMS = ("batch", "seq_len", "num_directions * hidden_size")
_Q1_H_N_DIMS = ("num_layers * num_directions", "batch", "hidden_size")


def _as_shape(value) -> tuple[int, ...] | None:
    """``value`` as a tuple of ints (a tuple, list or torch.Size), or None if it is not a shape."""
    if isinstance(value, (tuple, list, torch.Size)) and all(isinstance(d, int) for d in value):
        return tuple(value)
    return None


def _wrong_dims(got: tuple[int, ...], want: tuple[int, ...], dims: tuple[str, ...]) -> str:
    """Name each dimension of ``got`` that differs from ``want``."""
    wrong = [
        f"dim {i} ({name}) should be {w}, you wrote {g}"
        for i, (g, w, name) in enumerate(zip(got, want, dims))
        if g != w
    ]
    return "; ".join(wrong)


def _check_shapes(answer) -> str | None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "answer with a pair of shapes: (output_shape, h_n_shape), e.g. ((1, 2, 3), (4, 5, 6))"
    output, h_n = _as_shape(answer[0]), _as_shape(answer[1])
    for what, shape, raw in (("output", output, answer[0]), ("h_n", h_n, answer[1])):
        if shape is None:
            return f"{what}: expected a shape, a tuple of ints such as (3, 7, 6), got {raw!r}"
    problems = []
    if output != _Q1_OUTPUT:
        if len(output) != 3:
            problems.append(f"output is 3-D, you wrote a {len(output)}-D shape {fmt_shape(output)}")
        elif output == (_Q1_SEQ, _Q1_BATCH, _Q1_HIDDEN):
            problems.append(
                f"output {fmt_shape(output)} is in the sequence-first layout; batch_first=True DOES apply "
                "to input and output, so output is (batch, seq_len, hidden_size)"
            )
        else:
            detail = _wrong_dims(output, _Q1_OUTPUT, _Q1_OUTPUT_DIMS)
            if output[2] == _Q1_INPUT:
                detail += " (the last dim of output is hidden_size, not input_size)"
            problems.append(f"output: {detail}")
    if h_n != _Q1_H_N:
        if len(h_n) != 3:
            problems.append(f"h_n is 3-D, you wrote a {len(h_n)}-D shape {fmt_shape(h_n)}")
        elif h_n == (_Q1_BATCH, _Q1_LAYERS, _Q1_HIDDEN):
            problems.append(
                f"h_n {fmt_shape(h_n)} is batch first, but batch_first does NOT apply to h0/h_n: "
                "h_n is always (num_layers * num_directions, batch, hidden_size)"
            )
        else:
            detail = _wrong_dims(h_n, _Q1_H_N, _Q1_H_N_DIMS)
            if h_n[0] != _Q1_LAYERS:
                detail += " (h_n holds the last hidden state of every layer, one row per layer)"
            if _Q1_SEQ in h_n:
                detail += " (h_n has no time dimension: it is only the last step)"
            problems.append(f"h_n: {detail}")
    return "; ".join(problems) or None


q1 = Exercise(
    name="01.1 the shapes of output and h_n",
    answer="shapes",
    checker=_check_shapes,
    kind="shape_pair",
    hint_text=(
        "batch_first=True makes input and output (batch, seq_len, ...), but h0 and h_n keep the "
        "layout (num_layers * num_directions, batch, hidden_size). Here batch = 3 and seq_len = 7, "
        "and output's last dimension is hidden_size, not input_size."
    ),
    solution_code="""
        # output: (batch, seq_len, hidden_size)        batch_first applies
        # h_n:    (num_layers, batch, hidden_size)     batch_first does not apply
        shapes = ((3, 7, 6), (2, 3, 6))
    """,
    mistakes={
        "h_n batch first": ("shapes = ((3, 7, 6), (3, 2, 6))", "batch_first does NOT apply"),
        "output seq first": ("shapes = ((7, 3, 6), (2, 3, 6))", "DOES apply to input and output"),
        "input_size as last dim": ("shapes = ((3, 7, 4), (2, 3, 6))", "not input_size"),
        "h_n with one layer": ("shapes = ((3, 7, 6), (1, 3, 6))", "dim 0 (num_layers * num_directions)"),
        "the pair written as a string": ('shapes = "(3, 7, 6), (2, 3, 6)"', "a pair of shapes, ((...), (...))"),
    },
)


# ---------------------------------------------------------------------------------------------
# 01.2  The parameters of a 2-layer RNN
# ---------------------------------------------------------------------------------------------
# nn.RNN(input_size=4, hidden_size=6, num_layers=2)


def _q2_reference() -> dict[str, tuple[int, ...]]:
    with torch.random.fork_rng(devices=[]):  # leave the learner's random state alone
        rnn = nn.RNN(input_size=4, hidden_size=6, num_layers=2)
    return {name: tuple(p.shape) for name, p in rnn.named_parameters()}


def _check_params(answer) -> str | None:
    if not isinstance(answer, dict):
        return 'answer with a dict {name: shape}, e.g. {"weight_ih_l0": (6, 4), ...}'
    want = _q2_reference()
    names = set(answer)
    if any(str(name).endswith("_l2") for name in names) and not any(str(name).endswith("_l0") for name in names):
        return "layers are counted from 0: a 2-layer RNN has the suffixes _l0 and _l1"
    unknown = sorted(str(n) for n in names - set(want))
    if unknown:
        return f"nn.RNN has no parameter named {', '.join(unknown)}; the names look like weight_ih_l0, bias_hh_l1"
    missing = sorted(set(want) - names)
    if missing:
        return f"missing {', '.join(missing)}: every layer has weight_ih, weight_hh, bias_ih AND bias_hh"
    problems = []
    for name, shape in want.items():
        got = answer[name]
        if isinstance(got, int) and not isinstance(got, bool):
            problems.append(f"{name}: you wrote {got} (an int); a shape is a tuple, e.g. ({got},) with the comma")
            continue
        if _as_shape(got) is None:  # a string, None, a tensor, a tuple holding non-ints...
            problems.append(
                f"{name}: you wrote {got!r}; a shape is a tuple of ints, e.g. (6,) for a vector of 6 "
                "or (6, 4) for a matrix"
            )
            continue
        got = _as_shape(got)
        if got == shape:
            continue
        if got == shape[::-1] and len(shape) == 2:
            problems.append(
                f"{name}: you wrote {fmt_shape(got)}, it is {fmt_shape(shape)}: weights are stored "
                "(hidden_size, input features), rows are the output units, as in nn.Linear"
            )
        elif name == "weight_ih_l1" and got == (6, 4):
            problems.append(
                "weight_ih_l1 is (6, 6), not (6, 4): layer 1's input is layer 0's hidden state "
                "(hidden_size features), not x"
            )
        else:
            problems.append(f"{name}: you wrote {fmt_shape(got)}, expected {fmt_shape(shape)}")
    return "; ".join(problems) or None


_Q2_SOLUTION = """
    params = {
        "weight_ih_l0": (6, 4),   # layer 0 reads x: (hidden_size, input_size)
        "weight_hh_l0": (6, 6),
        "bias_ih_l0": (6,),
        "bias_hh_l0": (6,),
        "weight_ih_l1": (6, 6),   # layer 1 reads layer 0's h: (hidden_size, hidden_size)
        "weight_hh_l1": (6, 6),
        "bias_ih_l1": (6,),
        "bias_hh_l1": (6,),
    }
"""

q2 = Exercise(
    name="01.2 the parameters of a 2-layer RNN",
    answer="params",
    checker=_check_params,
    kind="dict",
    hint_text=(
        "Each layer k has weight_ih_lk, weight_hh_lk, bias_ih_lk and bias_hh_lk, with k counted from 0. "
        "Weights are (hidden_size, features in). Layer 0 reads x (input_size features); layer 1 reads "
        "layer 0's hidden state (hidden_size features)."
    ),
    solution_code=_Q2_SOLUTION,
    mistakes={
        "layer 1 reads x": (
            _Q2_SOLUTION.replace('"weight_ih_l1": (6, 6)', '"weight_ih_l1": (6, 4)'),
            "layer 0's hidden state",
        ),
        "transposed weights": (
            _Q2_SOLUTION.replace('"weight_ih_l0": (6, 4)', '"weight_ih_l0": (4, 6)'),
            "rows are the output units",
        ),
        "counted from 1": (_Q2_SOLUTION.replace("_l1", "_l2").replace("_l0", "_l1"), "counted from 0"),
        "one bias per layer": (
            """
            params = {"weight_ih_l0": (6, 4), "weight_hh_l0": (6, 6), "bias_l0": (6,),
                      "weight_ih_l1": (6, 6), "weight_hh_l1": (6, 6), "bias_l1": (6,)}
            """,
            "no parameter named bias_l0",
        ),
        "bias shape as an int": (_Q2_SOLUTION.replace('"bias_ih_l0": (6,)', '"bias_ih_l0": 6'), "with the comma"),
    },
)


# ---------------------------------------------------------------------------------------------
# 01.3  A correct h0 for any nn.RNN, batch_first or not
# ---------------------------------------------------------------------------------------------
def _q3_cases():
    """(description, rnn, x): batch (3), seq_len (5) and num_layers * num_directions all differ."""
    with torch.random.fork_rng(devices=[]):  # leave the learner's random state alone
        torch.manual_seed(0)
        return [
            ("nn.RNN(4, 6, num_layers=2, batch_first=True), x: (3, 5, 4)",
             nn.RNN(4, 6, num_layers=2, batch_first=True), torch.randn(3, 5, 4)),
            ("nn.RNN(4, 6), x: (5, 3, 4)",
             nn.RNN(4, 6), torch.randn(5, 3, 4)),
            ("nn.RNN(4, 6, num_layers=2, bidirectional=True, batch_first=True), x: (3, 5, 4)",
             nn.RNN(4, 6, num_layers=2, bidirectional=True, batch_first=True), torch.randn(3, 5, 4)),
            ("nn.RNN(4, 6, batch_first=True, dtype=torch.float64), x: (3, 5, 4) float64",
             nn.RNN(4, 6, batch_first=True, dtype=torch.float64), torch.randn(3, 5, 4, dtype=torch.float64)),
        ]


def _check_make_h0(fn) -> str | None:
    for description, rnn, x in _q3_cases():
        got = fn(rnn, x)
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, torch.Tensor):
            return f"for {description}: make_h0 should return a tensor, got {type(got).__name__}"
        num_directions = 2 if rnn.bidirectional else 1
        batch = x.shape[0] if rnn.batch_first else x.shape[1]
        seq_len = x.shape[1] if rnn.batch_first else x.shape[0]
        want = (rnn.num_layers * num_directions, batch, rnn.hidden_size)
        shape = tuple(got.shape)
        where = f"for {description}: h0 has shape {fmt_shape(shape)}, expected {fmt_shape(want)}"
        if shape != want:
            if shape == (batch, want[0], rnn.hidden_size):
                return (
                    f"{where}; batch_first does not apply to h0: "
                    "it is (num_layers * num_directions, batch, hidden_size)"
                )
            if len(shape) == 3 and shape[1] == seq_len:
                which = "x.shape[0]" if rnn.batch_first else "x.shape[1]"
                return (
                    f"{where}; dim 1 is the batch, you used seq_len: "
                    f"read the batch from {which} (batch_first={rnn.batch_first})"
                )
            if len(shape) == 3 and num_directions == 2 and shape[0] == rnn.num_layers:
                return f"{where}; bidirectional=True doubles dim 0: num_layers * num_directions"
            if len(shape) == 3 and shape[2] == rnn.input_size:
                return f"{where}; the last dim of h0 is rnn.hidden_size (the state), not rnn.input_size"
            if len(shape) == 3 and shape[1] == rnn.hidden_size and shape[2] == batch:
                return f"{where}; batch comes before hidden_size: (num_layers * num_directions, batch, hidden_size)"
            return where
        if got.dtype != x.dtype:
            return f"for {description}: h0 is {got.dtype}, x is {x.dtype}: give h0 x's dtype (dtype=x.dtype)"
        if not torch.equal(got, torch.zeros_like(got)):
            return f"for {description}: h0 has the right shape but is not all zeros"
        with torch.no_grad():
            if not torch.equal(rnn(x, got)[0], rnn(x)[0]):
                return f"for {description}: rnn(x, h0) differs from rnn(x)"
    return None


q3 = Exercise(
    name="01.3 a correct h0",
    answer="make_h0",
    checker=_check_make_h0,
    kind="function",
    hint_text=(
        "h0 is (num_layers * num_directions, batch, hidden_size) whatever batch_first says; only where "
        "you READ the batch from changes: x.shape[0] if rnn.batch_first else x.shape[1]. "
        "num_directions is 2 when rnn.bidirectional. Use dtype=x.dtype."
    ),
    solution_code="""
        def make_h0(rnn, x):
            num_directions = 2 if rnn.bidirectional else 1
            batch = x.shape[0] if rnn.batch_first else x.shape[1]
            return torch.zeros(rnn.num_layers * num_directions, batch, rnn.hidden_size,
                               dtype=x.dtype, device=x.device)
    """,
    mistakes={
        "batch-first h0": (
            """
            def make_h0(rnn, x):
                d = 2 if rnn.bidirectional else 1
                batch = x.shape[0] if rnn.batch_first else x.shape[1]
                return torch.zeros(batch, rnn.num_layers * d, rnn.hidden_size, dtype=x.dtype)
            """,
            "batch_first does not apply to h0",
        ),
        "batch always x.shape[1]": (
            """
            def make_h0(rnn, x):
                d = 2 if rnn.bidirectional else 1
                return torch.zeros(rnn.num_layers * d, x.shape[1], rnn.hidden_size, dtype=x.dtype)
            """,
            "you used seq_len",
        ),
        "forgot num_directions": (
            """
            def make_h0(rnn, x):
                batch = x.shape[0] if rnn.batch_first else x.shape[1]
                return torch.zeros(rnn.num_layers, batch, rnn.hidden_size, dtype=x.dtype)
            """,
            "num_layers * num_directions",
        ),
        "input_size for hidden_size": (
            """
            def make_h0(rnn, x):
                d = 2 if rnn.bidirectional else 1
                batch = x.shape[0] if rnn.batch_first else x.shape[1]
                return torch.zeros(rnn.num_layers * d, batch, rnn.input_size, dtype=x.dtype)
            """,
            "not rnn.input_size",
        ),
        "default dtype": (
            """
            def make_h0(rnn, x):
                d = 2 if rnn.bidirectional else 1
                batch = x.shape[0] if rnn.batch_first else x.shape[1]
                return torch.zeros(rnn.num_layers * d, batch, rnn.hidden_size)
            """,
            "dtype=x.dtype",
        ),
    },
)
