"""Exercises for notebook 14: the GRU by hand."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64


def _close(a, b) -> bool:
    return (
        isinstance(a, torch.Tensor) and a.shape == b.shape
        and torch.allclose(a.to(F64), b.to(F64), atol=1e-10, rtol=1e-10)
    )


# --- 14.1 how long does a GRU remember? -------------------------------------------------------

#: Update gates the checker tries. z = 0.5 reaches h = 0.5 exactly after one step (h <= 0.5 counts, and 0.5 is
#: exact in binary); every other z**k stays further than 1e-4 from 0.5, far beyond rounding.
_Q1_ZS = (0.9, 0.5, 0.99, 0.3, 0.75, 0.97)


def _steps_by_simulation(z: float) -> int:
    """h_{-1} = 1, n = 0: h_t = (1 - z) * 0 + z * h_{t-1}; count the steps until h <= 0.5."""
    h, steps = 1.0, 0
    while h > 0.5:
        h = (1 - z) * 0.0 + z * h
        steps += 1
    return steps


def _steps(k: int) -> str:
    return f"{k} step{'s' * (k != 1)}"


def _check_steps_to_half(fn):
    first = fn(_Q1_ZS[0])
    if not_attempted(first):
        raise NotImplementedError
    for z in _Q1_ZS:
        got = fn(z)
        want = _steps_by_simulation(z)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, float) and got.is_integer():
            got = int(got)
        if isinstance(got, bool) or not isinstance(got, int):
            return f"for z = {z}: expected a whole number of steps (an int), got {got!r}; round up with math.ceil"
        if got == want:
            continue
        where = f"for z = {z} you gave {_steps(got)}, but h drops to 0.5 or below after {_steps(want)}"
        if got == _steps_by_simulation(1 - z):
            return f"{where}: in nn.GRU, z is the fraction of the OLD state kept (h_t = (1 - z) n + z h_{{t-1}}), not of the new"
        if got == want - 1:
            return f"{where}: after {_steps(got)} h = z**{got} = {z ** got:.3f} is still above 0.5: round up, not down"
        if got == want + 1:
            return f"{where}: one step too many: after {_steps(want)} h = z**{want} = {z ** want:.3f} is already <= 0.5"
        return where
    return None


q1 = Exercise(
    name="14.1 how long does a GRU remember?",
    answer="steps_to_half",
    checker=_check_steps_to_half,
    hint_text=(
        "h_t = (1 - z) * n + z * h_{t-1} with n = 0 gives h_t = z * h_{t-1}, so after k steps h = z**k. "
        "Find the smallest k with z**k <= 0.5: k >= log(0.5) / log(z) (both logs are negative), rounded up. "
        "Or simply loop and count."
    ),
    solution_code='''
def steps_to_half(z):
    h, steps = 1.0, 0
    while h > 0.5:
        h = (1 - z) * 0.0 + z * h   # n = 0: keep the fraction z of the old state
        steps += 1
    return steps                    # = math.ceil(math.log(0.5) / math.log(z)), up to rounding
''',
    mistakes={
        "z as the fraction of the new": (
            "def steps_to_half(z):\n    h, k = 1.0, 0\n    while h > 0.5:\n        h = z * 0.0 + (1 - z) * h\n"
            "        k += 1\n    return k",
            "fraction of the OLD state",
        ),
        "rounded down": (
            "import math\ndef steps_to_half(z):\n    return math.floor(math.log(0.5) / math.log(z))",
            "round up",
        ),
        "a float": (
            "import math\ndef steps_to_half(z):\n    return math.log(0.5) / math.log(z)",
            "whole number",
        ),
        "one step too many": (
            "def steps_to_half(z):\n    h, k = 1.0, 0\n    while h > 0.5:\n        h = z * h\n        k += 1\n"
            "    return k + 1",
            "one step too many",
        ),
    },
    kind="function",
)


# --- 14.2 a GRU step from oneDNN's layout ------------------------------------------------------


def to_onednn_layout(w_ih, w_hh, b_ih, b_hh):
    """nn.GRU's layer weights in oneDNN's linear-before-reset layout, as PyTorch's ``_shuffle_weight`` and
    ``_shuffle_bias`` (aten/src/ATen/native/mkldnn/RNN.cpp) prepare them: weights with the gate blocks in
    the order z, r, n, and one bias (4H,) = (b_iz + b_hz, b_ir + b_hr, b_in, b_hn).
    w_ih (3H, I), w_hh (3H, H), b_ih, b_hh (3H,) in nn.GRU's order r, z, n. Returns (w_ih, w_hh, bias)."""
    def zrn(w):
        r, z, n = w.chunk(3, dim=0)
        return torch.cat([z, r, n])

    (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = b_ih.chunk(3), b_hh.chunk(3)
    return zrn(w_ih), zrn(w_hh), torch.cat([b_iz + b_hz, b_ir + b_hr, b_in, b_hn])


def _lbr_variants(x, h, w_ih, w_hh, bias):
    """h_t of the right LBR-GRU step (key None) and of the typical wrong ones, from oneDNN-layout weights."""
    def step(kind):
        gi_z, gi_r, gi_n = (x @ w_ih.T).chunk(3, dim=1)
        gh_z, gh_r, gh_n = (h @ w_hh.T).chunk(3, dim=1)
        b_z, b_r, b_in, b_hn = bias.chunk(4)
        if kind == "r, z order":
            gi_z, gi_r, gh_z, gh_r, b_z, b_r = gi_r, gi_z, gh_r, gh_z, b_r, b_z
        z, r = torch.sigmoid(gi_z + gh_z + b_z), torch.sigmoid(gi_r + gh_r + b_r)
        if kind == "b_hn outside r":
            n = torch.tanh(gi_n + b_in + b_hn + r * gh_n)
        elif kind == "no b_hn":
            n = torch.tanh(gi_n + b_in + r * gh_n)
        elif kind == "reset before":
            n = torch.tanh(gi_n + b_in + (r * h) @ w_hh.chunk(3, dim=0)[2].T + b_hn)
        else:
            n = torch.tanh(gi_n + b_in + r * (gh_n + b_hn))
        if kind == "z swapped":
            return z * n + (1 - z) * h
        return (1 - z) * n + z * h

    return {kind: step(kind) for kind in (None, "r, z order", "b_hn outside r", "no b_hn", "reset before", "z swapped")}


_LBR_MESSAGES = {
    "r, z order": "oneDNN's gate order is z, r, n: the first block of the weights and of the bias is the update gate z, "
                  "the second the reset gate r",
    "b_hn outside r": "the 4th bias block is b_hn: it goes inside the reset gate, r * (h W_hn^T + b_hn), while b_in "
                      "(the 3rd) stays outside",
    "no b_hn": "the bias has 4 blocks of H: z, r, then b_in and b_hn for the candidate; your step leaves out the 4th, "
               "b_hn, which goes inside the reset gate",
    "reset before": "linear before reset: r multiplies the finished product h W_hn^T + b_hn, not h before the product",
    "z swapped": "nn.GRU keeps the fraction z of the OLD state: h_t = (1 - z) * n + z * h_{t-1}",
}


def _check_lbr_gru_step(fn):
    gen = torch.Generator().manual_seed(142)
    B, I, H = 3, 2, 4
    cell = nn.GRUCell(I, H, dtype=F64)
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
    x, h = torch.randn(B, I, dtype=F64, generator=gen), torch.randn(B, H, dtype=F64, generator=gen)
    layout = to_onednn_layout(*(p.detach() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)))
    got = fn(x.clone(), h.clone(), *[t.clone() for t in layout])
    if not_attempted(got):
        raise NotImplementedError
    with torch.no_grad():
        want = cell(x, h)
    if not isinstance(got, torch.Tensor):
        return f"return h_t, a tensor (batch, hidden_size), got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your h_t has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, hidden_size)"
    if _close(got, want):
        return None
    variants = _lbr_variants(x, h, *layout)
    assert _close(variants[None], want), "checker: the reference LBR-GRU step != nn.GRUCell"
    for kind, message in _LBR_MESSAGES.items():
        if _close(got, variants[kind]):
            return message
    return ("values differ from nn.GRUCell: z, r, n blocks in that order, z and r from the summed products plus "
            "their bias block, n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)), h_t = (1 - z) * n + z * h")


