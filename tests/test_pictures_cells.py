"""The pictures of notebook 15: the recall score per delay draws every model's scores and shades the delays no
training sequence had; the grouped bars are right_by_distance's fractions, one group per range, one colour per model."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures import plot_recall_by_delay, plot_right_by_distance_compared, right_by_distance  # noqa: E402
from rnn_helpers.pictures.memory_distance import DISTANCE_BINS  # noqa: E402
from rnn_helpers.pictures.style import LINE_COLORS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_recall_by_delay_one_line_per_model_the_line_at_1_and_the_shaded_delays():
    rnn, lstm = torch.linspace(0.9, 1.1, 8), torch.tensor([0.0, 0.01, 0.02, 0.02, 0.1, 0.2, 0.3, 0.4])
    fig = plot_recall_by_delay({"RNN": rnn, "LSTM": lstm}, trained_up_to=3, title="t")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines[:2]] == ["RNN", "LSTM"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), lstm.numpy())
    np.testing.assert_allclose(ax.lines[1].get_xdata(), np.arange(8))
    assert ax.lines[0].get_color() == LINE_COLORS[0] and ax.lines[1].get_color() == LINE_COLORS[1]
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert list(ax.lines[2].get_ydata()) == [1.0, 1.0], "the line of a model that remembers nothing"
    assert "remembers nothing" in ax.lines[2].get_label()
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["RNN", "LSTM"]
    (shade,) = ax.patches
    left, right = shade.get_x(), shade.get_x() + shade.get_width()
    assert left == pytest.approx(3.5) and right == pytest.approx(7.5), "delays 4..7 shaded"
    assert ax.get_title() == "t"


def test_recall_by_delay_without_a_training_limit_shades_nothing():
    fig = plot_recall_by_delay({"GRU": [0.1, 0.2, 0.3]})
    assert not fig.axes[0].patches


@pytest.mark.parametrize(
    "scores, kwargs, message",
    [
        ({}, {}, "at least one"),
        ({"a": torch.ones(2, 3)}, {}, r"1-D tensor \(num_delays,\), got shape \(2, 3\)"),
        ({"a": [1.0, 2.0], "b": [1.0]}, {}, "one number of delays"),
        ({"a": [1.0, -0.5]}, {}, "finite scores >= 0"),
        ({"a": [1.0, float("nan")]}, {}, "finite scores >= 0"),
        ({"a": [1.0, 2.0]}, {"trained_up_to": 2}, r"from 0 to 1, got 2"),
    ],
)
def test_recall_by_delay_refuses_bad_scores(scores, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_recall_by_delay(scores, **kwargs)


def _closings(seed, n=400):
    gen = torch.Generator().manual_seed(seed)
    distance = torch.randint(1, 21, (n,), generator=gen)
    right = torch.rand(n, generator=gen) < 1.2 - distance / 20
    return distance, right


def test_grouped_bars_are_the_fractions_of_each_model_in_its_colour():
    results = {"RNN": _closings(0), "LSTM": _closings(1), "GRU": _closings(2)}
    fig = plot_right_by_distance_compared(results, title="t")
    ax = fig.axes[0]
    assert len(ax.containers) == 3
    for j, (label, (distance, right)) in enumerate(results.items()):
        bars = ax.containers[j]
        assert bars.get_label() == label and len(bars) == len(DISTANCE_BINS)
        fraction, _ = right_by_distance(distance, right)
        np.testing.assert_allclose([b.get_height() for b in bars], fraction.nan_to_num(0).numpy())   # empty bin: 0
        assert all(b.get_facecolor()[:3] == to_rgba(LINE_COLORS[j])[:3] for b in bars)
    centres = [[b.get_x() + b.get_width() / 2 for b in bars] for bars in ax.containers]
    for i in range(len(DISTANCE_BINS)):   # within a group: the models left to right, around the bin's tick
        assert centres[0][i] < centres[1][i] < centres[2][i] and abs(centres[1][i] - i) < 1e-9
    assert any(list(line.get_ydata()) == [0.5, 0.5] for line in ax.lines), "the 50% of guessing"


def test_grouped_bars_mark_an_empty_bin():
    distance, right = torch.tensor([1, 1, 2]), torch.tensor([True, False, True])
    fig = plot_right_by_distance_compared({"a": (distance, right)}, bins=((1, 1), (2, 3), (4, 6)))
    heights = [b.get_height() for b in fig.axes[0].containers[0]]
    assert heights == [0.5, 1.0, 0.0]
    assert "none" in [t.get_text() for t in fig.axes[0].texts]


def test_grouped_bars_refuse_bad_results():
    with pytest.raises(ValueError, match="at least one"):
        plot_right_by_distance_compared({})
    with pytest.raises(ValueError, match="same length"):
        plot_right_by_distance_compared({"a": (torch.tensor([1, 2]), torch.tensor([True]))})


def test_grouped_bars_write_the_fraction_and_the_count_on_every_bar():
    distance = torch.tensor([1, 1, 1, 2, 5, 5])
    right = torch.tensor([True, True, False, True, True, False])
    fig = plot_right_by_distance_compared({"a": (distance, right)}, bins=((1, 1), (2, 3), (4, 6), (7, 9)))
    assert [t.get_text() for t in fig.axes[0].texts] == ["67%, n=3", "100%, n=1", "50%, n=2", "none"]
