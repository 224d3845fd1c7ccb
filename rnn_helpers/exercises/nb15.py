"""Exercises for notebook 15: why gates (the plain RNN, the LSTM and the GRU side by side)."""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64

# --- 15.1 what a cell costs ------------------------------------------------------------------

_Q1_CELLS = {"RNN": (nn.RNN, 1), "LSTM": (nn.LSTM, 4), "GRU": (nn.GRU, 3)}
_Q1_BLOCKS = {"RNN": "one block of weights (no gates)", "LSTM": "four gate blocks (i, f, g, o)",
              "GRU": "three gate blocks (r, z, n)"}
#: (input_size, hidden_size, num_layers, bias): input_size != hidden_size everywhere, so that a layer above
#: the first that reads input_size features instead of hidden_size gives another count.
_Q1_CONFIGS = ((2, 16, 1, True), (5, 3, 2, True), (7, 5, 3, False), (1, 6, 2, False), (10, 20, 1, False))


def _count(cell: str, input_size: int, hidden_size: int, num_layers: int, bias: bool, *, blocks=None,
           first_input_everywhere=False, biases=2, layers=True) -> int:
    """The right count, or a typical wrong one (the keywords name the mistake)."""
    g = _Q1_CELLS[cell][1] if blocks is None else blocks
    total = 0
    for layer in range(num_layers if layers else 1):
        reads = input_size if layer == 0 or first_input_everywhere else hidden_size
        total += g * hidden_size * (reads + hidden_size + (biases if bias else 0))
    return total


def _check_count(fn):
    first = fn("RNN", *_Q1_CONFIGS[0])
    if not_attempted(first):
        raise NotImplementedError
    for cell, (module, _) in _Q1_CELLS.items():
        for config in _Q1_CONFIGS:
            input_size, hidden_size, num_layers, bias = config
            got = fn(cell, *config)
            if isinstance(got, torch.Tensor) and got.numel() == 1:
                got = got.item()
            if isinstance(got, float) and got.is_integer():
                got = int(got)
            if isinstance(got, bool) or not isinstance(got, int):
                return f"expected a whole number (an int), got {got!r}"
            want = sum(p.numel() for p in module(input_size, hidden_size, num_layers, bias=bias).parameters())
            if got == want:
                continue
            where = (f"{cell}(input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers}, "
                     f"bias={bias}): you count {got}, PyTorch has {want}")
            if bias is False and got == _count(cell, input_size, hidden_size, num_layers, True):
                return f"{where}: with bias=False there are no bias vectors at all"
            blocks = _Q1_CELLS[cell][1]
            wrong_blocks = [({"blocks": g}, f"the {cell} has {_Q1_BLOCKS[cell]}, not {g} (weight_ih is "
                                            f"({blocks} * hidden_size, features read))") for g in (1, 3, 4) if g != blocks]
            for mistake, message in [
                ({"biases": 1}, "every layer has TWO bias vectors, bias_ih and bias_hh, each (G * hidden_size,)"),
                ({"biases": 2, "layers": False}, "every layer of the stack has its own weights: add them up over num_layers"),
                ({"first_input_everywhere": True}, "the layers above the first read the layer below's output, "
                                                   "hidden_size features, not input_size (notebook 04)"),
                *wrong_blocks,
            ]:
                if got == _count(cell, *config, **mistake):
                    return f"{where}: {message}"
            return f"{where}; per layer: G * hidden_size * (features read + hidden_size + 2 biases)"
    return None


