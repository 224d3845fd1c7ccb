"""rnn_helpers: the hand-written RNN, LSTM and GRU that the notebooks derive, in one place.

The core, in the order a forward pass runs through it (each idea derived in a notebook first):

- ``cells``: the three cells, each one step forwards and backwards (Elman 02, LSTM 13, GRU 14).
- ``engine``: one layer engine for every cell: unrolling forwards or in reverse, over full or packed
  batches, stacking, dropout; its backward pass is the hand-written BPTT of notebook 09.
- ``functional``: the checked public functions: ``rnn_cell`` / ``lstm_cell`` / ``gru_cell`` (one step),
  ``rnn_layer`` / ``lstm_layer`` / ``gru_layer`` (one layer: 03, 06, 07), ``rnn_forward`` /
  ``lstm_forward`` / ``gru_forward`` (a whole stack: 04, 06, 07).
- ``modules``: ``ManualRNN``, ``ManualLSTM``, ``ManualGRU`` and their ``...Cell`` twins, drop-ins for
  PyTorch's modules (08, 13, 14).
- ``fused``: the same Elman layer rearranged: ``rnn_layer_concat``, ``rnn_layer_hoisted`` and the
  allocation-free ``rnn_layer_inference`` (05).
- ``backward``: ``rnn_layer_backward``, ``rnn_backward``, ``lstm_layer_backward``: BPTT by hand (09, 13).
- ``gates``: ``lstm_gates``, ``gru_gates``: every gate's activation at every step (13, 14).
- ``weights``: ``get_layer_weights``, ``get_weights``, ``set_layer_weights``, ``param_name``.
- ``compare``: ``assert_matches``, ``tolerance``: assert equal at a stated tolerance, print one line;
  ``cudnn_rnn_switch``, ``cudnn_rnn_precision``: the switch that sets cuDNN's float32 RNN precision.

The teaching kit around it: ``grad_norms`` (gradients over time, clipping: 10), ``training`` (11),
``text`` (the character-level language model: 12), ``timing`` (``best_time``, ``timing_table``: 05),
``bench`` (``python -m rnn_helpers.bench``: 05), ``pictures`` (every figure; ``show(fig, alt)``),
``exercises`` (``rnn_helpers.exercises.nbNN.qK.check(answer)`` / ``.hint()`` / ``.solution()``).

Importing the package does no work: no seeding, no plotting backend chosen (matplotlib is
imported only when a picture is drawn).
"""

from .backward import lstm_layer_backward, rnn_backward, rnn_layer_backward
from .cells import LayerWeights, LSTMWeights, activation
from .compare import TOLERANCES, assert_matches, cudnn_rnn_precision, cudnn_rnn_switch, tolerance
from .fused import rnn_layer_concat, rnn_layer_hoisted, rnn_layer_inference
from .gates import gru_gates, lstm_gates
from .grad_norms import clip_grad_norm_by_hand, clip_grad_value_by_hand, hidden_grad_norms, hidden_state_grads
from .functional import (
    gru_cell,
    gru_forward,
    gru_layer,
    lstm_cell,
    lstm_forward,
    lstm_layer,
    rnn_cell,
    rnn_forward,
    rnn_layer,
)
from .modules import ManualGRU, ManualGRUCell, ManualLSTM, ManualLSTMCell, ManualRNN, ManualRNNCell
from .pictures import (
    draw_bptt,
    draw_lstm_step,
    draw_unrolled_rnn,
    plot_gates,
    plot_grad_paths,
    plot_hidden_states,
    plot_packed_layout,
    plot_seen_steps,
    plot_timings,
    seen_steps,
    show,
)
from .timing import best_time, timing_table
from .training import RNNWithHead, echo_batch, noisy_sine, train
from .weights import get_layer_weights, get_weights, param_name, set_layer_weights

__all__ = [
    "LSTMWeights",
    "LayerWeights",
    "ManualGRU",
    "ManualGRUCell",
    "ManualLSTM",
    "ManualLSTMCell",
    "ManualRNN",
    "ManualRNNCell",
    "RNNWithHead",
    "TOLERANCES",
    "activation",
    "assert_matches",
    "best_time",
    "clip_grad_norm_by_hand",
    "clip_grad_value_by_hand",
    "cudnn_rnn_precision",
    "cudnn_rnn_switch",
    "draw_bptt",
    "draw_lstm_step",
    "draw_unrolled_rnn",
    "echo_batch",
    "get_layer_weights",
    "get_weights",
    "gru_cell",
    "gru_forward",
    "gru_gates",
    "gru_layer",
    "hidden_grad_norms",
    "hidden_state_grads",
    "lstm_cell",
    "lstm_forward",
    "lstm_gates",
    "lstm_layer",
    "lstm_layer_backward",
    "noisy_sine",
    "param_name",
    "plot_gates",
    "plot_grad_paths",
    "plot_hidden_states",
    "plot_packed_layout",
    "plot_seen_steps",
    "plot_timings",
    "rnn_backward",
    "rnn_cell",
    "rnn_forward",
    "rnn_layer",
    "rnn_layer_backward",
    "rnn_layer_concat",
    "rnn_layer_hoisted",
    "rnn_layer_inference",
    "seen_steps",
    "set_layer_weights",
    "show",
    "timing_table",
    "tolerance",
    "train",
]
