"""draw_rnn_step draws the one-step data flow of nn.RNN: every box, every arrow, every shape."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnn_helpers.pictures import draw_rnn_step  # noqa: E402
from rnn_helpers.pictures.one_step import ARROWS, BOXES  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _by_gid(fig):
    ax = fig.axes[0]
    return {artist.get_gid(): artist for artist in ax.texts if artist.get_gid()}


def test_returns_a_figure_with_every_box_and_its_shape():
    fig = draw_rnn_step()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    found = _by_gid(fig)
    assert {f"box:{gid}" for gid, *_ in BOXES} <= set(found)
    labels = {gid: found[gid].get_text() for gid in found}
    assert "(batch, input_size)" in labels["box:x_t"]
    for gid in ("h_prev", "ih", "hh", "h_t"):
        assert "(batch, hidden_size)" in labels[f"box:{gid}"], gid
    assert "b_{ih}" in labels["box:ih"] and "b_{hh}" in labels["box:hh"], "both biases are drawn"
    assert labels["box:tanh"] == "tanh"


def test_the_arrows_make_the_step_and_the_dashed_one_the_recurrence():
    fig = draw_rnn_step()
    found = _by_gid(fig)
    for source, target, _, _ in ARROWS:
        assert f"arrow:{source}->{target}" in found
    assert {(s, t) for s, t, _, _ in ARROWS} == {
        ("x_t", "ih"), ("h_prev", "hh"), ("ih", "sum"), ("hh", "sum"), ("sum", "tanh"), ("tanh", "h_t"),
    }
    back = found["arrow:h_t->h_prev"]
    assert back.arrow_patch.get_linestyle() == "--"


def test_title_is_set_and_must_be_a_string():
    assert draw_rnn_step(title="step").axes[0].get_title() == "step"
    with pytest.raises(TypeError, match="title: expected a str, got int"):
        draw_rnn_step(title=3)
