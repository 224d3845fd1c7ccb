"""Exercises for notebook 02: one step with columns, nn.RNN's weights in textbook form, the shapes of the column layout."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Exercise, not_attempted

_F64 = torch.float64


# --------------------------------------------------------------------------------------------
# 02.1 one step, one column per sequence
# --------------------------------------------------------------------------------------------

_COLUMNS_HEAD = "def step_columns(X_t, H_prev, w_ih, w_hh, b_ih, b_hh):\n"


def _columns_case(input_size: int, hidden_size: int, batch: int, seed: int):
    """An nn.RNNCell's weights and inputs in the column layout, and the cell's answer, transposed."""
    torch.manual_seed(seed)
    cell = nn.RNNCell(input_size, hidden_size, dtype=_F64)
    w_ih, w_hh, b_ih, b_hh = (p.detach().clone() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh))
    X_t = torch.randn(input_size, batch, dtype=_F64)  # one column per sequence
    H_prev = torch.randn(hidden_size, batch, dtype=_F64)  # non-zero, so the hidden term counts
    with torch.no_grad():
        want = cell(X_t.T, H_prev.T).T  # nn.RNNCell works on rows: transpose in and out
    return (X_t, H_prev, w_ih, w_hh, b_ih, b_hh), want


def _check_columns(fn):
    # batch == hidden_size first: a bias added along the wrong axis then broadcasts without an error
    for input_size, hidden_size, batch, seed in ((3, 4, 4, 211), (2, 5, 3, 212)):
        args, want = _columns_case(input_size, hidden_size, batch, seed)
        X_t, H_prev, w_ih, w_hh, b_ih, b_hh = args
        try:
            got = fn(*(a.clone() for a in args))
        except RuntimeError as exc:
            text = str(exc)
            if "cannot be multiplied" in text or "size mismatch" in text:
                return (
                    f"a matrix product failed ({text}). Here the inputs are columns: X_t is "
                    f"(input_size, batch) = {tuple(X_t.shape)} and w_ih is (hidden_size, input_size) = "
                    f"{tuple(w_ih.shape)}, so the weight comes first and needs no transpose: w_ih @ X_t"
                )
            if "must match the size" in text:
                return (
                    f"a sum failed to broadcast ({text}). b_ih has shape (hidden_size,), and broadcasting "
                    "lines it up with the LAST dimension, here batch. Make it a column: b_ih[:, None]"
                )
            raise
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, torch.Tensor):
            return f"return a tensor, got {type(got).__name__}"
        got = got.detach().to(_F64)
        if tuple(got.shape) != tuple(want.shape):
            if tuple(got.shape) == tuple(want.T.shape):
                return (
                    f"your H_t has shape {tuple(got.shape)} = (batch, hidden_size), one row per sequence; "
                    f"in this layout each sequence is a column: {tuple(want.shape)} = (hidden_size, batch)"
                )
            return f"your H_t has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (hidden_size, batch)"
        if torch.allclose(got, want, atol=1e-10, rtol=1e-10):
            continue
        ih, hh = w_ih @ X_t, w_hh @ H_prev
        col_b = (b_ih + b_hh)[:, None]
        wrong = {
            "a bias was added along the wrong axis: b_ih has shape (hidden_size,), and broadcasting lines it "
            "up with the LAST dimension (batch), so sequence j got bias entry j. Make it a column: "
            "b_ih[:, None] (same for b_hh)": torch.tanh(ih + hh + b_ih + b_hh),
            "you forgot the tanh": ih + hh + col_b,
            "b_hh is missing: nn.RNN adds both b_ih and b_hh": torch.tanh(ih + hh + b_ih[:, None]),
            "b_ih is missing: nn.RNN adds both b_ih and b_hh": torch.tanh(ih + hh + b_hh[:, None]),
            "the hidden-to-hidden term w_hh @ H_prev is missing": torch.tanh(ih + col_b),
            "w_hh looks transposed: in this layout it is w_hh @ H_prev (w_hh is square, so w_hh.T @ H_prev "
            "runs but is wrong)": torch.tanh(ih + w_hh.T @ H_prev + col_b),
            "you returned one row per sequence: transpose your result, H_t is (hidden_size, batch)": want.T,
        }
        for message, value in wrong.items():
            if value.shape == got.shape and torch.allclose(got, value, atol=1e-10, rtol=1e-10):
                return message
        return (
            "values differ from nn.RNNCell: compare with H_t = tanh(w_ih @ X_t + b_ih[:, None] + w_hh @ H_prev "
            "+ b_hh[:, None])"
        )
    return None


q1 = Exercise(
    name="02.1 one step, one column per sequence",
    answer="step_columns",
    checker=_check_columns,
    hint_text=(
        "Transpose the whole row equation: (x_t @ w_ih.T)^T = w_ih @ X_t, so with columns the weight comes "
        "first and needs no .T. A bias of shape (hidden_size,) broadcasts along the LAST dimension (batch "
        "here), so turn each into a column, b[:, None], before adding. Both biases, one tanh."
    ),
    solution_code="""
