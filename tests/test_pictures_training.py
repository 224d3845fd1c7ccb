"""The pictures of notebook 11: noisy sines, loss curves, predictions, and the echo task memory."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.echo_memory import plot_echo_memory  # noqa: E402
from rnn_helpers.pictures.training_curves import plot_training_losses  # noqa: E402
from rnn_helpers.pictures.sine_predictions import plot_sine_predictions  # noqa: E402
from rnn_helpers.pictures.sines import plot_noisy_sines  # noqa: E402
from rnn_helpers.training import noisy_sine  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_noisy_sines_draw_a_line_and_dots_per_sequence():
    series, clean = noisy_sine(4, 10, generator=torch.Generator().manual_seed(0))
    ax = plot_noisy_sines(series, clean, n=2)
    assert len(ax.lines) == 4
    np.testing.assert_allclose(ax.lines[0].get_ydata(), clean[:, 0, 0].numpy())
    np.testing.assert_allclose(ax.lines[3].get_ydata(), series[:, 1, 0].numpy())
    assert ax.lines[1].get_marker() == "o"
    with pytest.raises(ValueError, match="n: expected"):
        plot_noisy_sines(series, clean, n=5)
    with pytest.raises(ValueError, match="one shape"):
        plot_noisy_sines(series, clean[:, :2])


def test_loss_curves_and_levels():
    ax = plot_training_losses({"a": [1.0, 0.5], "b": [1.0, 0.5]}, levels={"floor": 0.1}, title="t")
    assert [line.get_label() for line in ax.lines] == ["a", "b", "floor"]
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [0.1, 0.1])
    with pytest.raises(ValueError, match="1 to 3 curves"):
        plot_training_losses({})
    with pytest.raises(ValueError, match="empty"):
        plot_training_losses({"a": []})


def test_predictions_and_the_error_per_step():
    gen = torch.Generator().manual_seed(1)
    target = torch.randn(5, 3, 1, generator=gen)
    prediction = target + 0.5
    fig = plot_sine_predictions(prediction, target, target, floor=0.01, n=2)
    left, right = fig.axes[:2]
    assert len(left.lines) == 6
    np.testing.assert_allclose(right.lines[0].get_ydata(), np.full(5, 0.25), rtol=1e-6)  # (0.5)^2 at every step
    np.testing.assert_allclose(right.lines[1].get_ydata(), [0.01, 0.01])
    with pytest.raises(ValueError, match="one shape"):
        plot_sine_predictions(prediction[:4], target, target)


def test_echo_memory_panels():
    delays = [1, 3]
    reach = torch.tensor([1.0, 0.5, 0.25, 0.125])
    fig = plot_echo_memory(delays, {1: 0.05, 3: 0.9}, reach, {1: reach, 3: reach.flip(0)})
    scores, untrained, trained = fig.axes
    np.testing.assert_allclose(scores.lines[0].get_ydata(), [0.05, 0.9])
    np.testing.assert_allclose(untrained.lines[0].get_ydata(), reach.numpy())
    dots = [line for line in trained.lines if line.get_marker() == "o"]
    assert [(d.get_xdata()[0], d.get_ydata()[0]) for d in dots] == [(1, 0.5), (3, 1.0)]
    with pytest.raises(ValueError, match="missing"):
        plot_echo_memory([1, 5], {1: 0.1}, reach, {1: reach})
    with pytest.raises(ValueError, match="length 4"):
        plot_echo_memory(delays, {1: 0.05, 3: 0.9}, reach, {1: reach, 3: reach[:3]})
