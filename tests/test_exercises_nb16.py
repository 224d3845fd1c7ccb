"""Exercise 16.1 (what tests/test_exercises.py does not check for every exercise): every wrong variant its
checker recognises gives another answer on its cases, so no mistake's message hides another's; the made-up
closings give both verdicts; the reference answer agrees with the formula written out by hand."""

import math

from rnn_helpers.exercises import nb16


def _answers(**mistake):
    return tuple(tuple(nb16._separated(nb16._POOLED, a, b, bins, **mistake)) for a, b, bins in nb16._CASES)


def test_every_recognised_mistake_is_a_different_answer():
    variants = [{}] + [mistake for mistake, _ in nb16._MISTAKES]
    answers = [_answers(**v) for v in variants]
    assert len(set(answers)) == len(answers)


def test_the_cases_hold_bins_on_both_sides():
    verdicts = [v for case in _answers() for v in case]
    assert True in verdicts and False in verdicts


def test_one_bin_by_hand():
    distance, right = nb16._POOLED["LSTM"]
    other_distance, other_right = nb16._POOLED["GRU"]
    inside, other_inside = (distance >= 2) & (distance <= 3), (other_distance >= 2) & (other_distance <= 3)
    p, n = right[inside].double().mean().item(), int(inside.sum())
    q, m = other_right[other_inside].double().mean().item(), int(other_inside.sum())
    by_hand = abs(p - q) > 2 * math.sqrt(p * (1 - p) / n + q * (1 - q) / m)
    assert nb16._separated(nb16._POOLED, "LSTM", "GRU", ((2, 3),)) == [by_hand]


def test_an_answer_of_the_wrong_length_or_type_is_named():
    correct, message = nb16.q1.feedback(lambda pooled, a, b, bins: [True])
    assert not correct and "one per bin" in message
    correct, message = nb16.q1.feedback(lambda pooled, a, b, bins: [1] * len(bins))
    assert not correct and "True/False" in message


def test_no_bin_of_the_cases_sits_on_the_threshold_and_a_one_sided_test_is_caught():
    from rnn_helpers.exercises import run_answer_code
    from rnn_helpers.pictures import right_by_distance

    for a, b, bins in nb16._CASES:
        for edges in bins:
            (p, n), (q, m) = ((f.item(), int(k)) for f, k in (right_by_distance(*nb16._POOLED[c], [edges]) for c in (a, b)))
            if n and m:
                z = abs(p - q) / math.sqrt(p * (1 - p) / n + q * (1 - q) / m)
                assert abs(z - 2) > 0.15 and abs(z - 1) > 0.15, (a, b, edges, z)
    one_sided = run_answer_code(nb16.q1.solution_code.replace("abs(p - q) > 2 * se", "p - q > 2 * se"), "separated_bins")
    assert not nb16.q1.feedback(one_sided)[0]
