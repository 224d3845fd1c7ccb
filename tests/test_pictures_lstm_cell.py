"""rnn_helpers.pictures.lstm_cell: the diagram of one LSTM step draws every connection, the additive path in its own colour."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_lstm_step_diagram_draws_the_additive_path_in_its_own_colour_and_every_connection():
    from rnn_helpers import draw_lstm_step
    from rnn_helpers.pictures.lstm_cell import FLOW_COLOR, PATH_COLOR

    fig = draw_lstm_step()
    (ax,) = fig.axes
    arrows = {a.get_gid(): a for a in ax.texts if a.get_gid()}
    path = ["path c_prev->mul f", "path mul f->add", "path add->c_t"]
    others = ["gate f->mul f", "gate i->mul ig", "gate g->mul ig", "mul ig->add", "gate o->mul o", "c_t->tanh",
              "tanh->mul o", "mul o->h_t", "gates->i", "gates->f", "gates->g", "gates->o", "h_prev->gates", "x->gates"]
    assert set(path + others) <= set(arrows)
    to_rgb = matplotlib.colors.to_rgb
    for gid in path:
        assert to_rgb(arrows[gid].arrow_patch.get_edgecolor()) == to_rgb(PATH_COLOR)
    for gid in others:
        assert to_rgb(arrows[gid].arrow_patch.get_edgecolor()) == to_rgb(FLOW_COLOR)
    labels = " ".join(t.get_text() for t in ax.texts)
    for name in ("i = \\sigma", "f = \\sigma", "g = \\tanh", "o = \\sigma", "c_{t-1}", "c_t", "h_t", "h_{t-1}", "x_t"):
        assert name in labels
    fig2, given = plt.subplots()
    assert draw_lstm_step(ax=given) is fig2
