"""Exercises for notebook 10: gradients over time, the spectral radius, clipping, each in a new setting.

10.1 the spectral radius of every step's Jacobian along a real trajectory (section 2, applied)
10.2 clipping by norm for any norm_type, with parameters that got no gradient (section 4, generalised)
10.3 vanish or explode: predict four matrices' long run from their spectral radius
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64


# --- 10.1 the spectral radius of every step's Jacobian ----------------------------------------


def _trajectory(nonlinearity: str, seed: int):
    """A one-layer RNN's weights and the states of one sequence: (w_hh (H, H), hs (seq_len, H))."""
    gen = torch.Generator().manual_seed(seed)
    seq_len, hidden = 8, 5
    w_ih = torch.randn(hidden, 2, dtype=F64, generator=gen)
    w_hh = 0.8 * torch.randn(hidden, hidden, dtype=F64, generator=gen)
    b = 0.5 * torch.randn(hidden, dtype=F64, generator=gen)
    x = torch.randn(seq_len, 2, dtype=F64, generator=gen)
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    h, hs = torch.zeros(hidden, dtype=F64), []
    for t in range(seq_len):
        h = act(x[t] @ w_ih.T + b + h @ w_hh.T)
        hs.append(h)
    return w_hh, torch.stack(hs)


def _radii(w_hh, hs, slopes):
    """max |eigenvalue| of diag(slopes[t]) @ w_hh for every t: (seq_len,)."""
    return torch.linalg.eigvals(slopes[:, :, None] * w_hh).abs().amax(dim=-1)


def _step_radii_slips(w_hh, hs, nonlinearity):
    """What typical slips return, each (seq_len,), with the message for each."""
    right = 1 - hs**2 if nonlinearity == "tanh" else (hs > 0).to(hs.dtype)
    jacobians = right[:, :, None] * w_hh
    rho_w = torch.linalg.eigvals(w_hh).abs().max()
    slips = [
        (rho_w.expand(hs.shape[0]), (
            "that is rho(W_hh) at every step; each step has its own Jacobian diag(act'(a_t)) W_hh, and the "
            "slopes act'(a_t) change with t"
            + (" (h_t >= 0 holds for every unit: relu's mask is h_t > 0)" if nonlinearity == "relu" else "")
        )),
        (_radii(w_hh, hs, hs), "you scaled W_hh's rows by h_t itself; the Jacobian has the slopes act'(a_t)"),
        (_radii(w_hh, hs, 1 - torch.tanh(hs) ** 2), (
            "tanh applied again: h_t already is tanh(a_t), so tanh'(a_t) = 1 - h_t**2"
        )),
        (_radii(w_hh, hs, 1 - hs), "tanh'(a_t) = 1 - h_t**2 (squared), not 1 - h_t"),
        (torch.linalg.eigvals(jacobians).real.amax(dim=-1), (
            "you used the real part; eigenvalues can be complex, take their modulus with .abs()"
        )),
        (torch.linalg.matrix_norm(jacobians, ord=2), (
            "that is each Jacobian's largest singular value (its spectral norm), an upper bound on the "
            "spectral radius; use the eigenvalues, torch.linalg.eigvals"
        )),
        (torch.linalg.eigvalsh(jacobians).abs().amax(dim=-1), (
            "eigvalsh assumes a symmetric matrix (it reads only one triangle); diag(s) W_hh is not symmetric, "
            "use torch.linalg.eigvals"
        )),
    ]
    if nonlinearity == "relu":
        slips.append((_radii(w_hh, hs, 1 - hs**2), "that is tanh's slope 1 - h**2; relu'(a_t) is 1 where h_t > 0, else 0"))
    else:
        slips.append((_radii(w_hh, hs, (hs > 0).to(hs.dtype)), "that is relu's 0/1 mask; tanh'(a_t) = 1 - h_t**2"))
    return slips


