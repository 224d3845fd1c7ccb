"""rnn_helpers: the hand-written RNN that the notebooks derive, in one place.

Each idea is derived in the open in a notebook first, then imported from here:

- ``rnn_cell`` (notebook 02): one time step.
- ``rnn_layer`` (notebook 03): one layer unrolled over a sequence (``reverse=``, ``lengths=``: 06, 07).
- ``rnn_forward`` (notebook 04): a stack of layers, as nn.RNN (bidirectional: 06; padded: 07).
- ``rnn_layer_concat``, ``rnn_layer_hoisted`` (notebook 05): the same layer, reorganised.
- ``ManualRNN``, ``ManualRNNCell`` (notebook 08): drop-in replacements for nn.RNN / nn.RNNCell.
- ``rnn_backward`` (notebook 09): backpropagation through time, without autograd.
- ``hidden_state_grads``, ``hidden_grad_norms``, ``clip_grad_norm_by_hand``,
  ``clip_grad_value_by_hand`` (notebook 10): gradients over time and clipping.
- ``RNNWithHead``, ``noisy_sine``, ``echo_batch``, ``train`` (notebook 11): training.
- ``get_layer_weights``, ``get_weights``, ``set_layer_weights``, ``param_name``: weights in and
  out of nn.RNN, named as PyTorch names them.
- ``assert_matches``, ``tolerance``: assert equal within a stated tolerance, print one line.
- Pictures (``rnn_helpers.pictures``): ``show(fig, alt)``, ``plot_hidden_states``,
  ``draw_unrolled_rnn``, ``plot_seen_steps``, ``plot_packed_layout``, ``draw_bptt``, ``plot_timings``.
- ``best_time``: timing a function honestly.
- Exercises: ``rnn_helpers.exercises.nbNN.qK.check(answer)`` / ``.hint()`` / ``.solution()``.

Importing the package does no work: no seeding, no plotting backend chosen (matplotlib is
imported only when a picture is drawn).
"""

from .backward import rnn_backward
from .cell import LayerWeights, activation, rnn_cell
from .compare import TOLERANCES, assert_matches, tolerance
from .fused import rnn_layer_concat, rnn_layer_hoisted
from .grad_norms import clip_grad_norm_by_hand, clip_grad_value_by_hand, hidden_grad_norms, hidden_state_grads
from .manual_rnn import ManualRNN, ManualRNNCell
from .pictures import (
    draw_bptt,
    draw_unrolled_rnn,
    plot_hidden_states,
    plot_packed_layout,
    plot_seen_steps,
    plot_timings,
    seen_steps,
    show,
)
from .sequence import rnn_forward, rnn_layer
from .timing import best_time
from .training import RNNWithHead, echo_batch, noisy_sine, train
from .weights import get_layer_weights, get_weights, param_name, set_layer_weights

__all__ = [
    "LayerWeights",
    "ManualRNN",
    "ManualRNNCell",
    "RNNWithHead",
    "TOLERANCES",
    "activation",
    "assert_matches",
    "best_time",
    "clip_grad_norm_by_hand",
    "clip_grad_value_by_hand",
    "draw_bptt",
    "draw_unrolled_rnn",
    "echo_batch",
    "get_layer_weights",
    "get_weights",
    "hidden_grad_norms",
    "hidden_state_grads",
    "noisy_sine",
    "param_name",
    "plot_hidden_states",
    "plot_packed_layout",
    "plot_seen_steps",
    "plot_timings",
    "rnn_backward",
    "rnn_cell",
    "rnn_forward",
    "rnn_layer",
    "rnn_layer_concat",
    "rnn_layer_hoisted",
    "seen_steps",
    "set_layer_weights",
    "show",
    "tolerance",
    "train",
]
