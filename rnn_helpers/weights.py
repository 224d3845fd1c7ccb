"""Reading the weights out of an nn.RNN / nn.LSTM / nn.GRU (or a cell, or a Manual twin), and writing weights in."""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_shape
from .cells import LayerWeights, LSTMWeights


KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")


def param_name(kind: str, layer: int = 0, reverse: bool = False) -> str:
    """PyTorch's parameter name: ``param_name("weight_ih", 1, reverse=True) == "weight_ih_l1_reverse"``.

    kind: one of ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, ``weight_hr`` (an LSTM's projection).
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    return f"{kind}_l{layer}" + ("_reverse" if reverse else "")


def _names(module: nn.Module, layer: int, reverse: bool) -> list[str]:
    kinds = list(KINDS[:4]) + (["weight_hr"] if getattr(module, "proj_size", 0) else [])
    if hasattr(module, "weight_ih"):  # a cell (nn.RNNCell, nn.LSTMCell, ...): no layer suffix
        if layer != 0 or reverse:
            raise ValueError(f"a cell has a single layer and direction, got layer={layer}, reverse={reverse}")
        return kinds
    num_layers = getattr(module, "num_layers", 1)
    if not 0 <= layer < num_layers:
        raise ValueError(f"layer: expected 0 <= layer < num_layers={num_layers}, got {layer}")
    if reverse and not getattr(module, "bidirectional", False):
        raise ValueError("reverse=True: this RNN is not bidirectional (bidirectional=False)")
    return [param_name(k, layer, reverse) for k in kinds]


def get_layer_weights(module: nn.Module, layer: int = 0, reverse: bool = False) -> LayerWeights | LSTMWeights:
    """The parameters of one layer and direction of an nn.RNN / nn.LSTM / nn.GRU (or a cell, or a twin).

    Returns ``LayerWeights(w_ih, w_hh, b_ih, b_hh)``, the module's own parameters (not copies, so
    gradients flow back to them); b_ih and b_hh are None when the module was built with ``bias=False``.
    An LSTM with ``proj_size > 0`` gives ``LSTMWeights(w_ih, w_hh, b_ih, b_hh, w_hr)``.
    w_ih: (gates * hidden_size, input_size of this layer)   w_hh: (gates * hidden_size, hidden_size)
    b_ih, b_hh: (gates * hidden_size,)   gates: 1 (RNN), 4 (LSTM), 3 (GRU)
    """
    names = _names(module, layer, reverse)
    values = [getattr(module, n, None) for n in names]
    return LSTMWeights(*values) if len(values) == 5 else LayerWeights(*values)


def get_weights(rnn: nn.Module) -> list[LayerWeights | LSTMWeights]:
    """Every layer's weights, in ``h_n`` order: index ``layer * num_directions + direction``."""
    num_directions = 2 if getattr(rnn, "bidirectional", False) else 1
    return [
        get_layer_weights(rnn, layer, reverse=bool(direction))
        for layer in range(getattr(rnn, "num_layers", 1))
        for direction in range(num_directions)
    ]


@torch.no_grad()
def set_layer_weights(
    module: nn.Module, weights: LayerWeights, layer: int = 0, reverse: bool = False
) -> None:
    """Copy ``weights`` into one layer and direction of an nn.RNN / nn.LSTM / nn.GRU (or a cell), in place.

    Copies into the existing parameters (``param.copy_``) rather than assigning new
    ``nn.Parameter`` objects, so optimizers and nn.RNN's flattened weight buffer
    keep pointing at them. Shapes must match exactly (``ValueError`` otherwise):
    w_ih: (gates * hidden_size, input_size)   w_hh: (gates * hidden_size, hidden_size)
    b_ih, b_hh: (gates * hidden_size,), or None only if the module has ``bias=False``;
    an LSTM with ``proj_size > 0`` also takes w_hr: (proj_size, hidden_size).
    """
    names = _names(module, layer, reverse)
    if len(tuple(weights)) != len(names):
        raise ValueError(f"weights: expected {len(names)} tensors ({', '.join(names)}), got {len(tuple(weights))}")
    for name, value in zip(names, weights):
        target = getattr(module, name, None)
        if target is None and value is None:
            continue
        if target is None:
            raise ValueError(f"{name}: the module has bias=False, so it has no {name}; got a tensor")
        if value is None:
            raise ValueError(f"{name}: expected a tensor of shape {tuple(target.shape)}, got None")
        check_shape(name, value, tuple(target.shape))
        target.copy_(value)
