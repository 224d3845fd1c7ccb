"""Exercise 16.1 (what tests/test_exercises.py does not check for every exercise): every wrong variant its
checker recognises gives another answer on its cases, so no mistake's message hides another's; the made-up
results make pairing matter."""

from rnn_helpers.exercises import nb16


def _answers(**mistake):
    return tuple(tuple(nb16._gaps(nb16._RESULTS, cell, measure, nb16._SEEDS, **mistake)) for cell, measure in nb16._CASES)


def test_every_recognised_mistake_is_a_different_answer():
    variants = [{}] + [mistake for mistake, _ in nb16._MISTAKES]
    answers = [_answers(**v) for v in variants]
    assert len(set(answers)) == len(answers)


def test_the_right_gaps_say_better_when_positive():
    # seed 0: the LSTM's loss 1.55 against the RNN's 1.70 (better by 0.15), its valid lines 0.64 against 0.40
    assert nb16._gaps(nb16._RESULTS, "LSTM", "loss", (0,)) == [1.70 - 1.55]
    assert nb16._gaps(nb16._RESULTS, "LSTM", "valid", (0,)) == [0.64 - 0.40]


def test_a_wrong_length_or_type_is_named():
    assert not nb16.q1.feedback(lambda results, cell, measure, seeds: 0.1)[0]
    correct, message = nb16.q1.feedback(lambda results, cell, measure, seeds: [0.1])
    assert not correct and "expected [" in message
