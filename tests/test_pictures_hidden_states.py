"""rnn_helpers.pictures.hidden_states draws what it says (image data, labels, colour scale) and refuses wrong shapes."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from rnn_helpers import plot_hidden_states  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_heatmap_shows_units_down_and_time_across():
    states = torch.arange(12.0).reshape(4, 3) / 12  # (seq_len=4, hidden_size=3)
    ax = plot_hidden_states(states, title="demo")
    image = ax.images[0]
    assert image.get_array().shape == (3, 4)  # (hidden_size, seq_len)
    np.testing.assert_allclose(np.asarray(image.get_array()), states.T.numpy())
    assert ax.get_xlabel() == "time step t"
    assert ax.get_ylabel() == "hidden unit"
    assert ax.get_title() == "demo"
    assert list(ax.get_xticks()) == [0, 1, 2, 3] and list(ax.get_yticks()) == [0, 1, 2]
    assert image.get_clim() == (-1.0, 1.0)  # tanh's range, white at 0
    labels = {t.get_position(): t.get_text() for t in ax.texts}
    assert len(labels) == 12
    assert labels[(1, 0)] == "0.25"  # drawn at (x = step 1, y = unit 0): states[1, 0] = 3/12


def test_heatmap_accepts_output_that_requires_grad_and_draws_into_a_given_axes():
    rnn = nn.RNN(2, 3)
    output, _ = rnn(torch.randn(5, 1, 2))
    assert output.requires_grad
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_hidden_states(output[:, 0], ax=right, colorbar=False, annotate=False)
    assert returned is right and not left.images
    assert right.images[0].get_array().shape == (3, 5)
    assert len(fig.axes) == 2 and not right.texts  # no colour bar axes added, no annotations


def test_heatmap_vmax_none_scales_to_the_data():
    ax = plot_hidden_states(np.array([[3.0, -1.0], [0.5, 2.0]]), vmax=None, colorbar=False)
    assert ax.images[0].get_clim() == (-3.0, 3.0)


def test_heatmap_does_not_annotate_large_grids_by_default():
    ax = plot_hidden_states(torch.zeros(20, 10), colorbar=False)
    assert not ax.texts


@pytest.mark.parametrize(
    "bad, message",
    [
        (torch.zeros(5, 1, 3), r"expected a 2-D tensor .* got a 3-D tensor of shape \(5, 1, 3\); pick one sequence"),
        (torch.zeros(5), r"got a 1-D tensor of shape \(5,\)"),
        (torch.zeros(0, 3), "at least one step"),
    ],
)
def test_heatmap_rejects_wrong_rank(bad, message):
    with pytest.raises(ValueError, match=message):
        plot_hidden_states(bad)


def test_heatmap_rejects_a_non_positive_vmax():
    with pytest.raises(ValueError, match="vmax"):
        plot_hidden_states(torch.zeros(2, 2), vmax=0)



def test_heatmap_accepts_low_precision_tensors():
    ax = plot_hidden_states(torch.full((3, 2), 0.5, dtype=torch.bfloat16), colorbar=False)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), np.full((2, 3), 0.5))


def test_heatmap_uses_the_series_diverging_colormap():
    from rnn_helpers.pictures.style import DIVERGING

    ax = plot_hidden_states(torch.zeros(2, 2), colorbar=False)
    assert ax.images[0].get_cmap().name == DIVERGING


def test_tanh_in_out_puts_the_pre_activations_beside_tanhs_slope():
    from rnn_helpers.pictures import plot_tanh_in_out
    from rnn_helpers.pictures.style import SEQUENTIAL

    pre = torch.tensor([[8.0, -0.5], [-11.0, 0.2], [0.1, 1.5]])  # (seq_len=3, hidden_size=2)
    states = torch.tanh(pre)
    fig = plot_tanh_in_out(pre, states, title="saturation")
    left, right = (ax for ax in fig.axes if ax.images)  # the colour bars are Axes too
    np.testing.assert_allclose(np.asarray(left.images[0].get_array()), pre.T.numpy())
    slope = (1 - states**2).T.numpy()  # (hidden_size, seq_len)
    np.testing.assert_allclose(np.asarray(right.images[0].get_array()), slope, rtol=1e-6)
    assert left.images[0].get_clim() == (-11.0, 11.0), "pre-activations: scaled to their largest |value|"
    assert right.images[0].get_clim() == (0.0, 1.0), "slope: from 0 (saturated) to 1"
    assert right.images[0].get_cmap().name == SEQUENTIAL, "a magnitude: the sequential map"
    assert "receives" in left.get_title() and "slope" in right.get_title()
    assert fig._suptitle.get_text() == "saturation"
    written = {t.get_position(): t.get_text() for t in right.texts}
    assert written[(0, 0)] == "0.00" and written[(2, 1)] == f"{1 - np.tanh(1.5) ** 2:.2f}"


def test_tanh_in_out_refuses_different_shapes():
    from rnn_helpers.pictures import plot_tanh_in_out

    with pytest.raises(ValueError, match=r"expected the same shape \(seq_len, hidden_size\), got \(3, 2\) and \(2, 3\)"):
        plot_tanh_in_out(torch.zeros(3, 2), torch.zeros(2, 3))
    assert not plt.get_fignums()
