"""Exercises for notebook 12: top-k sampling (a bigram table), perplexity from chunk losses, the stream layout."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..text.batches import stream_batches
from ._core import Exercise, not_attempted

F64 = torch.float64


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        return int(value)
    return None


def _as_float(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach())
    return None


# --- 12.1 the sampling loop, with top-k, on a bigram table ----------------------------------


def _top_k(table, start, length, k, temperature, seed, variant="right"):
    """The reference top-k sampler, and the samplers that make each typical mistake (``variant``)."""
    generator = torch.Generator().manual_seed(seed)
    current, out = start, []
    for _ in range(length):
        row = table[:, current] if variant == "column" else table[current]
        kept_k = {"k - 1 kept": k - 1, "k + 1 kept": k + 1, "no top-k": row.numel()}.get(variant, k)
        if variant == "smallest k":
            kept = row <= torch.topk(row, k, largest=False).values[-1]
        else:
            kept = row >= torch.topk(row, kept_k).values[-1]
        logits = row.masked_fill(~kept, 0.0 if variant == "zeros, not -inf" else float("-inf"))
        scaled = {"times": logits * temperature, "no temperature": logits}.get(variant, logits / temperature)
        if variant == "argmax":
            next_id = int(row.argmax())
        elif variant == "among k only":
            values, indices = torch.topk(row, k)
            probs = F.softmax(values / temperature, dim=-1)
            next_id = int(indices[torch.multinomial(probs, 1, generator=generator)])
        else:
            next_id = int(torch.multinomial(F.softmax(scaled, dim=-1), 1, generator=generator))
        out.append(next_id)
        if variant != "no feedback":
            current = next_id
    return out


#: What the checker says for each typical mistake, keyed by its ``_top_k`` variant. The checker's
#: table, seed, k and temperature are chosen so that every variant draws different ids (tested).
TOP_K_MISTAKES = {
    "no feedback": "every id was drawn from table[start]: after each draw, the drawn id must become the current "
                   "one, so the next draw reads its row",
    "column": "you read column current of the table, table[:, current]; the logits after character i are row i, "
              "table[i]",
    "no top-k": "you drew from all V characters: keep only the k largest logits of the row and set the others "
                "to -inf",
    "k - 1 kept": "you kept k - 1 characters: the k-th largest logit stays in too (keep row >= the k-th largest, "
                  "torch.topk(row, k).values[-1])",
    "k + 1 kept": "you kept k + 1 characters: keep exactly the k largest, torch.topk(row, k)",
    "smallest k": "you kept the k smallest logits: top-k keeps the k largest (torch.topk returns the largest first)",
    "zeros, not -inf": "you set the other logits to 0, which still gives them probability: set them to -inf, "
                       "so that their probability is exactly 0",
    "times": "you multiplied the logits by the temperature: divide them, softmax(logits / temperature)",
    "no temperature": "your draws ignore the temperature: divide the kept logits by temperature before the softmax",
    "argmax": "you took the argmax: that is temperature 0; draw with torch.multinomial(probs, 1, "
              "generator=generator)",
    "among k only": "you drew among the k kept values only, from probs of shape (k,): a top-k sampler too, but it "
                    "uses the generator differently. Keep probs of shape (V,), zero outside the top k (logits -inf), "
                    "so that the same seed gives the same ids",
}

#: The checker's problem: V = 7 characters, as the notebook's vocabulary.
_Q1 = dict(table_seed=121, scale=1.5, V=7, start=2, length=30, k=3, temperature=2.0, seed=1212)


def _q1_table() -> torch.Tensor:
    gen = torch.Generator().manual_seed(_Q1["table_seed"])
    return _Q1["scale"] * torch.randn(_Q1["V"], _Q1["V"], dtype=F64, generator=gen)  # (V, V): row i after i


def _ids(got) -> list[int] | None:
    if isinstance(got, torch.Tensor):
        if got.dim() != 1 or got.is_floating_point():
            return None
        return got.tolist()
    if isinstance(got, (list, tuple)):
        ids = [_as_int(i) for i in got]
        return None if any(i is None for i in ids) else ids
    return None


def _check_sample_top_k(fn):
    table = _q1_table()
    start, length, k, temperature, seed = (_Q1[key] for key in ("start", "length", "k", "temperature", "seed"))
    generator = torch.Generator().manual_seed(seed)
    got = fn(table.clone(), start, length, k, temperature, generator)
    if not_attempted(got):
        raise NotImplementedError
    untouched = torch.equal(generator.get_state(), torch.Generator().manual_seed(seed).get_state())
    ids = _ids(got)
    if ids is None:
        return f"return a list of {length} ids (ints), got {type(got).__name__}"
    want = _top_k(table, start, length, k, temperature, seed)
    if ids == want:
        return None
    if len(ids) == length + 1 and ids[0] == start and ids[1:] == want:
        return f"your list starts with start itself: return only the {length} new ids"
    if len(ids) != length:
        return f"expected a list of length = {length} ids, got {len(ids)}"
    for variant, message in TOP_K_MISTAKES.items():
        if ids == _top_k(table, start, length, k, temperature, seed, variant):
            return message
    if untouched:
        return (
            "your draws did not use the generator you were given: pass it on, "
            "torch.multinomial(probs, 1, generator=generator), so the same seed gives the same text"
        )
    return (
        "the ids differ from drawing, at each step, from softmax(logits / temperature) with every logit of "
        "table[current] but the k largest set to -inf, with torch.multinomial(probs, 1, generator=generator), "
        "one call per id, starting from start"
    )


_TOP_K_SOLUTION = """
def sample_top_k(table, start, length, k, temperature, generator):
    current, out = start, []
    for _ in range(length):
        row = table[current]                                          # (V,): the logits after `current`
        kth = torch.topk(row, k).values[-1]                           # the k-th largest logit
        logits = row.masked_fill(row < kth, float("-inf"))            # the others: probability 0
        probs = F.softmax(logits / temperature, dim=-1)               # (V,)
        current = torch.multinomial(probs, 1, generator=generator).item()
        out.append(current)
    return out
