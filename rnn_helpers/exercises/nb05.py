"""Exercises for notebook 05: the concatenated weight, the hoisted input projection, and shapes."""

from __future__ import annotations

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .. import get_layer_weights
from ._core import Exercise, not_attempted

# --- 05.1 the concatenated weight ---------------------------------------------------------------


def _check_concat_weight(fn):
    torch.manual_seed(51)
    hidden, inp = 5, 3
    w_ih = torch.randn(hidden, inp, dtype=torch.float64)
    w_hh = torch.randn(hidden, hidden, dtype=torch.float64)
    try:
        got = fn(w_ih, w_hh)
    except RuntimeError as exc:
        if "Sizes of tensors must match" in str(exc):
            return (
                f"torch.cat raised ({exc}). w_ih is (5, 3) and w_hh is (5, 5): they share their number of "
                "rows (hidden_size), not of columns, so they must sit side by side: concatenate along dim=1"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    want = torch.cat([w_ih, w_hh], dim=1)
    shape = tuple(got.shape)
    if shape == (inp + hidden, hidden):
        return (
            f"your weight has shape {shape} = (input_size + hidden_size, hidden_size): that is the textbook "
            "(in, out) layout, the transpose of PyTorch's. Keep PyTorch's (out, in) weights and concatenate "
            "along dim=1, giving (hidden_size, input_size + hidden_size) = (5, 8)"
        )
    if shape != tuple(want.shape):
        return f"your weight has shape {shape}, expected (5, 8) = (hidden_size, input_size + hidden_size)"
    if torch.equal(got, torch.cat([w_hh, w_ih], dim=1)):
        return (
            "the blocks are in the wrong order: the input is [x_t, h_prev], so w_ih's columns must come "
            "first and w_hh's after them"
        )
    if not torch.equal(got, want):
        return "right shape, wrong values: the result should be exactly w_ih's columns followed by w_hh's"
    # input_size == hidden_size: the wrong dim no longer raises, it quietly gives the wrong shape
    square = torch.randn(4, 4, dtype=torch.float64)
    got_sq = fn(square, square.clone())
    if tuple(got_sq.shape) != (4, 8):
        return (
            f"with input_size == hidden_size == 4 your weight has shape {tuple(got_sq.shape)}, expected (4, 8): "
            "did you choose the dimension from the sizes instead of always using dim=1?"
        )
    return None


q1 = Exercise(
    name="05.1 the concatenated weight",
    answer="concat_weight",
    checker=_check_concat_weight,
    hint_text=(
        "w_ih is (hidden_size, input_size) and w_hh is (hidden_size, hidden_size): rows are outputs, so the "
        "two agree on rows. Put them side by side (dim=1), w_ih first because the input is [x_t, h_prev]."
    ),
    solution_code='''
def concat_weight(w_ih, w_hh):
    return torch.cat([w_ih, w_hh], dim=1)  # (hidden, input + hidden)
''',
    mistakes={
        "stacked along dim 0": (
            "def concat_weight(w_ih, w_hh):\n    return torch.cat([w_ih, w_hh], dim=0)",
            "dim=1",
        ),
        "textbook layout": (
            "def concat_weight(w_ih, w_hh):\n    return torch.cat([w_ih.T, w_hh.T], dim=0)",
            "textbook",
        ),
        "blocks swapped": (
            "def concat_weight(w_ih, w_hh):\n    return torch.cat([w_hh, w_ih], dim=1)",
            "wrong order",
        ),
    },
)


# --- 05.2 the hoisted layer ---------------------------------------------------------------------

_MATMULS = {"matmul", "__matmul__", "__rmatmul__", "mm", "bmm", "linear", "einsum", "addmm", "mv",
            "tensordot", "inner"}


class _CountMatmuls(TorchFunctionMode):
    """Record the shapes of the tensor arguments of every matrix product."""

    def __init__(self):
        super().__init__()
        self.products: list[list[tuple[int, ...]]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in _MATMULS:
            flat = list(args) + list((kwargs or {}).values())
            flat = [a for item in flat for a in (item if isinstance(item, (list, tuple)) else [item])]
            self.products.append([tuple(a.shape) for a in flat if isinstance(a, torch.Tensor)])
        return func(*args, **(kwargs or {}))


def _reference_variant(x, h0, w_ih, w_hh, b_ih, b_hh, proj_extra=0.0, loop_extra=0.0, h0_in_proj=False,
                       w_loop=None):
    """The hoisted layer with one typical slip; ``w_loop`` replaces ``w_hh.T`` in the loop's product."""
    projected = x @ w_ih.T + proj_extra
    if h0_in_proj:
        projected = projected + h0 @ w_hh.T
    w_loop = w_hh.T if w_loop is None else w_loop
    h, outs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_loop + loop_extra)
        outs.append(h)
    return torch.stack(outs)


def _check_hoisted_layer(fn):
    torch.manual_seed(52)
    seq_len, batch, inp, hidden = 6, 3, 7, 4  # all different, so every shape slip shows
    rnn = nn.RNN(inp, hidden, dtype=torch.float64)
    w_ih, w_hh, b_ih, b_hh = (p.detach() for p in get_layer_weights(rnn))
    x = torch.randn(seq_len, batch, inp, dtype=torch.float64)
    h0 = torch.randn(batch, hidden, dtype=torch.float64)
    counter = _CountMatmuls()
    try:
        with counter:
            got = fn(x, h0, w_ih, w_hh, b_ih, b_hh)
    except RuntimeError as exc:
        if "cannot be multiplied" in str(exc) or "size" in str(exc):
            return (
                f"your function raised RuntimeError ({exc}). Check the transposes: PyTorch's weights are "
                f"(out, in), w_ih is (hidden_size, input_size) = {tuple(w_ih.shape)}, so the projection is x @ w_ih.T: "
                f"{tuple(x.shape)} @ {tuple(w_ih.T.shape)} -> (seq_len, batch, hidden_size); in the loop, "
                "h @ w_hh.T"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    if isinstance(got, tuple):
        return "return only the output tensor (seq_len, batch, hidden_size), not a tuple"
    want = rnn(x, h0.unsqueeze(0))[0].detach()
    if tuple(got.shape) != tuple(want.shape):
        if tuple(got.shape) == (batch, hidden):
            return f"your output has shape {tuple(got.shape)}: that is only the last step; stack every h_t"
        return f"your output has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (seq_len, batch, hidden_size)"
    args = (x, h0, w_ih, w_hh, b_ih, b_hh)
    wrong = {
        "you forgot b_hh: nn.RNN adds both biases, b_ih and b_hh": _reference_variant(*args, proj_extra=b_ih),
        "you forgot b_ih: nn.RNN adds both biases, b_ih and b_hh": _reference_variant(*args, proj_extra=b_hh),
        "b_hh is added twice (once in the projection, once in the loop): add each bias exactly once":
            _reference_variant(*args, proj_extra=b_ih + b_hh, loop_extra=b_hh),
        "the biases are added twice (in the projection and again in the loop): add each bias exactly once":
            _reference_variant(*args, proj_extra=b_ih + b_hh, loop_extra=b_ih + b_hh),
        "you put an h term (h0 @ w_hh.T) into the hoisted projection: only x_t's part can be computed before "
        "the loop, because h changes at every step": _reference_variant(*args, proj_extra=b_ih + b_hh, h0_in_proj=True),
        "the first step ignores h0: start the loop from the h0 you were given":
            _reference_variant(x, torch.zeros_like(h0), w_ih, w_hh, b_ih, b_hh, proj_extra=b_ih + b_hh),
        "h @ w_hh is missing its .T: w_hh is (hidden_size, hidden_size) with rows = outputs, like every PyTorch "
        "weight, so the loop multiplies h @ w_hh.T. w_hh is square, so no shape error warns you; only the "
        "values are wrong": _reference_variant(*args, proj_extra=b_ih + b_hh, w_loop=w_hh),
    }
    if not torch.allclose(got, want, atol=1e-10, rtol=1e-10):
        for message, variant in wrong.items():
            if torch.allclose(got, variant, atol=1e-10, rtol=1e-10):
                return message
        return "values differ from nn.RNN: check the bias terms and the order of the matrix products"
    per_step = sum(1 for shapes in counter.products if any(inp in s and len(s) == 2 and s[0] == batch for s in shapes))
    whole = sum(1 for shapes in counter.products if any(len(s) >= 2 and inp in s and s[0] in (seq_len, seq_len * batch)
                                                          for s in shapes))
    if per_step >= seq_len or whole == 0:
        return (
            "right values, but the input projection is still inside the loop (a matmul with x_t, or with "
            "[x_t, h], at every step). "
            "Hoist it: compute x @ w_ih.T + b_ih + b_hh for all steps in one matmul before the loop"
        )
    return None


q2 = Exercise(
    name="05.2 hoist the input projection",
    answer="hoisted_layer",
    checker=_check_hoisted_layer,
    hint_text=(
        "Before the loop: projected = x @ w_ih.T + b_ih + b_hh, shape (seq_len, batch, hidden_size), one matmul "
        "for every step at once. In the loop only h @ w_hh.T is left: h = tanh(projected[t] + h @ w_hh.T). "
        "Each bias is added exactly once, and nothing with h goes into the projection."
    ),
    solution_code='''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh  # (seq_len, batch, hidden): every step at once
    h, outputs = h0, []
    for p_t in projected:  # p_t: (batch, hidden)
        h = torch.tanh(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs)  # (seq_len, batch, hidden)
''',
    mistakes={
        "forgot b_hh": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "forgot b_hh",
        ),
        "bias added twice": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "added twice",
        ),
        "h term hoisted": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + h0 @ w_hh.T + b_ih + b_hh
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "h term",
        ),
        "w_hh not transposed": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "missing its .T",
        ),
        "w_ih not transposed": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih + b_ih + b_hh
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "x @ w_ih.T",
        ),
        "not hoisted at all": (
            '''
def hoisted_layer(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for x_t in x:
        h = torch.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "still inside the loop",
        ),
    },
)


# --- 05.3 shapes and matmul counts --------------------------------------------------------------
# The question (in the notebook): nn.RNN(input_size=10, hidden_size=20), x of shape
# (seq_len=50, batch=4, input_size=10).

_SHAPES_WANT = {
    "xh": (4, 30),
    "W": (20, 30),
    "projected": (50, 4, 20),
    "matmuls_hoisted": 51,
}


def _check_shapes(answers):
    if not_attempted(answers):
        raise NotImplementedError
    if not isinstance(answers, dict):
        return f"answer with a dict with the keys {sorted(_SHAPES_WANT)}"
    if all(not_attempted(v) for v in answers.values()):
        raise NotImplementedError
    missing = sorted(set(_SHAPES_WANT) - set(answers))
    if missing:
        return f"missing keys: {missing}"
    problem = _first_wrong_shape(answers)
    if problem:
        return problem
    unanswered = [k for k in _SHAPES_WANT if not_attempted(answers[k])]
    if unanswered:
        return f"{', '.join(unanswered)}: not answered yet (replace the ...); the entries you gave are right"
    return None


def _first_wrong_shape(answers):
    """The message for the first answered entry that is wrong; entries still ``...`` are skipped."""
    norm = {k: (tuple(v) if isinstance(v, (list, tuple, torch.Size)) else v) for k, v in answers.items()}
    norm = {k: v for k, v in norm.items() if not not_attempted(v)}
    if "xh" in norm and norm["xh"] != _SHAPES_WANT["xh"]:
        if norm["xh"] == (30, 4):
            return "xh: that is transposed; one row per batch element, so (batch, input_size + hidden_size)"
        return f"xh: cat([x_t, h], dim=1) joins (4, 10) and (4, 20) side by side; got {norm['xh']}"
    if "W" in norm and norm["W"] != _SHAPES_WANT["W"]:
        if norm["W"] == (30, 20):
            return ("W: (30, 20) is the textbook (in, out) layout; PyTorch's weights are (out, in), so "
                    "cat([W_ih, W_hh], dim=1) is (hidden_size, input_size + hidden_size)")
        return f"W: cat of (20, 10) and (20, 20) along dim 1; got {norm['W']}"
    if "projected" in norm and norm["projected"] != _SHAPES_WANT["projected"]:
        if norm["projected"] == (50, 4, 10):
            return "projected: x @ W_ih.T maps input_size to hidden_size, so the last dimension is hidden_size"
        return f"projected: x is (seq_len, batch, input_size) = (50, 4, 10); x @ W_ih.T gives? got {norm['projected']}"
    if "matmuls_hoisted" in norm and norm["matmuls_hoisted"] != _SHAPES_WANT["matmuls_hoisted"]:
        if norm["matmuls_hoisted"] == 50:
            return "matmuls_hoisted: one per step in the loop, plus the big one before the loop"
        if norm["matmuls_hoisted"] == 100:
            return "matmuls_hoisted: 100 is the naive loop (two per step); hoisting moved x_t @ W_ih.T out of it"
        return "matmuls_hoisted: count the products in the loop (per step) and the one before it"
    return None


q3 = Exercise(
    name="05.3 shapes and matmul counts",
    answer="answers",
    checker=_check_shapes,
    hint_text=(
        "Rows are batch elements for activations and outputs for PyTorch's weights: xh is (batch, input + "
        "hidden), W is (hidden, input + hidden), projected is (seq_len, batch, hidden). The hoisted layer "
        "does one big matmul before the loop and one small one per step."
    ),
    solution_code='''
answers = {
    "xh": (4, 30),               # cat([x_t (4, 10), h (4, 20)], dim=1)
    "W": (20, 30),               # cat([W_ih (20, 10), W_hh (20, 20)], dim=1)
    "projected": (50, 4, 20),    # (seq_len, batch, input) @ (input, hidden)
    "matmuls_hoisted": 51,       # 1 before the loop + 50 (h @ W_hh.T) in it
}
''',
    mistakes={
        "textbook layout": (
            'answers = {"xh": (4, 30), "W": (30, 20), "projected": (50, 4, 20), "matmuls_hoisted": 51}',
            "textbook",
        ),
        "projection keeps input_size": (
            'answers = {"xh": (4, 30), "W": (20, 30), "projected": (50, 4, 10), "matmuls_hoisted": 51}',
            "hidden_size",
        ),
        "forgot the matmul before the loop": (
            'answers = {"xh": (4, 30), "W": (20, 30), "projected": (50, 4, 20), "matmuls_hoisted": 50}',
            "before the loop",
        ),
        "half filled in": (
            'answers = {"xh": (4, 30), "W": (20, 30), "projected": ..., "matmuls_hoisted": ...}',
            "projected, matmuls_hoisted: not answered yet",
        ),
        "half filled in, one wrong": (
            'answers = {"xh": (30, 4), "W": ..., "projected": ..., "matmuls_hoisted": ...}',
            "transposed",
        ),
    },
)
