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

#: Update gates the checker tries; none of them puts z**k within rounding of 0.5 for any k.
_Q1_ZS = (0.9, 0.5, 0.99, 0.3, 0.75, 0.97)


def _steps_by_simulation(z: float) -> int:
    """h_{-1} = 1, n = 0: h_t = (1 - z) * 0 + z * h_{t-1}; count the steps until h <= 0.5."""
    h, steps = 1.0, 0
    while h > 0.5:
        h = (1 - z) * 0.0 + z * h
        steps += 1
    return steps


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
        where = f"for z = {z} you gave {got} steps, but h drops to 0.5 or below after {want}"
        if got == _steps_by_simulation(1 - z):
            return f"{where}: in nn.GRU, z is the fraction of the OLD state kept (h_t = (1 - z) n + z h_{{t-1}}), not of the new"
        if got == want - 1:
            return f"{where}: after {got} steps h = z**{got} = {z ** got:.3f} is still above 0.5: round up, not down"
        if got == want + 1:
            return f"{where}: one step too many: after {want} steps h = z**{want} = {z ** want:.3f} is already <= 0.5"
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


# --- 14.2 which biases can be merged? ------------------------------------------------------------


def _moving_keeps_output(gate: int) -> bool:
    """Move block ``gate`` of bias_hh into bias_ih of a random nn.GRU: is the output unchanged?"""
    gen = torch.Generator().manual_seed(142)
    gru = nn.GRU(3, 4, dtype=F64)
    with torch.no_grad():
        for p in gru.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
    x = torch.randn(5, 2, 3, dtype=F64, generator=gen)
    before, _ = gru(x)
    rows = slice(4 * gate, 4 * gate + 4)
    with torch.no_grad():
        gru.bias_ih_l0[rows] += gru.bias_hh_l0[rows]
        gru.bias_hh_l0[rows] = 0.0
        after, _ = gru(x)
    return torch.allclose(before, after, atol=1e-10, rtol=1e-10)


def _check_mergeable(answer):
    if not answer or all(v is ... or v is None for v in answer.values()):
        raise NotImplementedError
    keys = ("b_hr", "b_hz", "b_hn")
    missing = [k for k in keys if k not in answer]
    if missing:
        return f"keep every key of the dict; missing {missing}"
    for key in keys:
        if not isinstance(answer[key], bool):
            return f"{key}: expected True or False, got {answer[key]!r}"
    truth = {key: _moving_keeps_output(gate) for gate, key in enumerate(keys)}  # measured on a real nn.GRU
    if answer == truth:
        return None
    if answer["b_hn"] and not truth["b_hn"]:
        return "b_hn: it sits inside the reset gate, r * (h W_hn^T + b_hn), so moving it outside changes the output"
    wrong = [k for k in ("b_hr", "b_hz") if answer[k] != truth[k]]
    if wrong:
        return (f"{', '.join(wrong)}: the r and z blocks of the two biases are simply added, "
                "sigma(x W^T + b_i + h W^T + b_h): only their sum matters")
    return "compare with section 4 of the notebook"


q2 = Exercise(
    name="14.2 which biases can be merged?",
    answer="mergeable",
    checker=_check_mergeable,
    hint_text=(
        "Write out where each bias enters: r = sigma(... + b_ir + ... + b_hr), z likewise, and "
        "n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)). A bias that is only ever added next to its partner "
        "can be merged; one that is multiplied by r cannot."
    ),
    solution_code='''
mergeable = {"b_hr": True, "b_hz": True, "b_hn": False}   # b_hn is scaled by r: r * (h W_hn^T + b_hn)
''',
    mistakes={
        "all mergeable (as in the LSTM)": ("mergeable = {'b_hr': True, 'b_hz': True, 'b_hn': True}", "inside the reset gate"),
        "none mergeable": ("mergeable = {'b_hr': False, 'b_hz': False, 'b_hn': False}", "only their sum matters"),
        "strings instead of bools": ("mergeable = {'b_hr': 'yes', 'b_hz': 'yes', 'b_hn': 'no'}", "True or False"),
    },
    kind="dict",
)


# --- 14.3 a batch-first GRU layer ------------------------------------------------------------------


def _gru_variants(x, h0, w_ih, w_hh, b_ih, b_hh):
    """Batch-first outputs of the right GRU and of the typical wrong ones (``None``: right)."""
    H = h0.shape[1]

    def run(step):
        h, outs = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h)
            outs.append(h)
        return torch.stack(outs, dim=1)

    def step(kind):
        def one(x_t, h):
            gi_r, gi_z, gi_n = (x_t @ w_ih.T + b_ih).chunk(3, dim=1)
            gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
            if kind == "z, r, n":
                gi_r, gi_z, gh_r, gh_z = gi_z, gi_r, gh_z, gh_r
            r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
            if kind == "reset before":
                n = torch.tanh(gi_n + (r * h) @ w_hh[2 * H :].T + b_hh[2 * H :])
            elif kind == "b_hn outside r":
                n = torch.tanh(gi_n + b_hh[2 * H :] + r * (h @ w_hh[2 * H :].T))
            else:
                n = torch.tanh(gi_n + r * gh_n)
            if kind == "z swapped":
                return z * n + (1 - z) * h
            return (1 - z) * n + z * h
        return one

    kinds = [None, "reset before", "b_hn outside r", "z swapped", "z, r, n"]
    return {kind: run(step(kind)) for kind in kinds}


