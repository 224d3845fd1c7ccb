"""Exercises for notebook 10: gradients over time, the spectral radius, clipping."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Exercise, not_attempted

F64 = torch.float64


def _as_float(value) -> tuple[float | None, str | None]:
    """``(value as a float, None)`` for a 0-d tensor or a Python number, else ``(None, what is wrong)``."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            return None, f"expected one number (a 0-d tensor or a float), got a tensor of shape {tuple(value.shape)}"
        if value.is_complex():
            return None, (
                "your answer is complex: eigvals returns complex eigenvalues; the spectral radius is the "
                "largest modulus, a real number (use .abs())"
            )
        return float(value), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    return None, f"expected one number (a 0-d tensor or a float), got {type(value).__name__}"


# --- 10.1 the spectral radius -----------------------------------------------------------------


def _test_matrices() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(101)
    return {
        # eigenvalues +-2i: the real parts are 0, the moduli 2
        "a scaled rotation": torch.tensor([[0.0, -2.0], [2.0, 0.0]], dtype=F64),
        # eigenvalues 0.5 and -1.5: the largest eigenvalue (0.5) is not the largest modulus (1.5)
        "a matrix with a negative eigenvalue": torch.tensor([[0.5, 0.0], [1.0, -1.5]], dtype=F64),
        # non-normal: the largest singular value (about 4.1) is far above the spectral radius (0.9)
        "a triangular matrix": torch.tensor([[0.9, 4.0], [0.0, 0.9]], dtype=F64),
        "a random 6 x 6 matrix": torch.randn(6, 6, dtype=F64, generator=gen) / 2,
    }


def _check_spectral_radius(fn):
    matrices = _test_matrices()
    first = fn(matrices["a scaled rotation"].clone())
    if not_attempted(first):
        raise NotImplementedError
    for name, w in matrices.items():
        got, problem = _as_float(fn(w.clone()))
        if problem:
            return problem
        eig = torch.linalg.eigvals(w)
        want = float(eig.abs().max())
        if abs(got - want) <= 1e-9 * max(1.0, want):
            continue
        where = f"for {name} you gave {got:.4g}, the spectral radius is {want:.4g}"
        if abs(got - float(torch.linalg.matrix_norm(w, ord=2))) < 1e-9:
            return (
                f"{where}: that is the largest singular value ||W||_2 (the spectral norm), an upper bound "
                "on the spectral radius; use the eigenvalues, torch.linalg.eigvals"
            )
        if abs(got - float(eig.real.max())) < 1e-9 or abs(got - float(eig.real.abs().max())) < 1e-9:
            return f"{where}: you used the real part; eigenvalues can be complex, take their modulus with .abs()"
        if abs(got - float(w.abs().max())) < 1e-9:
            return f"{where}: that is the largest entry; the spectral radius is the largest |eigenvalue|"
        if abs(got - float(torch.linalg.eigvalsh(w).abs().max())) < 1e-9:
            return (
                f"{where}: eigvalsh assumes a symmetric matrix (it reads only one triangle); "
                "W_hh is not symmetric, use torch.linalg.eigvals"
            )
        return where
    return None


q1 = Exercise(
    name="10.1 the spectral radius",
    answer="spectral_radius",
    kind="function",
    checker=_check_spectral_radius,
    hint_text=(
        "torch.linalg.eigvals(w) gives the n eigenvalues, complex in general. The spectral radius is the "
        "largest modulus |lambda| among them: not the largest real part, not the largest entry, and not "
        "the largest singular value (torch.linalg.matrix_norm(w, 2))."
    ),
    solution_code='''
def spectral_radius(w):
    return torch.linalg.eigvals(w).abs().max()     # (n,) complex -> moduli -> the largest
''',
    mistakes={
        "spectral norm": (
            "def spectral_radius(w):\n    return torch.linalg.matrix_norm(w, ord=2)",
            "largest singular value",
        ),
        "real part": ("def spectral_radius(w):\n    return torch.linalg.eigvals(w).real.max()", "real part"),
        "every modulus, not the largest": (
            "def spectral_radius(w):\n    return torch.linalg.eigvals(w).abs()",
            "one number",
        ),
        "largest entry": ("def spectral_radius(w):\n    return w.abs().max()", "largest entry"),
        "complex answer": (
            "def spectral_radius(w):\n    ev = torch.linalg.eigvals(w)\n    return ev[ev.abs().argmax()]",
            "complex",
        ),
        "eigvalsh": ("def spectral_radius(w):\n    return torch.linalg.eigvalsh(w).abs().max()", "symmetric"),
    },
)


# --- 10.2 clip by norm --------------------------------------------------------------------------


