"""The layer engine: its schedule over packed rows, packing by hand, and the hand-written backward (gradcheck)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_helpers.cells import GRU, LSTM, Elman
from rnn_helpers.engine import LayerFunction, pack_rows, schedule, unpack_rows

lengths_lists = st.lists(st.integers(1, 6), min_size=1, max_size=5)


def _sizes(lengths):
    return [sum(n > t for n in lengths) for t in range(max(lengths))]


@given(lengths_lists, st.booleans())
def test_schedule_visits_every_step_once_and_carries_only_running_rows(lengths, reverse):
    sizes = _sizes(sorted(lengths, reverse=True))
    order, carried = schedule(sizes, reverse)
    assert sorted(order) == list(range(len(sizes)))
    assert order == sorted(order, reverse=reverse)
    assert carried[0] == 0
    for k in range(1, len(order)):
        # a row continues only if it ran at the previous visit and runs at this one
        assert carried[k] == min(sizes[order[k]], sizes[order[k - 1]])
    # every sequence starts from the initial state exactly once
    fresh = sum(sizes[t] - c for t, c in zip(order, carried))
    assert fresh == len(lengths)


@given(lengths_lists, st.integers(0, 2))
def test_pack_rows_is_pack_padded_sequence_by_hand(lengths, extra_steps):
    seq_len, batch = max(lengths) + extra_steps, len(lengths)
    x = torch.randn(seq_len, batch, 3, dtype=torch.float64)
    data, sizes, order = pack_rows(x, torch.tensor(lengths))
    packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
    assert sizes == packed.batch_sizes.tolist()
    assert torch.equal(order, packed.sorted_indices)
    assert torch.equal(data, packed.data)
    back = unpack_rows(data, sizes, order, seq_len)
    real = torch.arange(seq_len).unsqueeze(1) < torch.tensor(lengths).unsqueeze(0)
    assert torch.equal(back[real], x[real]) and torch.all(back[~real] == 0)


def test_pack_rows_without_lengths_is_a_view():
    x = torch.randn(4, 2, 3)
    data, sizes, order = pack_rows(x, None)
    assert sizes == [2, 2, 2, 2] and order is None and data.data_ptr() == x.data_ptr()
    assert torch.equal(unpack_rows(data, sizes, None, 4), x)


CELLS = {"tanh": Elman("tanh"), "relu": Elman("relu"), "LSTM": LSTM(), "GRU": GRU()}


@pytest.mark.parametrize(("name", "proj"), [(name, 0) for name in CELLS] + [("LSTM", 2)])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("lengths", [[3, 3], [4, 2, 1]])
def test_layer_function_passes_gradcheck(name, proj, reverse, lengths):
    """The hand-written backward against finite differences, every input at once (float64)."""
    cell = CELLS[name]
    hidden, inputs, batch = 3, 2, len(lengths)
    sizes = _sizes(lengths)
    gates = cell.gates * hidden
    width = proj or hidden
    g = torch.Generator().manual_seed(0)

    def param(*shape):
        return (0.6 * torch.randn(*shape, generator=g, dtype=torch.float64)).requires_grad_()

    x = param(sum(sizes), inputs)
    weights = [param(gates, inputs), param(gates, width), param(gates), param(gates), param(proj, hidden) if proj else None]
    state0 = [param(batch, w) for w in cell.state_sizes(hidden, proj)]
    if name == "relu":  # keep pre-activations away from relu's kink, where finite differences are meaningless
        with torch.no_grad():
            weights[2].add_(2.0)

    def run(x, *rest):
        w = list(rest[:4]) + ([rest[4]] if proj else [None])
        return LayerFunction.apply(cell, sizes, reverse, x, *w, *rest[4 + bool(proj):])

    tensors = [x, *[w for w in weights if w is not None], *state0]
    assert torch.autograd.gradcheck(run, tensors, eps=1e-6, atol=1e-7, rtol=1e-5)


def test_with_ties_rnn_forward_draws_the_same_dropout_masks_as_a_packed_nn_rnn():
    """pack_rows sorts exactly as pack_padded_sequence does, so even among equal lengths (where no order
    is promised) the rows, and so the dropout masks drawn over them, come in PyTorch's order."""
    from torch import nn
    from torch.nn.utils.rnn import pad_packed_sequence

    from rnn_helpers import get_weights, rnn_forward

    torch.manual_seed(0)
    lengths = torch.tensor([3] * 10 + [5] * 10 + [2] * 5)
    rnn = nn.RNN(3, 4, num_layers=2, dropout=0.5, dtype=torch.float64)
    x = torch.randn(5, len(lengths), 3, dtype=torch.float64)
    torch.manual_seed(1)
    packed_out, h_n = rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
    expected, _ = pad_packed_sequence(packed_out, total_length=5)
    torch.manual_seed(1)
    out, ours = rnn_forward(x, get_weights(rnn), dropout=0.5, training=True, lengths=lengths)
    torch.testing.assert_close(out, expected, atol=1e-10, rtol=1e-10)
    torch.testing.assert_close(ours, h_n, atol=1e-10, rtol=1e-10)
