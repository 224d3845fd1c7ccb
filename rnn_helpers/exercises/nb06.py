"""Exercises of notebook 06 (bidirectional RNNs), each in a new setting: final states of a batch-first
output, both directions' input projections in one matmul, and what a two-layer bidirectional output has seen."""

from __future__ import annotations

import torch
from torch import nn

from .. import get_layer_weights, seen_steps
from ._core import Exercise, not_attempted
from .nb05 import _CountMatmuls


def _shape_problem(got, want, meaning: str) -> str | None:
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__}"
    if tuple(got.shape) != tuple(want.shape):
        return f"your result has shape {tuple(got.shape)}, expected {tuple(want.shape)} = {meaning}"
    return None


# --- 06.1 final states from a batch-first output ----------------------------------------------


def _check_final_states_batch_first(fn):
    torch.manual_seed(61)
    batch, seq_len, hidden = 3, 6, 4
    rnn = nn.RNN(2, hidden, num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        output, h_n = rnn(torch.randn(batch, seq_len, 2, dtype=torch.float64))  # output: (batch, seq_len, 2H)
    got = fn(output.clone(), hidden)
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (forward_final, backward_final)"
    H = hidden
    for part, name in zip(got, ("forward_final", "backward_final")):
        if isinstance(part, torch.Tensor) and tuple(part.shape) == (seq_len, H):
            return (
                f"{name} has shape {tuple(part.shape)} = (seq_len, hidden_size): you indexed dim 0 as time, "
                "but output is batch-first, (batch, seq_len, 2 * hidden_size): time is dim 1, so step t is "
                "output[:, t]"
            )
        problem = _shape_problem(part, h_n[-1], "(batch, hidden_size)")
        if problem:
            return f"{name}: {problem}"
    fwd, bwd = got
    close = lambda a, b: torch.allclose(a, b, atol=1e-12)  # noqa: E731
    if not close(fwd, h_n[-2]):
        if close(fwd, output[:, 0, :H]):
            return "forward_final: the forward direction finishes at the LAST step: output[:, -1, :hidden_size]"
        if close(fwd, output[:, -1, H:]) or close(fwd, output[:, 0, H:]):
            return "forward_final: you took the backward half; the forward half is output[..., :hidden_size]"
        return "forward_final differs from the top layer's h_n[-2]"
    if not close(bwd, h_n[-1]):
        if close(bwd, output[:, -1, H:]):
            return (
                "backward_final: the backward half of output[:, -1] has only seen the last step; the backward "
                "direction finishes at position 0: output[:, 0, hidden_size:]"
            )
        if close(bwd, output[:, 0, :H]) or close(bwd, output[:, -1, :H]):
            return "backward_final: you took the forward half; the backward half is output[..., hidden_size:]"
        return "backward_final differs from the top layer's h_n[-1]"
    return None


q1 = Exercise(
    name="06.1 final states from a batch-first output",
    answer="final_states_batch_first",
    checker=_check_final_states_batch_first,
    kind="function",
    hint_text=(
        "Batch-first puts time in dim 1: output[:, t] is step t. The forward direction finishes after the last "
        "step, the backward one after step 0. So: output[:, -1, :hidden_size] and output[:, 0, hidden_size:]."
    ),
    solution_code='''
def final_states_batch_first(output, hidden_size):
    # output: (batch, seq_len, 2 * hidden_size); time is dim 1
    return output[:, -1, :hidden_size], output[:, 0, hidden_size:]
''',
    mistakes={
        "indexed time in dim 0": (
            "def final_states_batch_first(output, hidden_size):\n"
            "    return output[-1, :, :hidden_size], output[0, :, hidden_size:]\n",
            "time is dim 1",
        ),
        "the last step for both": (
            "def final_states_batch_first(output, hidden_size):\n"
            "    return output[:, -1, :hidden_size], output[:, -1, hidden_size:]\n",
            "only seen the last step",
        ),
        "halves swapped": (
            "def final_states_batch_first(output, hidden_size):\n"
            "    return output[:, -1, hidden_size:], output[:, 0, :hidden_size]\n",
            "you took the backward half",
        ),
        "forward from position 0": (
            "def final_states_batch_first(output, hidden_size):\n"
            "    return output[:, 0, :hidden_size], output[:, 0, hidden_size:]\n",
            "finishes at the LAST step",
        ),
    },
)


# --- 06.2 both directions' input projections in one matmul -------------------------------------


def _bidir_variant(x, h0, fwd, bwd, flip_store=False, bwd_h0=1, swap=False):
    """A bidirectional layer (hand-written), or one typical slip: (output, h_n)."""
    outs, lasts = [], []
    for w, start, reverse in ((fwd, h0[0], False), (bwd, h0[bwd_h0], True)):
        h, steps = start, []
        for t in reversed(range(len(x))) if reverse else range(len(x)):
            h = torch.tanh(x[t] @ w[0].T + w[2] + h @ w[1].T + w[3])
            steps.append(h)
        out = torch.stack(steps)
        outs.append(out if not reverse or flip_store else out.flip(0))
        lasts.append(h)
    if swap:
        outs, lasts = outs[::-1], lasts[::-1]
    return torch.cat(outs, dim=2), torch.stack(lasts)


_BIDIR_SLIPS = (
    ({"flip_store": True},
     "the backward half is in walking order: position t must hold the state computed while reading step t "
     "(store at index t, or flip the backward outputs back)"),
    ({"bwd_h0": 0}, "the backward direction must start from h0[1]; h0[0] is the forward direction's"),
    ({"swap": True}, "the halves are swapped: output[t] = [forward, backward], and h_n = [forward, backward]"),
)


def _check_bidirectional_layer(fn):
    torch.manual_seed(62)
    seq_len, batch, inp, hidden = 5, 3, 6, 4  # all different, so every shape slip shows
    rnn = nn.RNN(inp, hidden, bidirectional=True, dtype=torch.float64)
    fwd = tuple(p.detach() for p in get_layer_weights(rnn, 0))
    bwd = tuple(p.detach() for p in get_layer_weights(rnn, 0, reverse=True))
    x = torch.randn(seq_len, batch, inp, dtype=torch.float64)
    h0 = torch.randn(2, batch, hidden, dtype=torch.float64)
    counter = _CountMatmuls()
    with counter:
        got = fn(x, h0, fwd, bwd)
    if not_attempted(got):
        raise NotImplementedError
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return a pair (output, h_n)"
    out, h_n = got
    with torch.no_grad():
        want_out, want_h_n = rnn(x, h0)
    for name, value, want, meaning in (("output", out, want_out, "(seq_len, batch, 2 * hidden_size)"),
                                       ("h_n", h_n, want_h_n, "(2, batch, hidden_size)")):
        problem = _shape_problem(value, want, meaning)
        if problem:
            return f"{name}: {problem}"
    if not (torch.allclose(out, want_out, atol=1e-10) and torch.allclose(h_n, want_h_n, atol=1e-10)):
        for variant, message in _BIDIR_SLIPS:
            v_out, v_h_n = _bidir_variant(x, h0, fwd, bwd, **variant)
            if torch.allclose(out, v_out, atol=1e-10):
                return message
        if torch.allclose(out, want_out, atol=1e-10):
            return "output is right, h_n is not: h_n[1] is the backward state after step 0, output[0, :, hidden_size:]"
        return "values differ from nn.RNN(bidirectional=True): check both biases, the transposes and each walk"
    whole = sum(1 for shapes in counter.products if (seq_len, batch, inp) in shapes or (seq_len * batch, inp) in shapes)
    per_step = sum(1 for shapes in counter.products if (batch, inp) in shapes)
    if per_step:
        return "right values, but an input projection is inside a loop (a matmul with x[t]): hoist it before the loops"
    if whole >= 2:
        return (
            "right values, and the projections are hoisted, but as two matmuls. Make them one: stack the two "
            "w_ih along the OUTPUT axis, torch.cat([w_ih_f, w_ih_b], dim=0): (2 * hidden_size, input_size), "
            "then split the result's last dimension into the forward and backward halves"
        )
    return None


q2 = Exercise(
    name="06.2 both directions in one input matmul",
    answer="bidirectional_layer",
    checker=_check_bidirectional_layer,
    kind="function",
    hint_text=(
        "Both directions read the same x, so their input projections can be one product: "
        "w_both = cat([fwd[0], bwd[0]], dim=0) is (2H, input), b_both = cat([fwd[2] + fwd[3], bwd[2] + bwd[3]]), "
        "projected = x @ w_both.T + b_both is (seq_len, batch, 2H). The forward walk uses projected[t, :, :H] "
        "from h0[0]; the backward walk goes t = T-1 .. 0 with projected[t, :, H:] from h0[1], storing at t."
    ),
    solution_code='''
def bidirectional_layer(x, h0, fwd, bwd):
    H = fwd[1].shape[0]
    w_both = torch.cat([fwd[0], bwd[0]], dim=0)              # (2H, input): stacked along the output axis
    b_both = torch.cat([fwd[2] + fwd[3], bwd[2] + bwd[3]])   # (2H,)
    projected = x @ w_both.T + b_both                        # (seq_len, batch, 2H): ONE matmul
    h_f, h_b = h0[0], h0[1]
    out_f, out_b = [None] * len(x), [None] * len(x)
    for t in range(len(x)):                                  # forward walk
        h_f = torch.tanh(projected[t, :, :H] + h_f @ fwd[1].T)
        out_f[t] = h_f
    for t in reversed(range(len(x))):                        # backward walk, stored at t
        h_b = torch.tanh(projected[t, :, H:] + h_b @ bwd[1].T)
        out_b[t] = h_b
    output = torch.cat([torch.stack(out_f), torch.stack(out_b)], dim=2)
    return output, torch.stack([h_f, h_b])
''',
    mistakes={
        "two projection matmuls": (
            '''
def bidirectional_layer(x, h0, fwd, bwd):
    outs, lasts = [], []
    for (w_ih, w_hh, b_ih, b_hh), h, steps in ((fwd, h0[0], range(len(x))), (bwd, h0[1], reversed(range(len(x))))):
        projected = x @ w_ih.T + b_ih + b_hh
        out = [None] * len(x)
        for t in steps:
            h = torch.tanh(projected[t] + h @ w_hh.T)
            out[t] = h
        outs.append(torch.stack(out))
        lasts.append(h)
    return torch.cat(outs, dim=2), torch.stack(lasts)
''',
            "OUTPUT axis",
        ),
        "backward stored in walking order": (
            '''
def bidirectional_layer(x, h0, fwd, bwd):
    H = fwd[1].shape[0]
    projected = x @ torch.cat([fwd[0], bwd[0]]).T + torch.cat([fwd[2] + fwd[3], bwd[2] + bwd[3]])
    h_f, h_b, out_f, out_b = h0[0], h0[1], [], []
    for t in range(len(x)):
        h_f = torch.tanh(projected[t, :, :H] + h_f @ fwd[1].T)
        out_f.append(h_f)
    for t in reversed(range(len(x))):
        h_b = torch.tanh(projected[t, :, H:] + h_b @ bwd[1].T)
        out_b.append(h_b)
    return torch.cat([torch.stack(out_f), torch.stack(out_b)], dim=2), torch.stack([h_f, h_b])
''',
            "walking order",
        ),
        "backward starts from h0[0]": (
            '''
def bidirectional_layer(x, h0, fwd, bwd):
    H = fwd[1].shape[0]
    projected = x @ torch.cat([fwd[0], bwd[0]]).T + torch.cat([fwd[2] + fwd[3], bwd[2] + bwd[3]])
    h_f, h_b = h0[0], h0[0]
    out_f, out_b = [None] * len(x), [None] * len(x)
    for t in range(len(x)):
        h_f = torch.tanh(projected[t, :, :H] + h_f @ fwd[1].T)
        out_f[t] = h_f
    for t in reversed(range(len(x))):
        h_b = torch.tanh(projected[t, :, H:] + h_b @ bwd[1].T)
        out_b[t] = h_b
    return torch.cat([torch.stack(out_f), torch.stack(out_b)], dim=2), torch.stack([h_f, h_b])
''',
            "start from h0[1]",
        ),
        "not hoisted": (
            '''
def bidirectional_layer(x, h0, fwd, bwd):
    h_f, h_b = h0[0], h0[1]
    out_f, out_b = [None] * len(x), [None] * len(x)
    for t in range(len(x)):
        h_f = torch.tanh(x[t] @ fwd[0].T + fwd[2] + h_f @ fwd[1].T + fwd[3])
        out_f[t] = h_f
    for t in reversed(range(len(x))):
        h_b = torch.tanh(x[t] @ bwd[0].T + bwd[2] + h_b @ bwd[1].T + bwd[3])
        out_b[t] = h_b
    return torch.cat([torch.stack(out_f), torch.stack(out_b)], dim=2), torch.stack([h_f, h_b])
''',
            "inside a loop",
        ),
    },
)


# --- 06.3 what a two-layer bidirectional output has seen ---------------------------------------

_T = 5


def _measured_two_layers() -> dict[str, torch.Tensor]:
    """Nudge each input step of a 2-layer bidirectional nn.RNN; record which top-layer outputs change."""
    torch.manual_seed(63)
    hidden = 3
    rnn = nn.RNN(2, hidden, num_layers=2, bidirectional=True, dtype=torch.float64)
    x = torch.randn(_T, 1, 2, dtype=torch.float64)
    seen = {d: torch.zeros(_T, _T, dtype=torch.bool) for d in ("forward", "backward")}
    with torch.no_grad():
        base = rnn(x)[0]
        for s in range(_T):
            nudged = x.clone()
            nudged[s] += 1.0
            changed = (rnn(nudged)[0] - base).abs()[:, 0] > 1e-12  # (T, 2H)
            seen["forward"][:, s] = changed[:, :hidden].any(dim=1)
            seen["backward"][:, s] = changed[:, hidden:].any(dim=1)
    return seen


def _check_seen_two_layers(answer):
    if all(not_attempted(v) for v in answer.values()):
        raise NotImplementedError
    if sorted(answer) != ["backward", "forward"]:
        return f"answer with a dict with the keys 'forward' and 'backward', got the keys {sorted(answer)}"
    got = {}
    for key, value in answer.items():
        if not_attempted(value):
            return f"{key}: not answered yet (replace the ...)"
        try:
            value = torch.as_tensor(value)
        except (TypeError, ValueError, RuntimeError):
            return f"{key}: expected a ({_T}, {_T}) tensor of True/False, got {type(value).__name__} {value!r}"
        if tuple(value.shape) != (_T, _T):
            return f"{key}: expected a ({_T}, {_T}) tensor (rows: output position t, columns: input step s), got shape {tuple(value.shape)}"
        got[key] = value.bool()
    want = _measured_two_layers()
    if all(torch.equal(got[d], want[d]) for d in got):
        return None
    one_layer = seen_steps(_T)
    if all(torch.equal(got[d], one_layer[d]) for d in got):
        return (
            "that is the ONE-layer picture of section 3. Here layer 1 reads layer 0's output, and layer 0's "
            "backward half at position u has already read steps u..T-1 (its forward half steps 0..u). "
            "Which input steps can then reach layer 1's forward state at t?"
        )
    if all(torch.equal(got[d], one_layer[d].T) for d in got):
        return "rows are output positions t and columns input steps s (seen[t, s]); and think again about layer 1"
    wrong = [d for d in ("forward", "backward") if not torch.equal(got[d], want[d])]
    return (
        f"your {' and '.join(wrong)} grid{'s differ' if len(wrong) > 1 else ' differs'} from what nudging a real "
        "2-layer bidirectional nn.RNN shows. For each (t, s): "
        "is there a path from input step s through layer 0 (either direction) to layer 1's output at t?"
    )


q3 = Exercise(
    name="06.3 what a two-layer bidirectional output has seen",
    answer="seen_two_layers",
    checker=_check_seen_two_layers,
    kind="dict",
    hint_text=(
        "Layer 1's forward state at t reads layer 0's outputs at 0..t. Layer 0's output at position 0 holds a "
        "backward half that has read steps 0..T-1. So which steps can reach layer 1 at t? The same argument "
        "works for layer 1's backward half. You can also measure it, as section 3 did, with num_layers=2."
    ),
    solution_code='''
T = 5
seen_two_layers = {
    "forward": torch.ones(T, T, dtype=torch.bool),   # layer 0's backward half at position 0 has seen everything
    "backward": torch.ones(T, T, dtype=torch.bool),  # layer 0's forward half at position T-1 has too
}
''',
    mistakes={
        "the one-layer triangles": (
            "T = 5\n"
            "seen_two_layers = {'forward': torch.ones(T, T, dtype=torch.bool).tril(),\n"
            "                   'backward': torch.ones(T, T, dtype=torch.bool).triu()}\n",
            "ONE-layer picture",
        ),
        "triangles transposed": (
            "T = 5\n"
            "seen_two_layers = {'forward': torch.ones(T, T, dtype=torch.bool).triu(),\n"
            "                   'backward': torch.ones(T, T, dtype=torch.bool).tril()}\n",
            "rows are output positions",
        ),
        "only the backward half sees everything": (
            "T = 5\n"
            "seen_two_layers = {'forward': torch.ones(T, T, dtype=torch.bool).tril(),\n"
            "                   'backward': torch.ones(T, T, dtype=torch.bool)}\n",
            "forward grid differs",
        ),
        "half answered": (
            "seen_two_layers = {'forward': torch.ones(5, 5, dtype=torch.bool), 'backward': ...}\n",
            "backward: not answered yet",
        ),
    },
)