def _check_step_radii(fn):
    for nonlinearity, seed in (("tanh", 101), ("relu", 102)):
        w_hh, hs = _trajectory(nonlinearity, seed)
        got = fn(w_hh.clone(), hs.clone(), nonlinearity)
        if not_attempted(got):
            raise NotImplementedError
        if isinstance(got, (list, tuple)) and all(isinstance(r, (int, float, torch.Tensor)) for r in got):
            try:
                got = torch.tensor([float(r) for r in got], dtype=F64)
            except (TypeError, ValueError, RuntimeError):
                return f"return one radius per step, a tensor of shape ({hs.shape[0]},)"
        if not isinstance(got, torch.Tensor):
            return f"return a tensor of shape ({hs.shape[0]},), one radius per step; got {type(got).__name__}"
        if got.is_complex():
            return (
                "your answer is complex: eigvals returns complex eigenvalues; a spectral radius is the largest "
                "modulus, a real number (use .abs())"
            )
        if got.numel() == 1 and hs.shape[0] != 1:
            return (
                f"you returned one number ({float(got):.6g}); the exercise wants one radius per step: "
                f"a tensor of shape ({hs.shape[0]},) = (seq_len,)"
            )
        if tuple(got.shape) != (hs.shape[0],):
            return f"your answer has shape {tuple(got.shape)}, expected ({hs.shape[0]},) = (seq_len,): one radius per step"
        want = _radii(w_hh, hs, 1 - hs**2 if nonlinearity == "tanh" else (hs > 0).to(F64))
        if torch.allclose(got.to(F64), want, rtol=1e-9, atol=1e-12):
            continue
        if got.dtype != F64 and torch.allclose(got.to(F64), want, rtol=1e-5, atol=1e-6):
            return f"right to about 7 digits, but your answer is {got.dtype}; w_hh and hs are float64: stay in float64"
        t = int((got.to(F64) - want).abs().argmax())
        where = f"with {nonlinearity}, at step {t} you gave {float(got[t]):.10g}, the radius is {float(want[t]):.10g}"
        for slip, message in _step_radii_slips(w_hh, hs, nonlinearity):
            if torch.allclose(got.to(F64), slip, rtol=1e-9, atol=1e-12):
                return f"{where}: {message}"
        return where
    return None


q1 = Exercise(
    name="10.1 the spectral radius of every step's Jacobian",
    answer="step_radii",
    kind="function",
    checker=_check_step_radii,
    hint_text=(
        "Section 2: J_t = diag(act'(a_t)) W_hh, with act' from the output: tanh' = 1 - h_t**2, relu' = "
        "(h_t > 0). slopes[:, :, None] * w_hh scales row i of W_hh by unit i's slope for every step at once: "
        "(seq_len, H, H). torch.linalg.eigvals works on a batch of matrices: (seq_len, H), complex; take "
        ".abs(), then the largest over the last dimension."
    ),
    solution_code='''
def step_radii(w_hh, hs, nonlinearity):
    slopes = 1 - hs ** 2 if nonlinearity == "tanh" else (hs > 0).to(hs.dtype)   # act'(a_t): (seq_len, H)
    jacobians = slopes[:, :, None] * w_hh                  # diag(slopes[t]) @ W_hh for every t: (seq_len, H, H)
    return torch.linalg.eigvals(jacobians).abs().amax(dim=-1)   # (seq_len,)
''',
    mistakes={
        "rho(W_hh) at every step": (
            "def step_radii(w_hh, hs, nonlinearity):\n"
            "    return torch.linalg.eigvals(w_hh).abs().max().expand(hs.shape[0])",
            "each step has its own jacobian",
        ),
        "scaled by h_t": (
            "def step_radii(w_hh, hs, nonlinearity):\n"
            "    return torch.linalg.eigvals(hs[:, :, None] * w_hh).abs().amax(dim=-1)",
            "by h_t itself",
        ),
        "real part": (
            "def step_radii(w_hh, hs, nonlinearity):\n"
            "    s = 1 - hs ** 2 if nonlinearity == 'tanh' else (hs > 0).double()\n"
            "    return torch.linalg.eigvals(s[:, :, None] * w_hh).real.amax(dim=-1)",
            "real part",
        ),
        "spectral norm": (
            "def step_radii(w_hh, hs, nonlinearity):\n"
            "    s = 1 - hs ** 2 if nonlinearity == 'tanh' else (hs > 0).double()\n"
            "    return torch.linalg.matrix_norm(s[:, :, None] * w_hh, ord=2)",
            "largest singular value",
        ),
        "one number": (
            "def step_radii(w_hh, hs, nonlinearity):\n"
            "    s = 1 - hs ** 2 if nonlinearity == 'tanh' else (hs > 0).double()\n"
            "    return torch.linalg.eigvals(s[:, :, None] * w_hh).abs().max()",
            "one radius per step",
        ),
    },
)


