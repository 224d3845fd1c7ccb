"""Exercises for notebook 15: why gates (the plain RNN, the LSTM and the GRU side by side)."""

from __future__ import annotations

import copy
import math
import numbers

import torch
from torch import nn

from ..gates import gru_gates
from ..weights import get_layer_weights
from ._core import Exercise, not_attempted

F64 = torch.float64


def _close(a: torch.Tensor, b: torch.Tensor, tol: float = 1e-10) -> bool:
    return a.shape == b.shape and torch.allclose(a.to(F64), b.to(F64), atol=tol, rtol=tol)


def _float32_note(got: torch.Tensor, want: torch.Tensor) -> str | None:
    """A message for an answer right to float32's precision only (about 1e-7 relative), else None."""
    if _close(got, want, 1e-5):
        return ("right to float32 precision, but not to 1e-10: compute in float64 (the checker's tensors are "
                "float64; a float32 tensor or torch.tensor(...) made along the way drops the other digits)")
    return None


# --- 15.1 a fair size ------------------------------------------------------------------------------

_BLOCKS = {"RNN": 1, "LSTM": 4, "GRU": 3}
_GATES = {"RNN": "one block (no gates)", "LSTM": "four blocks (i, f, g, o)", "GRU": "three blocks (r, z, n)"}


def _count(cell: str, input_size: int, h: int, *, blocks=None, biases=2, reads_input=True) -> int:
    g = _BLOCKS[cell] if blocks is None else blocks
    return g * h * ((input_size if reads_input else 0) + h + biases)


def _matched(cell: str, input_size: int, n_params: int, *, rule="closest", ties="smaller", **count) -> int:
    """The right hidden size (defaults), or a typical wrong one (the keywords name the mistake)."""
    low = 1
    while _count(cell, input_size, low + 1, **count) <= n_params:   # the largest H whose count is <= n_params
        low += 1
    high = low + 1
    below, above = n_params - _count(cell, input_size, low, **count), _count(cell, input_size, high, **count) - n_params
    if rule == "down" or below < 0:
        return low
    if rule == "up":
        return high
    if rule == "round the root":   # solve G h^2 + G (I + 2) h = n, then round h itself
        g, b = (count.get("blocks") or _BLOCKS[cell]), input_size + 2
        return max(1, round((-b + math.sqrt(b * b + 4 * n_params / g)) / 2))
    if below == above:
        return low if ties == "smaller" else high
    return low if below < above else high


#: (cell, input_size, n_params). In order: section 2's LSTM count for a plain RNN; the GRU for the same; a
#: quadratic's root of 10.503 whose lower size is closer (GRU, 2: 420 and 495 around 457, so rounding the root
#: fails); an exact tie (RNN, 1: 130 and 154 around 142); an input so large that forgetting weight_ih changes
#: everything; fewer parameters than H = 1 has; a root below .5 (RNN, 2: 96 and 117 around 100); one parameter
#: above the count of H = 20 (LSTM, 4: 2080), so that a count with one bias lands on 20 and rounding up on 21.
#: Every typical mistake below gives another list of answers over these cases (tests/test_exercises_nb15.py).
_Q1_CASES = (("RNN", 2, 1280), ("GRU", 2, 1280), ("GRU", 2, 457), ("RNN", 1, 142), ("LSTM", 100, 50_000),
             ("GRU", 5, 10), ("RNN", 2, 100), ("LSTM", 4, 2081))
_Q1_MISTAKES = [
    ({"rule": "down"}, "the closest count, not the largest one below n_params: compare the sizes on both sides"),
    ({"rule": "up"}, "the closest count, not the smallest one above n_params: compare the sizes on both sides"),
    ({"rule": "round the root"}, "rounding the solution H of the quadratic is not the same as taking the closest "
                                 "COUNT (the count grows faster above): compute the count of both whole sizes around "
                                 "it and keep the closer"),
    ({"ties": "larger"}, "two sizes equally close: take the smaller"),
    ({"biases": 1}, "every layer has TWO bias vectors, bias_ih and bias_hh: G * H * (input_size + H + 2)"),
    ({"reads_input": False}, "weight_ih is (G * H, input_size): input_size is part of the count, "
                             "G * H * (input_size + H + 2)"),
]


