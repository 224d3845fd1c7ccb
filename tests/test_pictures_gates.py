"""rnn_helpers.pictures.gates: one heatmap per gate, gates on a fixed 0..1 scale, signed values on one scale; bad panels refused."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnn_helpers import plot_gates  # noqa: E402
from rnn_helpers.pictures.style import DIVERGING, SEQUENTIAL  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _panels():
    torch.manual_seed(0)
    return {"i": torch.rand(6, 3), "g": 2 * torch.rand(6, 3) - 1, "c": 3 * torch.randn(6, 3)}


def test_gates_one_panel_each_with_its_data_transposed_gates_on_0_1_signed_on_one_symmetric_scale():
    panels = _panels()
    fig = plot_gates(panels, title="demo")
    axes = fig.axes[:3]
    assert [ax.get_title() for ax in axes] == ["i: input gate", "g: candidate", "c: cell state"]
    for ax, values in zip(axes, panels.values()):
        np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), values.T.numpy(), rtol=1e-6)
    assert axes[0].images[0].get_cmap().name == SEQUENTIAL and axes[0].images[0].get_clim() == (0.0, 1.0)
    vmax = float(panels["c"].abs().max())  # c grew past 1: the one signed scale widens for g and c alike
    for ax in axes[1:]:
        assert ax.images[0].get_cmap().name == DIVERGING
        np.testing.assert_allclose(ax.images[0].get_clim(), (-vmax, vmax), rtol=1e-6)
    assert len(fig.axes) == 5, "three panels, then one colour bar for the gates and one for the signed panels"
    assert fig._suptitle.get_text() == "demo"


def test_gates_signed_scale_is_at_least_minus_one_to_one():
    fig = plot_gates({"n": 0.1 * torch.ones(4, 2)})
    assert fig.axes[0].images[0].get_clim() == (-1.0, 1.0)


def test_gates_accept_a_projected_h_narrower_than_the_gates():
    fig = plot_gates({"f": torch.rand(5, 4), "h": torch.rand(5, 2)})
    assert fig.axes[1].images[0].get_array().shape == (2, 5)


@pytest.mark.parametrize(
    "panels, message",
    [
        ({}, "at least one"),
        ({"f": torch.rand(5, 1, 3)}, r"got shape \(5, 1, 3\); pick one sequence"),
        ({"f": torch.rand(5, 3), "c": torch.rand(4, 3)}, "one seq_len for every panel"),
        ({"f": torch.randn(5, 3) * 3}, r"expected values in \[0, 1\].*pre-activation"),
    ],
)
def test_gates_refuse_bad_panels(panels, message):
    with pytest.raises(ValueError, match=message):
        plot_gates(panels)
