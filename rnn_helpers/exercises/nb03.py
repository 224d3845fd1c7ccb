"""Exercises of notebook 03: carry the state across chunks; h_n from output in either layout; what a change reaches."""

from __future__ import annotations

import torch
from torch import nn

from ._core import Exercise, not_attempted

_F64 = torch.float64

# ---------------------------------------------------------------------------------------------
# 03.1  A long sequence in chunks: the state carries over
# ---------------------------------------------------------------------------------------------
_CHUNKS_HEAD = "def run_in_chunks(rnn, x, chunk_len):\n"


def _recording(rnn: nn.RNN, calls: list[int]):
    """Make ``rnn(...)`` record the number of steps of every input it is called on."""
    forward = rnn.forward

    def recorded(input, hx=None):
        calls.append(int(input.shape[0]))
        return forward(input, hx)

    rnn.forward = recorded


def _check_one_chunking(fn, num_layers: int, seq_len: int, batch: int, chunk_len: int) -> str | None:
    rnn = nn.RNN(3, 5, num_layers=num_layers, dtype=_F64)
    x = torch.randn(seq_len, batch, 3, dtype=_F64)  # (seq_len, batch, input_size)
    with torch.no_grad():
        want_out, want_hn = rnn(x)
    calls: list[int] = []
    _recording(rnn, calls)
    try:
        with torch.no_grad():
            got = fn(rnn, x.clone(), chunk_len)
    except RuntimeError as exc:
        if "Sizes of tensors must match" in str(exc):
            return "joining the chunks failed: join them along time (the chunks differ in length), torch.cat(outputs, dim=0)"
        if "Expected hidden size" in str(exc):
            return (
                f"the state you passed on as h0 has the wrong shape ({exc}). The next chunk needs every "
                "layer's last state, (num_layers, batch, hidden_size): that is h_n, not output[-1]"
            )
        raise
    if not_attempted(got):
        raise NotImplementedError
    if not calls:
        return "call rnn(chunk, h) on each chunk: the checker counts the calls, and saw none"
    if max(calls) > chunk_len:
        return (
            f"one call of rnn received {max(calls)} steps; run it on at most chunk_len = {chunk_len} steps at "
            "a time (x.split(chunk_len) cuts x along time)"
        )
    if not isinstance(got, (tuple, list)) or len(got) != 2 or not all(isinstance(g, torch.Tensor) for g in got):
        return "return a pair of tensors (output, h_n), as rnn(x) does"
    out, h_n = (g.detach() for g in got)
    if tuple(out.shape) != tuple(want_out.shape):
        if out.shape[1:] == want_out.shape[1:] and out.shape[0] < seq_len:
            return (
                f"output has {out.shape[0]} step{'s' * (out.shape[0] != 1)}, expected {seq_len}: keep every "
                "chunk's output and join them "
                "along time, torch.cat(outputs, dim=0)"
            )
        if out.shape[0] < seq_len and out.shape[1] > batch:
            return "you joined the chunks along dim 1 (batch): join them along time, torch.cat(outputs, dim=0)"
        return f"output has shape {tuple(out.shape)}, expected {tuple(want_out.shape)} = (seq_len, batch, hidden_size)"
    if tuple(h_n.shape) != tuple(want_hn.shape):
        return f"h_n has shape {tuple(h_n.shape)}, expected {tuple(want_hn.shape)} = (num_layers, batch, hidden_size)"
    # the chunked run computes the same sums in slightly different groupings: float64 rounding only
    if torch.allclose(out, want_out, atol=1e-10, rtol=1e-10):
        if torch.allclose(h_n, want_hn, atol=1e-10, rtol=1e-10):
            return None
        return "output is right but h_n is not: return the h_n of the LAST chunk, the state after the last step"
    first = min(chunk_len, seq_len)
    if torch.allclose(out[:first], want_out[:first], atol=1e-10, rtol=1e-10):
        return (
            "the first chunk is right, the later ones are not: each chunk must start from the state the "
            "previous chunk ended in. Pass h_n of one chunk as the h0 of the next (the first starts from None)"
        )
    return "output differs from rnn(x): run the chunks in order, x[0:chunk_len] first, carrying h_n along"


