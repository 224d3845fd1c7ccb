"""draw_unrolled_rnn draws exactly the grid nn.RNN computes: one box per h^{(l)}_t, the right arrows."""

import re
from collections import Counter

import matplotlib

matplotlib.use("Agg")  # no display needed; set before pyplot is imported anywhere in this test

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import draw_unrolled_rnn  # noqa: E402
from rnn_helpers.pictures.unrolled import MAX_DRAWN, step_number  # noqa: E402

ARROW = re.compile(r"arrow:(\w+):(\S+)->(\S+)")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _boxes(ax):
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("box:"))


def _arrows(ax):
    """[(kind, source, target)] for every arrow drawn."""
    found = []
    for p in ax.patches:
        match = ARROW.fullmatch(p.get_gid() or "")
        if match:
            found.append(match.groups())
    return found


@pytest.mark.parametrize("num_layers, seq_len", [(1, 1), (1, 4), (2, 5), (3, 4), (4, 2)])
def test_one_box_per_hidden_state_and_the_right_arrows(num_layers, seq_len):
    ax = draw_unrolled_rnn(num_layers, seq_len)
    assert _boxes(ax) == sorted(f"box:h{l},{t}" for l in range(num_layers) for t in range(seq_len))
    counts = Counter(kind for kind, _, _ in _arrows(ax))
    assert counts == Counter(
        {
            "input": seq_len,
            "layer": (num_layers - 1) * seq_len,
            "time": num_layers * (seq_len - 1),
            "h0": num_layers,
            "output": seq_len,
            "h_n": num_layers,
        }
    ) - Counter()  # drop the zero counts (e.g. no "layer" arrows with one layer)
    assert len(ax.patches) == num_layers * seq_len + sum(counts.values()), "stray patches drawn"


def test_arrows_connect_the_right_boxes():
    """Layer l reads layer l-1 (never x) at the same step; outputs come from the top; h_n from the last step."""
    num_layers, seq_len = 3, 4
    arrows = _arrows(draw_unrolled_rnn(num_layers, seq_len))
    by_kind = {kind: {(s, t) for k, s, t in arrows if k == kind} for kind, _, _ in arrows}
    assert by_kind["input"] == {(f"x{t}", f"h0,{t}") for t in range(seq_len)}, "x must feed layer 0 only"
    assert by_kind["layer"] == {(f"h{l - 1},{t}", f"h{l},{t}") for l in range(1, num_layers) for t in range(seq_len)}
    assert by_kind["time"] == {(f"h{l},{t - 1}", f"h{l},{t}") for l in range(num_layers) for t in range(1, seq_len)}
    assert by_kind["output"] == {(f"h2,{t}", f"out{t}") for t in range(seq_len)}
    assert by_kind["h_n"] == {(f"h{l},3", f"hn{l}") for l in range(num_layers)}


def test_show_h0_false_drops_only_the_initial_state_arrows():
    kinds = Counter(kind for kind, _, _ in _arrows(draw_unrolled_rnn(2, 3, show_h0=False)))
    assert "h0" not in kinds and kinds["time"] == 4 and kinds["input"] == 3


@pytest.mark.parametrize("order", ["layer", "time"])
def test_both_loop_orders_compute_every_state_after_its_inputs(order):
    """The numbers written in the boxes are a valid schedule: every arrow goes from earlier to later."""
    num_layers, seq_len = 3, 5
    ax = draw_unrolled_rnn(num_layers, seq_len, order=order)
    numbers = {
        t.get_gid().removeprefix("order:"): int(t.get_text())
        for t in ax.texts
        if (t.get_gid() or "").startswith("order:")
    }
    assert sorted(numbers.values()) == list(range(1, num_layers * seq_len + 1))
    for kind, source, target in _arrows(ax):
        if kind in ("layer", "time"):
            assert numbers[source] < numbers[target], f"{order}: {source} computed after {target}"


def test_step_number_orders():
    assert [step_number(l, t, 2, 3, "layer") for l in range(2) for t in range(3)] == [1, 2, 3, 4, 5, 6]
    assert [step_number(l, t, 2, 3, "time") for t in range(3) for l in range(2)] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="order"):
        step_number(0, 0, 1, 1, "diagonal")


