"""rnn_helpers.pictures.spectrum: eigenvalues on the complex plane and the powers of the matrix."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.spectrum import plot_spectrum  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_eigenvalues_and_powers_are_drawn():
    w = torch.tensor([[0.0, -2.0], [2.0, 0.0]], dtype=torch.float64)  # eigenvalues +-2i, rho = 2
    fig = plot_spectrum(w, max_power=5)
    plane, powers = fig.axes
    points = plane.collections[0].get_offsets()
    np.testing.assert_allclose(sorted(map(tuple, np.asarray(points))), [(0.0, -2.0), (0.0, 2.0)], atol=1e-12)
    radius_circle = plane.lines[1]
    np.testing.assert_allclose(np.hypot(radius_circle.get_xdata(), radius_circle.get_ydata()), 2.0)
    measured, rho_k, bound = powers.lines
    np.testing.assert_allclose(measured.get_ydata(), 2.0 ** np.arange(6))  # a scaled rotation: ||W^k|| = 2^k
    np.testing.assert_allclose(rho_k.get_ydata(), 2.0 ** np.arange(6))
    assert powers.get_yscale() == "log"


def test_a_non_normal_matrix_shows_the_gap_between_norm_and_radius():
    w = torch.tensor([[0.9, 4.0], [0.0, 0.9]])
    _, powers = plot_spectrum(w, max_power=3).axes
    measured, rho_k, bound = powers.lines
    assert measured.get_ydata()[1] > 4 > rho_k.get_ydata()[1]


@pytest.mark.parametrize("bad", [torch.zeros(2, 3), torch.zeros(3), [[1.0, 0.0], [0.0, 1.0]]])
def test_not_a_square_matrix_is_refused(bad):
    with pytest.raises(ValueError, match="square matrix"):
        plot_spectrum(bad)