def _as_int(value):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def _check_matched(fn):
    first = fn(*_Q1_CASES[0])
    if not_attempted(first):
        raise NotImplementedError
    got = []
    for cell, input_size, n_params in _Q1_CASES:
        answer = _as_int(fn(cell, input_size, n_params))
        if not isinstance(answer, int) or isinstance(answer, bool):
            return (f"{cell}, input_size {input_size}, n_params {n_params}: expected a whole number (an int), got "
                    f"{answer!r}; a hidden size is a count of units")
        got.append(answer)
    want = [_matched(*case) for case in _Q1_CASES]
    if got == want:
        return None
    for mistake, message in _Q1_MISTAKES:
        if got == [_matched(*case, **mistake) for case in _Q1_CASES]:
            return message
    for case, g, w in zip(_Q1_CASES, got, want):
        if g != w:
            cell, input_size, n_params = case
            for blocks in (1, 3, 4):
                if blocks != _BLOCKS[cell] and g == _matched(*case, blocks=blocks):
                    return (f"{cell}, input_size {input_size}, n_params {n_params}: you give {g}, the closest is {w}: "
                            f"the {cell} has {_GATES[cell]}, not {blocks}")
            return (f"{cell}, input_size {input_size}, n_params {n_params}: you give {g} "
                    f"({_count(cell, input_size, g) if g >= 1 else 'no'} parameters), the closest is {w} "
                    f"({_count(cell, input_size, w)} parameters)")
    return None  # pragma: no cover


q1 = Exercise(
    name="15.1 a fair size",
    answer="matched_hidden_size",
    checker=_check_matched,
    hint_text=(
        "Section 1's count G * H * (input_size + H + 2) grows with H, and is a quadratic in H. Find the two whole "
        "sizes whose counts lie on either side of n_params (a loop will do, or the quadratic formula), then "
        "compare their counts, not the sizes."
    ),
    solution_code='''
def matched_hidden_size(cell, input_size, n_params):
    import math
    blocks = {"RNN": 1, "LSTM": 4, "GRU": 3}[cell]
    def count(h):
        return blocks * h * (input_size + h + 2)             # section 1: G * H * (input_size + H + 2)
    b = input_size + 2                                        # G h^2 + G b h = n_params
    root = (-b + math.sqrt(b * b + 4 * n_params / blocks)) / 2
    low = max(1, math.floor(root))                            # the whole sizes around the root
    return min(low, low + 1, key=lambda h: (abs(count(h) - n_params), h))   # closest count; a tie: the smaller
''',
    mistakes={
        "rounded down": (
            "def matched_hidden_size(cell, input_size, n_params):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    b = input_size + 2\n"
            "    return max(1, math.floor((-b + math.sqrt(b * b + 4 * n_params / g)) / 2))",
            "not the largest one below",
        ),
        "the root rounded": (
            "def matched_hidden_size(cell, input_size, n_params):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    b = input_size + 2\n"
            "    return max(1, round((-b + math.sqrt(b * b + 4 * n_params / g)) / 2))",
            "closest COUNT",
        ),
        "one bias": (
            "def matched_hidden_size(cell, input_size, n_params):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    count = lambda h: g * h * (input_size + h + 1)\n"
            "    return min(range(1, 1000), key=lambda h: (abs(count(h) - n_params), h))",
            "TWO bias vectors",
        ),
        "input_size left out": (
            "def matched_hidden_size(cell, input_size, n_params):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    count = lambda h: g * h * (h + 2)\n"
            "    return min(range(1, 1000), key=lambda h: (abs(count(h) - n_params), h))",
            "input_size is part of the count",
        ),
        "four blocks for the GRU": (
            "def matched_hidden_size(cell, input_size, n_params):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 4}[cell]\n"
            "    count = lambda h: g * h * (input_size + h + 2)\n"
            "    return min(range(1, 1000), key=lambda h: (abs(count(h) - n_params), h))",
            "three blocks (r, z, n), not 4",
        ),
    },
    kind="function",
)


