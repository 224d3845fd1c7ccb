"""A recurrent matrix's eigenvalues and what its powers do (notebook 10)."""

from __future__ import annotations

from typing import Any

from .style import BLUE, GREEN, VERMILLION


def plot_spectrum(w: Any, max_power: int = 60) -> Any:
    """Two panels: the eigenvalues of ``w`` in the complex plane, and ``||w^k||_2`` for k = 0..max_power.

    w: (n, n), a square matrix (e.g. ``weight_hh_l0``), any real dtype.
    max_power: the largest k drawn in the right panel.

    Left: the unit circle, the circle of radius rho (the spectral radius, dashed) and the n
    eigenvalues. Right, on a log scale: the measured ``||w^k||_2``, ``rho^k`` and the one-step
    bound ``||w||_2^k``. Returns the Figure. Raises ``ValueError`` unless ``w`` is a square matrix.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import torch

    if not isinstance(w, torch.Tensor) or w.ndim != 2 or w.shape[0] != w.shape[1] or w.numel() == 0:
        raise ValueError(f"w: expected a square matrix (n, n), got {getattr(w, 'shape', type(w).__name__)}")
    if isinstance(max_power, bool) or not isinstance(max_power, int) or max_power < 1:
        raise ValueError(f"max_power: expected an int >= 1, got {max_power!r}")
    w = w.detach().cpu().double()
    eigenvalues = torch.linalg.eigvals(w).numpy()
    rho = float(np.abs(eigenvalues).max())
    spectral_norm = float(torch.linalg.matrix_norm(w, ord=2))
    ks = np.arange(max_power + 1)
    power_norms = [float(torch.linalg.matrix_norm(torch.linalg.matrix_power(w, int(k)), ord=2)) for k in ks]

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    theta = np.linspace(0, 2 * np.pi, 200)
    axes[0].plot(np.cos(theta), np.sin(theta), color="0.6", lw=1, label="unit circle")
    axes[0].plot(rho * np.cos(theta), rho * np.sin(theta), "--", color=VERMILLION, lw=1, label=rf"radius $\rho$ = {rho:.2f}")
    axes[0].scatter(eigenvalues.real, eigenvalues.imag, color=BLUE, zorder=3, label="eigenvalues")
    axes[0].set_aspect("equal")
    axes[0].set_xlabel("real part")
    axes[0].set_ylabel("imaginary part")
    axes[0].legend(loc="upper left", fontsize=8, framealpha=0.9)
    axes[0].set_title(f"eigenvalues of the {w.shape[0]} x {w.shape[0]} matrix (complex)")
    axes[1].semilogy(ks, power_norms, marker=".", color=BLUE, label=r"$\|W^k\|_2$")
    axes[1].semilogy(ks, rho ** ks, "--", color=VERMILLION, label=r"$\rho^k$")
    axes[1].semilogy(ks, spectral_norm ** ks, ":", color=GREEN, label=r"$\|W\|_2^k$ (the one-step bound)")
    axes[1].set_xlabel("k (steps back)")
    axes[1].legend(fontsize=8)
    axes[1].set_title(r"a product of $k$ copies of $W$")
    fig.subplots_adjust(wspace=0.3)
    return fig