_LBR_SOLUTION = """
def lbr_gru_step(x_t, h_prev, w_ih, w_hh, bias):
    gi_z, gi_r, gi_n = (x_t @ w_ih.T).chunk(3, dim=1)        # oneDNN's order: z, r, n; (B, H) each
    gh_z, gh_r, gh_n = (h_prev @ w_hh.T).chunk(3, dim=1)
    b_z, b_r, b_in, b_hn = bias.chunk(4)                     # (H,) each
    z = torch.sigmoid(gi_z + gh_z + b_z)
    r = torch.sigmoid(gi_r + gh_r + b_r)
    n = torch.tanh(gi_n + b_in + r * (gh_n + b_hn))          # b_hn inside the reset gate
    return (1 - z) * n + z * h_prev
"""


def _lbr_mistake(old: str, new: str) -> str:
    assert old in _LBR_SOLUTION, old
    return _LBR_SOLUTION.replace(old, new)


q2 = Exercise(
    name="14.2 a GRU step from oneDNN's layout",
    answer="lbr_gru_step",
    checker=_check_lbr_gru_step,
    hint_text=(
        "Chunk both products into 3 blocks and the bias into 4, naming them in oneDNN's order: z, r, n and "
        "b_z, b_r, b_in, b_hn. The first two bias blocks are already sums (b_i + b_h): add each once. Then section 1's "
        "candidate: which of b_in and b_hn is scaled by r?"
    ),
    solution_code=_LBR_SOLUTION,
    mistakes={
        "blocks read in nn.GRU's order r, z, n": (
            _lbr_mistake("gi_z, gi_r, gi_n = (x_t @ w_ih.T)", "gi_r, gi_z, gi_n = (x_t @ w_ih.T)")
            .replace("gh_z, gh_r, gh_n = (h_prev", "gh_r, gh_z, gh_n = (h_prev")
            .replace("b_z, b_r, b_in, b_hn = bias", "b_r, b_z, b_in, b_hn = bias"),
            "order is z, r, n",
        ),
        "b_hn outside the reset gate": (
            _lbr_mistake("gi_n + b_in + r * (gh_n + b_hn)", "gi_n + b_in + b_hn + r * gh_n"),
            "goes inside the reset gate",
        ),
        "the 4th bias block left out": (
            _lbr_mistake("gi_n + b_in + r * (gh_n + b_hn)", "gi_n + b_in + r * gh_n"),
            "leaves out the 4th",
        ),
        "z as the fraction of the new": (
            _lbr_mistake("return (1 - z) * n + z * h_prev", "return z * n + (1 - z) * h_prev"),
            "fraction z of the OLD state",
        ),
    },
    kind="function",
)