# --- 15.2 which units keep the marked value? --------------------------------------------------------


def _q2_gru(seed: int) -> nn.GRU:
    """An nn.GRU (3 -> 5) whose update gates spread over (0, 1): some units keep, some replace."""
    gen = torch.Generator().manual_seed(seed)
    gru = nn.GRU(3, 5, dtype=F64)
    with torch.no_grad():
        for p in gru.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen) * 0.8)
        gru.bias_ih_l0[5:10] += torch.linspace(-1.0, 3.0, 5, dtype=F64)   # z from mostly shut to mostly open
    return gru


def _q2_cases():
    gen = torch.Generator().manual_seed(152)
    x = torch.randn(9, 4, 3, dtype=F64, generator=gen)              # (T = 9, batch 4, input_size 3)
    return [(_q2_gru(153), x, 2), (_q2_gru(154), x, 0), (_q2_gru(155), x[:6, :2], 3)]


def _kept(gru: nn.GRU, x: torch.Tensor, step: int, *, gate="z", first=1, last=0, flip=False,
          reduce="prod") -> torch.Tensor:
    """The right product (defaults), or a typical wrong one (the keywords name the mistake)."""
    g = gru_gates(x, None, *[p.detach() for p in get_layer_weights(gru)])[gate]     # (T, batch, H)
    g = (1 - g if flip else g)[step + first : g.shape[0] - last]
    return g.prod(dim=0) if reduce == "prod" else g.mean(dim=0)


_Q2_MISTAKES = [
    ({"first": 0}, "h_step already holds the marked value: the product starts at step + 1, not at step"),
    ({"last": 1}, "the value must reach the last step, T - 1: include z_{T-1}"),
    ({"flip": True}, "in nn.GRU, z is the fraction of the OLD state kept (h_t = (1 - z) * n + z * h_{t-1}); "
                     "1 - z is what the candidate replaces"),
    ({"reduce": "mean"}, "what is kept multiplies, step after step (z_{s+1} of it survives step s + 1, then z_{s+2} "
                         "of that): a product, not a mean"),
    ({"gate": "r"}, "that is the reset gate r (block 0); the update gate z is block 1 of r, z, n"),
]


def _check_kept(fn):
    cases = _q2_cases()
    gru, x, step = cases[0]
    if not_attempted(fn(copy.deepcopy(gru), x.clone(), step)):
        raise NotImplementedError
    for gru, x, step in cases:
        got = fn(copy.deepcopy(gru), x.clone(), step)
        want = _kept(gru, x, step)
        where = f"T = {x.shape[0]}, batch {x.shape[1]}, step {step}"
        if not isinstance(got, torch.Tensor):
            return f"{where}: expected a tensor (batch, H), got {type(got).__name__}"
        if tuple(got.shape) != tuple(want.shape):
            return f"{where}: expected shape {tuple(want.shape)} = (batch, H), got {tuple(got.shape)}"
        got = got.detach()
        if _close(got, want):
            continue
        note = _float32_note(got, want)
        if note:
            return f"{where}: {note}"
        for mistake, message in _Q2_MISTAKES:
            if _close(got, _kept(gru, x, step, **mistake)):
                return f"{where}: {message}"
        if _close(got, _kept(gru, x, 0, first=0)):
            return f"{where}: only the steps after the marked one count: from step + 1 to T - 1"
        return f"{where}: values differ; the product of z over steps step + 1 .. T - 1, for each sequence and unit"
    return None


