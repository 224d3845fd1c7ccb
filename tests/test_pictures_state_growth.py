"""rnn_helpers.pictures.state_growth: one colour per function in both panels, peaks on a log scale."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnn_helpers.pictures.state_growth import plot_state_growth  # noqa: E402


def test_two_panels_same_colour_per_function_and_a_log_scale():
    peaks = {"tanh": torch.tensor([0.5, 0.9, 0.99]), "relu": torch.tensor([1.0, 10.0, 100.0])}
    fig = plot_state_growth(peaks)
    ax_f, ax_h = fig.axes
    colours = {line.get_label(): line.get_color() for line in ax_f.get_lines()}
    assert {line.get_label(): line.get_color() for line in ax_h.get_lines()} == colours
    assert len(set(colours.values())) == 2
    assert ax_h.get_yscale() == "log"
    assert list(ax_h.get_lines()[1].get_ydata()) == pytest.approx([1.0, 10.0, 100.0])
    plt.close(fig)


@pytest.mark.parametrize("peaks, match", [
    ({"sigmoid": torch.ones(3)}, "expected keys among"),
    ({"tanh": torch.ones(3, 1)}, "expected a 1-D tensor"),
])
def test_rejects_what_it_cannot_draw(peaks, match):
    with pytest.raises(ValueError, match=match):
        plot_state_growth(peaks)
