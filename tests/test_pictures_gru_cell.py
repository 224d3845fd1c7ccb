"""rnn_helpers.pictures.gru_cell: the GRU step diagram puts r after the product for nn.GRU and before it for the
textbook cell, and draws the multiplication by r in its own colour."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _by_gid(ax):
    return {t.get_gid(): t for t in ax.texts if t.get_gid()}


def test_reset_after_multiplies_the_finished_product_and_reset_before_multiplies_h_first():
    from rnn_helpers.pictures import draw_gru_step
    from rnn_helpers.pictures.gru_cell import FLOW_COLOR, RESET_COLOR

    fig = draw_gru_step()
    after, before = fig.axes
    to_rgb = matplotlib.colors.to_rgb
    for ax, path, reset_arrows in [
        (after, ["h_prev->product", "product->mul r", "mul r->add"], {"r->mul r", "mul r->add"}),
        (before, ["h_prev->mul r", "mul r->product", "product->add"], {"r->mul r", "mul r->product"}),
    ]:
        items = _by_gid(ax)
        assert set(path) | {"r->mul r", "x->input product", "input product->add", "add->tanh", "tanh->n",
                            "n->h_t"} <= set(items)
        for gid, item in items.items():
            if gid in ("product", "mul r"):
                continue
            want = RESET_COLOR if gid in reset_arrows else FLOW_COLOR
            assert to_rgb(item.arrow_patch.get_edgecolor()) == to_rgb(want), gid
    x_of = lambda ax, gid: _by_gid(ax)[gid].get_position()[0]  # noqa: E731
    assert x_of(after, "product") < x_of(after, "mul r"), "nn.GRU: the product first, then r"
    assert x_of(before, "mul r") < x_of(before, "product"), "textbook: r first, then the product"
    assert "b_{hn}" in _by_gid(after)["product"].get_text(), "nn.GRU's r scales the product with b_hn"
    assert "b_{hn}" not in _by_gid(before)["product"].get_text()
    assert "AFTER" in after.get_title() and "BEFORE" in before.get_title()


def test_the_diagram_draws_into_given_axes_and_refuses_a_wrong_number():
    from rnn_helpers.pictures import draw_gru_step

    fig, axes = plt.subplots(1, 2)
    assert draw_gru_step(axes) is fig
    _, one = plt.subplots()
    with pytest.raises(ValueError, match="two Axes"):
        draw_gru_step([one])