def test_draws_into_a_given_axes_and_returns_it():
    fig, axes = plt.subplots(1, 2)
    returned = draw_unrolled_rnn(2, 3, ax=axes[1], title="two layers")
    assert returned is axes[1]
    assert not axes[0].patches and len(_boxes(axes[1])) == 6
    assert axes[1].get_title() == "two layers"
    assert len(plt.get_fignums()) == 1, "must not open a second figure when given an Axes"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 0, "seq_len": 3}, r"num_layers: expected 1 <= num_layers <= 16, got 0"),
        ({"num_layers": 2, "seq_len": -1}, r"seq_len: expected 1 <= seq_len <= 16, got -1"),
        ({"num_layers": 2.0, "seq_len": 3}, r"num_layers: expected a positive int, got 2.0"),
        ({"num_layers": True, "seq_len": 3}, r"num_layers: expected a positive int, got True"),
        ({"num_layers": 2, "seq_len": MAX_DRAWN + 1}, r"seq_len: expected 1 <= seq_len <= 16, got 17"),
        ({"num_layers": 2, "seq_len": 3, "order": "diagonal"}, r"order: expected None, 'layer' or 'time'"),
        ({"num_layers": 2, "seq_len": 3, "ax": "not an axes"}, r"ax: expected a matplotlib Axes or None, got str"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_unrolled_rnn(**kwargs)
    assert not plt.get_fignums(), "a bad argument must fail before a figure is created"


def test_colours_come_from_the_series_palette():
    from rnn_helpers.pictures.style import BLUE, ORANGE, VERMILLION
    from rnn_helpers.pictures.unrolled import tint

    ax = draw_unrolled_rnn(2, 3)
    boxes = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("box:")}
    to_hex = matplotlib.colors.to_hex
    assert to_hex(boxes["box:h1,0"].get_facecolor()) == tint(ORANGE, 0.7), "top layer (output): orange"
    assert to_hex(boxes["box:h0,0"].get_facecolor()) == tint(BLUE, 0.85)
    assert to_hex(boxes["box:h0,2"].get_edgecolor()) == VERMILLION.lower(), "last step (h_n): vermillion edge"
    assert to_hex(boxes["box:h0,1"].get_edgecolor()) == BLUE.lower()


def test_tint_mixes_with_white_and_checks_its_arguments():
    from rnn_helpers.pictures.unrolled import tint

    assert tint("#0072B2", 0) == "#0072b2" and tint("#0072B2", 1) == "#ffffff"
    assert tint("#000000", 0.5) == "#808080"
    with pytest.raises(ValueError, match="color: expected a hex colour"):
        tint("blue", 0.5)
    with pytest.raises(ValueError, match="amount: expected a number from 0 to 1"):
        tint("#000000", 1.5)


def test_loop_orders_draws_both_orders_one_above_the_other_with_legible_numbers():
    from rnn_helpers.pictures import draw_loop_orders

    fig = draw_loop_orders(3, 4)
    layer_ax, time_ax = fig.axes
    assert layer_ax.get_position().y0 > time_ax.get_position().y1, "layer outer above time outer"
    width, height = fig.get_size_inches()
    assert width < 8, "one grid wide: a notebook page shows it at about its own size"
    badges = [t for t in layer_ax.texts if (t.get_gid() or "").startswith("order:")]
    assert min(t.get_fontsize() for t in badges) >= 10
    for ax, order in ((layer_ax, "layer"), (time_ax, "time")):
        numbers = {
            t.get_gid().removeprefix("order:"): int(t.get_text())
            for t in ax.texts
            if (t.get_gid() or "").startswith("order:")
        }
        assert numbers == {f"h{l},{t}": step_number(l, t, 3, 4, order) for l in range(3) for t in range(4)}
    assert "layer outer" in layer_ax.get_title() and "time outer" in time_ax.get_title()
    with pytest.raises(ValueError, match="num_layers"):
        draw_loop_orders(0, 4)
