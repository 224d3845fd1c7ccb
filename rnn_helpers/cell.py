"""One time step of an Elman RNN (derived in the open in notebook 02)."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from ._checks import check_nonlinearity, check_same_dtype, check_shape


class LayerWeights(NamedTuple):
    """The four parameters of one layer in one direction, named as in ``nn.RNN``.

    w_ih: (hidden_size, input_size)    ``weight_ih_l{k}[_reverse]``
    w_hh: (hidden_size, hidden_size)   ``weight_hh_l{k}[_reverse]``
    b_ih: (hidden_size,) or None       ``bias_ih_l{k}[_reverse]``
    b_hh: (hidden_size,) or None       ``bias_hh_l{k}[_reverse]``

    A ``NamedTuple``, so ``rnn_cell(x_t, h, *weights)`` works.
    """

    w_ih: Tensor
    w_hh: Tensor
    b_ih: Tensor | None = None
    b_hh: Tensor | None = None

    @property
    def hidden_size(self) -> int:
        return self.w_ih.shape[0]

    @property
    def input_size(self) -> int:
        return self.w_ih.shape[1]


def activation(nonlinearity: str):
    """Return the function for ``nonlinearity`` (``'tanh'`` or ``'relu'``), as nn.RNN names it."""
    check_nonlinearity(nonlinearity)
    return torch.tanh if nonlinearity == "tanh" else torch.relu


def check_weights(weights: LayerWeights, input_size: int | None = None) -> None:
    """Check the shapes of one layer's weights against each other (and ``input_size`` if given)."""
    w_ih, w_hh, b_ih, b_hh = weights
    if w_ih.dim() != 2:
        raise ValueError(
            f"w_ih: expected a 2-D tensor of shape (hidden_size, input_size), got shape {tuple(w_ih.shape)}"
        )
    hidden_size = w_ih.shape[0]
    check_shape("w_ih", w_ih, (hidden_size, input_size if input_size is not None else w_ih.shape[1]))
    check_shape("w_hh", w_hh, (hidden_size, hidden_size))
    if b_ih is not None:
        check_shape("b_ih", b_ih, (hidden_size,))
    if b_hh is not None:
        check_shape("b_hh", b_hh, (hidden_size,))


def rnn_cell(
    x_t: Tensor,
    h_prev: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One time step, exactly as nn.RNN computes it::

        h_t = tanh(x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh)

    x_t: (batch, input_size)      h_prev: (batch, hidden_size)
    w_ih: (hidden_size, input_size)   w_hh: (hidden_size, hidden_size)
    b_ih, b_hh: (hidden_size,) or None (``bias=False``)
    Returns h_t: (batch, hidden_size).

    Unbatched input is accepted too: x_t (input_size,) with h_prev (hidden_size,).
    Raises ``ValueError`` naming the expected and actual shape when they disagree.
    """
    check_nonlinearity(nonlinearity)
    check_weights(LayerWeights(w_ih, w_hh, b_ih, b_hh))
    hidden_size, input_size = w_ih.shape
    if x_t.dim() == 1:
        check_shape("x_t (unbatched)", x_t, (input_size,))
        check_shape("h_prev (unbatched)", h_prev, (hidden_size,))
    else:
        check_shape("x_t", x_t, ("batch", input_size))
        check_shape("h_prev", h_prev, (x_t.shape[0], hidden_size))
    check_same_dtype(x_t=x_t, h_prev=h_prev, w_ih=w_ih, w_hh=w_hh, b_ih=b_ih, b_hh=b_hh)

    from_input = x_t @ w_ih.T  # (batch, hidden_size)
    if b_ih is not None:
        from_input = from_input + b_ih
    from_hidden = h_prev @ w_hh.T  # (batch, hidden_size)
    if b_hh is not None:
        from_hidden = from_hidden + b_hh
    return activation(nonlinearity)(from_input + from_hidden)
