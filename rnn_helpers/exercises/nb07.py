"""Exercises of notebook 07 (padding and packing): the true last state, the masked step, packing by hand."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from .. import get_layer_weights, rnn_cell
from ._core import Exercise, not_attempted

# lengths deliberately unsorted and mostly shorter than the longest, so that "the last step" and
# "the true last step" differ; 4 sequences, not the notebook's 3, so that a hard-coded batch size fails.
_LENGTHS = torch.tensor([3, 6, 1, 4])


def _packed_rnn(seed: int):
    """A bidirectional nn.RNN (float64) run on a packed batch: (x, h0, rnn, output, h_n)."""
    torch.manual_seed(seed)
    input_size, hidden = 3, 5
    rnn = nn.RNN(input_size, hidden, bidirectional=True, dtype=torch.float64)
    x = pad_sequence([torch.randn(int(n), input_size, dtype=torch.float64) for n in _LENGTHS])
    h0 = torch.randn(2, len(_LENGTHS), hidden, dtype=torch.float64)
    with torch.no_grad():
        out_packed, h_n = rnn(pack_padded_sequence(x, _LENGTHS, enforce_sorted=False), h0)
        output, _ = pad_packed_sequence(out_packed)
    return x, h0, rnn, output, h_n


def _shape_problem(got, want_shape, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want_shape):
        return f"your result has shape {tuple(got.shape)}, expected {tuple(want_shape)} = {meaning}"
    return None


# --- 07.1 ---------------------------------------------------------------------------------------


def _check_last_forward(fn):
    _, _, _, output, h_n = _packed_rnn(71)
    hidden = h_n.shape[-1]
    try:
        got = fn(output, _LENGTHS.clone(), hidden)
    except IndexError as e:
        if "out of bounds" in str(e):
            return (
                f"your answer raised IndexError ({e}): off by one? A sequence of length L has its last real "
                "step at index L - 1, and the longest one ends at max(lengths) - 1"
            )
        if "shape mismatch" in str(e):
            return (
                f"your answer raised IndexError ({e}): the two index tensors need one entry per sequence. "
                f"The checker's batch has {len(_LENGTHS)} sequences, not the notebook's 3: take the batch size "
                "from the tensor, torch.arange(output.shape[1]) (or len(lengths))"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    want = h_n[0]
    problem = _shape_problem(got, want.shape, "(batch, hidden_size)")
    if problem:
        if isinstance(got, torch.Tensor) and got.dim() == 3:
            problem += (
                "; index the batch too: output[lengths - 1, torch.arange(batch), :hidden_size] "
                "picks one step per sequence"
            )
        return problem
    if torch.allclose(got, want, atol=1e-12):
        return None
    batch = torch.arange(len(_LENGTHS))
    if torch.allclose(got, output[-1, :, :hidden], atol=1e-12):
        return (
            "you took the last padded step output[-1]: for every sequence shorter than the longest that is "
            "padding (zeros). Use each sequence's own last step, lengths - 1"
        )
    if torch.allclose(got, output[_LENGTHS - 1, batch, hidden:], atol=1e-12):
        return "you took the backward half at the true end; the forward half is output[..., :hidden_size]"
    return "values differ from the forward final state h_n[0]"


q1 = Exercise(
    name="07.1 the true last forward state",
    answer="last_forward_state",
    checker=_check_last_forward,
    hint_text=(
        "Sequence b ends at step lengths[b] - 1, not at max(lengths) - 1. Pick one (step, sequence) pair per "
        "sequence with two index tensors: output[lengths - 1, torch.arange(output.shape[1]), :hidden_size]."
    ),
    solution_code='''
def last_forward_state(output, lengths, hidden_size):
    batch = torch.arange(output.shape[1])
    return output[lengths - 1, batch, :hidden_size]
''',
    mistakes={
        "last padded step": (
            "def last_forward_state(output, lengths, hidden_size):\n    return output[-1, :, :hidden_size]\n",
            "last padded step",
        ),
        "off by one": (
            "def last_forward_state(output, lengths, hidden_size):\n"
            "    return output[lengths, torch.arange(output.shape[1]), :hidden_size]\n",
            "off by one",
        ),
        "backward half": (
            "def last_forward_state(output, lengths, hidden_size):\n"
            "    return output[lengths - 1, torch.arange(output.shape[1]), hidden_size:]\n",
            "backward half",
        ),
        "hard-coded the notebook's batch size": (
            "def last_forward_state(output, lengths, hidden_size):\n"
            "    return output[lengths - 1, torch.arange(3), :hidden_size]\n",
            "batch size from the tensor",
        ),
    },
)


# --- 07.2 ---------------------------------------------------------------------------------------


def _run_with_step(step, x, h0, weights, reverse):
    h = h0
    outs = [None] * x.shape[0]
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        h_new = rnn_cell(x[t], h, *weights)
        result = step(h, h_new, t, _LENGTHS.clone())
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError("return a pair (h, out_t)")
        h, outs[t] = result
    return torch.stack(outs), h


_MASK_HINT = "the mask must be (batch, 1) to broadcast over hidden units: `.unsqueeze(1)`"


def _check_masked_step(fn):
    try:
        return _check_masked_step_in_loop(fn)
    except RuntimeError as e:
        if "must match the size" not in str(e):
            raise
        return f"your answer raised RuntimeError ({e}): {_MASK_HINT}"


def _check_masked_step_in_loop(fn):
    hidden = 5  # not len(_LENGTHS): a (batch,) mask cannot broadcast against (batch, hidden) by accident
    h_prev = torch.full((len(_LENGTHS), hidden), 1.0, dtype=torch.float64)
    h_new = torch.full((len(_LENGTHS), hidden), 2.0, dtype=torch.float64)
    first = fn(h_prev, h_new, 0, _LENGTHS.clone())
    if not_attempted(first):
        raise NotImplementedError
    if not isinstance(first, (tuple, list)) or len(first) != 2:
        return "return a pair (h, out_t)"
    # unit check at t = 3: sequences of length 6 and 4 are active, 3 and 1 have ended
    t = 3
    active = (t < _LENGTHS).unsqueeze(1)
    h, out_t = fn(h_prev, h_new, t, _LENGTHS.clone())
    for name, value in (("h", h), ("out_t", out_t)):
        problem = _shape_problem(value, h_prev.shape, "(batch, hidden_size)")
        if problem:
            return f"{name}: {problem}"
    want_h = torch.where(active, h_new, h_prev)
    want_out = torch.where(active, h_new, torch.zeros_like(h_new))
    if not torch.equal(h, want_h):
        if torch.equal(h, torch.where((t <= _LENGTHS).unsqueeze(1), h_new, h_prev)):
            return "a sequence of length L is active at steps 0..L-1: compare t < lengths, not t <= lengths"
        if torch.equal(h, torch.where(active, h_new, torch.zeros_like(h_new))):
            return "after a sequence ends its state must be kept (frozen at h_prev), not zeroed"
        if torch.equal(h, h_new):
            return "h: you took h_new for every sequence; at padded steps keep h_prev"
        return "h: expected h_new where t < lengths and h_prev elsewhere"
    if not torch.equal(out_t, want_out):
        if torch.equal(out_t, want_h):
            return "out_t: the output at padded steps must be zero (pad_packed_sequence fills zeros), not the frozen state"
        if torch.equal(out_t, h_new):
            return "out_t: the output at padded steps must be zero, not h_new"
        return "out_t: expected h_new where t < lengths and zeros elsewhere"
    # in context: a full bidirectional layer against a packed nn.RNN
    x, h0, rnn, output, h_n = _packed_rnn(72)
    seq_len = x.shape[0]
    with torch.no_grad():
        for direction in (0, 1):
            w = get_layer_weights(rnn, 0, reverse=bool(direction))
            out, last = _run_with_step(fn, x, h0[direction], w, reverse=bool(direction))
            half = output[:seq_len, :, :hidden] if direction == 0 else output[:seq_len, :, hidden:]
            name = "forward" if direction == 0 else "backward"
            if not torch.allclose(out, half, atol=1e-10):
                return f"{name} direction: the output of a loop using your step differs from the packed nn.RNN"
            if not torch.allclose(last, h_n[direction], atol=1e-10):
                return f"{name} direction: the final state of a loop using your step differs from the packed h_n"
    return None


q2 = Exercise(
    name="07.2 the masked step",
    answer="masked_step",
    checker=_check_masked_step,
    hint_text=(
        "active = (t < lengths).unsqueeze(1) is (batch, 1). The state: torch.where(active, h_new, h_prev) "
        "(frozen after the end). The output: torch.where(active, h_new, zeros) (padding outputs zeros)."
    ),
    solution_code='''
def masked_step(h_prev, h_new, t, lengths):
    active = (t < lengths).unsqueeze(1)          # (batch, 1)
    h = torch.where(active, h_new, h_prev)       # keep the state after the sequence ends
    out_t = torch.where(active, h_new, torch.zeros_like(h_new))
    return h, out_t
''',
    mistakes={
        "t <= lengths": (
            "def masked_step(h_prev, h_new, t, lengths):\n"
            "    active = (t <= lengths).unsqueeze(1)\n"
            "    return torch.where(active, h_new, h_prev), torch.where(active, h_new, torch.zeros_like(h_new))\n",
            "t < lengths",
        ),
        "state zeroed instead of frozen": (
            "def masked_step(h_prev, h_new, t, lengths):\n"
            "    active = (t < lengths).unsqueeze(1)\n"
            "    out_t = torch.where(active, h_new, torch.zeros_like(h_new))\n"
            "    return out_t, out_t\n",
            "frozen",
        ),
        "mask without unsqueeze(1)": (
            "def masked_step(h_prev, h_new, t, lengths):\n"
            "    active = t < lengths\n"
            "    return torch.where(active, h_new, h_prev), torch.where(active, h_new, torch.zeros_like(h_new))\n",
            "must be (batch, 1)",
        ),
        "output not zeroed": (
            "def masked_step(h_prev, h_new, t, lengths):\n"
            "    h = torch.where((t < lengths).unsqueeze(1), h_new, h_prev)\n"
            "    return h, h\n",
            "must be zero",
        ),
    },
)


# --- 07.3 ---------------------------------------------------------------------------------------


def _check_pack_by_hand(fn):
    torch.manual_seed(73)
    lengths = torch.tensor([5, 3, 3, 1])
    # padded one step beyond the longest sequence, as a loader padding to a fixed length does: (6, 4, 2)
    x = torch.cat([pad_sequence([torch.randn(int(n), 2) for n in lengths]), torch.zeros(1, 4, 2)])
    got = fn(x.clone(), lengths.clone())
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (data, batch_sizes)"
    data, batch_sizes = got
    want = pack_padded_sequence(x, lengths)
    if not isinstance(batch_sizes, torch.Tensor):
        batch_sizes = torch.as_tensor(batch_sizes)
    if batch_sizes.tolist() != want.batch_sizes.tolist():
        if batch_sizes.tolist() == want.batch_sizes.tolist() + [0] * (x.shape[0] - int(lengths.max())):
            return (
                f"batch_sizes has one entry per step of x ({x.shape[0]}); it should have one per step up to "
                f"max(lengths) = {int(lengths.max())}: x may be padded beyond the longest sequence, and those steps "
                "are dropped"
            )
        if batch_sizes.tolist() == lengths.tolist():
            return (
                "batch_sizes is not the lengths: batch_sizes[t] counts the sequences still running at step t "
                f"(expected {want.batch_sizes.tolist()})"
            )
        return f"batch_sizes: got {batch_sizes.tolist()}, expected {want.batch_sizes.tolist()}"
    problem = _shape_problem(data, want.data.shape, "(sum(lengths), input_size)")
    if problem:
        if isinstance(data, torch.Tensor) and tuple(data.shape) == (x.shape[0] * x.shape[1], x.shape[2]):
            return problem + ": data holds only the real steps, no padding"
        return "data: " + problem
    if not torch.equal(data, want.data):
        batch_major = torch.cat([x[: int(n), b] for b, n in enumerate(lengths)])
        if torch.equal(data, batch_major):
            return (
                "data is time-major: step 0 of every sequence first, then step 1 of those still running, ...; "
                "you concatenated whole sequences one after another"
            )
        return "data: the right rows in the wrong order, or wrong rows (compare with pack_padded_sequence(x, lengths).data)"
    return None


q3 = Exercise(
    name="07.3 pack by hand",
    answer="pack_by_hand",
    checker=_check_pack_by_hand,
    hint_text=(
        "batch_sizes[t] = how many lengths are > t, for t in range(max(lengths)) (x may be padded longer). "
        "data = step 0 of the first batch_sizes[0] sequences, then step 1 of the first batch_sizes[1], ...: "
        "torch.cat([x[t, :batch_sizes[t]] for t in range(len(batch_sizes))])."
    ),
    solution_code='''
def pack_by_hand(x, lengths):
    steps = torch.arange(int(lengths.max()))                                # not x.shape[0]: x may be longer
    batch_sizes = (lengths.unsqueeze(0) > steps.unsqueeze(1)).sum(dim=1)   # (max(lengths),)
    data = torch.cat([x[t, : batch_sizes[t]] for t in range(len(batch_sizes))])
    return data, batch_sizes
''',
    mistakes={
        "batch-major data": (
            "def pack_by_hand(x, lengths):\n"
            "    batch_sizes = (lengths.unsqueeze(0) > torch.arange(int(lengths.max())).unsqueeze(1)).sum(dim=1)\n"
            "    data = torch.cat([x[: int(n), b] for b, n in enumerate(lengths)])\n"
            "    return data, batch_sizes\n",
            "time-major",
        ),
        "batch_sizes = lengths": (
            "def pack_by_hand(x, lengths):\n"
            "    bs = (lengths.unsqueeze(0) > torch.arange(int(lengths.max())).unsqueeze(1)).sum(dim=1)\n"
            "    return torch.cat([x[t, : bs[t]] for t in range(len(bs))]), lengths\n",
            "still running",
        ),
        "one batch size per step of x": (
            "def pack_by_hand(x, lengths):\n"
            "    bs = (lengths.unsqueeze(0) > torch.arange(x.shape[0]).unsqueeze(1)).sum(dim=1)\n"
            "    return torch.cat([x[t, : bs[t]] for t in range(x.shape[0])]), bs\n",
            "max(lengths)",
        ),
        "kept the padding": (
            "def pack_by_hand(x, lengths):\n"
            "    bs = (lengths.unsqueeze(0) > torch.arange(int(lengths.max())).unsqueeze(1)).sum(dim=1)\n"
            "    return x.reshape(-1, x.shape[2]), bs\n",
            "no padding",
        ),
    },
)