def _check_chunks(fn) -> str | None:
    torch.manual_seed(301)
    # chunk_len 3 does not divide 7: the last chunk is shorter. Two layers: h0 needs both rows.
    for num_layers, seq_len, batch, chunk_len in ((1, 7, 2, 3), (2, 7, 4, 3), (2, 6, 3, 6)):
        problem = _check_one_chunking(fn, num_layers, seq_len, batch, chunk_len)
        if problem is not None:
            if num_layers > 1:
                return f"(with num_layers={num_layers}) {problem}"
            return problem
    return None


q1 = Exercise(
    name="03.1 a long sequence in chunks",
    answer="run_in_chunks",
    checker=_check_chunks,
    hint_text=(
        "x.split(chunk_len) cuts x along dim 0 (time) into chunks of at most chunk_len steps. Start with "
        "h = None; for each chunk: out, h = rnn(chunk, h). The h you get back is h_n, every layer's state "
        "after the chunk's last step: exactly what the next chunk must start from. Keep each out and return "
        "(torch.cat(outs, dim=0), h)."
    ),
    solution_code="""
def run_in_chunks(rnn, x, chunk_len):
    outs, h = [], None                     # h = None: the first chunk starts from zeros
    for chunk in x.split(chunk_len):       # chunk: (at most chunk_len, batch, input_size)
        out, h = rnn(chunk, h)             # h: (num_layers, batch, hidden_size), carried on
        outs.append(out)
    return torch.cat(outs, dim=0), h       # (seq_len, batch, hidden_size), (num_layers, batch, hidden_size)
""",
    mistakes={
        "every chunk from zeros": (
            _CHUNKS_HEAD + "    outs = []\n"
            "    for chunk in x.split(chunk_len):\n"
            "        out, h = rnn(chunk)\n"
            "        outs.append(out)\n"
            "    return torch.cat(outs), h\n",
            "start from the state the previous chunk ended in",
        ),
        "carried output[-1] instead of h_n": (
            _CHUNKS_HEAD + "    outs, h = [], None\n"
            "    for chunk in x.split(chunk_len):\n"
            "        out, h_n = rnn(chunk, h)\n"
            "        h = out[-1:]\n"
            "        outs.append(out)\n"
            "    return torch.cat(outs), h_n\n",
            "that is h_n, not output[-1]",
        ),
        "the whole sequence at once": ("def run_in_chunks(rnn, x, chunk_len):\n    return rnn(x)\n", "at most chunk_len"),
        "joined along the batch axis": (
            _CHUNKS_HEAD + "    outs, h = [], None\n"
            "    for chunk in x.split(chunk_len):\n"
            "        out, h = rnn(chunk, h)\n"
            "        outs.append(out)\n"
            "    return torch.cat(outs, dim=1), h\n",
            "along time",
        ),
        "only the last chunk's output": (
            _CHUNKS_HEAD + "    h = None\n"
            "    for chunk in x.split(chunk_len):\n"
            "        out, h = rnn(chunk, h)\n"
            "    return out, h\n",
            "keep every chunk's output",
        ),
    },
    kind="function",
)


# ---------------------------------------------------------------------------------------------
# 03.2  h_n from output, in either layout
# ---------------------------------------------------------------------------------------------
_HN_HEAD = "def h_n_from_output(output, batch_first):\n"


