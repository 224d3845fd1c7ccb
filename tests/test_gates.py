"""lstm_gates / gru_gates: every gate of one layer at every step, against a step-by-step reference and nn.LSTM / nn.GRU."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnn_helpers import get_layer_weights, gru_gates, lstm_gates

F64 = torch.float64
TOL = dict(atol=1e-10, rtol=1e-10)  # float64: rounding differences are ~1e-16


def _lstm_reference(x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """The gates of every step, written out from nn.LSTM's docstring equations."""
    record = {k: [] for k in "ifgoch"}
    for t in range(x.shape[0]):
        i, f, g, o = (x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        if w_hr is not None:
            h = h @ w_hr.T
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            record[k].append(v)
    return {k: torch.stack(v) for k, v in record.items()}


def _gru_reference(x, h, w_ih, w_hh, b_ih, b_hh):
    record = {k: [] for k in "rznh"}
    for t in range(x.shape[0]):
        gi_r, gi_z, gi_n = (x[t] @ w_ih.T + b_ih).chunk(3, dim=1)
        gh_r, gh_z, gh_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
        r, z = (gi_r + gh_r).sigmoid(), (gi_z + gh_z).sigmoid()
        n = (gi_n + r * gh_n).tanh()
        h = (1 - z) * n + z * h
        for k, v in zip("rznh", (r, z, n, h)):
            record[k].append(v)
    return {k: torch.stack(v) for k, v in record.items()}


@settings(max_examples=25, deadline=None)
@given(seq_len=st.integers(1, 5), batch=st.integers(1, 3), input_size=st.integers(1, 4),
       hidden=st.integers(2, 5), proj=st.booleans(), with_state=st.booleans(), seed=st.integers(0, 2**16))
def test_lstm_gates_equal_the_step_by_step_reference_and_nn_lstm(seq_len, batch, input_size, hidden, proj,
                                                                   with_state, seed):
    torch.manual_seed(seed)
    proj_size = hidden - 1 if proj else 0
    lstm = nn.LSTM(input_size, hidden, proj_size=proj_size, dtype=F64)
    x = torch.randn(seq_len, batch, input_size, dtype=F64)
    h0 = torch.randn(batch, proj_size or hidden, dtype=F64) if with_state else torch.zeros(batch, proj_size or hidden, dtype=F64)
    c0 = torch.randn(batch, hidden, dtype=F64) if with_state else torch.zeros(batch, hidden, dtype=F64)
    weights = [p.detach() for p in get_layer_weights(lstm)]
    gates = lstm_gates(x, (h0, c0) if with_state else None, *weights)
    want = _lstm_reference(x, h0, c0, *weights)
    assert list(gates) == list("ifgoch")
    for k in "ifgoch":
        torch.testing.assert_close(gates[k], want[k], **TOL)
    output, (h_n, c_n) = lstm(x, (h0[None], c0[None]))
    torch.testing.assert_close(gates["h"], output.detach(), **TOL)
    torch.testing.assert_close(gates["c"][-1], c_n[0].detach(), **TOL)


@settings(max_examples=25, deadline=None)
@given(seq_len=st.integers(1, 5), batch=st.integers(1, 3), input_size=st.integers(1, 4),
       hidden=st.integers(1, 5), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_gru_gates_equal_the_step_by_step_reference_and_nn_gru(seq_len, batch, input_size, hidden, bias, seed):
    torch.manual_seed(seed)
    gru = nn.GRU(input_size, hidden, bias=bias, dtype=F64)
    x = torch.randn(seq_len, batch, input_size, dtype=F64)
    h0 = torch.randn(batch, hidden, dtype=F64)
    weights = [p.detach() if p is not None else None for p in get_layer_weights(gru)]
    gates = gru_gates(x, h0, *weights)
    zeros = torch.zeros(3 * hidden, dtype=F64)
    want = _gru_reference(x, h0, weights[0], weights[1], weights[2] if bias else zeros, weights[3] if bias else zeros)
    assert list(gates) == list("rznh")
    for k in "rznh":
        torch.testing.assert_close(gates[k], want[k], **TOL)
    torch.testing.assert_close(gates["h"], gru(x, h0[None])[0].detach(), **TOL)


def test_gates_are_detached_and_leave_the_parameters_alone():
    lstm = nn.LSTM(2, 3, dtype=F64)
    before = [p.clone() for p in lstm.parameters()]
    gates = lstm_gates(torch.randn(4, 1, 2, dtype=F64), None, *get_layer_weights(lstm))
    assert not any(v.requires_grad for v in gates.values())
    assert all(torch.equal(a, b) for a, b in zip(before, lstm.parameters()))
    assert ((gates["f"] > 0) & (gates["f"] < 1)).all() and (gates["g"].abs() < 1).all()


def test_bad_input_is_refused_with_expected_and_actual():
    lstm, gru = nn.LSTM(2, 3), nn.GRU(2, 3)
    x = torch.randn(4, 1, 2)
    with pytest.raises(TypeError, match=r"pair \(h, c\)"):
        lstm_gates(x, torch.zeros(1, 3), *get_layer_weights(lstm))
    with pytest.raises(ValueError, match=r"c0: expected shape \(1, 3\), got \(1, 4\)"):
        lstm_gates(x, (torch.zeros(1, 3), torch.zeros(1, 4)), *get_layer_weights(lstm))
    with pytest.raises(ValueError, match=r"x: expected shape \(seq_len, batch, 2\), got \(4, 1, 5\)"):
        gru_gates(torch.randn(4, 1, 5), None, *get_layer_weights(gru))
    with pytest.raises(ValueError, match=r"w_ih: expected 3 \* hidden_size rows .* got 8 rows"):
        gru_gates(x, None, *get_layer_weights(nn.LSTM(2, 2)))   # an LSTM's (4 * 2)-row weights
