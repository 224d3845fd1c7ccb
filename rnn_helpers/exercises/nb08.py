"""Exercises of notebook 08 (every remaining option): unbatched shapes, the parameters of bias=False, and a
generation loop that feeds each prediction back as the next input."""

from __future__ import annotations

from unittest import mock

import torch
from torch import nn

from .. import ManualRNN, ManualRNNCell
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
    kind="shape_pair",
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
        "the pair written as a string": ('unbatched_shapes = "(6, 14), (4, 7)"', "a pair of shapes, ((...), (...))"),
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
    kind="function",
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
# 08.3  A generation loop: each prediction is the next input
# ---------------------------------------------------------------------------------------------


def _reference_generate(cell, head, x0, n_steps, feed_back=True, carry_h=True):
    """The generation loop, or one typical slip of it: predictions (n_steps, batch, 1)."""
    x, h, ys = x0, None, []
    for _ in range(n_steps):
        h = cell(x, h if carry_h else None)
        y = head(h)
        ys.append(y)
        x = y if feed_back else x0
    return torch.stack(ys)


_ATOL, _RTOL = 1e-6, 1e-5  # float32, the dtype a learner's own zeros get by default (notebook 01's tolerance)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, atol=_ATOL, rtol=_RTOL)


def _check_generate(fn):
    # float32, PyTorch's default dtype: a zero state the learner builds with torch.zeros(...) matches it
    torch.manual_seed(83)
    batch, hidden, n_steps = 3, 5, 7
    cell = nn.RNNCell(1, hidden)
    head = nn.Linear(hidden, 1)
    x0 = torch.randn(batch, 1)
    try:
        with torch.no_grad():
            got = fn(cell, head, x0.clone(), n_steps)
    except (RuntimeError, ValueError, TypeError) as exc:
        if "dtype" in str(exc):
            return (
                f"your loop raised {type(exc).__name__} ({exc}): a tensor you made has another dtype than the "
                "cell's weights. Start from h = None (the cell uses zeros), or make the zeros like x0: "
                "x0.new_zeros(x0.shape[0], cell.hidden_size)"
            )
        if "Expected" in str(exc) or "size" in str(exc) or "shape" in str(exc):
            return (
                f"your loop raised {type(exc).__name__} ({exc}). The cell's input is the head's prediction "
                "y: (batch, 1) = (batch, input_size), not the hidden state h: (batch, hidden_size)"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    with torch.no_grad():
        want = _reference_generate(cell, head, x0, n_steps)
        slips = {
            "every step reads x0: feed each prediction back, the next input is the y you just computed":
                _reference_generate(cell, head, x0, n_steps, feed_back=False),
            "the hidden state restarts from zeros at every step: carry h from one step to the next":
                _reference_generate(cell, head, x0, n_steps, carry_h=False),
        }
    if not isinstance(got, torch.Tensor):
        return f"return a tensor (n_steps, batch, 1), got {type(got).__name__}"
    got = got.detach()
    if tuple(got.shape) != tuple(want.shape):
        if tuple(got.shape) == (n_steps, batch, hidden):
            return f"your result has shape {tuple(got.shape)}: those are the hidden states; return the predictions y = head(h)"
        if tuple(got.shape) == (n_steps + 1, batch, 1):
            return f"your result has {n_steps + 1} steps: return the {n_steps} predictions, without x0"
        return f"your result has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (n_steps, batch, 1)"
    if got.dtype != want.dtype:
        return f"your predictions are {got.dtype}, the model's are {want.dtype}: keep the dtype the cell and head give"
    if _close(got, want):
        # the same loop must work with the hand-written cell: a drop-in takes the same calls
        manual = ManualRNNCell(1, hidden)
        manual.load_state_dict(cell.state_dict())
        with torch.no_grad():
            again = fn(manual, head, x0.clone(), n_steps)
        if not isinstance(again, torch.Tensor) or not _close(again.detach(), want):
            return "your loop gives other predictions with ManualRNNCell: use only the cell's call, cell(x, h)"
        return None
    for message, variant in slips.items():
        if _close(got, variant):
            return message
    if _close(got[1:], want[:-1]):
        return "your predictions are one step late: step t's prediction is head(h_t), computed right after h_t"
    return "values differ: at each step h = cell(x, h), y = head(h), then x = y for the next step"


q3 = Exercise(
    name="08.3 a generation loop",
    answer="generate",
    checker=_check_generate,
    kind="function",
    hint_text=(
        "Start with x = x0 and h = None (zeros; or x0.new_zeros(x0.shape[0], cell.hidden_size)). Each step: "
        "h = cell(x, h); y = head(h); keep y; then x = y. "
        "Return torch.stack of the n_steps predictions: (n_steps, batch, 1). nn.RNN cannot do this in one call: "
        "it needs every input up front, and here input t + 1 exists only after step t."
    ),
    solution_code="""
        def generate(cell, head, x0, n_steps):
            x, h, predictions = x0, None, []
            for _ in range(n_steps):
                h = cell(x, h)          # (batch, hidden_size): one step of the cell
                y = head(h)             # (batch, 1): the prediction ...
                predictions.append(y)
                x = y                   # ... is the next step's input
            return torch.stack(predictions)  # (n_steps, batch, 1)
    """,
    mistakes={
        "never fed back": (
            """
            def generate(cell, head, x0, n_steps):
                h, predictions = None, []
                for _ in range(n_steps):
                    h = cell(x0, h)
                    predictions.append(head(h))
                return torch.stack(predictions)
            """,
            "feed each prediction back",
        ),
        "h restarted every step": (
            """
            def generate(cell, head, x0, n_steps):
                x, predictions = x0, []
                for _ in range(n_steps):
                    y = head(cell(x))
                    predictions.append(y)
                    x = y
                return torch.stack(predictions)
            """,
            "carry h",
        ),
        "fed h back instead of y": (
            """
            def generate(cell, head, x0, n_steps):
                x, h, predictions = x0, None, []
                for _ in range(n_steps):
                    h = cell(x, h)
                    predictions.append(head(h))
                    x = h
                return torch.stack(predictions)
            """,
            "not the hidden state h",
        ),
        "returned the hidden states": (
            """
            def generate(cell, head, x0, n_steps):
                x, h, states = x0, None, []
                for _ in range(n_steps):
                    h = cell(x, h)
                    states.append(h)
                    x = head(h)
                return torch.stack(states)
            """,
            "those are the hidden states",
        ),
        "a float64 zero state": (
            """
            def generate(cell, head, x0, n_steps):
                x, h, predictions = x0, torch.zeros(x0.shape[0], cell.hidden_size, dtype=torch.float64), []
                for _ in range(n_steps):
                    h = cell(x, h)
                    predictions.append(head(h))
                    x = predictions[-1]
                return torch.stack(predictions)
            """,
            "x0.new_zeros",
        ),
    },
)