def _check_h_n_from_output(fn) -> str | None:
    torch.manual_seed(302)
    # (3, 3): batch == seq_len, so output[-1] has the right shape by accident
    for batch_first in (False, True):
        for batch, seq_len in ((2, 5), (3, 3)):
            rnn = nn.RNN(3, 4, batch_first=batch_first, dtype=_F64)
            shape = (batch, seq_len, 3) if batch_first else (seq_len, batch, 3)
            with torch.no_grad():
                output, want = rnn(torch.randn(*shape, dtype=_F64))
            got = fn(output.clone(), batch_first)
            if not_attempted(got):
                raise NotImplementedError
            if not isinstance(got, torch.Tensor):
                return f"return a tensor shaped like h_n, got {type(got).__name__}"
            layout = "batch_first=True" if batch_first else "batch_first=False"
            got_shape, want_shape = tuple(got.shape), tuple(want.shape)
            if got_shape == want_shape and torch.equal(got, want):
                continue
            time_axis = 1 if batch_first else 0
            last_step = output.select(time_axis, -1)  # (batch, hidden_size)
            first_step = output.select(time_axis, 0)
            if got_shape == tuple(last_step.shape) and torch.equal(got, last_step):
                return (
                    f"({layout}) right values, but h_n keeps a layer axis in front: (num_layers, batch, "
                    f"hidden_size) = {want_shape}. Add it: .unsqueeze(0)"
                )
            if batch_first and got_shape == (batch, 1, 4) and torch.equal(got[:, 0], last_step):
                return (
                    f"({layout}) your h_n is batch-first, {got_shape}; h_n is never batch-first: "
                    f"(num_layers, batch, hidden_size) = {want_shape}"
                )
            wrong_axis = output.select(1 - time_axis, -1)  # the last step along the wrong axis
            if got.numel() == wrong_axis.numel() and torch.equal(got.reshape(wrong_axis.shape), wrong_axis):
                if batch_first:
                    return (
                        f"({layout}) output[-1] is the last SEQUENCE of the batch (all its steps), not the last "
                        "step: with batch_first=True the time axis of output is dim 1"
                    )
                return (
                    f"({layout}) output[:, -1] is the last SEQUENCE of the batch, not the last step: without "
                    "batch_first the time axis of output is dim 0"
                )
            if got.numel() == first_step.numel() and torch.equal(got.reshape(first_step.shape), first_step):
                return f"({layout}) that is the FIRST step; h_n is the state after the LAST step"
            if got_shape != want_shape:
                return f"({layout}) your h_n has shape {got_shape}, expected {want_shape} = (num_layers, batch, hidden_size)"
            return f"({layout}) right shape, other values: take the last step along the time axis"
    return None


q2 = Exercise(
    name="03.2 h_n from output, in either layout",
    answer="h_n_from_output",
    checker=_check_h_n_from_output,
    hint_text=(
        "Which axis of output is time? Dim 0 without batch_first, dim 1 with it. Take the last step along "
        "that axis, which gives (batch, hidden_size), then put h_n's layer axis in front: (1, batch, "
        "hidden_size). h_n is never batch-first."
    ),
    solution_code="""
def h_n_from_output(output, batch_first):
    last = output[:, -1] if batch_first else output[-1]   # (batch, hidden_size): the last step
    return last.unsqueeze(0)                              # (1, batch, hidden_size), like h_n
""",
    mistakes={
        "output[-1] in both layouts": (_HN_HEAD + "    return output[-1].unsqueeze(0)\n", "time axis of output is dim 1"),
        "output[:, -1] in both layouts": (_HN_HEAD + "    return output[:, -1].unsqueeze(0)\n", "time axis of output is dim 0"),
        "no layer axis": (
            _HN_HEAD + "    return output[:, -1] if batch_first else output[-1]\n",
            "keeps a layer axis in front",
        ),
        "a batch-first h_n": (
            _HN_HEAD + "    return output[:, -1:] if batch_first else output[-1:]\n",
            "never batch-first",
        ),
        "the first step": (
            _HN_HEAD + "    return (output[:, 0] if batch_first else output[0]).unsqueeze(0)\n",
            "FIRST step",
        ),
    },
    kind="function",
)


# ---------------------------------------------------------------------------------------------
# 03.3  What does a change of one input reach?
# ---------------------------------------------------------------------------------------------
# nn.RNN(4, 3) on x: (6, 2, 4). We change x[2, 0], step 2 of sequence 0, and run it again.
_Q3_SEQ, _Q3_BATCH, _Q3_STEP = 6, 2, 2
_Q3_KEYS = ("steps", "other_sequence_changes")


def _q3_truth() -> tuple[list[int], bool]:
    """Run the experiment: which steps of output[:, 0] change, and does output[:, 1] change?"""
    torch.manual_seed(303)
    rnn = nn.RNN(4, 3, dtype=_F64)
    x = torch.randn(_Q3_SEQ, _Q3_BATCH, 4, dtype=_F64)
    changed = x.clone()
    changed[_Q3_STEP, 0] += 1.0
    with torch.no_grad():
        before, _ = rnn(x)
        after, _ = rnn(changed)
    differs = (before != after).any(dim=-1)  # (seq_len, batch)
    steps = [t for t in range(_Q3_SEQ) if bool(differs[t, 0])]
    return steps, bool(differs[:, 1].any())


