"""rnn_helpers.pictures.clipping and .clip_training: the arrows point where clipping sends them; runs drawn per panel."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.clip_training import plot_clip_runs  # noqa: E402
from rnn_helpers.pictures.clipping import plot_clip_directions  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _arrows(ax):
    return {a.get_gid(): np.array(a.xy) for a in ax.texts if a.get_gid()}


def test_norm_keeps_the_direction_and_value_turns_it():
    ax = plot_clip_directions(torch.tensor([3.0, 0.8], dtype=torch.float64), max_norm=1.0, clip_value=1.0)
    arrows = _arrows(ax)
    np.testing.assert_allclose(arrows["raw"], [3.0, 0.8])
    np.testing.assert_allclose(arrows["norm"], np.array([3.0, 0.8]) / (np.hypot(3.0, 0.8) + 1e-6), rtol=1e-12)
    np.testing.assert_allclose(arrows["value"], [1.0, 0.8])


def test_a_small_gradient_is_left_alone_by_both():
    arrows = _arrows(plot_clip_directions([0.3, -0.4], max_norm=1.0, clip_value=1.0))
    np.testing.assert_allclose(arrows["norm"], [0.3, -0.4])
    np.testing.assert_allclose(arrows["value"], [0.3, -0.4])


@pytest.mark.parametrize("gradient, kwargs", [([1.0, 2.0, 3.0], {}), ([1.0, 2.0], {"max_norm": 0.0})])
def test_bad_input_is_refused(gradient, kwargs):
    with pytest.raises(ValueError, match="expected"):
        plot_clip_directions(gradient, **kwargs)


def _record(losses):
    return {"loss": losses, "grad norm": [10 * v for v in losses], "cosine": [1.0] * len(losses)}


def test_runs_are_drawn_and_an_overflowed_run_is_marked_at_the_top():
    runs = {"no clipping": _record([1.0, 5.0, 1e40]), "clip": _record([1.0, 0.8, 0.6, 0.5])}
    fig = plot_clip_runs(runs, baseline=1.2)
    loss_ax, norm_ax, cos_ax = fig.axes
    assert loss_ax.get_ylim() == pytest.approx((0.25, 10.0))  # half the smallest, 10 x the largest of the complete run
    marks = [line for line in loss_ax.lines if line.get_marker() == "x"]
    assert len(marks) == 1 and marks[0].get_ydata()[0] == pytest.approx(10.0) and marks[0].get_xdata()[0] == 2
    assert any(list(line.get_ydata()) == [1.2, 1.2] for line in loss_ax.lines)  # the baseline
    assert [line.get_label() for line in loss_ax.lines[:1]] == ["no clipping"]
    assert len(cos_ax.lines) == 2 and norm_ax.get_yscale() == "log"


def test_a_record_missing_a_list_or_out_of_step_is_refused():
    with pytest.raises(ValueError, match="missing"):
        plot_clip_runs({"a": {"loss": [1.0], "cosine": [1.0]}})
    with pytest.raises(ValueError, match="one value per step"):
        plot_clip_runs({"a": {"loss": [1.0], "grad norm": [1.0, 2.0], "cosine": [1.0]}})


def test_an_overflowing_gradient_norm_does_not_flatten_the_others():
    runs = {"no clipping": _record([1.0, 5.0, 1e40]), "clip": _record([1.0, 0.8, 0.6, 0.5])}
    norm_ax = plot_clip_runs(runs).axes[1]
    assert norm_ax.get_ylim() == pytest.approx((2.5, 500.0))  # half the smallest; 10 x the largest before the end
    marks = [line for line in norm_ax.lines if line.get_marker() == "x"]
    assert len(marks) == 1 and marks[0].get_ydata()[0] == pytest.approx(500.0) and marks[0].get_xdata()[0] == 2
    assert [t.get_text() for t in norm_ax.texts] == ["1e+41, off the chart"]
