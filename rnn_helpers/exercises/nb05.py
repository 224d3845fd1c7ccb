"""Exercises for notebook 05: hoisting in new settings (a batch-first layer, a stack of layers), and shapes."""

from __future__ import annotations

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .. import get_layer_weights, get_weights
from ._core import Exercise, not_attempted

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


def _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, proj_extra=None, loop_extra=0.0, h0_in_proj=False, w_loop=None):
    """The hoisted layer (sequence-first) with one typical slip; ``proj_extra`` replaces ``b_ih + b_hh``."""
    projected = x @ w_ih.T + (b_ih + b_hh if proj_extra is None else proj_extra)
    if h0_in_proj:
        projected = projected + h0 @ w_hh.T
    w_loop = w_hh.T if w_loop is None else w_loop
    h, outs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_loop + loop_extra)
        outs.append(h)
    return torch.stack(outs)


#: The typical slips in one hoisted layer: {message: layer(x, h0, w_ih, w_hh, b_ih, b_hh) -> output}, seq-first.
_SLIPS = {
    "you forgot b_hh: nn.RNN adds both biases, b_ih and b_hh":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, proj_extra=b_ih),
    "you forgot b_ih: nn.RNN adds both biases, b_ih and b_hh":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, proj_extra=b_hh),
    "b_hh is added twice (once in the projection, once in the loop): add each bias exactly once":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, loop_extra=b_hh),
    "the biases are added twice (in the projection and again in the loop): add each bias exactly once":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, loop_extra=b_ih + b_hh),
    "you put an h term (h0 @ w_hh.T) into the hoisted projection: only the input's part can be computed "
    "before the loop, because h changes at every step":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, h0_in_proj=True),
    "the first step ignores h0: start the loop from the h0 you were given":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, torch.zeros_like(h0), w_ih, w_hh, b_ih, b_hh),
    "h @ w_hh is missing its .T: w_hh is (hidden_size, hidden_size) with rows = outputs, like every PyTorch "
    "weight, so the loop multiplies h @ w_hh.T. w_hh is square, so no shape error warns you; only the "
    "values are wrong":
        lambda x, h0, w_ih, w_hh, b_ih, b_hh: _hoisted(x, h0, w_ih, w_hh, b_ih, b_hh, w_loop=w_hh),
}


def _stack(x, h0, layers, layer=_hoisted):
    """A stack of ``layer``s, layer by layer (sequence-first): (output, h_n (num_layers, batch, hidden))."""
    layer_input, last = x, []
    for k, w in enumerate(layers):
        layer_input = layer(layer_input, h0[k], *w)
        last.append(layer_input[-1])
    return layer_input, torch.stack(last)


def _name_slip(got, want, variants):
    """None if ``got`` equals ``want``; else the message of the variant it equals, or a general one."""
    if torch.allclose(got, want, atol=1e-10, rtol=1e-10):
        return None
    for message, variant in variants.items():
        if variant.shape == got.shape and torch.allclose(got, variant, atol=1e-10, rtol=1e-10):
            return message
    return _VALUES_DIFFER


_VALUES_DIFFER = "values differ from nn.RNN: check the bias terms and the order of the matrix products"


# --- 05.1 a batch-first hoisted layer -----------------------------------------------------------


