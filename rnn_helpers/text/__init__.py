"""Text for a character-level language model (notebook 12).

- ``Vocab``: characters <-> ids (``encode``, ``decode``).
- ``bracket_corpus``, ``bracket_lines``: a generated language of balanced brackets, and
  ``first_mistake``, ``judge``, ``judge_all``, ``closings`` to check what a model writes, and
  ``next_char_probs``, ``ideal_loss``: the generator's own probabilities, the floor for any model.
- ``stream_batches``: one long stream cut into parallel rows and chunks that carry state.
- ``cross_entropy_by_hand``, ``cross_entropy_grad_by_hand``, ``log_softmax_by_hand``,
  ``perplexity``: the loss, its gradient, and what it means.
- ``CharLM``, ``evaluate_loss``: embedding -> RNN -> linear head, and its loss on a text;
  ``detach_state``: a carried state (a tensor, or an LSTM's pair) without its history.
- ``sample``, ``sample_batch``: generate text from a prompt, at a temperature, from a ``torch.Generator``.
"""

from .batches import stream_batches
from .brackets import (
    CLOSERS,
    LETTERS,
    MISTAKES,
    OPENERS,
    PAIRS,
    bracket_corpus,
    bracket_lines,
    closings,
    first_mistake,
    ideal_loss,
    judge,
    judge_all,
    next_char_probs,
)
from .loss import cross_entropy_by_hand, cross_entropy_grad_by_hand, log_softmax_by_hand, perplexity
from .model import CharLM, detach_state, evaluate_loss
from .sampling import sample, sample_batch
from .vocab import Vocab

__all__ = [
    "CLOSERS",
    "CharLM",
    "LETTERS",
    "MISTAKES",
    "OPENERS",
    "PAIRS",
    "Vocab",
    "bracket_corpus",
    "bracket_lines",
    "closings",
    "cross_entropy_by_hand",
    "cross_entropy_grad_by_hand",
    "detach_state",
    "evaluate_loss",
    "first_mistake",
    "ideal_loss",
    "judge",
    "judge_all",
    "log_softmax_by_hand",
    "next_char_probs",
    "perplexity",
    "sample",
    "sample_batch",
    "stream_batches",
]
