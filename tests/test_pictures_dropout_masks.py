"""rnn_helpers.pictures.dropout_masks: one panel per mask, units down and steps across, kept entries counted."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnn_helpers.pictures.dropout_masks import plot_dropout_masks  # noqa: E402


def test_one_panel_per_mask_with_units_down_and_the_kept_count_in_the_title():
    masks = [torch.tensor([[True, False, True]] * 6), torch.zeros(6, 3, dtype=torch.bool)]
    fig = plot_dropout_masks(masks)
    assert len(fig.axes) == 2
    assert fig.axes[0].images[0].get_array().shape == (3, 6), "hidden units down, steps across"
    assert fig.axes[0].get_title() == "layer 0 output: 12 of 18 kept"
    assert fig.axes[1].get_title() == "layer 1 output: 0 of 18 kept"
    plt.close(fig)


@pytest.mark.parametrize("masks, match", [([], "at least one"), ([torch.ones(2, 3, 4)], "2-D tensor")])
def test_rejects_what_it_cannot_draw(masks, match):
    with pytest.raises(ValueError, match=match):
        plot_dropout_masks(masks)


def test_every_cell_is_outlined():
    fig = plot_dropout_masks([torch.zeros(6, 4, dtype=torch.bool)])
    ax = fig.axes[0]
    # one grid line at every cell boundary: 7 between/around 6 steps, 5 around 4 units
    assert list(ax.get_xticks(minor=True)) == [i - 0.5 for i in range(7)]
    assert list(ax.get_yticks(minor=True)) == [i - 0.5 for i in range(5)]
    assert all(tick.gridline.get_visible() for tick in ax.xaxis.get_minor_ticks() + ax.yaxis.get_minor_ticks())
    plt.close(fig)