q1 = Exercise(
    name="15.1 what a cell costs",
    answer="count_parameters",
    checker=_check_count,
    hint_text=(
        "One layer with G gate blocks (RNN 1, LSTM 4, GRU 3) has weight_ih (G*H, features read), weight_hh (G*H, H) "
        "and, with bias=True, two biases (G*H,) each. Layer 0 reads input_size features; every layer above reads "
        "the output of the layer below: hidden_size features. Add the layers up."
    ),
    solution_code='''
def count_parameters(cell, input_size, hidden_size, num_layers, bias):
    blocks = {"RNN": 1, "LSTM": 4, "GRU": 3}[cell]
    total = 0
    for layer in range(num_layers):
        reads = input_size if layer == 0 else hidden_size      # layers above read the layer below
        total += blocks * hidden_size * (reads + hidden_size + (2 if bias else 0))
    return total
''',
    mistakes={
        "one bias": (
            "def count_parameters(cell, input_size, hidden_size, num_layers, bias):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    return sum(g * hidden_size * ((input_size if l == 0 else hidden_size) + hidden_size + (1 if bias else 0))\n"
            "               for l in range(num_layers))",
            "TWO bias vectors",
        ),
        "one layer only": (
            "def count_parameters(cell, input_size, hidden_size, num_layers, bias):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    return g * hidden_size * (input_size + hidden_size + (2 if bias else 0))",
            "over num_layers",
        ),
        "every layer reads input_size": (
            "def count_parameters(cell, input_size, hidden_size, num_layers, bias):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    return num_layers * g * hidden_size * (input_size + hidden_size + (2 if bias else 0))",
            "not input_size",
        ),
        "four blocks for the GRU": (
            "def count_parameters(cell, input_size, hidden_size, num_layers, bias):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 4}[cell]\n"
            "    return sum(g * hidden_size * ((input_size if l == 0 else hidden_size) + hidden_size + (2 if bias else 0))\n"
            "               for l in range(num_layers))",
            "three gate blocks (r, z, n), not 4",
        ),
        "bias ignored": (
            "def count_parameters(cell, input_size, hidden_size, num_layers, bias):\n"
            "    g = {'RNN': 1, 'LSTM': 4, 'GRU': 3}[cell]\n"
            "    return sum(g * hidden_size * ((input_size if l == 0 else hidden_size) + hidden_size + 2)\n"
            "               for l in range(num_layers))",
            "no bias vectors at all",
        ),
    },
    kind="function",
)


# --- 15.2 a forget gate's half-life ----------------------------------------------------------


def _q2_lstm(hidden_size: int, num_layers: int, seed: int) -> nn.LSTM:
    """An nn.LSTM whose biases differ from block to block, some forget biases large (kept for long)."""
    gen = torch.Generator().manual_seed(seed)
    lstm = nn.LSTM(3, hidden_size, num_layers, dtype=F64)
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if "bias" in name:
                p.copy_(torch.randn(p.shape, dtype=F64, generator=gen) + 1.0)
    return lstm


def _half_lives(lstm: nn.LSTM, layer: int, *, ih=True, hh=True, block=1, sigmoid=True, inverted=False) -> torch.Tensor:
    """The right half-lives (defaults), or a typical wrong version (the keywords name the mistake)."""
    H = lstm.hidden_size
    rows = slice(block * H, (block + 1) * H)
    b = torch.zeros(H, dtype=F64)
    if ih:
        b = b + getattr(lstm, f"bias_ih_l{layer}")[rows].detach()
    if hh:
        b = b + getattr(lstm, f"bias_hh_l{layer}")[rows].detach()
    f = torch.sigmoid(b) if sigmoid else b
    ratio = torch.log(f) / math.log(0.5) if inverted else math.log(0.5) / torch.log(f)
    return ratio