def _check_gru_batch_first(fn):
    gen = torch.Generator().manual_seed(143)
    B, T, I, H = 3, 5, 2, 4
    x = torch.randn(B, T, I, dtype=F64, generator=gen)
    h0 = torch.randn(B, H, dtype=F64, generator=gen)
    gru = nn.GRU(I, H, batch_first=True, dtype=F64)
    with torch.no_grad():
        for p in gru.parameters():
            p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
    weights = [p.detach() for p in (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)]
    got = fn(x.clone(), h0.clone(), *[w.clone() for w in weights])
    if not_attempted(got):
        raise NotImplementedError
    with torch.no_grad():
        want, _ = gru(x, h0.unsqueeze(0))
    if not isinstance(got, torch.Tensor):
        return f"expected the output tensor (batch, seq_len, hidden_size), got {type(got).__name__}"
    if tuple(got.shape) == (T, B, H):
        return f"your output has shape {(T, B, H)} = (seq_len, batch, hidden_size): stack the steps along dim=1 for batch-first"
    if tuple(got.shape) != tuple(want.shape):
        return f"your output has shape {tuple(got.shape)}, expected {tuple(want.shape)} = (batch, seq_len, hidden_size)"
    if _close(got, want):
        return None
    variants = _gru_variants(x, h0, *weights)
    messages = {
        "reset before": "the reset gate goes AFTER the product: r * (h W_hn^T + b_hn), not (r * h) W_hn^T",
        "b_hn outside r": "b_hn is inside the reset gate's product: r * (h W_hn^T + b_hn), not b_hn + r * (h W_hn^T)",
        "z swapped": "nn.GRU keeps the fraction z of the OLD state: h_t = (1 - z) * n + z * h_{t-1}",
        "z, r, n": "PyTorch's order is r, z, n: the first block is the reset gate, the second the update gate",
    }
    for kind, message in messages.items():
        if _close(got, variants[kind]):
            return message
    if _close(got[:, -1], want[:, -1]):
        return "the last step is right but not every step: return the state after every step"
    return "values differ from nn.GRU(batch_first=True); compare with gru_step of section 1, step by step"


q3 = Exercise(
    name="14.3 a batch-first GRU layer",
    answer="gru_batch_first",
    checker=_check_gru_batch_first,
    hint_text=(
        "Loop over t in range(x.shape[1]) with x_t = x[:, t]: (batch, input_size). One step is gru_step of "
        "section 1 (r, z, n in that order, r AFTER the product, h_t = (1 - z) * n + z * h). Collect every h and "
        "stack along dim=1 so the output is batch first."
    ),
    solution_code='''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for t in range(x.shape[1]):                              # x: (batch, seq_len, input_size)
        gi_r, gi_z, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r = torch.sigmoid(gi_r + gh_r)
        z = torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + r * gh_n)
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs, dim=1)                       # (batch, seq_len, hidden_size)
''',
    mistakes={
        "reset before the product": (
            '''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    H = h0.shape[1]
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gi_r, gi_z, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, _ = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + (r * h) @ w_hh[2 * H:].T + b_hh[2 * H:])
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "AFTER the product",
        ),
        "z swapped": (
            '''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gi_r, gi_z, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + r * gh_n)
        h = z * n + (1 - z) * h
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "fraction z of the OLD state",
        ),
        "gates read as z, r, n": (
            '''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gi_z, gi_r, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_z, gh_r, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + r * gh_n)
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "order is r, z, n",
        ),
        "b_hn outside the reset gate": (
            '''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    H = h0.shape[1]
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gi_r, gi_z, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, _ = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + b_hh[2 * H:] + r * (h @ w_hh[2 * H:].T))
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs, dim=1)
''',
            "inside the reset gate's product",
        ),
        "time-major output": (
            '''
def gru_batch_first(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outputs = h0, []
    for t in range(x.shape[1]):
        gi_r, gi_z, gi_n = (x[:, t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = torch.sigmoid(gi_r + gh_r), torch.sigmoid(gi_z + gh_z)
        n = torch.tanh(gi_n + r * gh_n)
        h = (1 - z) * n + z * h
        outputs.append(h)
    return torch.stack(outputs)
''',
            "stack the steps along dim=1",
        ),
    },
    kind="function",
)
