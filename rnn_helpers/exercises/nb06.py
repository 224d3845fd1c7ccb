"""Exercises of notebook 06 (bidirectional RNNs): h_n indexing, final states from output, the backward walk."""

from __future__ import annotations

import torch
from torch import nn

from .. import get_layer_weights
from ._core import Exercise, not_attempted


def _shape_problem(got, want, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your result has shape {tuple(got.shape)}, expected {tuple(want.shape)} = {meaning}"
    return None


# --- 06.1 ---------------------------------------------------------------------------------------


# Other sizes than the notebook's (num_layers=2, batch=2, hidden_size=4), so that an answer with
# hard-coded sizes fails; the exercise text says so.
_NUM_LAYERS, _BATCH, _HIDDEN = 3, 3, 5


def _check_final_state(fn):
    try:
        return _check_final_state_sizes(fn)
    except RuntimeError as e:
        if "invalid for input of size" not in str(e):
            raise
        return (
            f"your answer raised RuntimeError ({e}). The checker uses other sizes than the notebook: "
            f"num_layers={_NUM_LAYERS}, batch={_BATCH}, hidden_size={_HIDDEN}, so h_n is "
            f"{(_NUM_LAYERS * 2, _BATCH, _HIDDEN)}. Don't hard-code them in a view: derive "
            "num_layers = h_n.shape[0] // 2 and take (batch, hidden_size) from h_n.shape[1:]"
        )


def _check_final_state_sizes(fn):
    num_layers, batch, hidden = _NUM_LAYERS, _BATCH, _HIDDEN
    # each entry of h_n is filled with its own index, so a wrong index is easy to name
    h_n = torch.arange(num_layers * 2, dtype=torch.float64).view(-1, 1, 1).expand(-1, batch, hidden).clone()
    first = fn(h_n, 0, 0)
    if not_attempted(first):
        raise NotImplementedError
    for layer in range(num_layers):
        for direction in (0, 1):
            got = fn(h_n, layer, direction)
            want = h_n[layer * 2 + direction]
            problem = _shape_problem(got, want, "(batch, hidden_size)")
            if problem:
                return problem + " for one layer and direction"
            if torch.equal(got, want):
                continue
            index = int(got[0, 0])
            if index == layer + direction:
                return f"for layer={layer}, direction={direction} you returned h_n[{index}]: multiply the layer by 2"
            if index == direction * num_layers + layer:
                return (
                    f"for layer={layer}, direction={direction} you returned h_n[{index}] = "
                    "h_n[direction * num_layers + layer]; h_n is layer-major: index layer * 2 + direction"
                )
            return (
                f"for layer={layer}, direction={direction} you returned h_n[{index}], "
                f"expected h_n[{layer * 2 + direction}]"
            )
    # the same answer must hold for a real nn.RNN
    torch.manual_seed(6)
    rnn = nn.RNN(3, hidden, num_layers=num_layers, bidirectional=True, dtype=torch.float64)
    out, h = rnn(torch.randn(5, batch, 3, dtype=torch.float64))
    if not torch.equal(fn(h, num_layers - 1, 1), h[-1]):
        return "the last layer's backward state of a real nn.RNN is h_n[-1]; yours differs"
    return None


q1 = Exercise(
    name="06.1 index h_n of a bidirectional stack",
    answer="final_state",
    checker=_check_final_state,
    hint_text=(
        "h_n has shape (num_layers * 2, batch, hidden_size) and is ordered layer-major: "
        "[layer 0 forward, layer 0 backward, layer 1 forward, ...]. Which index holds (layer, direction)? "
        "The checker uses a 3-layer stack: if you need num_layers, derive it as h_n.shape[0] // 2."
    ),
    solution_code='''
def final_state(h_n, layer, direction):
    return h_n[layer * 2 + direction]
    # or: h_n.view(-1, 2, *h_n.shape[1:])[layer, direction]
''',
    mistakes={
        "direction-major": (
            "def final_state(h_n, layer, direction):\n"
            "    num_layers = h_n.shape[0] // 2\n"
            "    return h_n[direction * num_layers + layer]\n",
            "layer-major",
        ),
        "forgot the factor 2": (
            "def final_state(h_n, layer, direction):\n    return h_n[layer + direction]\n",
            "multiply the layer by 2",
        ),
        "hard-coded the notebook's num_layers in a view": (
            "def final_state(h_n, layer, direction):\n    return h_n.view(2, 2, 2, 4)[layer, direction]\n",
            "num_layers = h_n.shape[0] // 2",
        ),
    },
)


# --- 06.2 ---------------------------------------------------------------------------------------


def _check_final_from_output(fn):
    torch.manual_seed(62)
    seq_len, batch, hidden = 6, 3, 4
    rnn = nn.RNN(2, hidden, num_layers=2, bidirectional=True, dtype=torch.float64)
    output, h_n = rnn(torch.randn(seq_len, batch, 2, dtype=torch.float64))
    output, h_n = output.detach(), h_n.detach()
    got = fn(output, hidden)
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (forward_final, backward_final)"
    fwd, bwd = got
    for part, want, name in ((fwd, h_n[-2], "forward_final"), (bwd, h_n[-1], "backward_final")):
        problem = _shape_problem(part, want, "(batch, hidden_size)")
        if problem:
            return f"{name}: {problem}"
    if not torch.allclose(fwd, h_n[-2], atol=1e-12):
        if torch.allclose(fwd, output[0, :, :hidden], atol=1e-12):
            return "forward_final: the forward direction finishes at the LAST step: output[-1, :, :hidden_size]"
        if torch.allclose(fwd, output[-1, :, hidden:], atol=1e-12):
            return "forward_final: you took the backward half; the forward half is output[..., :hidden_size]"
        return "forward_final differs from h_n[-2]"
    if not torch.allclose(bwd, h_n[-1], atol=1e-12):
        if torch.allclose(bwd, output[-1, :, hidden:], atol=1e-12):
            return (
                "backward_final: the backward half of output[-1] has only seen the last step; the backward "
                "direction finishes at position 0: output[0, :, hidden_size:]"
            )
        if torch.allclose(bwd, output[0, :, :hidden], atol=1e-12):
            return "backward_final: you took the forward half; the backward half is output[..., hidden_size:]"
        return "backward_final differs from h_n[-1]"
    return None


q2 = Exercise(
    name="06.2 final states from output",
    answer="final_states_from_output",
    checker=_check_final_from_output,
    hint_text=(
        "output[t] = [forward state at t, backward state at t]. Where does each direction finish? "
        "The forward one after the last step, the backward one after step 0."
    ),
    solution_code='''
def final_states_from_output(output, hidden_size):
    return output[-1, :, :hidden_size], output[0, :, hidden_size:]
''',
    mistakes={
        "output[-1] for both": (
            "def final_states_from_output(output, hidden_size):\n"
            "    return output[-1, :, :hidden_size], output[-1, :, hidden_size:]\n",
            "only seen the last step",
        ),
        "halves swapped": (
            "def final_states_from_output(output, hidden_size):\n"
            "    return output[-1, :, hidden_size:], output[0, :, :hidden_size]\n",
            "you took the backward half",
        ),
    },
)


# --- 06.3 ---------------------------------------------------------------------------------------


def _walk(x, h0, w, forward=False, store_before=False, transpose_hh=True, with_b_ih=True, with_b_hh=True):
    """The backward walk, or one typical wrong variant of it: (output, h_last)."""
    h = h0
    steps = [None] * x.shape[0]
    w_hh = w.w_hh.T if transpose_hh else w.w_hh
    for t in range(x.shape[0]) if forward else reversed(range(x.shape[0])):
        if store_before:
            steps[t] = h
        h = torch.tanh(x[t] @ w.w_ih.T + (w.b_ih if with_b_ih else 0) + h @ w_hh + (w.b_hh if with_b_hh else 0))
        if not store_before:
            steps[t] = h
    return torch.stack(steps), h


_WRONG_WALKS = (
    ({"forward": True}, "you walked from step 0 to step T-1; the backward direction starts at step T-1"),
    (
        {"store_before": True},
        "your outputs are shifted by one step: you stored h before the cell update, so position t holds the "
        "state from before reading step t (and position T-1 holds h0). Update h first, then store it at t",
    ),
    (
        {"transpose_hh": False},
        "h @ w_hh needs the transpose, h @ w_hh.T: w_hh is (hidden_size, hidden_size) with one row per output "
        "unit. It is square, so the shapes cannot warn you",
    ),
    ({"with_b_ih": False}, "b_ih is missing: nn.RNN adds both biases, b_ih and b_hh"),
    ({"with_b_hh": False}, "b_hh is missing: nn.RNN adds both biases, b_ih and b_hh"),
)


def _check_backward_direction(fn):
    torch.manual_seed(63)
    seq_len, batch, input_size, hidden = 5, 2, 3, 4
    rnn = nn.RNN(input_size, hidden, bidirectional=True, dtype=torch.float64)
    x = torch.randn(seq_len, batch, input_size, dtype=torch.float64)
    h0 = torch.randn(2, batch, hidden, dtype=torch.float64)
    with torch.no_grad():
        output, h_n = rnn(x, h0)
        w = get_layer_weights(rnn, 0, reverse=True)
        got = fn(x, h0[1], *w)
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (output, h_last)"
    out, last = got
    want_out, want_last = output[..., hidden:], h_n[1]
    problem = _shape_problem(out, want_out, "(seq_len, batch, hidden_size)")
    if problem:
        return f"output: {problem}"
    if not torch.allclose(out, want_out, atol=1e-10):
        if torch.allclose(out.flip(0), want_out, atol=1e-10):
            return (
                "your output is in reversed time order: position t must hold the state computed while "
                "reading step t; flip it back (or store each state at index t)"
            )
        for variant, message in _WRONG_WALKS:
            if torch.allclose(out, _walk(x, h0[1], w, **variant)[0], atol=1e-10):
                return message
        return "output differs from nn.RNN's backward half output[..., hidden_size:]"
    problem = _shape_problem(last, want_last, "(batch, hidden_size)")
    if problem:
        return f"h_last: {problem}"
    if not torch.allclose(last, want_last, atol=1e-10):
        if torch.allclose(last, want_out[-1], atol=1e-10):
            return "h_last: the walk ends after reading step 0, so h_last is output[0], not output[-1]"
        return "h_last differs from nn.RNN's h_n[1]"
    return None


q3 = Exercise(
    name="06.3 the backward direction",
    answer="backward_direction",
    checker=_check_backward_direction,
    hint_text=(
        "Start from h = h0 and loop t over reversed(range(seq_len)); compute the cell on x[t] and h, "
        "and store the new state at index t (not at the position in the loop), after updating h. The cell is "
        "tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh): both transposes, both biases. h_last is the state after step 0."
    ),
    solution_code='''
def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):
    h = h0
    steps = [None] * x.shape[0]
    for t in reversed(range(x.shape[0])):
        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        steps[t] = h
    return torch.stack(steps), h
''',
    mistakes={
        "appended in walking order": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h, steps = h0, []\n"
            "    for t in reversed(range(x.shape[0])):\n"
            "        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)\n"
            "        steps.append(h)\n"
            "    return torch.stack(steps), h\n",
            "reversed time order",
        ),
        "walked forwards": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h, steps = h0, []\n"
            "    for t in range(x.shape[0]):\n"
            "        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)\n"
            "        steps.append(h)\n"
            "    return torch.stack(steps), h\n",
            "starts at step T-1",
        ),
        "stored h before the cell update": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h = h0\n"
            "    steps = [None] * x.shape[0]\n"
            "    for t in reversed(range(x.shape[0])):\n"
            "        steps[t] = h\n"
            "        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)\n"
            "    return torch.stack(steps), h\n",
            "stored h before the cell update",
        ),
        "h @ w_hh without .T": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h = h0\n"
            "    steps = [None] * x.shape[0]\n"
            "    for t in reversed(range(x.shape[0])):\n"
            "        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh + b_hh)\n"
            "        steps[t] = h\n"
            "    return torch.stack(steps), h\n",
            "h @ w_hh.T",
        ),
        "dropped b_ih": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h = h0\n"
            "    steps = [None] * x.shape[0]\n"
            "    for t in reversed(range(x.shape[0])):\n"
            "        h = torch.tanh(x[t] @ w_ih.T + h @ w_hh.T + b_hh)\n"
            "        steps[t] = h\n"
            "    return torch.stack(steps), h\n",
            "b_ih is missing",
        ),
        "h_last from the wrong end": (
            "def backward_direction(x, h0, w_ih, w_hh, b_ih, b_hh):\n"
            "    h = h0\n"
            "    steps = [None] * x.shape[0]\n"
            "    for t in reversed(range(x.shape[0])):\n"
            "        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)\n"
            "        steps[t] = h\n"
            "    out = torch.stack(steps)\n"
            "    return out, out[-1]\n",
            "not output[-1]",
        ),
    },
)