def step_columns(X_t, H_prev, w_ih, w_hh, b_ih, b_hh):
    # X_t: (input_size, batch), H_prev: (hidden_size, batch), one column per sequence
    return torch.tanh(w_ih @ X_t + b_ih[:, None] + w_hh @ H_prev + b_hh[:, None])  # (hidden_size, batch)
""",
    mistakes={
        "bias along the wrong axis": (
            _COLUMNS_HEAD + "    return torch.tanh(w_ih @ X_t + b_ih + w_hh @ H_prev + b_hh)\n",
            "wrong axis",
        ),
        "the row formula, unchanged": (
            _COLUMNS_HEAD + "    return torch.tanh(X_t @ w_ih.T + b_ih + H_prev @ w_hh.T + b_hh)\n",
            "the weight comes first",
        ),
        "w_hh transposed": (
            _COLUMNS_HEAD + "    return torch.tanh(w_ih @ X_t + b_ih[:, None] + w_hh.T @ H_prev + b_hh[:, None])\n",
            "w_hh looks transposed",
        ),
        "rows returned": (
            _COLUMNS_HEAD + "    return torch.tanh(X_t.T @ w_ih.T + b_ih + H_prev.T @ w_hh.T + b_hh)\n",
            "one row per sequence",
        ),
        "b_hh forgotten": (
            _COLUMNS_HEAD + "    return torch.tanh(w_ih @ X_t + b_ih[:, None] + w_hh @ H_prev)\n",
            "b_hh is missing",
        ),
    },
    kind="function",
)


# --------------------------------------------------------------------------------------------
# 02.2 nn.RNN's weights out, in the row-vector textbook layout
# --------------------------------------------------------------------------------------------

_TEXTBOOK_HEAD = "def to_textbook(rnn):\n"


def _check_to_textbook(fn):
    torch.manual_seed(202)
    input_size, hidden_size, batch, seq_len = 3, 4, 2, 5  # all different: a wrong layout cannot hide
    rnn = nn.RNN(input_size, hidden_size, dtype=_F64)
    before = {name: p.detach().clone() for name, p in rnn.named_parameters()}
    w_ih, w_hh, b_ih, b_hh = (before[n] for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    got = fn(rnn)
    if not_attempted(got):
        raise NotImplementedError
    if any(not torch.equal(p.detach(), before[name]) for name, p in rnn.named_parameters()):
        return "your function changed the RNN's parameters: read them, compute new tensors, leave the RNN as it was"
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        what = f"a {type(got).__name__}" + (f" of {len(got)}" if isinstance(got, (tuple, list)) else "")
        return f"return three tensors, (W_xh, W_hh, b_h); you returned {what}"
    if not all(isinstance(g, torch.Tensor) for g in got):
        return "return three tensors, (W_xh, W_hh, b_h)"
    W_xh, W_hh, b_h = (g.detach().to(_F64) for g in got)
    if tuple(W_xh.shape) != (input_size, hidden_size):
        if tuple(W_xh.shape) == tuple(w_ih.shape):
            return (
                f"W_xh has PyTorch's shape {tuple(W_xh.shape)} = (hidden_size, input_size); the textbook "
                f"multiplies x_t @ W_xh, so W_xh is (input_size, hidden_size) = {(input_size, hidden_size)}: "
                "weight_ih_l0.T"
            )
        return f"W_xh has shape {tuple(W_xh.shape)}, expected (input_size, hidden_size) = {(input_size, hidden_size)}"
    if tuple(b_h.shape) != (hidden_size,):
        return f"b_h has shape {tuple(b_h.shape)}, expected (hidden_size,) = ({hidden_size},)"
    if not torch.allclose(W_xh, w_ih.T):
        return "W_xh should be weight_ih_l0.T: the textbook computes x_t @ W_xh, nn.RNN x_t @ weight_ih_l0.T"
    if not torch.allclose(W_hh, w_hh.T):
        if torch.allclose(W_hh, w_hh):
            return (
                "W_hh is weight_hh_l0 untransposed: the textbook computes h @ W_hh, nn.RNN h @ weight_hh_l0.T, "
                "so W_hh = weight_hh_l0.T (square, so the wrong one has the right shape)"
            )
        return "W_hh should be weight_hh_l0.T"
    if not torch.allclose(b_h, b_ih + b_hh):
        if torch.allclose(b_h, b_ih) or torch.allclose(b_h, b_hh):
            return "b_h must be bias_ih_l0 + bias_hh_l0: nn.RNN adds both, and the textbook has one bias for the sum"
        return "b_h should be bias_ih_l0 + bias_hh_l0"
    # the proof: the textbook recurrence with these three tensors is nn.RNN
    x = torch.randn(seq_len, batch, input_size, dtype=_F64)
    h = torch.zeros(batch, hidden_size, dtype=_F64)
    for x_t in x:
        h = torch.tanh(x_t @ W_xh + h @ W_hh + b_h)
    with torch.no_grad():
        _, h_n = rnn(x)
    if not torch.allclose(h_n[0], h, atol=1e-10, rtol=1e-10):
        return "the textbook recurrence with your tensors still differs from nn.RNN"
    return None


q2 = Exercise(
    name="02.2 nn.RNN's weights in textbook form",
    answer="to_textbook",
    checker=_check_to_textbook,
    hint_text=(
        "The textbook computes x_t @ W_xh + h @ W_hh + b_h; nn.RNN computes x_t @ weight_ih_l0.T + bias_ih_l0 "
        "+ h @ weight_hh_l0.T + bias_hh_l0. Match the terms: two transposes (W_hh too, although a square "
        "matrix has the right shape either way), and one bias that is the SUM of nn.RNN's two."
    ),
    solution_code="""