# --- 10.2 clip by norm, any norm_type, some gradients None ------------------------------------


def _torch_clip(grads: list[torch.Tensor | None], max_norm: float, norm_type: float) -> list[torch.Tensor | None]:
    params = [nn.Parameter(torch.zeros(1 if g is None else g.shape, dtype=F64)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return [p.grad for p in params]


def _close_lists(a, b, rtol=1e-6) -> bool:
    # rtol 1e-6: accepts max_norm / total with or without PyTorch's + 1e-6 in the denominator
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if (x is None) != (y is None):
            return False
        if x is not None and not (x.shape == y.shape and torch.allclose(x.to(F64), y, rtol=rtol, atol=1e-12)):
            return False
    return True


def _scaled(grads, factor):
    return [None if g is None else g * factor for g in grads]


def _clip_slips(grads, max_norm, norm_type):
    """What typical slips return for these gradients, with the message for each."""
    present = [g for g in grads if g is not None]
    p = float(norm_type)

    def total_of(per_tensor_p, combine_p):
        per = torch.stack([torch.linalg.vector_norm(g, per_tensor_p) for g in present])
        return float(torch.linalg.vector_norm(per, combine_p))

    total = total_of(p, p)
    slips = [
        (_scaled(grads, max_norm / total), (
            "you scaled the gradient up: the factor must never exceed 1, "
            "torch.clamp(max_norm / (total_norm + 1e-6), max=1.0), so a small gradient is left as it is"
        )),
        ([None if g is None else g * min(1.0, max_norm / float(torch.linalg.vector_norm(g, p))) for g in grads], (
            "you clipped each gradient on its own: the total norm is ONE number over all parameters together, "
            "and every gradient gets the same factor"
        )),
        ([None if g is None else g.clamp(-max_norm, max_norm) for g in grads], (
            "that is clipping by value (clamp); clipping by norm rescales instead"
        )),
    ]
    if p != 2:
        slips.append((_scaled(grads, min(1.0, max_norm / total_of(2, 2))), (
            f"you used the 2-norm; norm_type={norm_type} asks for the p-norm with p = {norm_type}, "
            "torch.linalg.vector_norm(g, norm_type)"
        )))
        slips.append((_scaled(grads, min(1.0, max_norm / total_of(p, 2))), (
            f"the per-tensor norms are right, but you combined them with the 2-norm; the total is their "
            f"p-norm too, with the same p = {norm_type}"
        )))
    if math.isinf(p):
        slips.append((_scaled(grads, min(1.0, max_norm / total_of(p, 1))), (
            "for norm_type = inf the total is the largest |entry| of all gradients: the max of the per-tensor "
            "maxima, not their sum"
        )))
    return slips


def _clip_cases():
    gen = torch.Generator().manual_seed(103)
    shapes = [(4, 3), (4, 4), (4,), (4,), (1, 4)]
    big = [torch.randn(s, dtype=F64, generator=gen) * f for s, f in zip(shapes, [30.0, 1.0, 0.1, 5.0, 2.0])]
    small = [g / 1000 for g in big]
    with_none = [big[0], None, big[2], big[3], None]
    inf = float("inf")
    return [
        ("a large gradient, norm_type=2", big, 1.0, 2.0),
        ("a small gradient, norm_type=2", small, 1.0, 2.0),
        ("a large gradient, norm_type=1", big, 1.0, 1.0),
        ("a large gradient, norm_type=inf", big, 1.0, inf),
        ("a small gradient, norm_type=inf", small, 1.0, inf),
        ("a gradient list with None entries, norm_type=2", with_none, 1.0, 2.0),
    ]


def _check_clip_by_norm(fn):
    for label, grads, max_norm, norm_type in _clip_cases():
        copies = [None if g is None else g.clone() for g in grads]
        try:
            got = fn(copies, max_norm, norm_type)
        except (AttributeError, TypeError) as exc:
            if any(g is None for g in grads):
                return (
                    f"with {label} your code raised {type(exc).__name__}: {exc}. A parameter that took no part in "
                    "the loss has .grad None: skip it in the total, and give None back in its place"
                )
            raise
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, (list, tuple)):
            return f"return a list of {len(grads)} entries, one per gradient, got {type(got).__name__}"
        got = list(got)
        if len(got) != len(grads):
            return f"return a list of {len(grads)} entries, one per gradient (None stays None), got {len(got)}"
        for g, o in zip(got, grads):
            if o is None and g is not None:
                return f"with {label}: where a gradient is None, return None (PyTorch leaves .grad None alone)"
            if o is not None and not isinstance(g, torch.Tensor):
                return f"with {label}: every clipped gradient is a tensor, got {type(g).__name__}"
            if o is not None and g.shape != o.shape:
                return f"every clipped gradient keeps its shape: got {tuple(g.shape)} for a gradient of shape {tuple(o.shape)}"
        want = _torch_clip(grads, max_norm, norm_type)
        if _close_lists(got, want):
            continue
        for slip, message in _clip_slips(grads, max_norm, norm_type):
            if _close_lists(got, slip):
                return f"with {label}: {message}"
        return f"with {label}, your clipped gradients differ from torch.nn.utils.clip_grad_norm_'s"
    return None


q2 = Exercise(
    name="10.2 clip by norm, any norm_type",
    answer="clip_by_norm",
    kind="function",
    checker=_check_clip_by_norm,
    hint_text=(
        "Skip the None entries. Each remaining gradient's p-norm, torch.linalg.vector_norm(g, norm_type), then "
        "the p-norm of those norms, with the same p: one total for everything (for inf that is the largest "
        "|entry| of all). Every gradient is multiplied by the same factor, "
        "torch.clamp(max_norm / (total + 1e-6), max=1.0); None stays None."
    ),
    solution_code='''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    present = [g for g in grads if g is not None]                        # no gradient: skipped
    per_tensor = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in present])
    total = torch.linalg.vector_norm(per_tensor, norm_type)              # one number for all of them
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)             # never above 1
    return [None if g is None else g * factor for g in grads]            # new tensors, same shapes
''',
    mistakes={
        "always the 2-norm": (
            '''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    present = [g for g in grads if g is not None]
    total = torch.stack([g.norm() for g in present]).norm()
    return [None if g is None else g * torch.clamp(max_norm / (total + 1e-6), max=1.0) for g in grads]
''',
            "you used the 2-norm",
        ),
        "inf as a sum of maxima": (
            '''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    present = [g for g in grads if g is not None]
    per_tensor = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in present])
    total = per_tensor.sum() if norm_type == float("inf") else torch.linalg.vector_norm(per_tensor, norm_type)
    return [None if g is None else g * torch.clamp(max_norm / (total + 1e-6), max=1.0) for g in grads]
''',
            "not their sum",
        ),
        "each parameter separately": (
            '''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    return [None if g is None else g * torch.clamp(max_norm / (torch.linalg.vector_norm(g, norm_type) + 1e-6), max=1.0)
            for g in grads]
''',
            "each gradient on its own",
        ),
        "always scales": (
            '''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    present = [g for g in grads if g is not None]
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in present]), norm_type)
    return [None if g is None else g * max_norm / total for g in grads]
''',
            "scaled the gradient up",
        ),
        "None not skipped": (
            '''
def clip_by_norm(grads, max_norm, norm_type=2.0):
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]), norm_type)
    return [g * torch.clamp(max_norm / (total + 1e-6), max=1.0) for g in grads]
''',
            "skip it in the total",
        ),
    },
)


# --- 10.3 vanish or explode ---------------------------------------------------------------------

MATRICES = {
    "A": torch.tensor([[0.9, 4.0], [0.0, 0.9]]),
    "B": torch.tensor([[0.0, -1.1], [1.1, 0.0]]),
    "C": torch.full((4, 4), 0.3),
    "D": torch.tensor([[0.5, 0.0], [0.0, -1.05]]),
}
STEPS = 200

#: Other ways to say the two answers, all accepted.
WORDS = {"vanishes": "vanish", "vanishing": "vanish", "vanished": "vanish",
         "explodes": "explode", "exploding": "explode", "exploded": "explode"}

#: Why a wrong prediction is wrong, per matrix (shown only for the matrices answered wrongly).
WHY = {
    "A": "W_A has large entries (||W_A||_2 is about 4.2), but it is triangular: its eigenvalues are the diagonal, "
    "0.9 and 0.9, so rho = 0.9 < 1 and the powers shrink in the end. Not at once: W_A is non-normal, and "
    "||g W_A^k|| first grows to 11 times ||g|| (at k = 9) and falls back below ||g|| only at k = 48",
    "B": "W_B's eigenvalues are +-1.1i: real parts 0, but modulus 1.1, so rho = 1.1 > 1 (a rotation that also stretches)",
    "C": "W_C's entries are small, but a 4 x 4 matrix of 0.3 maps the all-ones vector to 1.2 times itself: rho = 1.2 > 1",
    "D": "W_D's eigenvalues are 0.5 and -1.05; the sign does not matter, the modulus does: rho = 1.05 > 1",
}


def _truth() -> dict[str, str]:
    result = {}
    for name, w in MATRICES.items():
        w = w.to(F64)
        g = torch.ones(w.shape[0], dtype=F64)
        end = g @ torch.linalg.matrix_power(w, STEPS)
        result[name] = "vanish" if end.norm() < g.norm() else "explode"
    return result


def _check_predictions(answer):
    if not_attempted(answer):
        raise NotImplementedError
    if not isinstance(answer, dict):
        return f'answer with a dict such as {{"A": "vanish", "B": "explode", ...}}, got {type(answer).__name__}'
    keys = sorted(str(k) for k in answer)
    if keys != sorted(MATRICES):
        return f"give a prediction for each of A, B, C, D (your keys: {keys})"
    normalised = {str(k): WORDS.get(str(v).strip().lower(), str(v).strip().lower()) for k, v in answer.items()}
    bad_words = sorted({v for v in normalised.values() if v not in ("vanish", "explode")})
    if bad_words:
        return f'each prediction is "vanish" or "explode", got {bad_words}'
    truth = _truth()
    wrong = [name for name in sorted(MATRICES) if normalised[name] != truth[name]]
    if not wrong:
        return None
    return "; ".join(f"{name}: {WHY[name]}" for name in wrong)


q3 = Exercise(
    name="10.3 vanish or explode",
    answer="predictions",
    kind="dict",
    checker=_check_predictions,
    hint_text=(
        "Neither the size of the entries nor the largest singular value decides what happens over many "
        "steps: the spectral radius does, max |eigenvalue| (complex eigenvalues: modulus; negative ones: "
        "absolute value). rho < 1: vanish; rho > 1: explode."
    ),
    solution_code='''
# rho(W_A) = 0.9 (triangular: the diagonal; ||g W_A^k|| first grows 11x, at k = 9, then decays),
# rho(W_B) = 1.1 (eigenvalues +-1.1i),
# rho(W_C) = 1.2 (4 * 0.3, eigenvector all ones), rho(W_D) = 1.05 (the eigenvalue -1.05)
predictions = {"A": "vanish", "B": "explode", "C": "explode", "D": "explode"}
''',
    mistakes={
        "judged by the entries": (
            'predictions = {"A": "explode", "B": "explode", "C": "vanish", "D": "explode"}',
            "entries",
        ),
        "real parts": (
            'predictions = {"A": "vanish", "B": "vanish", "C": "explode", "D": "vanish"}',
            "modulus",
        ),
        "spectral norm": (
            'predictions = {"A": "explode", "B": "explode", "C": "explode", "D": "explode"}',
            "triangular",
        ),
    },
)
