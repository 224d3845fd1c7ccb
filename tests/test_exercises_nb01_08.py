"""Exercises of notebooks 01-08: answers the reviews found wrongly judged are now judged right."""

import torch
import torch.nn.functional as F

from rnn_helpers import rnn_cell
from rnn_helpers.exercises import nb02, nb03, nb04, nb08


def test_08_3_accepts_a_zero_state_built_with_torch_zeros():
    def generate(cell, head, x0, n_steps):
        x, h, predictions = x0, torch.zeros(x0.shape[0], cell.hidden_size), []  # the default dtype
        for _ in range(n_steps):
            h = cell(x, h)
            predictions.append(head(h))
            x = predictions[-1]
        return torch.stack(predictions)

    assert nb08.q3.feedback(generate) == (True, "Correct! (08.3 a generation loop)")


def test_08_3_accepts_new_zeros_like_x0():
    def generate(cell, head, x0, n_steps):
        x, h, predictions = x0, x0.new_zeros(x0.shape[0], cell.hidden_size), []
        for _ in range(n_steps):
            h = cell(x, h)
            x = head(h)
            predictions.append(x)
        return torch.stack(predictions)

    assert nb08.q3.feedback(generate)[0]


def test_03_3_accepts_any_collection_of_step_numbers():
    for steps in ([2, 3, 4, 5], (5, 4, 3, 2), range(2, 6), torch.tensor([2, 3, 4, 5]), {2, 3, 4, 5}):
        correct, message = nb03.q3.feedback({"steps": steps, "other_sequence_changes": False})
        assert correct, (steps, message)
    correct, message = nb03.q3.feedback({"steps": torch.tensor([2.0, 3.0]), "other_sequence_changes": False})
    assert not correct and "ints" in message


def test_02_3_accepts_torch_sizes_and_lists():
    answer = {"X_t": torch.Size([5, 8]), "w_ih @ X_t": [16, 8], "b_ih[:, None]": (16, 1), "H_t": (16, 8)}
    assert nb02.q3.feedback(answer)[0]


def test_02_3_does_not_give_the_answer_away_for_a_string():
    _, message = nb02.q3.feedback({"X_t": "16x8", "w_ih @ X_t": ..., "b_ih[:, None]": ..., "H_t": ...})
    for value in ("(5, 8)", "(16, 8)", "(16, 1)"):
        assert value not in message


def test_04_1_names_a_missing_drop_before_comparing_values():
    def stack(x, weights, h0, drop):  # a correct loop, but F.dropout in place of the checker's drop
        h, outputs = list(h0), []
        for x_t in x:
            layer_input = x_t
            for l, w in enumerate(weights):
                h[l] = rnn_cell(layer_input, h[l], *w)
                layer_input = h[l] if l == len(weights) - 1 else F.dropout(h[l], p=0.5, training=True)
            outputs.append(layer_input)
        return torch.stack(outputs), torch.stack(h)

    correct, message = nb04.q1.feedback(stack)
    assert not correct
    assert message.startswith("Not yet: you never called drop") and "time-outer loop itself" not in message


def test_04_2_accepts_a_rebuilt_stack_too():
    """Any correct route is accepted: here the stack is rebuilt layer by layer, as section 3 does."""
    code = """
def state_at(rnn, x, layer, t):
    from rnn_helpers import get_weights, rnn_layer
    layer_input = x.transpose(0, 1)
    for w in get_weights(rnn)[: layer + 1]:
        layer_input, _ = rnn_layer(layer_input, None, *w)
    return layer_input[t]
"""
    from rnn_helpers.exercises import run_answer_code

    assert nb04.q2.feedback(run_answer_code(code, "state_at"))[0]


def test_04_3_accepts_a_tensor_holding_the_count():
    def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):
        d = 2 if bidirectional else 1
        total = torch.tensor(0)
        for layer in range(num_layers):
            features_in = input_size if layer == 0 else d * hidden_size
            total += d * (hidden_size * features_in + hidden_size * hidden_size + (2 * hidden_size if bias else 0))
        return total

    assert nb04.q3.feedback(num_parameters)[0]
