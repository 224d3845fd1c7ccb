"""Exercises of notebooks 01-08: answers the reviews found wrongly judged are now judged right."""

import importlib

import pytest
import torch
import torch.nn.functional as F

from rnn_helpers import rnn_cell
from rnn_helpers.exercises import nb01, nb02, nb03, nb04, nb08, run_answer_code


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


# More wrong answers, beyond the 2-5 typical mistakes each exercise lists: each is still rejected with its hint.
_Q2 = nb01._Q2_SOLUTION  # 01.2's reference answer, one entry spoiled at a time below
MORE_MISTAKES = [
    ("nb01", "q1", "h_n with time", "shapes = ((3, 7, 6), (2, 7, 6))", "no time dimension"),
    ("nb01", "q2", "shape as a string", _Q2.replace('"bias_hh_l1": (6,)', '"bias_hh_l1": "6"'), "a shape is a tuple"),
    ("nb01", "q2", "shape left as None", _Q2.replace('"weight_hh_l0": (6, 6)', '"weight_hh_l0": None'), "a shape is a tuple"),
    ("nb01", "q2", "shape with strings inside", _Q2.replace('"weight_ih_l0": (6, 4)', '"weight_ih_l0": ("6", "4")'),
     "a shape is a tuple of ints"),
    ("nb01", "q3", "batch always x.shape[0]",
     "def make_h0(rnn, x):\n"
     "    d = 2 if rnn.bidirectional else 1\n"
     "    return torch.zeros(rnn.num_layers * d, x.shape[0], rnn.hidden_size, dtype=x.dtype)\n",
     "you used seq_len"),
    ("nb02", "q3", "the bias as a row",
     'shapes = {"X_t": (5, 8), "w_ih @ X_t": (16, 8), "b_ih[:, None]": (1, 16), "H_t": (16, 8)}', "a column, not a row"),
    ("nb03", "q3", "a step number as a string", 'changes = {"steps": ["2"], "other_sequence_changes": False}', "ints"),
    ("nb04", "q3", "one bias vector",
     "def num_parameters(input_size, hidden_size, num_layers, bidirectional, bias):\n"
     "    d = 2 if bidirectional else 1\n"
     "    total = 0\n"
     "    for layer in range(num_layers):\n"
     "        f = input_size if layer == 0 else d * hidden_size\n"
     "        total += d * (hidden_size * f + hidden_size * hidden_size + (hidden_size if bias else 0))\n"
     "    return total\n",
     "TWO bias vectors"),
    ("nb08", "q3", "x0 kept in the result",
     "def generate(cell, head, x0, n_steps):\n"
     "    x, h, seq = x0, None, [x0]\n"
     "    for _ in range(n_steps):\n"
     "        h = cell(x, h)\n"
     "        x = head(h)\n"
     "        seq.append(x)\n"
     "    return torch.stack(seq)\n",
     "without x0"),
]


@pytest.mark.parametrize(("module", "q", "label", "code", "phrase"), MORE_MISTAKES, ids=[m[2] for m in MORE_MISTAKES])
def test_more_wrong_answers_are_rejected_with_their_hint(module, q, label, code, phrase):
    exercise = getattr(importlib.import_module(f"rnn_helpers.exercises.{module}"), q)
    correct, message = exercise.feedback(run_answer_code(code, exercise.answer))
    assert not correct, f"{label!r} was accepted"
    assert phrase.lower() in message.lower(), f"{label!r} got {message!r}"


@pytest.mark.parametrize("module", ["nb01", "nb02", "nb03", "nb04", "nb06", "nb07", "nb08"])
def test_each_exercise_lists_2_to_5_mistakes_with_messages_of_their_own(module):
    for q in ("q1", "q2", "q3"):
        exercise = getattr(importlib.import_module(f"rnn_helpers.exercises.{module}"), q)
        messages = [exercise.feedback(run_answer_code(code, exercise.answer))[1] for code, _ in exercise.mistakes.values()]
        assert 2 <= len(messages) <= 5, f"{exercise.name}: list 2 to 5 typical mistakes"
        assert len(set(messages)) == len(messages), f"{exercise.name}: two mistakes share a message"
