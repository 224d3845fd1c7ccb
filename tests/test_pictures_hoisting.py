"""rnn_helpers.pictures.hoisting: the band feeds every step, and every state reads the one before it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.hoisting import MAX_STEPS, PROJECTION_COLOR, draw_hoisting  # noqa: E402


def arrows(fig):
    """{gid: (start, end, colour)} for every arrow of the picture."""
    return {
        child.get_gid(): (child.xyann, child.xy, child.arrow_patch.get_edgecolor())
        for child in fig.axes[0].get_children()
        if isinstance(child, matplotlib.text.Annotation) and child.arrow_patch is not None
    }


@pytest.mark.parametrize("T", [1, 4, 6])
def test_one_projection_arrow_and_one_recurrence_arrow_per_step(T):
    fig = draw_hoisting(T)
    got = arrows(fig)
    assert set(got) == {f"projected[{t}]->h{t}" for t in range(T)} | {f"h{t - 1}->h{t}" for t in range(T)}
    for t in range(T):
        start, end, color = got[f"projected[{t}]->h{t}"]
        assert start[1] > end[1] and start[0] == end[0], "the band's arrows point straight down"
        assert color == to_rgba(PROJECTION_COLOR)
        start, end, _ = got[f"h{t - 1}->h{t}"]
        assert start[0] < end[0] and start[1] == end[1], "the recurrence runs left to right"
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert "$h_{-1}$" in labels and f"$h_{{{T - 1}}}$" in labels
    plt.close(fig)


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_hoisting(3, ax=ax) is fig
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, MAX_STEPS + 1, 2.0, True])
def test_rejects_a_bad_number_of_steps(bad):
    with pytest.raises(ValueError, match="seq_len: expected an int"):
        draw_hoisting(bad)
