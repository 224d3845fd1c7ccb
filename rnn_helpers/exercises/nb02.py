"""Exercises for notebook 02: one time step by hand, textbook weights into nn.RNN, the shapes of a cell."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Exercise, not_attempted

_F64 = torch.float64


# --------------------------------------------------------------------------------------------
# 02.1 one time step
# --------------------------------------------------------------------------------------------


def _check_one_step(fn):
    torch.manual_seed(201)
    batch, input_size, hidden_size = 2, 3, 5  # all different, so a wrong layout cannot hide
    cell = nn.RNNCell(input_size, hidden_size, dtype=_F64)
    w_ih, w_hh, b_ih, b_hh = (p.detach().clone() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))
    x_t = torch.randn(batch, input_size, dtype=_F64)
    h_prev = torch.randn(batch, hidden_size, dtype=_F64)  # non-zero, so the hidden term counts
    try:
        got = fn(x_t, h_prev, w_ih, w_hh, b_ih, b_hh)
    except RuntimeError as exc:
        if "cannot be multiplied" in str(exc) or "size mismatch" in str(exc):
            return (
                f"a matrix product failed ({exc}). w_ih is (hidden_size, input_size) = {tuple(w_ih.shape)}, "
                f"x_t is (batch, input_size) = {tuple(x_t.shape)}: multiply x_t @ w_ih.T (and h_prev @ w_hh.T)"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, torch.Tensor):
        return f"return a tensor, got {type(got).__name__}"
    with torch.no_grad():
        want = cell(x_t, h_prev)
    if tuple(got.shape) != tuple(want.shape):
        return f"your h_t has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, hidden_size)"
    got = got.detach()
    pre = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
    wrong = {
        "you forgot the tanh: h_t = tanh(...)": pre,
        "b_hh is missing: nn.RNN adds both b_ih and b_hh": torch.tanh(pre - b_hh),
        "b_ih is missing: nn.RNN adds both b_ih and b_hh": torch.tanh(pre - b_ih),
        "both biases are missing: add b_ih and b_hh": torch.tanh(pre - b_ih - b_hh),
        "the hidden-to-hidden term h_prev @ w_hh.T is missing": torch.tanh(pre - h_prev @ w_hh.T),
        "w_hh looks transposed: use h_prev @ w_hh.T (w_hh is square, so h_prev @ w_hh runs but is wrong)": (
            torch.tanh(pre - h_prev @ w_hh.T + h_prev @ w_hh)
        ),
    }
    if torch.allclose(got, want, atol=1e-10, rtol=1e-10):
        return None
    for message, value in wrong.items():
        if torch.allclose(got, value, atol=1e-10, rtol=1e-10):
            return message
    return "values differ from nn.RNNCell: compare your line with h_t = tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh)"


q1 = Exercise(
    name="02.1 one time step",
    answer="one_step",
    checker=_check_one_step,
    hint_text=(
        "Four terms inside one tanh: x_t @ w_ih.T, b_ih, h_prev @ w_hh.T, b_hh. The weights are stored "
        "(hidden_size, in_features), rows are outputs, so both products need the .T."
    ),
    solution_code='''
def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh)
''',
    mistakes={
        "forgot b_hh": (
            "def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):\n"
            "    return torch.tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh.T)\n",
            "b_hh is missing",
        ),
        "w_ih instead of w_ih.T": (
            "def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):\n"
            "    return torch.tanh(x_t @ w_ih + b_ih + h_prev @ w_hh.T + b_hh)\n",
            "x_t @ w_ih.T",
        ),
        "w_hh instead of w_hh.T": (
            "def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):\n"
            "    return torch.tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh + b_hh)\n",
            "w_hh looks transposed",
        ),
        "forgot tanh": (
            "def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):\n"
            "    return x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh\n",
            "forgot the tanh",
        ),
        "forgot the hidden term": (
            "def one_step(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):\n"
            "    return torch.tanh(x_t @ w_ih.T + b_ih + b_hh)\n",
            "hidden-to-hidden",
        ),
    },
)


# --------------------------------------------------------------------------------------------
# 02.2 textbook weights into nn.RNN
# --------------------------------------------------------------------------------------------


def _check_load_textbook(fn):
    torch.manual_seed(202)
    input_size, hidden_size, batch, seq_len = 3, 4, 2, 5
    rnn = nn.RNN(input_size, hidden_size, dtype=_F64)
    originals = dict(rnn.named_parameters())
    before = {name: p.detach().clone() for name, p in originals.items()}
    W_xh = torch.randn(input_size, hidden_size, dtype=_F64)  # textbook layout: x_t @ W_xh
    W_hh = torch.randn(hidden_size, hidden_size, dtype=_F64)
    b_h = torch.randn(hidden_size, dtype=_F64)
    try:
        fn(rnn, W_xh, W_hh, b_h)
    except RuntimeError as exc:
        text = str(exc)
        if "leaf Variable" in text or "requires grad" in text:
            return (
                "copying into a parameter that requires grad must happen inside `with torch.no_grad():` "
                f"(PyTorch said: {text})"
            )
        if "size" in text or "shape" in text or "broadcast" in text:
            return (
                f"a copy failed on shapes ({text}). nn.RNN stores weight_ih_l0 as (hidden_size, input_size) "
                f"= {tuple(rnn.weight_ih_l0.shape)}, the textbook W_xh is (input_size, hidden_size) = "
                f"{tuple(W_xh.shape)}: copy W_xh.T"
            )
        raise
    params = dict(rnn.named_parameters())
    if all(params[n] is originals[n] and torch.equal(params[n].detach(), before[n]) for n in originals):
        raise NotImplementedError  # nothing changed: the function is still the `...` placeholder
    for name, p in params.items():
        if p is not originals[name]:
            return (
                f"you replaced rnn.{name} with a new Parameter object: an optimizer built earlier still "
                f"holds the old one and would train that. Copy in place instead: "
                f"with torch.no_grad(): rnn.{name}.copy_(...)"
            )
    w_ih, w_hh, b_ih, b_hh = (params[n].detach() for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    if not torch.allclose(w_ih, W_xh.T):
        return "weight_ih_l0 should be W_xh.T: nn.RNN computes x_t @ weight_ih_l0.T, the textbook x_t @ W_xh"
    if not torch.allclose(w_hh, W_hh.T):
        if torch.allclose(w_hh, W_hh):
            return (
                "weight_hh_l0 holds W_hh untransposed: nn.RNN computes h @ weight_hh_l0.T, so store W_hh.T "
                "(W_hh is square, so the wrong copy raises no error)"
            )
        return "weight_hh_l0 should be W_hh.T"
    if not torch.allclose(b_ih + b_hh, b_h):
        if torch.equal(b_hh, before["bias_hh_l0"]):
            return "bias_hh_l0 still holds its random initial values: nn.RNN adds it too, so set it to zeros"
        if torch.equal(b_ih, before["bias_ih_l0"]):
            return "bias_ih_l0 still holds its random initial values: nn.RNN adds it too, so set it to b_h (or zeros)"
        if torch.allclose(b_ih + b_hh, 2 * b_h):
            return "b_h is counted twice: nn.RNN adds bias_ih_l0 AND bias_hh_l0; put b_h in one and zeros in the other"
        return "bias_ih_l0 + bias_hh_l0 must equal b_h (nn.RNN adds both)"
    # the proof: nn.RNN now computes the textbook recurrence
    x = torch.randn(seq_len, batch, input_size, dtype=_F64)
    h = torch.zeros(batch, hidden_size, dtype=_F64)
    for x_t in x:
        h = torch.tanh(x_t @ W_xh + h @ W_hh + b_h)
    with torch.no_grad():
        _, h_n = rnn(x)
    if not torch.allclose(h_n[0], h, atol=1e-10, rtol=1e-10):
        return "nn.RNN's result still differs from the textbook recurrence"
    return None


_LOAD_HEAD = "def load_textbook(rnn, W_xh, W_hh, b_h):\n"

q2 = Exercise(
    name="02.2 textbook weights into nn.RNN",
    answer="load_textbook",
    checker=_check_load_textbook,
    hint_text=(
        "The textbook computes x_t @ W_xh + h @ W_hh + b_h; nn.RNN computes x_t @ weight_ih_l0.T + bias_ih_l0 "
        "+ h @ weight_hh_l0.T + bias_hh_l0. So both weights go in transposed (W_hh too, though being square "
        "it would copy without complaint), b_h goes in one bias and zeros in the other, and every copy is "
        "an in-place .copy_ inside `with torch.no_grad():`."
    ),
    solution_code='''
def load_textbook(rnn, W_xh, W_hh, b_h):
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh.T)
        rnn.weight_hh_l0.copy_(W_hh.T)
        rnn.bias_ih_l0.copy_(b_h)
        rnn.bias_hh_l0.zero_()
''',
    mistakes={
        "W_hh not transposed": (
            _LOAD_HEAD + "    with torch.no_grad():\n"
            "        rnn.weight_ih_l0.copy_(W_xh.T)\n"
            "        rnn.weight_hh_l0.copy_(W_hh)\n"
            "        rnn.bias_ih_l0.copy_(b_h)\n"
            "        rnn.bias_hh_l0.zero_()\n",
            "untransposed",
        ),
        "W_xh not transposed": (
            _LOAD_HEAD + "    with torch.no_grad():\n"
            "        rnn.weight_ih_l0.copy_(W_xh)\n"
            "        rnn.weight_hh_l0.copy_(W_hh.T)\n"
            "        rnn.bias_ih_l0.copy_(b_h)\n"
            "        rnn.bias_hh_l0.zero_()\n",
            "copy W_xh.T",
        ),
        "bias_hh left at its random init": (
            _LOAD_HEAD + "    with torch.no_grad():\n"
            "        rnn.weight_ih_l0.copy_(W_xh.T)\n"
            "        rnn.weight_hh_l0.copy_(W_hh.T)\n"
            "        rnn.bias_ih_l0.copy_(b_h)\n",
            "bias_hh_l0 still holds",
        ),
        "b_h in both biases": (
            _LOAD_HEAD + "    with torch.no_grad():\n"
            "        rnn.weight_ih_l0.copy_(W_xh.T)\n"
            "        rnn.weight_hh_l0.copy_(W_hh.T)\n"
            "        rnn.bias_ih_l0.copy_(b_h)\n"
            "        rnn.bias_hh_l0.copy_(b_h)\n",
            "counted twice",
        ),
        "new nn.Parameter objects (the original's way)": (
            _LOAD_HEAD + "    rnn.weight_ih_l0 = nn.Parameter(W_xh.T)\n"
            "    rnn.weight_hh_l0 = nn.Parameter(W_hh.T)\n"
            "    rnn.bias_ih_l0 = nn.Parameter(b_h.clone())\n"
            "    rnn.bias_hh_l0 = nn.Parameter(torch.zeros_like(b_h))\n",
            "new Parameter object",
        ),
        "copy_ outside torch.no_grad()": (
            _LOAD_HEAD + "    rnn.weight_ih_l0.copy_(W_xh.T)\n"
            "    rnn.weight_hh_l0.copy_(W_hh.T)\n"
            "    rnn.bias_ih_l0.copy_(b_h)\n"
            "    rnn.bias_hh_l0.zero_()\n",
            "torch.no_grad()",
        ),
    },
)


# --------------------------------------------------------------------------------------------
# 02.3 shapes of a cell
# --------------------------------------------------------------------------------------------

_KEYS = ("w_ih", "w_hh", "h_t")


def _check_shapes(shapes):
    if not isinstance(shapes, dict):
        return f"make `shapes` a dict with the keys {_KEYS}, got {type(shapes).__name__}"
    missing = [k for k in _KEYS if k not in shapes]
    if missing:
        return f"`shapes` lacks the key(s) {missing}"
    if all(shapes[k] is Ellipsis or shapes[k] is None for k in _KEYS):
        raise NotImplementedError
    for k in _KEYS:
        if shapes[k] is Ellipsis or shapes[k] is None:
            return f"fill in shapes[{k!r}]"
    got = {k: tuple(shapes[k]) for k in _KEYS}
    # the truth, from nn.RNNCell itself: a batch of 8 examples, 5 features each, hidden_size 16
    torch.manual_seed(203)
    cell = nn.RNNCell(5, 16)
    x_t = torch.randn(8, 5)
    with torch.no_grad():
        h_t = cell(x_t)
    want = {"w_ih": tuple(cell.weight_ih.shape), "w_hh": tuple(cell.weight_hh.shape), "h_t": tuple(h_t.shape)}
    if got["w_ih"] == want["w_ih"][::-1]:
        return (
            f"w_ih: {got['w_ih']} is the textbook layout (input_size, hidden_size); nn.RNNCell stores "
            "(hidden_size, input_size): one row per hidden unit"
        )
    if got["w_ih"] != want["w_ih"]:
        return "w_ih: one row per hidden unit, one column per input feature"
    if got["w_hh"] != want["w_hh"]:
        return "w_hh: maps the previous hidden state to the new one: (hidden_size, hidden_size)"
    if got["h_t"] == (1, *want["h_t"]):
        return (
            f"h_t: {got['h_t']} is what nn.RNN returns for a length-1 sequence; the cell works on one "
            "step and returns (batch, hidden_size)"
        )
    if got["h_t"] == want["h_t"][::-1]:
        return "h_t: rows are examples of the batch, columns are hidden units: (batch, hidden_size)"
    if got["h_t"] != want["h_t"]:
        return "h_t: one row per example of the batch, one column per hidden unit"
    return None


q3 = Exercise(
    name="02.3 shapes of a cell",
    answer="shapes",
    checker=_check_shapes,
    hint_text=(
        "PyTorch stores every weight as (out_features, in_features): rows are outputs. The cell returns one "
        "hidden state per example, with no sequence dimension."
    ),
    solution_code='''
shapes = {"w_ih": (16, 5), "w_hh": (16, 16), "h_t": (8, 16)}
''',
    mistakes={
        "textbook layout for w_ih": ('shapes = {"w_ih": (5, 16), "w_hh": (16, 16), "h_t": (8, 16)}', "textbook layout"),
        "nn.RNN's output shape for h_t": (
            'shapes = {"w_ih": (16, 5), "w_hh": (16, 16), "h_t": (1, 8, 16)}',
            "length-1 sequence",
        ),
        "h_t transposed": ('shapes = {"w_ih": (16, 5), "w_hh": (16, 16), "h_t": (16, 8)}', "(batch, hidden_size)"),
    },
)

__all__ = ["q1", "q2", "q3"]
