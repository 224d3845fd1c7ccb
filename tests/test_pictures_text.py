"""The pictures of notebook 12: the stream layout draws stream_batches' own characters, the loss curves draw
every curve and mark exactly the clipped steps, and the memory chart's bars are the measured fractions."""

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures import draw_stream_batches, plot_loss_curves, plot_right_by_distance, right_by_distance  # noqa: E402
from rnn_helpers.pictures.memory_distance import DISTANCE_BINS  # noqa: E402
from rnn_helpers.pictures.style import LINE_COLORS  # noqa: E402
from rnn_helpers.text import stream_batches  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _cells(fig):
    """{gid: (character drawn in it, facecolour)} for every cell of the layout picture."""
    ax = fig.axes[0]
    texts = {(round(t.get_position()[0] - 0.5, 6), round(t.get_position()[1] - 0.5, 6)): t.get_text() for t in ax.texts}
    cells = {}
    for patch in ax.patches:
        if patch.get_gid():
            key = (round(patch.get_x(), 6), round(patch.get_y(), 6))
            cells[patch.get_gid()] = (texts[key], patch.get_facecolor())
    return cells


@pytest.mark.parametrize("batch_size, seq_len", [(3, 3), (2, 5), (4, 1), (1, 25)])
def test_the_layout_draws_every_chunk_of_stream_batches_in_its_rows_colour(batch_size, seq_len):
    fig = draw_stream_batches(LETTERS, batch_size, seq_len)
    cells = _cells(fig)
    chunks = stream_batches(torch.tensor([ord(c) for c in LETTERS]), batch_size, seq_len)
    expected = {f"stream:{i}" for i in range(len(LETTERS))}
    for k, (x, y) in enumerate(chunks):
        for name, grid in (("x", x), ("y", y)):
            for b in range(batch_size):
                for t in range(grid.shape[1]):
                    gid = f"{name}:{k},{b},{t}"
                    expected.add(gid)
                    char, colour = cells[gid]
                    assert char == chr(int(grid[b, t])), gid
                    assert colour[:3] == to_rgba(LINE_COLORS[b])[:3], gid
    assert set(cells) == expected
    per_row = (len(LETTERS) - 1) // batch_size
    for i, c in enumerate(LETTERS):   # the strip: each character in the colour of the row that reads it, else grey
        char, colour = cells[f"stream:{i}"]
        assert char == c
        want = LINE_COLORS[i // per_row] if i < batch_size * per_row else "#dddddd"
        assert colour[:3] == to_rgba(want)[:3], i
    plt.close(fig)


def test_the_layout_shows_a_newline_as_an_escape():
    fig = draw_stream_batches("ab\ncd\n", 1, 2)
    assert _cells(fig)["stream:2"][0] == "\\n"
    plt.close(fig)


@pytest.mark.parametrize(
    "args, match",
    [
        (("a", 1, 1), "2 to 60 characters"),
        ((LETTERS * 3, 2, 2), "2 to 60 characters"),
        ((LETTERS, 9, 2), "at most 8 rows"),
        ((LETTERS, 2, 0), "seq_len"),
    ],
)
def test_the_layout_rejects_what_it_cannot_draw(args, match):
    with pytest.raises(ValueError, match=match):
        draw_stream_batches(*args)


def test_the_loss_curves_draw_each_curve_and_mark_exactly_the_clipped_steps():
    losses = [2.0 - 0.01 * i for i in range(40)]
    norms = [0.5] * 40
    norms[3], norms[17] = 1.5, 1.2
    fig = plot_loss_curves({"nn.RNN": losses, "ManualRNN": losses[:10]}, valid=([0, 20, 40], [2.0, 1.8, 1.6]),
                           grad_norms=norms, max_norm=1.0, levels={"uniform": math.log(7)})
    loss_ax, norm_ax = fig.axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert list(lines["training loss, nn.RNN"].get_ydata()) == losses
    assert list(lines["training loss, nn.RNN"].get_xdata()) == list(range(1, 41))
    assert list(lines["training loss, ManualRNN"].get_ydata()) == losses[:10]
    assert list(lines["validation loss"].get_xdata()) == [0, 20, 40]
    assert any(list(line.get_ydata()) == [math.log(7)] * 2 for line in loss_ax.get_lines())
    norm_lines = {line.get_label(): line for line in norm_ax.get_lines()}
    assert list(norm_lines["total gradient norm"].get_ydata()) == norms
    assert list(norm_lines["clipped"].get_xdata()) == [4, 18]
    plt.close(fig)


def test_the_loss_curves_without_norms_have_one_panel_and_no_clipped_marker_when_nothing_was_clipped():
    fig = plot_loss_curves({"a": [1.0, 0.9]})
    assert len(fig.axes) == 1
    plt.close(fig)
    fig = plot_loss_curves({"a": [1.0, 0.9]}, grad_norms=[0.1, 0.2], max_norm=1.0)
    assert "clipped" not in [line.get_label() for line in fig.axes[1].get_lines()]
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(train={}), "at least one curve"), (dict(train={"a": []}), "at least one loss"),
     (dict(train={"a": [1.0]}, valid=([0, 1], [1.0])), "as many steps as losses")],
)
def test_the_loss_curves_reject_empty_or_mismatched_data(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_loss_curves(**kwargs)


def test_right_by_distance_by_hand():
    distance = torch.tensor([1, 1, 1, 2, 3, 5, 8, 9])
    right = torch.tensor([True, True, False, True, False, True, True, True])
    fraction, count = right_by_distance(distance, right, bins=[(1, 1), (2, 3), (4, 6), (7, 9), (10, 12)])
    assert count.tolist() == [3, 2, 1, 2, 0]
    assert fraction[:4].tolist() == pytest.approx([2 / 3, 0.5, 1.0, 1.0])
    assert math.isnan(fraction[4])


@pytest.mark.parametrize(
    "distance, right, bins, match",
    [
        (torch.tensor([1, 2]), torch.tensor([True]), DISTANCE_BINS, "same length"),
        (torch.tensor([1]), torch.tensor([True]), [(0, 2)], "1 <= low <= high"),
        (torch.tensor([1]), torch.tensor([True]), [(3, 2)], "1 <= low <= high"),
        (torch.tensor([1]), torch.tensor([True]), [(None, 2)], "1 <= low <= high"),
    ],
)
def test_right_by_distance_rejects_bad_input(distance, right, bins, match):
    with pytest.raises(ValueError, match=match):
        right_by_distance(distance, right, bins)


def test_an_open_ended_bin_takes_every_distance_from_low_on_so_the_default_bins_count_everything():
    distance = torch.tensor([1, 20, 21, 28, 31, 400])
    right = torch.tensor([True, False, True, False, True, True])
    fraction, count = right_by_distance(distance, right, bins=[(1, 20), (21, None)])
    assert count.tolist() == [2, 4] and fraction.tolist() == pytest.approx([0.5, 0.75])
    _, count = right_by_distance(torch.arange(1, 100), torch.ones(99, dtype=torch.bool))
    assert int(count.sum()) == 99, "the default bins leave no distance out"


def test_the_memory_chart_bars_are_the_measured_fractions():
    distance = torch.tensor([1, 1, 2, 3, 4, 7, 7, 7, 12, 15])
    right = torch.tensor([True, True, True, False, True, True, False, False, True, False])
    fig = plot_right_by_distance(distance, right)
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    fraction, _ = right_by_distance(distance, right)
    assert heights == pytest.approx(fraction.nan_to_num(0).tolist())
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "2-3", "4-6", "7-9", "10-13", "14-20", "21+"]
    plt.close(fig)