def _check_hoisted_batch_first(fn):
    torch.manual_seed(51)
    batch, seq_len, inp, hidden = 3, 6, 7, 4  # all different, so every shape slip shows
    rnn = nn.RNN(inp, hidden, batch_first=True, dtype=torch.float64)
    w_ih, w_hh, b_ih, b_hh = (p.detach() for p in get_layer_weights(rnn))
    x = torch.randn(batch, seq_len, inp, dtype=torch.float64)
    h0 = torch.randn(batch, hidden, dtype=torch.float64)
    counter = _CountMatmuls()
    try:
        with counter:
            got = fn(x, h0, w_ih, w_hh, b_ih, b_hh)
    except RuntimeError as exc:
        if f"size of tensor a ({seq_len}) must match the size of tensor b ({batch})" in str(exc):
            return (
                f"your function raised RuntimeError ({exc}). A loop `for p_t in projected` walks over dim 0, "
                "which in a batch-first tensor is the batch, not time: step over dim 1, "
                "projected[:, t] for t in range(x.shape[1])"
            )
        if "cannot be multiplied" in str(exc) or "size" in str(exc):
            return (
                f"your function raised RuntimeError ({exc}). Check the transposes: w_ih is (hidden_size, "
                f"input_size) = {tuple(w_ih.shape)}, so the projection is x @ w_ih.T: {tuple(x.shape)} @ "
                f"{tuple(w_ih.T.shape)} -> (batch, seq_len, hidden_size); in the loop, h @ w_hh.T"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    if isinstance(got, (tuple, list)):
        return "return only the output tensor (batch, seq_len, hidden_size), not a tuple"
    if not isinstance(got, torch.Tensor):
        return f"return a tensor (batch, seq_len, hidden_size), got {type(got).__name__}"
    with torch.no_grad():
        want = rnn(x, h0.unsqueeze(0))[0]  # (batch, seq_len, hidden)
    if tuple(got.shape) != tuple(want.shape):
        if tuple(got.shape) == (seq_len, batch, hidden):
            return (
                f"your output has shape {tuple(got.shape)} = (seq_len, batch, hidden_size): you stacked the "
                "steps along dim 0. Batch-first output keeps time in dim 1: torch.stack(outputs, dim=1)"
            )
        if tuple(got.shape) == (batch, hidden):
            return f"your output has shape {tuple(got.shape)}: that is only the last step; stack every h_t"
        return f"your output has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, seq_len, hidden_size)"
    x_seq_first = x.transpose(0, 1)
    slips = {m: slip(x_seq_first, h0, w_ih, w_hh, b_ih, b_hh).transpose(0, 1) for m, slip in _SLIPS.items()}
    problem = _name_slip(got, want, slips)
    if problem:
        return problem
    per_step = sum(1 for shapes in counter.products if (batch, inp) in shapes)
    whole = sum(1 for shapes in counter.products if (batch, seq_len, inp) in shapes or (batch * seq_len, inp) in shapes)
    if per_step >= seq_len or whole == 0:
        return (
            "right values, but the input projection is still inside the loop (a matmul with x[:, t] at every "
            "step). Hoist it: x @ w_ih.T + b_ih + b_hh for all steps in one matmul before the loop; `@` treats "
            "(batch, seq_len) as rows, whatever their order"
        )
    return None


q1 = Exercise(
    name="05.1 a batch-first hoisted layer",
    answer="hoisted_layer_batch_first",
    checker=_check_hoisted_batch_first,
    kind="function",
    hint_text=(
        "The projection does not care about the layout: projected = x @ w_ih.T + b_ih + b_hh is "
        "(batch, seq_len, hidden_size), one matmul. Only the loop changes: time is dim 1 now, so step over "
        "projected[:, t] for t in range(x.shape[1]), and stack the states along dim=1."
    ),
    solution_code='''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh           # (batch, seq_len, hidden): every step at once
    h, outputs = h0, []
    for t in range(x.shape[1]):                    # time is dim 1
        h = torch.tanh(projected[:, t] + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs, dim=1)             # (batch, seq_len, hidden)
''',
    mistakes={
        "looped over dim 0 (the batch)": (
            '''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for p_t in projected:
        h = torch.tanh(p_t + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "walks over dim 0",
        ),
        "stacked along dim 0": (
            '''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for t in range(x.shape[1]):
        h = torch.tanh(projected[:, t] + h @ w_hh.T)
        outputs.append(h)
    return torch.stack(outputs)
''',
            "stack(outputs, dim=1)",
        ),
        "bias added twice": (
            '''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for t in range(x.shape[1]):
        h = torch.tanh(projected[:, t] + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "added twice",
        ),
        "w_hh not transposed": (
            '''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    projected = x @ w_ih.T + b_ih + b_hh
    h, outputs = h0, []
    for t in range(x.shape[1]):
        h = torch.tanh(projected[:, t] + h @ w_hh)
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "missing its .T",
        ),
        "not hoisted": (
            '''
def hoisted_layer_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "still inside the loop",
        ),
    },
)


# --- 05.2 a hoisted stack of layers -------------------------------------------------------------


def _check_hoisted_stack(fn):
    torch.manual_seed(52)
    seq_len, batch, inp, hidden, num_layers = 5, 2, 7, 4, 3  # 3 layers, not the notebook's 2; all sizes differ
    rnn = nn.RNN(inp, hidden, num_layers=num_layers, dtype=torch.float64)
    layers = [tuple(p.detach() for p in w) for w in get_weights(rnn)]
    x = torch.randn(seq_len, batch, inp, dtype=torch.float64)
    h0 = torch.randn(num_layers, batch, hidden, dtype=torch.float64)
    counter = _CountMatmuls()
    try:
        with counter:
            got = fn(x, h0, layers)
    except RuntimeError as exc:
        if "cannot be multiplied" in str(exc) and f"x{inp}" in str(exc):
            return (
                f"your function raised RuntimeError ({exc}). Layer 1 and up read the output sequence of the "
                f"layer below, (seq_len, batch, hidden_size) = {(seq_len, batch, hidden)}, not x: their w_ih is "
                f"{tuple(layers[1][0].shape)} = (hidden_size, hidden_size)"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (output, h_n)"
    out, h_n = got
    with torch.no_grad():
        want_out, want_h_n = rnn(x, h0)
    for name, value, want, meaning in (("output", out, want_out, "(seq_len, batch, hidden_size)"),
                                       ("h_n", h_n, want_h_n, "(num_layers, batch, hidden_size)")):
        if not isinstance(value, torch.Tensor):
            return f"{name}: expected a tensor {meaning}, got {type(value).__name__}"
        if tuple(value.shape) != tuple(want.shape):
            hint = ""
            if name == "h_n" and tuple(value.shape)[-2:] == (batch, hidden):
                hint = ": h_n holds every layer's last state, one row per layer (torch.stack them)"
            return f"{name} has shape {tuple(value.shape)}, expected {tuple(want.shape)} = {meaning}{hint}"
    if not torch.allclose(h_n, want_h_n, atol=1e-10):
        if torch.allclose(out, want_out, atol=1e-10):
            return "output is right, h_n is not: row k of h_n is layer k's state after the last step"
        if torch.allclose(h_n, _stack(x, h0[:1].expand_as(h0), layers)[1], atol=1e-10):
            return "every layer started from h0[0]: each layer k starts from its own initial state h0[k]"
    slips = {m: torch.cat([t.flatten() for t in _stack(x, h0, layers, slip)]) for m, slip in _SLIPS.items()}
    problem = _name_slip(torch.cat([out.flatten(), h_n.flatten()]),
                         torch.cat([want_out.flatten(), want_h_n.flatten()]), slips)
    if problem:
        return problem if problem == _VALUES_DIFFER else f"{problem} (in every layer)"
    per_step = sum(1 for shapes in counter.products if any(len(s) == 2 and s[0] == batch for s in shapes))
    whole = sum(1 for shapes in counter.products
                if any(s[:2] == (seq_len, batch) or (len(s) == 2 and s[0] == seq_len * batch) for s in shapes))
    if per_step > seq_len * num_layers or whole < num_layers:
        return (
            "right values, but some layer still multiplies its input inside the time loop. Run the stack layer "
            "by layer (layers outer, time inner): once the layer below has finished, this layer's whole input "
            "sequence is known, so its projection can be hoisted too, one matmul per layer"
        )
    return None


q2 = Exercise(
    name="05.2 a hoisted stack of layers",
    answer="hoisted_stack",
    checker=_check_hoisted_stack,
    kind="function",
    hint_text=(
        "Loop over the layers outside, time inside. For layer k, its whole input sequence is known before its "
        "time loop starts (x for layer 0, the layer below's stacked output after that), so "
        "projected = layer_input @ w_ih.T + b_ih + b_hh is one matmul; the time loop keeps only h @ w_hh.T, "
        "starting from h0[k]. Collect each layer's last h for h_n."
    ),
    solution_code='''
def hoisted_stack(x, h0, layers):
    layer_input, last_states = x, []
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        projected = layer_input @ w_ih.T + b_ih + b_hh  # this layer's whole input is known: hoist
        h, outputs = h0[k], []
        for p_t in projected:
            h = torch.tanh(p_t + h @ w_hh.T)
            outputs.append(h)
        layer_input = torch.stack(outputs)              # (seq_len, batch, hidden): the next layer's input
        last_states.append(h)
    return layer_input, torch.stack(last_states)        # output, h_n (num_layers, batch, hidden)
''',
    mistakes={
        "time outer, layers inner (only layer 0 hoisted)": (
            '''
def hoisted_stack(x, h0, layers):
    w_ih0, _, b_ih0, b_hh0 = layers[0]
    projected = x @ w_ih0.T + b_ih0 + b_hh0
    h = list(h0)
    outputs = []
    for t in range(x.shape[0]):
        below = None
        for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
            inp = projected[t] if k == 0 else below @ w_ih.T + b_ih + b_hh
            h[k] = torch.tanh(inp + h[k] @ w_hh.T)
            below = h[k]
        outputs.append(below)
    return torch.stack(outputs), torch.stack(h)
''',
            "layer by layer",
        ),
        "every layer reads x": (
            '''
def hoisted_stack(x, h0, layers):
    last_states = []
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        projected = x @ w_ih.T + b_ih + b_hh
        h, outputs = h0[k], []
        for p_t in projected:
            h = torch.tanh(p_t + h @ w_hh.T)
            outputs.append(h)
        last_states.append(h)
    return torch.stack(outputs), torch.stack(last_states)
''',
            "read the output sequence of the layer below",
        ),
        "h_n of the top layer only": (
            '''
def hoisted_stack(x, h0, layers):
    layer_input = x
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        projected = layer_input @ w_ih.T + b_ih + b_hh
        h, outputs = h0[k], []
        for p_t in projected:
            h = torch.tanh(p_t + h @ w_hh.T)
            outputs.append(h)
        layer_input = torch.stack(outputs)
    return layer_input, h
''',
            "one row per layer",
        ),
        "every layer starts from h0[0]": (
            '''
def hoisted_stack(x, h0, layers):
    layer_input, last_states = x, []
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        projected = layer_input @ w_ih.T + b_ih + b_hh
        h, outputs = h0[0], []
        for p_t in projected:
            h = torch.tanh(p_t + h @ w_hh.T)
            outputs.append(h)
        layer_input = torch.stack(outputs)
        last_states.append(h)
    return layer_input, torch.stack(last_states)
''',
            "its own initial state h0[k]",
        ),
        "bias added twice in every layer": (
            '''
def hoisted_stack(x, h0, layers):
    layer_input, last_states = x, []
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        projected = layer_input @ w_ih.T + b_ih + b_hh
        h, outputs = h0[k], []
        for p_t in projected:
            h = torch.tanh(p_t + h @ w_hh.T + b_hh)
            outputs.append(h)
        layer_input = torch.stack(outputs)
        last_states.append(h)
    return layer_input, torch.stack(last_states)
''',
            "b_hh is added twice",
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
    kind="dict",
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