def to_textbook(rnn):
    W_xh = rnn.weight_ih_l0.detach().T                        # (input_size, hidden_size)
    W_hh = rnn.weight_hh_l0.detach().T                        # (hidden_size, hidden_size)
    b_h = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()          # (hidden_size,): only the sum matters here
    return W_xh, W_hh, b_h
""",
    mistakes={
        "W_hh not transposed": (
            _TEXTBOOK_HEAD + "    return rnn.weight_ih_l0.T, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0\n",
            "untransposed",
        ),
        "W_xh in PyTorch's layout": (
            _TEXTBOOK_HEAD + "    return rnn.weight_ih_l0, rnn.weight_hh_l0.T, rnn.bias_ih_l0 + rnn.bias_hh_l0\n",
            "weight_ih_l0.T",
        ),
        "only one of the two biases": (
            _TEXTBOOK_HEAD + "    return rnn.weight_ih_l0.T, rnn.weight_hh_l0.T, rnn.bias_ih_l0\n",
            "adds both",
        ),
        "both biases, not summed": (
            _TEXTBOOK_HEAD + "    return rnn.weight_ih_l0.T, rnn.weight_hh_l0.T, rnn.bias_ih_l0, rnn.bias_hh_l0\n",
            "return three tensors",
        ),
        "moved the bias inside the RNN": (
            _TEXTBOOK_HEAD + "    with torch.no_grad():\n"
            "        rnn.bias_ih_l0 += rnn.bias_hh_l0\n"
            "        rnn.bias_hh_l0.zero_()\n"
            "    return rnn.weight_ih_l0.T, rnn.weight_hh_l0.T, rnn.bias_ih_l0\n",
            "changed the RNN's parameters",
        ),
    },
    kind="function",
)


# --------------------------------------------------------------------------------------------
# 02.3 the shapes of the column layout
# --------------------------------------------------------------------------------------------
# nn.RNNCell(input_size=5, hidden_size=16), its weights as they are, a batch of 8 sequences as columns
_Q3_INPUT, _Q3_HIDDEN, _Q3_BATCH = 5, 16, 8
_KEYS = ("X_t", "w_ih @ X_t", "b_ih[:, None]", "H_t")


def _as_shape(value) -> tuple[int, ...] | None:
    """A tuple, list or torch.Size of ints as a tuple; None for anything else (a string, a number...)."""
    if isinstance(value, (tuple, list, torch.Size)) and all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        return tuple(value)
    return None


def _column_shapes() -> dict[str, tuple[int, ...]]:
    """The truth, from tensors: an nn.RNNCell's weights and a batch of columns, step 02.1's way."""
    cell = nn.RNNCell(_Q3_INPUT, _Q3_HIDDEN)
    w_ih, w_hh, b_ih, b_hh = cell.weight_ih.detach(), cell.weight_hh.detach(), cell.bias_ih.detach(), cell.bias_hh.detach()
    X_t = torch.randn(_Q3_INPUT, _Q3_BATCH)            # one column per sequence
    H_prev = torch.randn(_Q3_HIDDEN, _Q3_BATCH)
    H_t = torch.tanh(w_ih @ X_t + b_ih[:, None] + w_hh @ H_prev + b_hh[:, None])
    return {"X_t": tuple(X_t.shape), "w_ih @ X_t": tuple((w_ih @ X_t).shape),
            "b_ih[:, None]": tuple(b_ih[:, None].shape), "H_t": tuple(H_t.shape)}


def _check_column_shapes(shapes):
    missing = [k for k in _KEYS if k not in shapes]
    if missing:
        return f"`shapes` lacks the key(s) {missing}: keep the four keys of the cell"
    if all(shapes[k] is Ellipsis or shapes[k] is None for k in _KEYS):
        raise NotImplementedError
    for k in _KEYS:
        if shapes[k] is Ellipsis or shapes[k] is None:
            return f"fill in shapes[{k!r}]"
        if _as_shape(shapes[k]) is None:
            return f"shapes[{k!r}]: a shape is a tuple of ints, e.g. (2, 3) or (7,); you wrote {shapes[k]!r}"
    got = {k: _as_shape(shapes[k]) for k in _KEYS}
    want = _column_shapes()
    rows = (_Q3_BATCH, _Q3_INPUT)
    if got["X_t"] != want["X_t"]:
        if got["X_t"] == rows:
            return (
                f"X_t: {rows} = (batch, input_size) is the row layout, one row per sequence; here each sequence "
                f"is a column: (input_size, batch) = {want['X_t']}"
            )
        return "X_t: one row per input feature, one column per sequence"
    if got["w_ih @ X_t"] != want["w_ih @ X_t"]:
        if got["w_ih @ X_t"] == want["w_ih @ X_t"][::-1]:
            return (
                "w_ih @ X_t: (hidden_size, input_size) @ (input_size, batch) keeps the rows of w_ih and the "
                f"columns of X_t: {want['w_ih @ X_t']}, one column per sequence again"
            )
        return "w_ih @ X_t: a matrix product (a, b) @ (b, c) has shape (a, c); w_ih is (hidden_size, input_size)"
    if got["b_ih[:, None]"] != want["b_ih[:, None]"]:
        if got["b_ih[:, None]"] == (_Q3_HIDDEN,):
            return (
                "b_ih[:, None]: (16,) is b_ih itself, which broadcasts along the LAST dimension, here batch; "
                "[:, None] adds an axis of size 1 at the end, so the bias becomes a column"
            )
        if got["b_ih[:, None]"] == (1, _Q3_HIDDEN):
            return "b_ih[:, None]: the None comes second, so the new axis of size 1 comes last: a column, not a row"
        return "b_ih[:, None]: b_ih is (hidden_size,); [:, None] appends an axis of size 1"
    if got["H_t"] != want["H_t"]:
        if got["H_t"] == want["H_t"][::-1]:
            return (
                f"H_t: {got['H_t']} = (batch, hidden_size) is what nn.RNNCell returns, in rows; in the column "
                f"layout H_t is its transpose, one column per sequence: {want['H_t']}"
            )
        if got["H_t"] == (1, *want["H_t"]) or got["H_t"] == (1, *want["H_t"][::-1]):
            return "H_t: one step has no sequence axis: (hidden_size, batch)"
        return "H_t: one row per hidden unit, one column per sequence"
    return None


q3 = Exercise(
    name="02.3 the shapes of the column layout",
    answer="shapes",
    checker=_check_column_shapes,
    hint_text=(
        "In the column layout every sequence is a column: X_t is (input_size, batch). A product (a, b) @ (b, c) "
        "is (a, c). A bias of shape (hidden_size,) broadcasts along the LAST dimension, so 02.1 turns it into a "
        "column with [:, None]: an axis of size 1 appended. H_t is what nn.RNNCell returns, transposed."
    ),
    solution_code='''
shapes = {
    "X_t": (5, 8),            # (input_size, batch): one column per sequence
    "w_ih @ X_t": (16, 8),    # (hidden_size, input_size) @ (input_size, batch)
    "b_ih[:, None]": (16, 1), # (hidden_size, 1): a column, broadcast across the 8 sequences
    "H_t": (16, 8),           # (hidden_size, batch): nn.RNNCell's (8, 16), transposed
}
''',
    kind="dict",
    mistakes={
        "X_t in rows": (
            'shapes = {"X_t": (8, 5), "w_ih @ X_t": (16, 8), "b_ih[:, None]": (16, 1), "H_t": (16, 8)}',
            "row layout",
        ),
        "the product transposed": (
            'shapes = {"X_t": (5, 8), "w_ih @ X_t": (8, 16), "b_ih[:, None]": (16, 1), "H_t": (16, 8)}',
            "keeps the rows of w_ih",
        ),
        "the bias as it is stored": (
            'shapes = {"X_t": (5, 8), "w_ih @ X_t": (16, 8), "b_ih[:, None]": (16,), "H_t": (16, 8)}',
            "broadcasts along the LAST dimension",
        ),
        "H_t as nn.RNNCell returns it": (
            'shapes = {"X_t": (5, 8), "w_ih @ X_t": (16, 8), "b_ih[:, None]": (16, 1), "H_t": (8, 16)}',
            "transpose",
        ),
        "a shape written as a string": (
            'shapes = {"X_t": "5x8", "w_ih @ X_t": (16, 8), "b_ih[:, None]": (16, 1), "H_t": (16, 8)}',
            "a shape is a tuple of ints, e.g. (2, 3)",
        ),
    },
)

__all__ = ["q1", "q2", "q3"]
