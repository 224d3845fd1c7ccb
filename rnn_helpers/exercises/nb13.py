"""Exercises for notebook 13: the LSTM by hand."""

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


def _shape_problem(got, want: torch.Tensor, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor {meaning}, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your answer has shape {tuple(got.shape)}, expected {tuple(want.shape)} = {meaning}"
    return None


# --- 13.1 coupled input and forget gates --------------------------------------------------


def _cifg_variants(x_t, h, c, w_ih, w_hh, b_ih, b_hh):
    """The right CIFG step and the typical wrong ones, keyed by the mistake (``None``: right)."""
    f_, g_, o_ = (x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f_), torch.tanh(g_), torch.sigmoid(o_)
    c_right = f * c + (1 - f) * g
    variants = {None: (o * torch.tanh(c_right), c_right)}
    c_same = f * c + f * g
    variants["i = f"] = (o * torch.tanh(c_same), c_same)
    c_swap = (1 - f) * c + f * g
    variants["swapped"] = (o * torch.tanh(c_swap), c_swap)
    variants["no tanh"] = (o * c_right, c_right)
    fo, og = torch.sigmoid(f_), torch.tanh(o_)  # blocks read as f, o, g
    c_fog = fo * c + (1 - fo) * og
    variants["f, o, g"] = (torch.sigmoid(g_) * torch.tanh(c_fog), c_fog)
    return variants


def _check_cifg(fn):
    gen = torch.Generator().manual_seed(131)
    B, I, H = 3, 2, 4
    args = [torch.randn(*shape, dtype=F64, generator=gen) for shape in [(B, I), (B, H), (B, H), (3 * H, I), (3 * H, H), (3 * H,), (3 * H,)]]
    got = fn(*[a.clone() for a in args])
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return the pair (h_t, c_t), e.g. `return h_t, c_t`"
    variants = _cifg_variants(*args)
    h_want, c_want = variants[None]
    for name, tensor, want in [("h_t", got[0], h_want), ("c_t", got[1], c_want)]:
        problem = _shape_problem(tensor, want, "(B, H)")
        if problem:
            return f"{name}: {problem}"
    if _close(got[0], h_want) and _close(got[1], c_want):
        return None
    if _close(got[0], c_want) and _close(got[1], h_want):
        return "you returned (c_t, h_t): return (h_t, c_t) in that order, as nn.LSTMCell does"
    for mistake, message in [
        ("i = f", "the input gate is 1 - f, not f: what is forgotten is refilled"),
        ("swapped", "f multiplies the OLD memory c_{t-1} (keep), 1 - f the candidate g (write)"),
        ("no tanh", "h_t = o * tanh(c_t): the memory is squashed before the output gate shows it"),
        ("f, o, g", "the blocks are in the order f, g, o here: chunk(3, dim=1) gives f, g, o"),
    ]:
        h_bad, c_bad = variants[mistake]
        if _close(got[0], h_bad) and _close(got[1], c_bad):
            return message
    if _close(got[1], c_want):
        return "c_t is right, h_t is not: h_t = o * tanh(c_t), with o the third block"
    return "values differ from f * c_{t-1} + (1 - f) * g and o * tanh(c_t), with f, g, o the three blocks in order"


q1 = Exercise(
    name="13.1 coupled input and forget gates",
    answer="cifg_step",
    checker=_check_cifg,
    hint_text=(
        "Start from lstm_step of section 1: one product gives the gates, now three blocks in the order f, g, o "
        "(which nonlinearity for which?). The only new idea is the cell update: the input gate is no longer a "
        "block of its own, it is 1 - f."
    ),
    solution_code='''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    gates = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh     # (B, 3H)
    f, g, o = gates.chunk(3, dim=1)                           # the order f, g, o
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_t = f * c_prev + (1 - f) * g                            # the input gate is 1 - f
    h_t = o * torch.tanh(c_t)
    return h_t, c_t
''',
    mistakes={
        "input gate = f": (
            '''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    f, g, o = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_t = f * c_prev + f * g
    return o * torch.tanh(c_t), c_t
''',
            "1 - f, not f",
        ),
        "f and 1 - f swapped": (
            '''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    f, g, o = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_t = (1 - f) * c_prev + f * g
    return o * torch.tanh(c_t), c_t
''',
            "f multiplies the OLD memory",
        ),
        "blocks read as f, o, g": (
            '''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    f, o, g = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_t = f * c_prev + (1 - f) * g
    return o * torch.tanh(c_t), c_t
''',
            "order f, g, o",
        ),
        "(c_t, h_t) returned": (
            '''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    f, g, o = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_t = f * c_prev + (1 - f) * g
    return c_t, o * torch.tanh(c_t)
''',
            "in that order",
        ),
        "returns h only": (
            '''
def cifg_step(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    f, g, o = (x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    f, g, o = torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    return o * torch.tanh(f * c_prev + (1 - f) * g)
''',
            "return the pair",
        ),
    },
    kind="function",
)


# --- 13.2 the forget-gate bias of a trained model --------------------------------------------


def _check_forget_bias(fn):
    gen = torch.Generator().manual_seed(132)
    configs = [(3, 4, 1), (2, 5, 3), (4, 3, 2)]
    for k, (input_size, hidden, num_layers) in enumerate(configs):
        lstm = nn.LSTM(input_size, hidden, num_layers, dtype=F64)
        with torch.no_grad():
            for p in lstm.parameters():
                p.copy_(torch.randn(p.shape, dtype=F64, generator=gen))
        for layer in range(num_layers):
            got = fn(lstm, layer)
            if not_attempted(got):
                raise NotImplementedError
            b_ih, b_hh = getattr(lstm, f"bias_ih_l{layer}").detach(), getattr(lstm, f"bias_hh_l{layer}").detach()
            block = lambda b, j: b[j * hidden : (j + 1) * hidden]  # noqa: E731 - block j of a (4H,) bias
            want = block(b_ih, 1) + block(b_hh, 1)
            where = f"for nn.LSTM({input_size}, {hidden}, num_layers={num_layers}), layer={layer}"
            if isinstance(got, torch.Tensor) and tuple(got.shape) == (4 * hidden,):
                return f"{where}: your answer has shape {(4 * hidden,)}, all four gates; keep the forget gate's block"
            problem = _shape_problem(got, want, "(hidden_size,)")
            if problem:
                return f"{where}: {problem}"
            if _close(got, want):
                continue
            if _close(got, block(b_ih, 1)) or _close(got, block(b_hh, 1)):
                return f"{where}: that is one of the two bias vectors; the step adds both, b_ih + b_hh"
            if _close(got, block(b_ih, 0) + block(b_hh, 0)):
                return f"{where}: block 0 is the input gate i; PyTorch's order is i, f, g, o, so f is block 1"
            if _close(got, block(b_ih, 2) + block(b_hh, 2)) or _close(got, block(b_ih, 3) + block(b_hh, 3)):
                return f"{where}: wrong block; in PyTorch's order i, f, g, o the forget gate is block 1 (rows H:2H)"
            if layer > 0 and _close(got, lstm.bias_ih_l0.detach()[hidden : 2 * hidden] + lstm.bias_hh_l0.detach()[hidden : 2 * hidden]):
                return f"{where}: that is layer 0's; use the parameters named bias_ih_l{{layer}}, bias_hh_l{{layer}}"
            return f"{where}: values differ from bias_ih_l{layer}[H:2H] + bias_hh_l{layer}[H:2H]"
    return None


q2 = Exercise(
    name="13.2 the forget-gate bias of a trained model",
    answer="forget_bias",
    checker=_check_forget_bias,
    hint_text=(
        "The step adds bias_ih and bias_hh, so the gate sees their sum. Each is (4H,), four blocks in the "
        "order i, f, g, o: the forget gate is rows H:2H. Layer k's are named bias_ih_l{k}, bias_hh_l{k} "
        "(getattr(lstm, f'bias_ih_l{layer}'))."
    ),
    solution_code='''
def forget_bias(lstm, layer):
    H = lstm.hidden_size
    b_ih = getattr(lstm, f"bias_ih_l{layer}")
    b_hh = getattr(lstm, f"bias_hh_l{layer}")
    return (b_ih + b_hh)[H : 2 * H].detach()
''',
    mistakes={
        "only bias_ih": (
            "def forget_bias(lstm, layer):\n    H = lstm.hidden_size\n"
            "    return getattr(lstm, f'bias_ih_l{layer}')[H:2 * H].detach()",
            "adds both",
        ),
        "block 0": (
            "def forget_bias(lstm, layer):\n    H = lstm.hidden_size\n"
            "    return (getattr(lstm, f'bias_ih_l{layer}') + getattr(lstm, f'bias_hh_l{layer}'))[:H].detach()",
            "f is block 1",
        ),
        "the g block": (
            "def forget_bias(lstm, layer):\n    H = lstm.hidden_size\n"
            "    return (getattr(lstm, f'bias_ih_l{layer}') + getattr(lstm, f'bias_hh_l{layer}'))[2 * H:3 * H].detach()",
            "wrong block",
        ),
        "always layer 0": (
            "def forget_bias(lstm, layer):\n    H = lstm.hidden_size\n"
            "    return (lstm.bias_ih_l0 + lstm.bias_hh_l0)[H:2 * H].detach()",
            "layer 0's",
        ),
        "all four gates": (
            "def forget_bias(lstm, layer):\n"
            "    return (getattr(lstm, f'bias_ih_l{layer}') + getattr(lstm, f'bias_hh_l{layer}')).detach()",
            "all four gates",
        ),
    },
    kind="function",
)


# --- 13.3 one step back through the coupled cell -----------------------------------------------


def _cifg_back_variants(grad_h, grad_c, f, g, o, c_prev, c):
    """``{mistake: (grad_gates (B, 3H) in the order f, g, o, grad_c_prev (B, H))}``; key None: right."""
    tanh_c = torch.tanh(c)
    through_h = grad_h * o * (1 - tanh_c**2)

    def back(dc, df_factor, dg_factor, order="fgo"):
        da = {"f": dc * df_factor * f * (1 - f), "g": dc * dg_factor * (1 - g**2), "o": grad_h * tanh_c * o * (1 - o)}
        return torch.cat([da[k] for k in order], dim=1), dc * f

    dc = grad_c + through_h
    variants = {
        None: back(dc, c_prev - g, 1 - f),
        "i independent": back(dc, c_prev, 1 - f),
        "no path through h": back(grad_c, c_prev - g, 1 - f),
        "g without 1 - f": back(dc, c_prev - g, 1),
        "g with f": back(dc, c_prev - g, f),
        "f, o, g": back(dc, c_prev - g, 1 - f, order="fog"),
    }
    gates, _ = variants[None]
    variants["no f to c_prev"] = (gates, dc)
    return variants


#: What the checker says for each wrong variant (checked in this order).
_CIFG_BACK_MESSAGES = {
    "i independent": "f reaches c_t twice, in f * c_{t-1} and in (1 - f) * g, so dL/df = dc_t * (c_{t-1} - g): "
                     "the coupling changes the forget gate's gradient",
    "no path through h": "c_t also reaches the loss through h_t = o * tanh(c_t): the total dL/dc_t is "
                         "grad_c + grad_h * o * (1 - tanh(c)**2)",
    "g without 1 - f": "g is written with weight 1 - f (the input gate): dL/dg = dc_t * (1 - f)",
    "g with f": "g is written with weight 1 - f, not f: dL/dg = dc_t * (1 - f)",
    "f, o, g": "return the three blocks in the order of the step's gates, f, g, o",
    "no f to c_prev": "grad_c_prev: going back from c_t to c_{t-1} multiplies by f (c_t = f * c_{t-1} + ...)",
}


def _check_cifg_back(fn):
    gen = torch.Generator().manual_seed(133)
    B, H = 3, 4
    pre = torch.randn(B, 3 * H, dtype=F64, generator=gen).requires_grad_()   # the three pre-activations
    c_prev = torch.randn(B, H, dtype=F64, generator=gen).requires_grad_()
    grad_h, grad_c = torch.randn(B, H, dtype=F64, generator=gen), torch.randn(B, H, dtype=F64, generator=gen)
    a_f, a_g, a_o = pre.chunk(3, dim=1)
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c_prev + (1 - f) * g
    loss = (grad_h * o * torch.tanh(c)).sum() + (grad_c * c).sum()   # grad_h, grad_c: what arrives at h_t, c_t
    want = torch.autograd.grad(loss, (pre, c_prev))                  # autograd: (B, 3H), (B, H)
    inputs = [t.detach() for t in (grad_h, grad_c, f, g, o, c_prev, c)]
    got = fn(*[t.clone() for t in inputs])
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return the pair (grad_gates, grad_c_prev), e.g. `return grad_gates, grad_c_prev`"
    for name, tensor, ref, meaning in [("grad_gates", got[0], want[0], "(B, 3H), the blocks f, g, o side by side"),
                                       ("grad_c_prev", got[1], want[1], "(B, H), the shape of c_{t-1}")]:
        problem = _shape_problem(tensor, ref, meaning)
        if problem:
            return f"{name}: {problem}"
    if _close(got[0], want[0]) and _close(got[1], want[1]):
        return None
    variants = _cifg_back_variants(*inputs)
    assert _close(variants[None][0], want[0]) and _close(variants[None][1], want[1]), "checker: reference != autograd"
    for mistake, message in _CIFG_BACK_MESSAGES.items():
        bad_gates, bad_c_prev = variants[mistake]
        if _close(got[0], bad_gates) and _close(got[1], bad_c_prev):
            return message
    if _close(got[1], want[1]):
        return "grad_c_prev is right, grad_gates is not: go through each gate's nonlinearity (sigma' = f * (1 - f), tanh' = 1 - g**2)"
    if _close(got[0], want[0]):
        return "grad_gates is right, grad_c_prev is not: it is the total dL/dc_t times f"
    return "values differ from autograd on the CIFG step c_t = f * c_{t-1} + (1 - f) * g, h_t = o * tanh(c_t)"


_CIFG_BACK_SOLUTION = """
def cifg_step_back(grad_h, grad_c, f, g, o, c_prev, c):
    tanh_c = torch.tanh(c)
    dc = grad_c + grad_h * o * (1 - tanh_c**2)             # total dL/dc_t
    da_f = dc * (c_prev - g) * f * (1 - f)                 # f in f * c_prev AND in (1 - f) * g
    da_g = dc * (1 - f) * (1 - g**2)                       # g is written with weight 1 - f
    da_o = grad_h * tanh_c * o * (1 - o)
    return torch.cat([da_f, da_g, da_o], dim=1), dc * f    # (B, 3H) in the order f, g, o; (B, H)
"""


def _cifg_back_mistake(old: str, new: str) -> str:
    assert old in _CIFG_BACK_SOLUTION, old
    return _CIFG_BACK_SOLUTION.replace(old, new)


q3 = Exercise(
    name="13.3 one step back through the coupled cell",
    answer="cifg_step_back",
    checker=_check_cifg_back,
    hint_text=(
        "Section 8's walk, for the cell of 13.1. First the total dL/dc_t (grad_c plus the way through h_t). "
        "Then ask, for each gate, every place it enters c_t or h_t: with i = 1 - f, the forget gate enters c_t "
        "twice. Multiply by each gate's own derivative (sigmoid: s * (1 - s), tanh: 1 - y**2). Back to c_{t-1}: "
        "the additive path."
    ),
    solution_code=_CIFG_BACK_SOLUTION,
    mistakes={
        "the input gate treated as independent": (
            _cifg_back_mistake("dc * (c_prev - g) * f * (1 - f)", "dc * c_prev * f * (1 - f)"),
            "the coupling changes",
        ),
        "forgot the path through h": (
            _cifg_back_mistake("dc = grad_c + grad_h * o * (1 - tanh_c**2)", "dc = grad_c"),
            "through h_t",
        ),
        "g without its weight 1 - f": (
            _cifg_back_mistake("dc * (1 - f) * (1 - g**2)", "dc * (1 - g**2)"),
            "weight 1 - f (the input gate)",
        ),
        "blocks returned as f, o, g": (
            _cifg_back_mistake("torch.cat([da_f, da_g, da_o], dim=1)", "torch.cat([da_f, da_o, da_g], dim=1)"),
            "order of the step's gates",
        ),
        "grad_c_prev without f": (
            _cifg_back_mistake("dim=1), dc * f", "dim=1), dc"),
            "multiplies by f",
        ),
    },
    kind="function",
)


# --- 13.4 every shape of a projected LSTM -------------------------------------------------------

_Q4_WANT = {
    "weight_ih_l0": (80, 6),
    "weight_hh_l0": (80, 5),
    "weight_hr_l0": (5, 20),
    "weight_ih_l1": (80, 10),
    "output": (7, 3, 10),
    "h_n": (4, 3, 5),
    "c_n": (4, 3, 20),
}
_Q4_HINTS = {
    ("weight_hh_l0", (80, 20)): "weight_hh multiplies the projected h_{t-1}, so it has proj_size columns: (4 * hidden_size, proj_size)",
    ("weight_hr_l0", (20, 5)): "weight_hr maps hidden_size features down to proj_size: shape (proj_size, hidden_size), like every PyTorch weight (out, in)",
    ("weight_ih_l1", (80, 40)): "layer 1 reads the projected outputs of layer 0: num_directions * proj_size = 10 features, not 2 * hidden_size",
    ("weight_ih_l1", (80, 5)): "layer 1 reads BOTH directions of layer 0 side by side: 2 * proj_size columns",
    ("weight_ih_l0", (20, 6)): "the four gates are stacked: 4 * hidden_size rows",
    ("weight_ih_l1", (80, 6)): "layer 1 reads layer 0's output, not the input: 2 * proj_size = 10 columns, not input_size",
    ("output", (7, 3, 5)): "output holds both directions side by side: 2 * proj_size features",
    ("output", (7, 3, 40)): "output holds the projected h: 2 * proj_size features, not 2 * hidden_size",
    ("h_n", (4, 3, 20)): "h_n holds the projected h: proj_size features",
    ("h_n", (2, 3, 5)): "h_n has num_layers * num_directions = 4 rows",
    ("h_n", (2, 3, 10)): "h_n has one row per layer and direction, num_layers * num_directions = 4, each with proj_size "
                         "features: the directions are rows of h_n, not side by side as in output",
    ("c_n", (4, 3, 5)): "the cell state is not projected: c_n keeps hidden_size features",
}


def _check_shapes(answer):
    if not answer or all(v is ... or v is None for v in answer.values()):
        raise NotImplementedError
    missing = [k for k in _Q4_WANT if k not in answer]
    if missing:
        return f"keep every key of the dict; missing {missing}"
    for key, want in _Q4_WANT.items():
        value = answer[key]
        if value is ... or value is None:
            return f"{key}: still `...`: fill in a tuple"
        try:
            got = tuple(int(d) for d in value)
        except (TypeError, ValueError):
            return f"{key}: expected a tuple of ints such as (80, 6), got {type(value).__name__}"
        if got != want:
            return f"{key}: {_Q4_HINTS.get((key, got), f'{got} is not its shape')}"
    return None


q4 = Exercise(
    name="13.4 every shape of a projected LSTM",
    answer="shapes",
    checker=_check_shapes,
    hint_text=(
        "H = 20, P = 5, two directions. Gates are stacked (4H rows). What recurs and what is output is the "
        "projected h (P features): weight_hh has P columns, weight_hr is (P, H), output and h_n have P per "
        "direction, and layer 1 reads 2P. The cell state keeps H."
    ),
    solution_code='''
shapes = {
    "weight_ih_l0": (80, 6),      # (4H, input_size)
    "weight_hh_l0": (80, 5),      # (4H, P): it multiplies the projected h
    "weight_hr_l0": (5, 20),      # (P, H)
    "weight_ih_l1": (80, 10),     # (4H, 2P): both directions' projected outputs
    "output": (7, 3, 10),         # (seq_len, batch, 2P)
    "h_n": (4, 3, 5),             # (num_layers * 2, batch, P)
    "c_n": (4, 3, 20),            # (num_layers * 2, batch, H)
}
''',
    mistakes={
        "weight_hh with hidden_size columns": (
            "shapes = {'weight_ih_l0': (80, 6), 'weight_hh_l0': (80, 20), 'weight_hr_l0': (5, 20), "
            "'weight_ih_l1': (80, 10), 'output': (7, 3, 10), 'h_n': (4, 3, 5), 'c_n': (4, 3, 20)}",
            "proj_size columns",
        ),
        "layer 1 reads 2 * hidden_size": (
            "shapes = {'weight_ih_l0': (80, 6), 'weight_hh_l0': (80, 5), 'weight_hr_l0': (5, 20), "
            "'weight_ih_l1': (80, 40), 'output': (7, 3, 10), 'h_n': (4, 3, 5), 'c_n': (4, 3, 20)}",
            "projected outputs",
        ),
        "c_n projected too": (
            "shapes = {'weight_ih_l0': (80, 6), 'weight_hh_l0': (80, 5), 'weight_hr_l0': (5, 20), "
            "'weight_ih_l1': (80, 10), 'output': (7, 3, 10), 'h_n': (4, 3, 5), 'c_n': (4, 3, 5)}",
            "keeps hidden_size",
        ),
        "weight_hr transposed": (
            "shapes = {'weight_ih_l0': (80, 6), 'weight_hh_l0': (80, 5), 'weight_hr_l0': (20, 5), "
            "'weight_ih_l1': (80, 10), 'output': (7, 3, 10), 'h_n': (4, 3, 5), 'c_n': (4, 3, 20)}",
            "(proj_size, hidden_size)",
        ),
        "layer 1 reads input_size": (
            "shapes = {'weight_ih_l0': (80, 6), 'weight_hh_l0': (80, 5), 'weight_hr_l0': (5, 20), "
            "'weight_ih_l1': (80, 6), 'output': (7, 3, 10), 'h_n': (4, 3, 5), 'c_n': (4, 3, 20)}",
            "not the input",
        ),
    },
    kind="dict",
)
