"""rnn_helpers.pictures.weight_layouts: the two concatenated layouts are each other's transpose, drawn as such."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rnn_helpers.pictures.style import DIVERGING  # noqa: E402
from rnn_helpers.pictures.weight_layouts import concat_layouts, plot_weight_layouts  # noqa: E402


@given(st.integers(1, 5), st.integers(1, 5))
def test_the_textbook_layout_is_the_pytorch_one_transposed_and_both_step_the_same(n_in, hidden):
    w_ih, w_hh = torch.randn(hidden, n_in, dtype=torch.float64), torch.randn(hidden, hidden, dtype=torch.float64)
    textbook, pytorch = concat_layouts(w_ih, w_hh)
    assert textbook.shape == (n_in + hidden, hidden) and pytorch.shape == (hidden, n_in + hidden)
    assert torch.equal(textbook, pytorch.T)
    x, h = torch.randn(2, n_in, dtype=torch.float64), torch.randn(2, hidden, dtype=torch.float64)
    want = x @ w_ih.T + h @ w_hh.T
    torch.testing.assert_close(torch.cat([x, h], dim=1) @ pytorch.T, want)
    torch.testing.assert_close(torch.cat([x, h], dim=1) @ textbook, want)


def test_the_picture_shows_both_matrices_with_their_values_on_a_diverging_scale():
    w_ih, w_hh = torch.tensor([[1.5], [-0.3]]), torch.tensor([[0.2, -2.0], [0.4, 0.9]])
    fig = plot_weight_layouts(w_ih, w_hh)
    ax_tb, ax_pt = fig.axes
    assert ax_tb.images[0].get_array().shape == (3, 2) and ax_pt.images[0].get_array().shape == (2, 3)
    assert ax_pt.images[0].get_cmap().name == DIVERGING
    assert ax_pt.images[0].get_clim() == (-2.0, 2.0), "symmetric around 0, from the largest |value|"
    assert [t.get_text() for t in ax_pt.get_xticklabels()] == ["W_ih", "W_hh"]
    assert [t.get_text() for t in ax_tb.get_yticklabels()] == ["U_xh", "U_hh"]
    assert sorted(t.get_text() for t in ax_pt.texts) == sorted(f"{v:.2f}" for v in torch.cat([w_ih, w_hh], 1).flatten().tolist())
    plt.close(fig)


@pytest.mark.parametrize("w_ih, w_hh", [
    (torch.zeros(3, 2), torch.zeros(4, 4)),
    (torch.zeros(3, 2), torch.zeros(3, 4)),
    (torch.zeros(3), torch.zeros(3, 3)),
])
def test_rejects_weights_that_do_not_belong_together(w_ih, w_hh):
    with pytest.raises(ValueError, match="w_ih, w_hh: expected"):
        concat_layouts(w_ih, w_hh)