# --- 14.3 a GRU with the other z into nn.GRU ------------------------------------------------------


def _other_z_gru(x, h0, w_ih, w_hh, b_ih, b_hh):
    """The GRU whose z is the fraction of the NEW candidate: h_t = (1 - z) h_{t-1} + z n. x: (T, B, I)."""
    h, outs = h0, []
    for x_t in x:
        gi_r, gi_z, gi_n = (x_t @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + r * gh_n)
        h = (1 - z) * h + z * n
        outs.append(h)
    return torch.stack(outs)


def _z_flipped(weights, which=(0, 1, 2, 3), gate=1, how="negate"):
    """Copies of (w_ih, w_hh, b_ih, b_hh) with block ``gate`` of the tensors ``which`` changed."""
    H = weights[1].shape[1]
    out = [w.clone() for w in weights]
    rows = slice(gate * H, (gate + 1) * H)
    for k in which:
        out[k][rows] = -out[k][rows] if how == "negate" else 1 - out[k][rows]
    return out


def _check_to_torch_gru(fn):
    gen = torch.Generator().manual_seed(143)
    T, B, I, H = 5, 3, 2, 4
    weights = [torch.randn(*shape, dtype=F64, generator=gen) for shape in [(3 * H, I), (3 * H, H), (3 * H,), (3 * H,)]]
    x, h0 = torch.randn(T, B, I, dtype=F64, generator=gen), torch.randn(B, H, dtype=F64, generator=gen)
    got = fn(*[w.clone() for w in weights])
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return "return the four tensors (w_ih, w_hh, b_ih, b_hh) for nn.GRU, e.g. `return w_ih, w_hh, b_ih, b_hh`"
    for name, tensor, ref in zip(("w_ih", "w_hh", "b_ih", "b_hh"), got, weights):
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != tuple(ref.shape):
            shape = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            return f"{name}: expected a tensor of shape {tuple(ref.shape)}, as nn.GRU's, got {shape}"
    gru = nn.GRU(I, H, dtype=F64)
    with torch.no_grad():
        for p, value in zip((gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0), got):
            p.copy_(value.detach().to(F64))
        theirs, _ = gru(x, h0.unsqueeze(0))
    want = _other_z_gru(x, h0, *weights)
    if _close(theirs, want):
        return None
    loaded = [t.detach().to(F64) for t in got]
    checks = [
        (weights, "as they are, nn.GRU keeps the fraction z of the OLD state: you need nn.GRU's z to be 1 - this "
                  "GRU's z. Which change of a gate's pre-activation turns sigmoid(a) into 1 - sigmoid(a)?"),
        (_z_flipped(weights, which=(0, 1)), "the z gate's biases must change sign too: z = sigmoid(x W_iz^T + b_iz + "
                                            "h W_hz^T + b_hz), and all four terms flip"),
        (_z_flipped(weights, which=(0, 1, 2)), "you flipped b_iz but not b_hz: both biases enter z"),
        (_z_flipped(weights, how="one minus"), "1 - z is not 1 - (the weights): use 1 - sigmoid(a) = sigmoid(-a)"),
        (_z_flipped(weights, gate=0), "that block is the reset gate r (nn.GRU's order is r, z, n): flip the z block, "
                                      "rows H:2H"),
    ]
    for candidate, message in checks:
        if all(_close(a, b) for a, b in zip(loaded, candidate)):
            return message
    return "nn.GRU with your weights computes something else than this GRU: compare the z blocks (rows H:2H)"