q2 = Exercise(
    name="15.2 which units keep the marked value?",
    answer="kept_fraction",
    checker=_check_kept,
    hint_text=(
        "gru_gates (notebook 14; from rnn_helpers import gru_gates, get_layer_weights) gives z at every step, "
        "(T, batch, H). Which steps multiply what h_step holds on its way to h_{T-1}?"
    ),
    solution_code='''
def kept_fraction(gru, x, step):
    from rnn_helpers import get_layer_weights, gru_gates
    weights = [p.detach() for p in get_layer_weights(gru)]
    z = gru_gates(x, None, *weights)["z"]                     # (T, batch, H): z_t of every step
    return z[step + 1 :].prod(dim=0)                          # z_{step+1} * ... * z_{T-1}: (batch, H)
''',
    mistakes={
        "from the marked step": (
            "def kept_fraction(gru, x, step):\n    from rnn_helpers import get_layer_weights, gru_gates\n"
            "    z = gru_gates(x, None, *[p.detach() for p in get_layer_weights(gru)])['z']\n"
            "    return z[step:].prod(dim=0)",
            "starts at step + 1",
        ),
        "1 - z": (
            "def kept_fraction(gru, x, step):\n    from rnn_helpers import get_layer_weights, gru_gates\n"
            "    z = gru_gates(x, None, *[p.detach() for p in get_layer_weights(gru)])['z']\n"
            "    return (1 - z[step + 1 :]).prod(dim=0)",
            "fraction of the OLD state kept",
        ),
        "the last step left out": (
            "def kept_fraction(gru, x, step):\n    from rnn_helpers import get_layer_weights, gru_gates\n"
            "    z = gru_gates(x, None, *[p.detach() for p in get_layer_weights(gru)])['z']\n"
            "    return z[step + 1 : -1].prod(dim=0)",
            "include z_{T-1}",
        ),
        "the mean of z": (
            "def kept_fraction(gru, x, step):\n    from rnn_helpers import get_layer_weights, gru_gates\n"
            "    z = gru_gates(x, None, *[p.detach() for p in get_layer_weights(gru)])['z']\n"
            "    return z[step + 1 :].mean(dim=0)",
            "a product, not a mean",
        ),
        "in float32": (
            "def kept_fraction(gru, x, step):\n    from rnn_helpers import get_layer_weights, gru_gates\n"
            "    weights = [p.detach().float() for p in get_layer_weights(gru)]\n"
            "    return gru_gates(x.float(), None, *weights)['z'][step + 1 :].prod(dim=0)",
            "float32 precision",
        ),
    },
    kind="function",
)


# --- 15.3 one step back through a GRU -----------------------------------------------------------


