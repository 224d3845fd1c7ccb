"""Exercises of notebook 07 (padding and packing), each in a new setting: mean-pooling over the real
steps only, unpacking by hand, and reversing each sequence within its own length."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from ._core import Exercise, not_attempted

# lengths deliberately unsorted, mostly shorter than the longest, and 4 sequences (not the notebook's 3),
# so that "the last step" and "the true last step" differ and a hard-coded batch size fails.
_LENGTHS = torch.tensor([3, 6, 1, 4])


def _shape_problem(got, want_shape, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want_shape):
        return f"your result has shape {tuple(got.shape)}, expected {tuple(want_shape)} = {meaning}"
    return None


def _packed_output(seed: int, padding_value: float):
    """The padded output (T, batch, 2H) of a packed bidirectional nn.RNN (float64), pad positions = padding_value."""
    torch.manual_seed(seed)
    rnn = nn.RNN(3, 5, bidirectional=True, dtype=torch.float64)
    x = pad_sequence([torch.randn(int(n), 3, dtype=torch.float64) for n in _LENGTHS])
    with torch.no_grad():
        out_packed, _ = rnn(pack_padded_sequence(x, _LENGTHS, enforce_sorted=False))
    return pad_packed_sequence(out_packed, padding_value=padding_value)[0]


# --- 07.1 mean over the real steps --------------------------------------------------------------


def _check_masked_mean(fn):
    output = _packed_output(71, padding_value=7.0)  # pad positions hold 7.0, not 0: only the lengths tell
    T = output.shape[0]
    try:
        got = fn(output.clone(), _LENGTHS.clone())
    except RuntimeError as exc:
        if "must match the size" in str(exc):
            return (
                f"your answer raised RuntimeError ({exc}): a (T, batch) mask cannot multiply a (T, batch, features) "
                "tensor; give it a last axis of size 1, mask.unsqueeze(2), so it broadcasts over the features"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    want = torch.stack([output[: int(n), b].mean(dim=0) for b, n in enumerate(_LENGTHS)])
    problem = _shape_problem(got, want.shape, "(batch, features)")
    if problem:
        return problem
    if torch.allclose(got, want, atol=1e-12):
        return None
    lengths = _LENGTHS.unsqueeze(1).to(output.dtype)
    if torch.allclose(got, output.mean(dim=0), atol=1e-12):
        return (
            f"that is the mean over all T = {T} padded steps: it counts the pad positions and divides every "
            "sequence by T. Average over each sequence's own steps 0..L_b-1 only"
        )
    if torch.allclose(got, output.sum(dim=0) / lengths, atol=1e-12):
        return (
            "you divided by the lengths, but summed the pad positions too. They are not always zeros "
            "(pad_packed_sequence has a padding_value; an unpacked run writes states there): mask them out, "
            "mask[t, b] = t < lengths[b]"
        )
    mask = (torch.arange(T).unsqueeze(1) < _LENGTHS).unsqueeze(2)  # (T, batch, 1): the real steps
    masked_sum = (output * mask).sum(dim=0)                         # (batch, features): right so far
    if torch.allclose(got, masked_sum / T, atol=1e-12):
        return (
            f"you summed the real steps only (right), but divided every sequence by T = {T}; divide sequence b by "
            "its own length L_b, the number of steps you summed: lengths.unsqueeze(1)"
        )
    if torch.allclose(got, masked_sum, atol=1e-12):
        return "that is the sum over the real steps; a mean divides it by the number of steps, each sequence's own L_b"
    mask_le = (torch.arange(T).unsqueeze(1) <= _LENGTHS).unsqueeze(2)
    if torch.allclose(got, (output * mask_le).sum(0) / lengths, atol=1e-12) or torch.allclose(
            got, (output * mask_le).sum(0) / (lengths + 1), atol=1e-12):
        return "off by one: sequence b has real steps t = 0..L_b-1, so the mask is t < lengths, not t <="
    return "values differ from each sequence's mean over its real steps"


q1 = Exercise(
    name="07.1 mean over the real steps",
    answer="masked_mean",
    checker=_check_masked_mean,
    kind="function",
    hint_text=(
        "Build the mask of notebook 07, mask = torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0): (T, batch). "
        "Zero the pad positions with output * mask.unsqueeze(2), sum over time (dim 0), and divide each row by "
        "its own length, lengths.unsqueeze(1)."
    ),
    solution_code='''
def masked_mean(output, lengths):
    T = output.shape[0]
    mask = torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)   # (T, batch): real steps
    summed = (output * mask.unsqueeze(2)).sum(dim=0)              # (batch, features): pad positions left out
    return summed / lengths.unsqueeze(1)                          # each sequence by its own length
''',
    mistakes={
        "mean over all steps": (
            "def masked_mean(output, lengths):\n    return output.mean(dim=0)\n",
            "all T = 6 padded steps",
        ),
        "divided by lengths, padding summed": (
            "def masked_mean(output, lengths):\n    return output.sum(dim=0) / lengths.unsqueeze(1)\n",
            "mask them out",
        ),
        "mask without a feature axis": (
            "def masked_mean(output, lengths):\n"
            "    mask = torch.arange(output.shape[0]).unsqueeze(1) < lengths.unsqueeze(0)\n"
            "    return (output * mask).sum(dim=0) / lengths.unsqueeze(1)\n",
            "mask.unsqueeze(2)",
        ),
        "t <= lengths": (
            "def masked_mean(output, lengths):\n"
            "    mask = torch.arange(output.shape[0]).unsqueeze(1) <= lengths.unsqueeze(0)\n"
            "    return (output * mask.unsqueeze(2)).sum(dim=0) / lengths.unsqueeze(1)\n",
            "off by one",
        ),
        "masked sum divided by T": (
            "def masked_mean(output, lengths):\n"
            "    mask = torch.arange(output.shape[0]).unsqueeze(1) < lengths.unsqueeze(0)\n"
            "    return (output * mask.unsqueeze(2)).sum(dim=0) / output.shape[0]\n",
            "divided every sequence by T = 6",
        ),
    },
)


# --- 07.2 unpack by hand ------------------------------------------------------------------------


def _check_unpack_by_hand(fn):
    torch.manual_seed(72)
    lengths = torch.tensor([2, 5, 1, 3])  # sorted_indices [1, 3, 0, 2] is not its own inverse
    x = pad_sequence([torch.randn(int(n), 3) for n in lengths])  # (5, 4, 3)
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    got = fn(packed.data.clone(), packed.batch_sizes.clone(), packed.sorted_indices.clone())
    if not_attempted(got):
        raise NotImplementedError
    want = pad_packed_sequence(packed)[0]
    problem = _shape_problem(got, want.shape, "(max(lengths), batch, features)")
    if problem:
        return problem
    if torch.equal(got, want):
        return None
    if torch.equal(got, want[:, packed.sorted_indices]):
        return (
            "right rows, but in the SORTED order of packed.data (longest first). Put them back in the "
            "batch's own order with the inverse permutation, unsorted_indices = torch.argsort(sorted_indices): "
            "padded[:, unsorted_indices]"
        )
    if torch.equal(got, want[:, packed.sorted_indices][:, packed.sorted_indices]):
        return (
            "you applied sorted_indices a second time instead of undoing it: index with its inverse, "
            "torch.argsort(sorted_indices) (= packed.unsorted_indices)"
        )
    return (
        "values differ from pad_packed_sequence(packed)[0]. data is time-major: its first batch_sizes[0] rows are "
        "step 0 of the sequences in sorted order, the next batch_sizes[1] rows step 1 of the longest ones, ..."
    )


q2 = Exercise(
    name="07.2 unpack by hand",
    answer="unpack_by_hand",
    checker=_check_unpack_by_hand,
    kind="function",
    hint_text=(
        "T = len(batch_sizes) and batch = batch_sizes[0]. Start from zeros (T, batch, features); step t takes the "
        "next batch_sizes[t] rows of data into padded[t, :batch_sizes[t]] (sorted order: the longest first). "
        "Finally undo the sort: padded[:, torch.argsort(sorted_indices)]."
    ),
    solution_code='''
def unpack_by_hand(data, batch_sizes, sorted_indices):
    T, batch = len(batch_sizes), int(batch_sizes[0])
    padded = data.new_zeros(T, batch, data.shape[1])      # pad positions stay 0
    start = 0
    for t, n in enumerate(batch_sizes.tolist()):
        padded[t, :n] = data[start:start + n]              # step t of the n longest sequences (sorted order)
        start += n
    return padded[:, torch.argsort(sorted_indices)]        # back to the batch's own order
''',
    mistakes={
        "left in sorted order": (
            "def unpack_by_hand(data, batch_sizes, sorted_indices):\n"
            "    padded = data.new_zeros(len(batch_sizes), int(batch_sizes[0]), data.shape[1])\n"
            "    start = 0\n"
            "    for t, n in enumerate(batch_sizes.tolist()):\n"
            "        padded[t, :n] = data[start:start + n]\n"
            "        start += n\n"
            "    return padded\n",
            "SORTED order",
        ),
        "permuted with sorted_indices again": (
            "def unpack_by_hand(data, batch_sizes, sorted_indices):\n"
            "    padded = data.new_zeros(len(batch_sizes), int(batch_sizes[0]), data.shape[1])\n"
            "    start = 0\n"
            "    for t, n in enumerate(batch_sizes.tolist()):\n"
            "        padded[t, :n] = data[start:start + n]\n"
            "        start += n\n"
            "    return padded[:, sorted_indices]\n",
            "inverse",
        ),
        "read data batch-major": (
            "def unpack_by_hand(data, batch_sizes, sorted_indices):\n"
            "    T, batch = len(batch_sizes), int(batch_sizes[0])\n"
            "    lengths = (batch_sizes.unsqueeze(0) > torch.arange(batch).unsqueeze(1)).sum(dim=1)\n"
            "    padded = data.new_zeros(T, batch, data.shape[1])\n"
            "    start = 0\n"
            "    for b, n in enumerate(lengths.tolist()):\n"
            "        padded[:n, b] = data[start:start + n]\n"
            "        start += n\n"
            "    return padded[:, torch.argsort(sorted_indices)]\n",
            "time-major",
        ),
    },
)


# --- 07.3 reverse each sequence within its length ---------------------------------------------


def _check_reverse_padded(fn):
    torch.manual_seed(73)
    x = pad_sequence([torch.randn(int(n), 2) for n in _LENGTHS], padding_value=-9.0)  # (6, 4, 2), pads = -9
    original = x.clone()
    got = fn(x, _LENGTHS.clone())
    if not_attempted(got):
        raise NotImplementedError
    if not torch.equal(x, original):
        return "your function changed x in place: build a new tensor (x.clone(), or gather into a new one)"
    want = x.clone()
    for b, n in enumerate(_LENGTHS.tolist()):
        want[:n, b] = x[:n, b].flip(0)
    problem = _shape_problem(got, want.shape, "(T, batch, features), the same as x")
    if problem:
        return problem
    if torch.equal(got, want):
        return None
    if torch.equal(got, x.flip(0)):
        return (
            "x.flip(0) reverses the padding too: a sequence of length L_b then starts with T - L_b pad steps. "
            "Reverse only the first L_b steps of sequence b, and leave its padding where it is"
        )
    real = torch.arange(x.shape[0]).unsqueeze(1) < _LENGTHS  # (T, batch)
    if torch.equal(got[real], want[real]):
        return "the real steps are right, but the pad positions changed: leave x's padding as it is"
    return "sequence b should read x[L_b - 1, b], x[L_b - 2, b], ..., x[0, b], then its padding unchanged"


q3 = Exercise(
    name="07.3 reverse each sequence within its length",
    answer="reverse_padded",
    checker=_check_reverse_padded,
    kind="function",
    hint_text=(
        "Per sequence: out[:L_b, b] = x[:L_b, b].flip(0), padding copied unchanged (start from x.clone()). "
        "Or without a loop: src[t, b] = L_b - 1 - t where t < L_b, else t, then x.gather(0, src[..., None].expand_as(x))."
    ),
    solution_code='''
def reverse_padded(x, lengths):
    out = x.clone()                                  # padding stays where it is
    for b, n in enumerate(lengths.tolist()):
        out[:n, b] = x[:n, b].flip(0)                # the real steps of sequence b, last first
    return out
''',
    mistakes={
        "flipped the whole time axis": (
            "def reverse_padded(x, lengths):\n    return x.flip(0)\n",
            "reverses the padding too",
        ),
        "padding zeroed": (
            "def reverse_padded(x, lengths):\n"
            "    out = torch.zeros_like(x)\n"
            "    for b, n in enumerate(lengths.tolist()):\n"
            "        out[:n, b] = x[:n, b].flip(0)\n"
            "    return out\n",
            "pad positions changed",
        ),
        "reversed in place": (
            "def reverse_padded(x, lengths):\n"
            "    for b, n in enumerate(lengths.tolist()):\n"
            "        x[:n, b] = x[:n, b].flip(0)\n"
            "    return x\n",
            "in place",
        ),
        "off by one": (
            "def reverse_padded(x, lengths):\n"
            "    out = x.clone()\n"
            "    for b, n in enumerate(lengths.tolist()):\n"
            "        out[:n - 1, b] = x[:n - 1, b].flip(0)\n"
            "    return out\n",
            "L_b - 1",
        ),
    },
)
