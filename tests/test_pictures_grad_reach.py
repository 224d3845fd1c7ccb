"""rnn_helpers.pictures.grad_reach: two heatmaps, zeros masked white, chunk boundaries marked; bad grids refused."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.grad_reach import plot_grad_reach  # noqa: E402
from rnn_helpers.pictures.style import SEQUENTIAL, VERMILLION  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grids(T=6, k=2):
    s, t = torch.arange(T)[:, None], torch.arange(T)[None, :]
    full = torch.where(t <= s, 2.0 ** (t - s).double(), torch.zeros(()).double())
    truncated = torch.where(t >= (s // k) * k, full, torch.zeros(()).double())
    return full, truncated


def test_two_heatmaps_with_zeros_masked_and_boundaries_marked():
    full, truncated = _grids()
    fig = plot_grad_reach(full, truncated, k=2)
    left, right = fig.axes[:2]
    for ax, grid in [(left, full), (right, truncated)]:
        data = np.asarray(ax.images[0].get_array().filled(np.nan))
        assert data.shape == (6, 6)
        np.testing.assert_array_equal(np.isnan(data), (grid == 0).numpy())  # exact zeros drawn white
        np.testing.assert_allclose(data[~np.isnan(data)], grid[grid != 0].numpy())
        assert ax.images[0].get_cmap().name == SEQUENTIAL
        boundaries = [line.get_xdata()[0] for line in ax.lines]
        assert boundaries == [1.5, 3.5]  # between steps 1|2 and 3|4
        assert all(to_rgba(line.get_color()) == to_rgba(VERMILLION) for line in ax.lines)
    assert right.get_title() == "truncated, chunks of k = 2"
    assert left.get_ylabel() == "loss at step s" and left.get_xlabel() == "input step t"


@pytest.mark.parametrize(
    "full, truncated, k, message",
    [
        (torch.zeros(3, 4), torch.zeros(3, 4), 2, "square grids"),
        (torch.zeros(3, 3), torch.zeros(4, 4), 2, "square grids"),
        (-torch.ones(3, 3), torch.zeros(3, 3), 2, "negative"),
        (torch.zeros(3, 3), torch.zeros(3, 3), 0, "k: expected"),
        (torch.zeros(3), torch.zeros(3, 3), 1, "2-D"),
    ],
)
def test_bad_input_is_refused(full, truncated, k, message):
    with pytest.raises(ValueError, match=message):
        plot_grad_reach(full, truncated, k)


def test_the_colour_bar_says_that_values_below_vmin_are_clipped():
    full, truncated = _grids(T=12)                    # values from 2**-11 (below 1e-3) up to 1
    fig = plot_grad_reach(full, truncated, k=4, vmin=1e-3)
    bar = fig.axes[-1]
    labels = [label.get_text() for label in bar.get_yticklabels()]
    assert labels == [r"$\leq 10^{-3}$", "$10^{-2}$", "$10^{-1}$", "$10^{0}$"]
    np.testing.assert_allclose(bar.get_yticks(), [1e-3, 1e-2, 1e-1, 1.0])
    assert fig.axes[0].images[0].norm.clip, "values below vmin take vmin's colour"
