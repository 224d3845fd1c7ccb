"""rnn_helpers.pictures.grad_over_time and .vanishing: curves on a log scale, one colour each, one shared scale."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.grad_over_time import plot_grad_norms  # noqa: E402
from rnn_helpers.pictures.style import BLUE  # noqa: E402
from rnn_helpers.pictures.vanishing import plot_vanishing_exploding  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_curve_is_a_blue_line_on_a_log_axis():
    norms = 0.5 ** torch.arange(10.0).flip(0)
    ax = plot_grad_norms(norms, title="demo")
    assert ax.get_yscale() == "log" and ax.get_title() == "demo"
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_ydata(), norms.numpy())
    np.testing.assert_array_equal(line.get_xdata(), np.arange(10))
    assert to_rgba(line.get_color()) == to_rgba(BLUE)
    assert ax.get_legend() is None


def test_several_curves_get_distinct_colours_and_a_legend():
    curves = {f"rho = {r}": r ** torch.arange(5.0) for r in (0.5, 1.0, 2.0)}
    ax = plot_grad_norms(curves, ylim=(1e-3, 1e3))
    assert [line.get_label() for line in ax.lines] == list(curves)
    assert len({tuple(line.get_color()) for line in ax.lines}) == 3
    assert ax.get_ylim() == pytest.approx((1e-3, 1e3))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)


def test_curves_of_different_lengths_or_empty_are_refused():
    with pytest.raises(ValueError, match="one length"):
        plot_grad_norms({"a": torch.ones(3), "b": torch.ones(4)})
    with pytest.raises(ValueError, match="non-empty 1-D"):
        plot_grad_norms(torch.ones(0))


def test_vanishing_exploding_panels_share_one_scale():
    rhos = [0.5, 2.0]
    curves = {(nl, r): (r * f) ** torch.arange(6.0).flip(0) for nl, f in [("tanh", 0.8), ("relu", 1.0)] for r in rhos}
    act_means = {(nl, r): m for (nl, r), m in zip(curves, [0.9, 0.6, 0.5, 0.5])}
    fig = plot_vanishing_exploding(curves, act_means, rhos)
    tanh_ax, relu_ax, slope_ax = fig.axes
    assert tanh_ax.get_ylim() == relu_ax.get_ylim()
    assert len(tanh_ax.lines) == len(relu_ax.lines) == 2
    np.testing.assert_allclose(relu_ax.lines[1].get_ydata(), curves["relu", 2.0].numpy())
    tanh_line, relu_line = slope_ax.lines[:2]
    np.testing.assert_allclose(tanh_line.get_ydata(), [0.9, 0.6])
    np.testing.assert_allclose(relu_line.get_ydata(), [0.5, 0.5])
    with pytest.raises(ValueError, match="missing"):
        plot_vanishing_exploding(curves, act_means, [0.5, 1.0])
