"""rnn_helpers: the hand-written RNN that the notebooks derive, in one place.

Each idea is derived in the open in a notebook first, then imported from here:

- ``rnn_cell`` (notebook 02): one time step.
- ``rnn_layer`` (notebook 03): one layer unrolled over a sequence.
- ``rnn_forward`` (notebook 04): a stack of layers, as nn.RNN.
- ``rnn_layer_concat``, ``rnn_layer_hoisted`` (notebook 05): the same layer, reorganised.
- ``get_layer_weights``, ``get_weights``, ``set_layer_weights``: weights in and out of nn.RNN.
- ``assert_matches``: assert equal within a stated tolerance and print one line.
"""

from .cell import LayerWeights, activation, rnn_cell
from .compare import TOLERANCES, assert_matches, tolerance
from .fused import rnn_layer_concat, rnn_layer_hoisted
from .sequence import rnn_forward, rnn_layer
from .weights import get_layer_weights, get_weights, param_name, set_layer_weights

__all__ = [
    "LayerWeights",
    "TOLERANCES",
    "activation",
    "assert_matches",
    "get_layer_weights",
    "get_weights",
    "param_name",
    "rnn_cell",
    "rnn_forward",
    "rnn_layer",
    "rnn_layer_concat",
    "rnn_layer_hoisted",
    "set_layer_weights",
    "tolerance",
]