_TO_TORCH_SOLUTION = """
def to_torch_gru(w_ih, w_hh, b_ih, b_hh):
    H = w_hh.shape[1]
    z = slice(H, 2 * H)                                  # the update gate's rows (order r, z, n)
    out = [p.clone() for p in (w_ih, w_hh, b_ih, b_hh)]
    for p in out:
        p[z] = -p[z]                                     # 1 - sigmoid(a) = sigmoid(-a)
    return tuple(out)
"""


def _to_torch_mistake(old: str, new: str) -> str:
    assert old in _TO_TORCH_SOLUTION, old
    return _TO_TORCH_SOLUTION.replace(old, new)


q3 = Exercise(
    name="14.3 a GRU with the other z, into nn.GRU",
    answer="to_torch_gru",
    checker=_check_to_torch_gru,
    hint_text=(
        "You need nn.GRU's z to equal 1 - z of the other GRU at every step, whatever x and h. The z gate is a "
        "sigmoid of a pre-activation a, and 1 - sigmoid(a) = sigmoid(-a): what turns a into -a? Only the z blocks "
        "(rows H:2H) change; r and n stay as they are."
    ),
    solution_code=_TO_TORCH_SOLUTION,
    mistakes={
        "unchanged": (
            "def to_torch_gru(w_ih, w_hh, b_ih, b_hh):\n    return w_ih, w_hh, b_ih, b_hh",
            "fraction z of the OLD state",
        ),
        "weights only, not the biases": (
            _to_torch_mistake("for p in out:", "for p in out[:2]:"),
            "biases must change sign too",
        ),
        "one bias only": (
            _to_torch_mistake("for p in out:", "for p in out[:3]:"),
            "both biases enter z",
        ),
        "1 - the weights": (
            _to_torch_mistake("p[z] = -p[z]", "p[z] = 1 - p[z]"),
            "1 - sigmoid(a) = sigmoid(-a)",
        ),
        "the r block flipped": (
            _to_torch_mistake("z = slice(H, 2 * H)", "z = slice(0, H)"),
            "reset gate r",
        ),
    },
    kind="function",
)