def _torch_clip(grads: list[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    params = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def _close_lists(a, b, rtol=1e-6) -> bool:
    # rtol 1e-6: accepts max_norm / total with or without PyTorch's + 1e-6 in the denominator
    return all(x.shape == y.shape and torch.allclose(x, y, rtol=rtol, atol=1e-12) for x, y in zip(a, b))


def _check_clip_by_norm(fn):
    gen = torch.Generator().manual_seed(102)
    shapes = [(4, 3), (4, 4), (4,), (4,), (1, 4)]
    big = [torch.randn(s, dtype=F64, generator=gen) * f for s, f in zip(shapes, [30.0, 1.0, 0.1, 5.0, 2.0])]
    small = [g / 1000 for g in big]
    cases = [("a large gradient (total norm about 100, max_norm 1)", big, 1.0),
             ("a small gradient (total norm about 0.1, max_norm 1)", small, 1.0)]
    for label, grads, max_norm in cases:
        originals = [g.clone() for g in grads]
        got = fn([g.clone() for g in grads], max_norm)
        if not_attempted(got):
            raise NotImplementedError
        if not isinstance(got, (list, tuple)):
            return f"return a list of {len(grads)} tensors, one per gradient, got {type(got).__name__}"
        got = list(got)
        if len(got) != len(grads) or not all(isinstance(g, torch.Tensor) for g in got):
            return f"return a list of {len(grads)} tensors, one per gradient, got {type(got).__name__} of length {len(got)}"
        for g, o in zip(got, originals):
            if g.shape != o.shape:
                return f"every clipped gradient keeps its shape: got {tuple(g.shape)} for a gradient of shape {tuple(o.shape)}"
        want = _torch_clip(originals, max_norm)
        if _close_lists(got, want):
            continue
        total = torch.linalg.vector_norm(torch.stack([g.norm() for g in originals]))
        per_param = [g * min(1.0, max_norm / float(g.norm())) for g in originals]
        always = [g * (max_norm / total) for g in originals]
        l1 = sum(float(g.norm()) for g in originals)
        sum_of_squares = float(total) ** 2
        if _close_lists(got, always):
            return (
                f"with {label} you scaled the gradient up: the factor must never exceed 1, "
                "torch.clamp(max_norm / (total_norm + 1e-6), max=1.0), so a small gradient is left as it is"
            )
        if _close_lists(got, per_param):
            return (
                f"with {label} you clipped each gradient on its own: the total norm is ONE number over all "
                "parameters together, sqrt(sum of every gradient's squared norm), and every gradient gets the same factor"
            )
        if _close_lists(got, [g * min(1.0, max_norm / l1) for g in originals]):
            return f"with {label}: you added the norms; the total norm is the square root of the sum of their squares"
        if _close_lists(got, [g * min(1.0, max_norm / sum_of_squares) for g in originals]):
            return f"with {label}: you forgot the square root: total norm = sqrt(sum of squared norms)"
        if _close_lists(got, [g.clamp(-max_norm, max_norm) for g in originals]):
            return f"with {label}: that is clipping by value (clamp); clipping by norm rescales instead"
        return f"with {label}, your clipped gradients differ from torch.nn.utils.clip_grad_norm_'s"
    return None


q2 = Exercise(
    name="10.2 clip by norm",
    answer="clip_by_norm",
    kind="function",
    checker=_check_clip_by_norm,
    hint_text=(
        "One total norm over ALL gradients together: sqrt(sum of g.norm()**2 over the list). Then every "
        "gradient is multiplied by the same factor, max_norm / (total + 1e-6), but never by more than 1 "
        "(clipping never scales up): torch.clamp(..., max=1.0), as PyTorch does."
    ),
    solution_code='''
def clip_by_norm(grads, max_norm):
    total = torch.stack([g.norm() for g in grads]).norm()             # one number for all parameters
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)          # PyTorch's factor: never above 1
    return [g * factor for g in grads]                                # new tensors, same shapes
''',
    mistakes={
        "always scales": (
            '''
def clip_by_norm(grads, max_norm):
    total = torch.stack([g.norm() for g in grads]).norm()
    return [g * max_norm / total for g in grads]
''',
            "scaled the gradient up",
        ),
        "each parameter separately": (
            '''
def clip_by_norm(grads, max_norm):
    return [g * min(1.0, max_norm / float(g.norm())) for g in grads]
''',
            "each gradient on its own",
        ),
        "no square root": (
            '''
def clip_by_norm(grads, max_norm):
    total = sum(float(g.norm()) ** 2 for g in grads)
    return [g * min(1.0, max_norm / total) for g in grads]
''',
            "square root",
        ),
        "clamped instead": (
            "def clip_by_norm(grads, max_norm):\n    return [g.clamp(-max_norm, max_norm) for g in grads]",
            "clipping by value",
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
    normalised = {str(k): str(v).strip().lower() for k, v in answer.items()}
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
