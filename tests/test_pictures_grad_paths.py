"""rnn_helpers.pictures.grad_paths: one log-scale line per curve, one style per label across panels; bad curves refused."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnn_helpers import plot_grad_paths  # noqa: E402
from rnn_helpers.pictures.style import LINE_COLORS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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


def test_grad_paths_mark_draws_one_dotted_vertical_line_per_panel_after_the_curves():
    a = torch.logspace(-4, 0, 8)
    fig = plot_grad_paths({"left": {"a": a}, "right": {"a": a, "b": a}}, mark=2)
    for ax, curves in zip(fig.axes, (1, 2)):
        assert len(ax.lines) == curves + 1
        line = ax.lines[-1]
        assert list(line.get_xdata()) == [2, 2] and line.get_linestyle() == ":" and line.get_label() == "step 2"
    assert all(len(ax.lines) == n for ax, n in zip(plot_grad_paths({"p": {"a": a}}).axes, (1,))), "no mark: no line"


@pytest.mark.parametrize("mark", [8, -1, 2.0, True, "2"])
def test_grad_paths_refuse_a_mark_outside_the_steps(mark):
    with pytest.raises(ValueError, match=r"mark: expected an int step from 0 to 7"):
        plot_grad_paths({"a": torch.ones(8)}, mark=mark)