def _check_half_life(fn):
    cases = [(_q2_lstm(5, 1, 152), 0), (_q2_lstm(4, 2, 153), 1), (_q2_lstm(6, 3, 154), 2)]
    first = fn(copy_lstm(cases[0][0]), 0)
    if not_attempted(first):
        raise NotImplementedError
    for lstm, layer in cases:
        got = fn(copy_lstm(lstm), layer)
        want = _half_lives(lstm, layer)
        where = f"layer {layer} of an nn.LSTM with hidden_size {lstm.hidden_size}"
        if not isinstance(got, torch.Tensor):
            return f"{where}: expected a tensor (hidden_size,), got {type(got).__name__}"
        if tuple(got.shape) != (lstm.hidden_size,):
            return f"{where}: expected shape ({lstm.hidden_size},) = (hidden_size,), got {tuple(got.shape)}"
        got = got.detach().to(F64)
        if torch.allclose(got, want, atol=1e-9, rtol=1e-9):
            continue
        if torch.equal(got, torch.ceil(want)) or torch.equal(got, torch.floor(want)):
            return f"{where}: give the exact number of steps n with f**n = 1/2, a real number, not rounded"
        for mistake, message in [
            ({"hh": False}, "the gate sees bias_ih + bias_hh: add both forget blocks (notebook 13, section 4)"),
            ({"ih": False}, "the gate sees bias_ih + bias_hh: add both forget blocks (notebook 13, section 4)"),
            ({"block": 0}, "rows 0:H are the input gate; the forget gate is block 1 of i, f, g, o: rows H:2H"),
            ({"block": 2}, "rows 2H:3H are the candidate g; the forget gate is block 1 of i, f, g, o: rows H:2H"),
            ({"inverted": True}, "f**n = 1/2 gives n = log(1/2) / log(f), not log(f) / log(1/2)"),
        ]:
            if torch.allclose(got, _half_lives(lstm, layer, **mistake), atol=1e-9, rtol=1e-9, equal_nan=True):
                return f"{where}: {message}"
        if torch.isnan(got).any() or torch.allclose(got, _half_lives(lstm, layer, sigmoid=False), equal_nan=True):
            return f"{where}: the gate is the SIGMOID of the bias, f = sigmoid(b), a number in (0, 1)"
        return f"{where}: values differ; f = sigmoid(forget bias of both vectors), then n = log(1/2) / log(f)"
    return None


def copy_lstm(lstm: nn.LSTM) -> nn.LSTM:
    """A copy, so that an answer that changes the module in place cannot change the checker's own."""
    return copy.deepcopy(lstm)


