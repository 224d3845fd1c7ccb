"""rnn_helpers.pictures.gates / grad_paths draw what they say (data, scales, labels) and refuse bad input."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnn_helpers import plot_gates, plot_grad_paths  # noqa: E402
from rnn_helpers.pictures.style import DIVERGING, LINE_COLORS, SEQUENTIAL  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _panels():
    torch.manual_seed(0)
    return {"i": torch.rand(6, 3), "g": 2 * torch.rand(6, 3) - 1, "c": 3 * torch.randn(6, 3)}


def test_gates_one_panel_each_with_its_data_transposed_gates_on_0_1_signed_on_one_symmetric_scale():
    panels = _panels()
    fig = plot_gates(panels, title="demo")
    axes = fig.axes[:3]
    assert [ax.get_title() for ax in axes] == ["i: input gate", "g: candidate", "c: cell state"]
    for ax, values in zip(axes, panels.values()):
        np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), values.T.numpy(), rtol=1e-6)
    assert axes[0].images[0].get_cmap().name == SEQUENTIAL and axes[0].images[0].get_clim() == (0.0, 1.0)
    vmax = float(panels["c"].abs().max())  # c grew past 1: the one signed scale widens for g and c alike
    for ax in axes[1:]:
        assert ax.images[0].get_cmap().name == DIVERGING
        np.testing.assert_allclose(ax.images[0].get_clim(), (-vmax, vmax), rtol=1e-6)
    assert len(fig.axes) == 5, "three panels, then one colour bar for the gates and one for the signed panels"
    assert fig._suptitle.get_text() == "demo"


def test_gates_signed_scale_is_at_least_minus_one_to_one():
    fig = plot_gates({"n": 0.1 * torch.ones(4, 2)})
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0)


def test_gates_accept_a_projected_h_narrower_than_the_gates():
    fig = plot_gates({"f": torch.rand(5, 4), "h": torch.rand(5, 2)})
    assert fig.axes[1].images[0].get_array().shape == (2, 5)


@pytest.mark.parametrize(
    "panels, message",
    [
        ({}, "at least one"),
        ({"f": torch.rand(5, 1, 3)}, r"got shape \(5, 1, 3\); pick one sequence"),
        ({"f": torch.rand(5, 3), "c": torch.rand(4, 3)}, "one seq_len for every panel"),
        ({"f": torch.randn(5, 3) * 3}, r"expected values in \[0, 1\].*pre-activation"),
    ],
)
def test_gates_refuse_bad_panels(panels, message):
    with pytest.raises(ValueError, match=message):
        plot_gates(panels)


def test_grad_paths_one_line_per_curve_log_scale_same_style_for_a_label_in_every_panel():
    a, b = torch.linspace(1, 2, 10), torch.logspace(-8, 0, 10)
    fig = plot_grad_paths({"left": {"through c": a, "plain RNN": b}, "right": {"plain RNN": b, "through h": a}})
    left, right = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["left", "right"]
    assert left.get_yscale() == "log" and right.get_yscale() == "log"
    assert [line.get_label() for line in left.lines] == ["through c", "plain RNN"]
    np.testing.assert_allclose(left.lines[1].get_ydata(), b.numpy())
    np.testing.assert_allclose(left.lines[1].get_xdata(), np.arange(10))
    assert left.lines[1].get_color() == right.lines[0].get_color() == LINE_COLORS[1]
    assert left.lines[1].get_linestyle() == right.lines[0].get_linestyle()
    assert right.lines[1].get_color() == LINE_COLORS[2], "a new label takes the next colour"
    assert left.get_ylim() == right.get_ylim(), "one shared y axis"


def test_grad_paths_single_panel():
    fig = plot_grad_paths({"a": np.ones(3), "b": 2 * np.ones(3)}, title="t")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2 and fig._suptitle.get_text() == "t"


@pytest.mark.parametrize(
    "curves, message",
    [
        ({}, "at least one"),
        ({"a": torch.ones(3, 2)}, r"1-D tensor \(seq_len,\), got shape \(3, 2\)"),
        ({"a": torch.tensor([1.0, 0.0])}, "positive norms"),
        ({"p": {}}, "every panel needs"),
    ],
)
def test_grad_paths_refuse_bad_curves(curves, message):
    with pytest.raises(ValueError, match=message):
        plot_grad_paths(curves)
