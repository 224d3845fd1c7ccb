"""rnn_helpers.pictures.directions: the 'which steps has each direction read' masks are what nn.RNN does."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

from rnn_helpers.pictures.directions import plot_packed_layout, plot_seen_steps, seen_steps  # noqa: E402


def measured_influence(seq_len: int, length: int, packed: bool) -> dict[str, torch.Tensor]:
    """Perturb each input step of a sequence of true length `length` (padded to `seq_len`) and
    record which output positions of each direction change: seen[t, s]."""
    rnn = nn.RNN(2, 3, bidirectional=True, dtype=torch.float64)
    x = torch.randn(seq_len, 1, 2, dtype=torch.float64)
    x[length:] = 0.0  # padding

    def run(inp):
        if not packed:
            return rnn(inp)[0]
        out, _ = rnn(pack_padded_sequence(inp, torch.tensor([length])))
        return pad_packed_sequence(out, total_length=seq_len)[0]

    with torch.no_grad():
        base = run(x)
        seen = {d: torch.zeros(seq_len, seq_len, dtype=torch.bool) for d in ("forward", "backward")}
        for s in range(seq_len):
            bumped = x.clone()
            bumped[s] += 1.0
            changed = (run(bumped) - base).abs()[:, 0] > 1e-12  # (T, 2H)
            seen["forward"][:, s] = changed[:, :3].any(dim=1)
            seen["backward"][:, s] = changed[:, 3:].any(dim=1)
    return seen


@given(seq_len=st.integers(1, 6), data=st.data(), packed=st.booleans())
def test_seen_steps_matches_what_nn_rnn_reads(seq_len, data, packed):
    length = data.draw(st.integers(1, seq_len))
    want = measured_influence(seq_len, length, packed)
    got = seen_steps(seq_len, length, packed)
    for direction in ("forward", "backward"):
        assert torch.equal(got[direction], want[direction]), direction


def test_unpadded_sequence_is_two_triangles():
    seen = seen_steps(4)
    assert torch.equal(seen["forward"], torch.ones(4, 4, dtype=torch.bool).tril())
    assert torch.equal(seen["backward"], torch.ones(4, 4, dtype=torch.bool).triu())
    assert seen["backward"][-1].sum() == 1  # output[-1]'s backward half has read only the last step


@pytest.mark.parametrize("bad", [dict(seq_len=0), dict(seq_len=3, length=4), dict(seq_len=3, length=0)])
def test_seen_steps_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="expected"):
        seen_steps(**bad)


def test_plot_seen_steps_draws_two_panels():
    fig = plot_seen_steps(5, length=3, packed=False)
    assert len(fig.axes) == 2
    assert "NOT packed" in fig._suptitle.get_text()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == "4\npad"
    plt.close(fig)


def test_plot_packed_layout_labels_every_real_step_with_its_data_row():
    lengths = torch.tensor([2, 5, 3])
    packed = pack_padded_sequence(torch.zeros(5, 3, 1), lengths, enforce_sorted=False)
    fig = plot_packed_layout(packed)
    texts = [t.get_text() for t in fig.axes[0].texts]
    rows = sorted(int(t[5:-1]) for t in texts if t.startswith("data["))
    assert rows == list(range(int(lengths.sum())))
    assert texts.count("pad") == 5 * 3 - int(lengths.sum())
    # sequence 1 (the longest) is first in sorted order, so its step 0 is data[0]
    assert "data[0]" == fig.axes[0].texts[1].get_text()
    plt.close(fig)


def test_plot_packed_layout_accepts_a_sorted_pack():
    packed = pack_padded_sequence(torch.zeros(3, 2, 1), torch.tensor([3, 1]))
    assert packed.sorted_indices is None
    fig = plot_packed_layout(packed)
    assert sum(t.get_text().startswith("data[") for t in fig.axes[0].texts) == 4
    plt.close(fig)


def test_plot_titles_say_where_each_walk_runs():
    fig = plot_seen_steps(5, length=3, packed=True)
    assert [ax.get_title() for ax in fig.axes] == ["forward (walks 0 → 2)", "backward (walks 2 → 0)"]
    plt.close(fig)
    fig = plot_seen_steps(5, length=3, packed=False)
    assert [ax.get_title() for ax in fig.axes] == ["forward (walks 0 → 4)", "backward (walks 4 → 0)"]
    plt.close(fig)


def test_pictures_use_the_series_palette():
    from matplotlib.colors import to_hex

    from rnn_helpers.pictures.style import BLUE, VERMILLION

    fig = plot_seen_steps(4, length=2, packed=False)
    cmap = fig.axes[0].images[0].get_cmap()
    assert [to_hex(c) for c in cmap.colors[1:]] == [BLUE.lower(), VERMILLION.lower()]
    plt.close(fig)


def test_the_legend_names_the_colours_that_appear():
    fig = plot_seen_steps(5, length=3, packed=False)  # pad steps are read
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["read: real step", "read: pad step", "not read"]
    plt.close(fig)
    fig = plot_seen_steps(5, length=3, packed=True)  # packed: no pad step is ever read
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["read: real step", "not read"]
    plt.close(fig)