def _as_steps(steps) -> list[int] | None:
    """The step numbers as a sorted list of ints, from a list, tuple, set, range or integer tensor; else None."""
    if isinstance(steps, torch.Tensor):
        if steps.dtype.is_floating_point or steps.dtype == torch.bool or steps.dim() > 1:
            return None
        steps = steps.tolist()
    if isinstance(steps, (str, bytes, dict)) or not hasattr(steps, "__iter__"):
        return None
    steps = list(steps)
    if not all(isinstance(t, int) and not isinstance(t, bool) for t in steps):
        return None
    return sorted(set(steps))


def _check_what_changes(answer) -> str | None:
    if set(answer) != set(_Q3_KEYS):
        return f"answer with a dict with exactly the keys {list(_Q3_KEYS)}"
    steps, other = answer["steps"], answer["other_sequence_changes"]
    if steps is Ellipsis and other is Ellipsis:
        raise NotImplementedError
    got = _as_steps(steps)
    if got is None:
        return f'"steps": step numbers (ints) in a list, a range or a tensor, e.g. [0, 1]; you wrote {steps!r}'
    if not isinstance(other, bool):
        return f'"other_sequence_changes": True or False; you wrote {other!r}'
    want_steps, want_other = _q3_truth()
    if got != want_steps:
        if any(t < _Q3_STEP for t in got):
            return (
                f"steps before {_Q3_STEP} cannot change: the RNN reads the sequence left to right, and "
                f"output[0] .. output[{_Q3_STEP - 1}] were computed before x[{_Q3_STEP}] was read"
            )
        if got == [_Q3_STEP]:
            return (
                f"the change does not stop at step {_Q3_STEP}: h_{_Q3_STEP} is fed into step {_Q3_STEP + 1}, "
                "and so on, so every later state carries it"
            )
        if any(t >= _Q3_SEQ for t in got):
            return f"the sequence has {_Q3_SEQ} steps, numbered 0 to {_Q3_SEQ - 1}"
        if _Q3_STEP not in got and all(t in got for t in want_steps if t != _Q3_STEP):
            return (
                f"step {_Q3_STEP} itself is missing: output[{_Q3_STEP}] = h_{_Q3_STEP} is computed from the changed "
                f"x[{_Q3_STEP}], so it changes first"
            )
        return f"which states are computed from h_{_Q3_STEP}, directly or through the states after it?"
    if other != want_other:
        return (
            "sequences of a batch never mix: row b of h_t is computed from row b of x_t and of h_{t-1} only, "
            "so output[:, 1] does not change"
        )
    return None


q3 = Exercise(
    name="03.3 what a change of one input reaches",
    answer="changes",
    checker=_check_what_changes,
    hint_text=(
        "Follow the arrows of the loop: x_t enters h_t, and h_t enters h_{t+1}. Which h_t can x[2] reach, and "
        "which were computed before it was read? For the other sequence: does any matrix product mix row 0 "
        "with row 1?"
    ),
    solution_code="""
changes = {
    "steps": [2, 3, 4, 5],             # x[2] enters h_2, and h_2 is carried into every later step
    "other_sequence_changes": False,   # row 1 of every h_t only ever meets row 1 of x_t and h_{t-1}
}
""",
    mistakes={
        "only the step itself": ('changes = {"steps": [2], "other_sequence_changes": False}\n', "does not stop"),
        "every step": ('changes = {"steps": [0, 1, 2, 3, 4, 5], "other_sequence_changes": False}\n', "left to right"),
        "the batch mixes": ('changes = {"steps": [2, 3, 4, 5], "other_sequence_changes": True}\n', "never mix"),
        "the changed step left out": (
            'changes = {"steps": [3, 4, 5], "other_sequence_changes": False}\n',
            "step 2 itself is missing",
        ),
        "counted from 1": ('changes = {"steps": [3, 4, 5, 6], "other_sequence_changes": False}\n', "numbered 0 to 5"),
    },
    kind="dict",
)

__all__ = ["q1", "q2", "q3"]