def _q3_step(seed: int = 157):
    """A random GRU step, with every gate kept: (grad_h, h_prev, r, z, n, gh_n, w_hh) and the autograd answer."""
    gen = torch.Generator().manual_seed(seed)
    B, I, H = 3, 2, 4
    x = torch.randn(B, I, dtype=F64, generator=gen)
    h_prev = torch.randn(B, H, dtype=F64, generator=gen).requires_grad_()
    w_ih, w_hh = torch.randn(3 * H, I, dtype=F64, generator=gen), torch.randn(3 * H, H, dtype=F64, generator=gen) * 0.7
    b_ih, b_hh = torch.randn(3 * H, dtype=F64, generator=gen), torch.randn(3 * H, dtype=F64, generator=gen)
    gi_r, gi_z, gi_n = (x @ w_ih.T + b_ih).chunk(3, dim=1)
    gh_r, gh_z, gh_n = (h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
    n = torch.tanh(gi_n + r * gh_n)
    h = (1 - z) * n + z * h_prev
    grad_h = torch.randn(B, H, dtype=F64, generator=gen)
    (want,) = torch.autograd.grad(h, h_prev, grad_h)
    args = tuple(t.detach() for t in (grad_h, h_prev, r, z, n, gh_n, w_hh))
    return args, want


def _paths(grad_h, h_prev, r, z, n, gh_n, *, tanh_grad="1 - n**2", keep=True, r_on_gh=True, sig_r=True,
           gh_in_r=True, dz_sign=1.0, sig_z=True) -> dict[str, torch.Tensor]:
    """dL/d(pre-activation) of each block of gh = h_prev @ w_hh.T + b_hh, (B, H) each: right (defaults) or a
    typical wrong version (the keywords name the mistake)."""
    dn = {"1 - n**2": 1 - n**2, "1 - tanh(n)**2": 1 - torch.tanh(n) ** 2, "none": torch.ones_like(n)}[tanh_grad]
    da_n = grad_h * ((1 - z) if keep else 1) * dn               # through n = tanh(a_n), h = (1 - z) * n + ...
    return {
        "r": da_n * (gh_n if gh_in_r else 1) * (r * (1 - r) if sig_r else 1),   # a_n = gi_n + r * gh_n, r = sigmoid
        "z": dz_sign * grad_h * (h_prev - n) * (z * (1 - z) if sig_z else 1),   # dh/dz = h_prev - n, z = sigmoid
        "n": da_n * r if r_on_gh else da_n,                                     # gh_n enters scaled by r
    }


def _gru_back(grad_h, h_prev, r, z, n, gh_n, w_hh, *, direct="z", gates=True, order="rzn", **path) -> torch.Tensor:
    """The whole step back (defaults), or a typical wrong one (the keywords name the mistake)."""
    out = grad_h * (z if direct == "z" else 1 - z)
    if not gates:
        return out
    pieces = _paths(grad_h, h_prev, r, z, n, gh_n, **path)
    return out + torch.cat([pieces[k] for k in order], dim=1) @ w_hh


_SHARED = [   # wrong in da_n, which feeds the r path and the n path
    ({"tanh_grad": "none"}, "through n = tanh(a_n) (it feeds the r path and the n path): multiply by tanh' = 1 - n**2"),
    ({"tanh_grad": "1 - tanh(n)**2"}, "tanh' written with the output n is 1 - n**2: n is already tanh(a_n), so "
                                      "1 - tanh(n)**2 takes tanh twice"),
    ({"keep": False}, "h_t = (1 - z) * n + z * h_{t-1}: the gradient reaching n is grad_h * (1 - z)"),
]
_PATH_MISTAKES = {
    "r": [({"sig_r": False}, "r = sigmoid(a_r): multiply by sigmoid' = r * (1 - r)"),
          ({"gh_in_r": False}, "a_n = gi_n + r * gh_n, so dL/dr = dL/da_n * gh_n: gh_n is missing"), *_SHARED],
    "z": [({"dz_sign": -1.0}, "dh_t/dz = h_{t-1} - n (from (1 - z) * n + z * h_{t-1}), not n - h_{t-1}"),
          ({"sig_z": False}, "z = sigmoid(a_z): multiply by sigmoid' = z * (1 - z)")],
    "n": [({"r_on_gh": False}, "n = tanh(gi_n + r * gh_n): the gradient reaching gh_n is scaled by r"), *_SHARED],
}


def _diagnose_block(k: int, part: torch.Tensor, args, pieces) -> str | None:
    """What is wrong with the answer's path through block k (0 r, 1 z, 2 n) of w_hh, or None if it is right."""
    grad_h, h_prev, r, z, n, gh_n, w_hh = args
    H = w_hh.shape[1]
    name = "rzn"[k]
    block = w_hh[k * H : (k + 1) * H]
    if _close(part, pieces[name] @ block):
        return None
    where = f"the path through {name} (block {k} of w_hh, rows {('0:H', 'H:2H', '2H:3H')[k]})"
    if _close(part, torch.zeros_like(part)):
        return f"{where} is missing: {name} reads h_{{t-1}} through w_hh too"
    if _close(part, pieces[name] @ block.T):
        return f"{where} goes back through W transposed: gh = h_prev @ W.T, so dL/dh_prev = dL/dgh @ W, not @ W.T"
    for other in "rzn":
        if other != name and _close(part, pieces[other] @ block):
            return f"{where} carries the gradient of {other}: w_hh's blocks are in PyTorch's order r, z, n"
    for mistake, message in _PATH_MISTAKES[name]:
        if _close(part, _paths(*args[:6], **mistake)[name] @ block):
            return f"{where}: {message}"
    return f"{where} differs from autograd's: go back through the lines that read gh_{name}, one at a time"


def _check_gru_back(fn):
    args, want = _q3_step()
    got = fn(*[a.clone() for a in args])
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor (B, H), got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your answer has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (B, H), like h_prev"
    if _close(got.detach(), want):
        return None
    note = _float32_note(got.detach(), want)
    if note:
        return note
    grad_h, h_prev, r, z, n, gh_n, w_hh = args

    def call(w):   # the answer is linear in w_hh: keeping one block shows what it sends back through that block
        out = fn(*[a.clone() for a in args[:6]], w.clone())
        return out.detach().to(F64) if isinstance(out, torch.Tensor) and out.shape == want.shape else None

    alone = call(torch.zeros_like(w_hh))
    if alone is None:
        return "with w_hh = 0 your function no longer returns a (B, H) tensor"
    if not _close(alone, grad_h * z):
        if _close(alone, grad_h * (1 - z)):
            return ("with w_hh = 0 only the direct path is left: h_t = (1 - z) * n + z * h_{t-1} keeps the fraction z "
                    "of h_{t-1}, so it is grad_h * z, not grad_h * (1 - z)")
        return ("with w_hh = 0 only the direct path is left, grad_h * z (h_t = (1 - z) * n + z * h_{t-1}); "
                "yours gives something else there")
    H = w_hh.shape[1]
    parts = []
    for k in range(3):
        w = torch.zeros_like(w_hh)
        w[k * H : (k + 1) * H] = w_hh[k * H : (k + 1) * H]
        part = call(w)
        if part is None:
            return f"with only block {k} of w_hh kept, your function no longer returns a (B, H) tensor"
        parts.append(part - alone)
    if all(_close(part, torch.zeros_like(part)) for part in parts):
        return "that is only the direct path, grad_h * z: r, z and n read h_{t-1} too, through w_hh; add those three paths"
    pieces = _paths(*args[:6])
    for k, part in enumerate(parts):
        problem = _diagnose_block(k, part, args, pieces)
        if problem:
            return problem
    return ("each path is right alone, but not together: the answer must be the direct path plus the three "
            "paths through w_hh, added once each")


q3 = Exercise(
    name="15.3 one step back through a GRU",
    answer="gru_grad_h_prev",
    checker=_check_gru_back,
    hint_text=(
        "Write the step forwards as a few lines: gh = h_prev @ w_hh.T + b_hh (blocks r, z, n), then r, z, then n, "
        "then h. h_prev appears twice: directly in h, and inside gh. Go back through the lines one at a time; "
        "write the derivatives of sigmoid and tanh with the outputs you are given (r, z, n)."
    ),
    solution_code='''
def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):
    direct = grad_h * z                                   # h_t = (1 - z) * n + z * h_prev
    da_n = grad_h * (1 - z) * (1 - n**2)                  # through n = tanh(gi_n + r * gh_n)
    d_gh_n = da_n * r                                     # gh_n = h_prev W_hn^T + b_hn, scaled by r
    da_r = da_n * gh_n * r * (1 - r)                      # through r = sigmoid(gi_r + gh_r)
    da_z = grad_h * (h_prev - n) * z * (1 - z)            # through z = sigmoid(gi_z + gh_z)
    return direct + torch.cat([da_r, da_z, d_gh_n], dim=1) @ w_hh   # (B, 3H) @ (3H, H)
''',
    mistakes={
        "only the direct path": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n    return grad_h * z",
            "only the direct path",
        ),
        "(1 - z) on the direct path": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (h_prev - n) * z * (1 - z)\n"
            "    return grad_h * (1 - z) + torch.cat([da_r, da_z, da_n * r], dim=1) @ w_hh",
            "not grad_h * (1 - z)",
        ),
        "no tanh'": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (h_prev - n) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_r, da_z, da_n * r], dim=1) @ w_hh",
            "path through r (block 0 of w_hh, rows 0:H): through n = tanh(a_n)",
        ),
        "n - h_prev for dz": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (n - h_prev) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_r, da_z, da_n * r], dim=1) @ w_hh",
            "path through z (block 1 of w_hh, rows H:2H): dh_t/dz = h_{t-1} - n",
        ),
        "r forgotten on gh_n": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (h_prev - n) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_r, da_z, da_n], dim=1) @ w_hh",
            "path through n (block 2 of w_hh, rows 2H:3H): n = tanh(gi_n + r * gh_n)",
        ),
    },
    kind="function",
)