"""


def _top_k_mistake(old: str, new: str) -> str:
    """The reference solution with one line changed: a typical mistake."""
    assert old in _TOP_K_SOLUTION, old
    return _TOP_K_SOLUTION.replace(old, new)


q1 = Exercise(
    name="12.1 top-k sampling from a bigram table",
    answer="sample_top_k",
    checker=_check_sample_top_k,
    kind="function",
    hint_text=(
        "The loop of section 5 with one more line before the softmax. torch.topk(row, k).values[-1] is the k-th "
        "largest logit of the row; row.masked_fill(row < kth, float('-inf')) drops the others (exp(-inf) = 0). "
        "Then divide by the temperature, softmax, draw, and make the drawn id the current one."
    ),
    solution_code=_TOP_K_SOLUTION,
    mistakes={
        "no top-k": (
            _top_k_mistake('logits = row.masked_fill(row < kth, float("-inf"))', "logits = row"),
            "keep only the k largest",
        ),
        "zeros instead of -inf": (
            _top_k_mistake('row.masked_fill(row < kth, float("-inf"))', "row.masked_fill(row < kth, 0.0)"),
            "set them to -inf",
        ),
        "k - 1 kept (strict >)": (
            _top_k_mistake('row.masked_fill(row < kth, float("-inf"))', 'row.masked_fill(row <= kth, float("-inf"))'),
            "the k-th largest logit stays in",
        ),
        "no temperature": (
            _top_k_mistake("F.softmax(logits / temperature, dim=-1)", "F.softmax(logits, dim=-1)"),
            "ignore the temperature",
        ),
        "no feedback": (
            _top_k_mistake("row = table[current]", "row = table[start]"),
            "must become the current one",
        ),
    },
)


# --- 12.2 perplexity from the losses of chunks --------------------------------------------


def _check_text_perplexity(fn):
    losses = torch.tensor([1.25, 1.5, 0.75, 2.5], dtype=F64)   # mean loss of each chunk, nats per character
    sizes = torch.tensor([64, 64, 64, 8])                        # the last chunk is shorter
    got = fn(losses.clone(), sizes.clone())
    if not_attempted(got):
        raise NotImplementedError
    value = _as_float(got)
    if value is None:
        return f"return one number (a float or a 0-d tensor), got {type(got).__name__}"
    weighted = float((losses * sizes).sum() / sizes.sum())
    want = math.exp(weighted)
    if math.isclose(value, want, rel_tol=1e-9):
        return None
    candidates = {
        math.exp(float(losses.mean())): (
            "you averaged the chunk losses as if every chunk were as long: weight each chunk's loss by its size "
            "(the shorter last chunk holds fewer characters), then take exp"
        ),
        float((losses.exp() * sizes).sum() / sizes.sum()): (
            "you averaged the chunks' perplexities: perplexity is the exp of the mean loss, not the mean of exps"
        ),
        float(losses.exp().mean()): (
            "you averaged the chunks' perplexities: perplexity is the exp of the mean loss, not the mean of exps"
        ),
        weighted: "that is the mean loss itself; the perplexity is its exp",
        2**weighted: "the losses are in nats (natural log), so the perplexity is e ** loss, not 2 ** loss",
        math.exp(float((losses * sizes).sum())): (
            "that is the exp of the total loss: divide by the total number of characters first"
        ),
    }
    for candidate, message in candidates.items():
        if math.isclose(value, candidate, rel_tol=1e-9):
            return message
    return f"expected exp(weighted mean loss) = {want:.4f}, got {value:.4f}"


q2 = Exercise(
    name="12.2 perplexity from the loss",
    answer="text_perplexity",
    checker=_check_text_perplexity,
    kind="function",
    hint_text=(
        "The loss of the whole text is the mean over all its characters: sum each chunk's mean times its size, "
        "divide by the total size. The perplexity is exp of that mean loss."
    ),
    solution_code='''
def text_perplexity(chunk_losses, chunk_sizes):
    mean_loss = (chunk_losses * chunk_sizes).sum() / chunk_sizes.sum()   # nats per character, whole text
    return torch.exp(mean_loss)
''',
    mistakes={
        "unweighted": (
            "def text_perplexity(chunk_losses, chunk_sizes):\n    return torch.exp(chunk_losses.mean())",
            "weight each chunk",
        ),
        "mean of exps": (
            "def text_perplexity(chunk_losses, chunk_sizes):\n"
            "    return (chunk_losses.exp() * chunk_sizes).sum() / chunk_sizes.sum()",
            "not the mean of exps",
        ),
        "no exp": (
            "def text_perplexity(chunk_losses, chunk_sizes):\n"
            "    return (chunk_losses * chunk_sizes).sum() / chunk_sizes.sum()",
            "its exp",
        ),
        "base 2": (
            "def text_perplexity(chunk_losses, chunk_sizes):\n"
            "    return 2 ** ((chunk_losses * chunk_sizes).sum() / chunk_sizes.sum())",
            "nats",
        ),
    },
)


# --- 12.3 where a character of the stream lands --------------------------------------------


CASES = ((26, 3, 3), (100, 4, 7), (50, 1, 16), (203, 8, 5))


#: Wrong formulas learners write, each with what to tell them (checked over every case at once).
_INDEX_MISTAKES = (
    (
        lambda n, B, T, k, b, t: k * B * T + b * T + t,
        "that is the layout of ids.view(-1, batch_size, seq_len), chunks of consecutive text. In stream_batches "
        "each row is one long piece of the text, (n - 1) // batch_size characters, and the chunks cut the rows",
    ),
    (
        lambda n, B, T, k, b, t: b * (n // B) + k * T + t,
        "the rows hold (n - 1) // batch_size characters, not n // batch_size (the last input needs a target "
        "after it)",
    ),
    (
        lambda n, B, T, k, b, t: b * ((n - 1) // B) + k * T + t + 1,
        "that is the index of y[b, t], the target; x[b, t] is the character before it",
    ),
    (
        lambda n, B, T, k, b, t: b * ((n - 1) // B) + t,
        "chunk k starts k * seq_len characters into its row: add k * seq_len",
    ),
)


def _check_stream_index(fn):
    questions, answers = [], []
    for n, batch_size, seq_len in CASES:
        chunks = stream_batches(torch.arange(n), batch_size, seq_len)   # x[b, t] holds its own index
        for k, (x, _) in enumerate(chunks):
            for b in range(batch_size):
                for t in range(x.shape[1]):
                    questions.append((n, batch_size, seq_len, k, b, t))
                    answers.append(int(x[b, t]))
    got = []
    for question in questions:
        value = fn(*question)
        if not_attempted(value):
            raise NotImplementedError
        if _as_int(value) is None:
            return f"return an int index, got {type(value).__name__} {value!r}"
        got.append(_as_int(value))
    if got == answers:
        return None
    for formula, message in _INDEX_MISTAKES:
        if got == [formula(*question) for question in questions]:
            return message
    i = next(i for i, (g, a) in enumerate(zip(got, answers)) if g != a)
    n, batch_size, seq_len, k, b, t = questions[i]
    return (
        f"for n={n}, batch_size={batch_size}, seq_len={seq_len}, chunk k={k}, b={b}, t={t} "
        f"expected {answers[i]}, got {got[i]}"
    )


q3 = Exercise(
    name="12.3 where a character lands",
    answer="stream_index",
    checker=_check_stream_index,
    kind="function",
    hint_text=(
        "Each row holds m = (n - 1) // batch_size characters; row b starts at b * m. Chunk k starts k * seq_len "
        "characters into every row, and t counts from there."
    ),
    solution_code='''
def stream_index(n, batch_size, seq_len, k, b, t):
    per_row = (n - 1) // batch_size          # characters per row (each needs a target after it)
    return b * per_row + k * seq_len + t
''',
    mistakes={
        "view layout": (
            "def stream_index(n, batch_size, seq_len, k, b, t):\n"
            "    return k * batch_size * seq_len + b * seq_len + t",
            "ids.view(-1, batch_size, seq_len)",
        ),
        "n // batch_size": (
            "def stream_index(n, batch_size, seq_len, k, b, t):\n"
            "    return b * (n // batch_size) + k * seq_len + t",
            "(n - 1) // batch_size",
        ),
        "the target": (
            "def stream_index(n, batch_size, seq_len, k, b, t):\n"
            "    return b * ((n - 1) // batch_size) + k * seq_len + t + 1",
            "target",
        ),
        "no chunk offset": (
            "def stream_index(n, batch_size, seq_len, k, b, t):\n    return b * ((n - 1) // batch_size) + t",
            "add k * seq_len",
        ),
    },
)