q2 = Exercise(
    name="15.2 a forget gate's half-life",
    answer="half_life",
    checker=_check_half_life,
    hint_text=(
        "The forget gate is block 1 of i, f, g, o: rows H:2H of bias_ih_l{layer} and of bias_hh_l{layer}, and the "
        "gate sees their sum b (notebook 13, section 4). With zero input and state, f = sigmoid(b). After n steps "
        "the cell state is f**n times what it was: solve f**n = 1/2 with logarithms."
    ),
    solution_code='''
def half_life(lstm, layer):
    H = lstm.hidden_size
    b = getattr(lstm, f"bias_ih_l{layer}")[H:2 * H] + getattr(lstm, f"bias_hh_l{layer}")[H:2 * H]
    f = torch.sigmoid(b.detach().double())          # (H,): the forget gate at zero input and state
    return math.log(0.5) / torch.log(f)             # f**n = 1/2  <=>  n = log(1/2) / log(f)
''',
    mistakes={
        "only bias_ih": (
            "def half_life(lstm, layer):\n    H = lstm.hidden_size\n"
            "    f = torch.sigmoid(getattr(lstm, f'bias_ih_l{layer}')[H:2 * H].detach())\n"
            "    return math.log(0.5) / torch.log(f)",
            "add both forget blocks",
        ),
        "the input gate's block": (
            "def half_life(lstm, layer):\n    H = lstm.hidden_size\n"
            "    b = getattr(lstm, f'bias_ih_l{layer}')[:H] + getattr(lstm, f'bias_hh_l{layer}')[:H]\n"
            "    return math.log(0.5) / torch.log(torch.sigmoid(b.detach()))",
            "block 1 of i, f, g, o",
        ),
        "no sigmoid": (
            "def half_life(lstm, layer):\n    H = lstm.hidden_size\n"
            "    b = getattr(lstm, f'bias_ih_l{layer}')[H:2 * H] + getattr(lstm, f'bias_hh_l{layer}')[H:2 * H]\n"
            "    return math.log(0.5) / torch.log(b.detach())",
            "SIGMOID of the bias",
        ),
        "inverted ratio": (
            "def half_life(lstm, layer):\n    H = lstm.hidden_size\n"
            "    b = getattr(lstm, f'bias_ih_l{layer}')[H:2 * H] + getattr(lstm, f'bias_hh_l{layer}')[H:2 * H]\n"
            "    return torch.log(torch.sigmoid(b.detach())) / math.log(0.5)",
            "not log(f) / log(1/2)",
        ),
        "rounded up": (
            "def half_life(lstm, layer):\n    H = lstm.hidden_size\n"
            "    b = getattr(lstm, f'bias_ih_l{layer}')[H:2 * H] + getattr(lstm, f'bias_hh_l{layer}')[H:2 * H]\n"
            "    return torch.ceil(math.log(0.5) / torch.log(torch.sigmoid(b.detach().double())))",
            "not rounded",
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


def _gru_back(grad_h, h_prev, r, z, n, gh_n, w_hh, *, direct="z", gates=True, r_on_gh=True, dz_sign=1.0,
              order=(0, 1, 2)):
    """The right step back (defaults), or a typical wrong one (the keywords name the mistake)."""
    out = grad_h * (z if direct == "z" else 1 - z)             # the direct path: h_t = ... + z * h_{t-1}
    if not gates:
        return out
    da_n = grad_h * (1 - z) * (1 - n**2)                      # through n = tanh(a_n)
    d_gh_n = da_n * r if r_on_gh else da_n                    # a_n = gi_n + r * gh_n
    da_r = da_n * gh_n * r * (1 - r)                          # through r = sigmoid(a_r)
    da_z = dz_sign * grad_h * (h_prev - n) * z * (1 - z)      # through z = sigmoid(a_z)
    blocks = [da_r, da_z, d_gh_n]
    return out + torch.cat([blocks[k] for k in order], dim=1) @ w_hh


def _check_gru_back(fn):
    args, want = _q3_step()
    got = fn(*[a.clone() for a in args])
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor (B, H), got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your answer has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (B, H), like h_prev"
    got = got.detach().to(F64)
    if torch.allclose(got, want, atol=1e-10, rtol=1e-10):
        return None
    for mistake, message in [
        ({"gates": False}, "that is only the direct path, grad_h * z: r, z and n read h_{t-1} too, through w_hh; add "
                           "those three paths"),
        ({"direct": "1 - z"}, "h_t = (1 - z) * n + z * h_{t-1}: the direct path keeps the fraction z, so it is grad_h * z"),
        ({"r_on_gh": False}, "n = tanh(gi_n + r * gh_n): the gradient reaching gh_n is scaled by r"),
        ({"dz_sign": -1.0}, "dh_t/dz = h_{t-1} - n (from (1 - z) * n + z * h_{t-1}), not n - h_{t-1}"),
        ({"order": (1, 0, 2)}, "w_hh's blocks are in PyTorch's order r, z, n: concatenate the gradients as [r, z, n]"),
    ]:
        if torch.allclose(got, _gru_back(*args, **mistake), atol=1e-10, rtol=1e-10):
            return message
    return "values differ from autograd's dL/dh_{t-1}; write the step forwards, then go back through each line"


q3 = Exercise(
    name="15.3 one step back through a GRU",
    answer="gru_grad_h_prev",
    checker=_check_gru_back,
    hint_text=(
        "Go back through h = (1 - z) * n + z * h_prev. Directly: grad_h * z. Through n = tanh(a_n): "
        "da_n = grad_h * (1 - z) * (1 - n**2); a_n = gi_n + r * gh_n gives d(gh_n) = da_n * r and dr = da_n * gh_n, "
        "so da_r = dr * r * (1 - r). Through z: da_z = grad_h * (h_prev - n) * z * (1 - z). The three pre-activation "
        "gradients reach h_prev through w_hh: torch.cat([da_r, da_z, d_gh_n], dim=1) @ w_hh."
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
            "keeps the fraction z",
        ),
        "r forgotten on gh_n": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (h_prev - n) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_r, da_z, da_n], dim=1) @ w_hh",
            "scaled by r",
        ),
        "n - h_prev for dz": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (n - h_prev) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_r, da_z, da_n * r], dim=1) @ w_hh",
            "not n - h_{t-1}",
        ),
        "blocks as z, r, n": (
            "def gru_grad_h_prev(grad_h, h_prev, r, z, n, gh_n, w_hh):\n"
            "    da_n = grad_h * (1 - z) * (1 - n**2)\n"
            "    da_r = da_n * gh_n * r * (1 - r)\n    da_z = grad_h * (h_prev - n) * z * (1 - z)\n"
            "    return grad_h * z + torch.cat([da_z, da_r, da_n * r], dim=1) @ w_hh",
            "order r, z, n",
        ),
    },
    kind="function",
)
