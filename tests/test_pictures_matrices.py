"""plot_matrices: each matrix as given, one shared diverging scale, values written in, bad input refused."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from rnn_helpers.pictures import plot_matrices  # noqa: E402
from rnn_helpers.pictures.style import DIVERGING  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_panel_per_matrix_with_its_values_shape_and_a_shared_scale():
    w = torch.tensor([[1.5, -0.25, -2.0, 0.5]])  # (1, 4)
    fig = plot_matrices([("W_xh", w), ("W_xh.T", w.T)])
    left, right = fig.axes
    np.testing.assert_allclose(np.asarray(left.images[0].get_array()), w.numpy())
    np.testing.assert_allclose(np.asarray(right.images[0].get_array()), w.T.numpy())
    assert left.get_title() == "W_xh\n(1, 4)" and right.get_title() == "W_xh.T\n(4, 1)"
    for ax in (left, right):
        assert ax.images[0].get_clim() == (-2.0, 2.0)  # the largest |value| of both, symmetric
        assert ax.images[0].get_cmap().name == DIVERGING
    texts = {t.get_position(): t.get_text() for t in left.texts}
    assert texts[(2, 0)] == "-2.00" and texts[(1, 0)] == "-0.25"  # (column, row)
    assert {t.get_position(): t.get_text() for t in right.texts}[(0, 2)] == "-2.00"


def test_accepts_a_parameter_that_requires_grad_and_a_fixed_vmax():
    rnn = nn.RNN(2, 3)
    fig = plot_matrices([("weight_ih_l0", rnn.weight_ih_l0)], vmax=1.0, decimals=1)
    (ax,) = fig.axes
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    assert len(ax.texts) == 6 and all(len(t.get_text().split(".")[1]) == 1 for t in ax.texts)


def test_large_matrices_are_not_annotated():
    (ax,) = plot_matrices([("big", torch.zeros(10, 10))]).axes
    assert not ax.texts


@pytest.mark.parametrize(
    "matrices, kwargs, message",
    [
        ([], {}, "non-empty list of \\(name, matrix\\) pairs"),
        ([("v", torch.zeros(3))], {}, r"v: expected a non-empty 2-D matrix \(rows, columns\), got shape \(3,\)"),
        ([torch.zeros(2, 2)], {}, "expected \\(name, matrix\\) pairs, got Tensor"),
        ([("m", torch.zeros(2, 2))], {"vmax": 0.0}, "vmax: expected a positive number"),
    ],
)
def test_bad_input_raises_value_error(matrices, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_matrices(matrices, **kwargs)
    assert not plt.get_fignums(), "a bad argument must fail before a figure is created"
