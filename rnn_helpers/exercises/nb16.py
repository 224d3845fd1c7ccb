"""Exercises for notebook 16: one text, three cells (what two seeds can settle)."""

from __future__ import annotations

import math
import numbers

from ._core import Exercise, not_attempted

#: Made-up results in the notebook's layout, {(cell, seed): {"loss", "valid", "far"}}: three seeds, so that a
#: gap per seed, the gap of the means and a gap against the RNN's mean are all different answers; the RNN's
#: numbers differ from seed to seed, so that pairing matters.
_RESULTS = {
    ("RNN", 0): {"loss": 1.70, "valid": 0.40, "far": 0.55},
    ("RNN", 1): {"loss": 1.64, "valid": 0.47, "far": 0.49},
    ("RNN", 2): {"loss": 1.67, "valid": 0.43, "far": 0.58},
    ("LSTM", 0): {"loss": 1.55, "valid": 0.64, "far": 0.67},
    ("LSTM", 1): {"loss": 1.57, "valid": 0.69, "far": 0.61},
    ("LSTM", 2): {"loss": 1.59, "valid": 0.58, "far": 0.52},
    ("GRU", 0): {"loss": 1.57, "valid": 0.51, "far": 0.55},
    ("GRU", 1): {"loss": 1.59, "valid": 0.60, "far": 0.60},
    ("GRU", 2): {"loss": 1.61, "valid": 0.49, "far": 0.57},
}
_SEEDS = (0, 1, 2)
_CASES = [(cell, measure) for cell in ("LSTM", "GRU") for measure in ("loss", "valid", "far")]


def _gaps(results, cell, measure, seeds, *, flip=None, against_mean=False, of_means=False):
    """The right gaps (defaults), or a typical wrong variant (the keywords name the mistake)."""
    sign = -1 if measure == "loss" else 1          # positive means better: a LOWER loss is better
    if flip == "never":
        sign = 1
    elif flip == "always":
        sign = -1
    rnn = [results["RNN", s][measure] for s in seeds]
    mine = [results[cell, s][measure] for s in seeds]
    if of_means:
        return [sign * (sum(mine) / len(mine) - sum(rnn) / len(rnn))]
    if against_mean:
        return [sign * (m - sum(rnn) / len(rnn)) for m in mine]
    return [sign * (m - r) for m, r in zip(mine, rnn)]


_MISTAKES = [
    ({"flip": "never"}, "a LOWER validation loss is better: for \"loss\" the gap is the RNN's loss minus the cell's"),
    ({"flip": "always"}, "more valid lines and more brackets of the right type are better: for \"valid\" and \"far\" "
                         "the gap is the cell's number minus the RNN's"),
    ({"against_mean": True}, "pair the runs: the cell's seed s against the RNN's seed s, not against the RNN's mean "
                             "over the seeds (the seed sets both models' start)"),
    ({"of_means": True}, "one gap per seed, in the order of seeds, not one gap of the means: the point is to see "
                         "whether every seed agrees"),
]


def _as_floats(value):
    if isinstance(value, (list, tuple)) and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
        return [float(v) for v in value]
    return None


def _check_gaps(fn):
    first = fn(_RESULTS, *_CASES[0], _SEEDS)
    if not_attempted(first):
        raise NotImplementedError
    got = []
    for cell, measure in _CASES:
        answer = fn(_RESULTS, cell, measure, _SEEDS)
        floats = _as_floats(answer)
        if floats is None:
            return f"{cell}, {measure!r}: expected a list of numbers, one per seed, got {answer!r}"
        got.append(floats)

    def same(a, b):
        return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(a, b))

    want = [_gaps(_RESULTS, cell, measure, _SEEDS) for cell, measure in _CASES]
    if all(same(g, w) for g, w in zip(got, want)):
        return None
    for mistake, message in _MISTAKES:
        if all(same(g, _gaps(_RESULTS, cell, measure, _SEEDS, **mistake)) for g, (cell, measure) in zip(got, _CASES)):
            return message
    for (cell, measure), g, w in zip(_CASES, got, want):
        if not same(g, w):
            return (f"{cell}, {measure!r}, seeds {_SEEDS}: expected {[round(x, 4) for x in w]}, got "
                    f"{[round(x, 4) for x in g]} (positive: the cell does better than the RNN in that seed)")
    return None  # pragma: no cover


q1 = Exercise(
    name="16.1 paired gaps",
    answer="paired_gaps",
    checker=_check_gaps,
    kind="function",
    hint_text=(
        "Section 2 prints these gaps. Which of the two runs in a seed share something? Build one number per seed, "
        "and make its sign say 'better'. For which measure is a smaller number the better one?"
    ),
    solution_code='''
def paired_gaps(results, cell, measure, seeds):
    sign = -1 if measure == "loss" else 1                       # a lower loss is better
    return [sign * (results[cell, s][measure] - results["RNN", s][measure]) for s in seeds]
''',
    mistakes={
        "the loss not turned round": (
            "def paired_gaps(results, cell, measure, seeds):\n"
            "    return [results[cell, s][measure] - results['RNN', s][measure] for s in seeds]",
            "LOWER validation loss is better",
        ),
        "every measure turned round": (
            "def paired_gaps(results, cell, measure, seeds):\n"
            "    return [results['RNN', s][measure] - results[cell, s][measure] for s in seeds]",
            "the cell's number minus the RNN's",
        ),
        "against the RNN's mean": (
            "def paired_gaps(results, cell, measure, seeds):\n"
            "    sign = -1 if measure == 'loss' else 1\n"
            "    rnn = sum(results['RNN', s][measure] for s in seeds) / len(seeds)\n"
            "    return [sign * (results[cell, s][measure] - rnn) for s in seeds]",
            "pair the runs",
        ),
        "one gap of the means": (
            "def paired_gaps(results, cell, measure, seeds):\n"
            "    sign = -1 if measure == 'loss' else 1\n"
            "    mean = lambda name: sum(results[name, s][measure] for s in seeds) / len(seeds)\n"
            "    return [sign * (mean(cell) - mean('RNN'))]",
            "one gap per seed",
        ),
    },
)
