"""rnn_backward (hand-written BPTT) against autograd, for nn.RNN and ManualRNN."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

import rnn_helpers
from rnn_helpers import rnn_backward
from rnn_helpers.backward import rnn_layer_backward

ManualRNN = getattr(rnn_helpers, "ManualRNN", None)

ATOL = RTOL = 1e-10  # float64: rounding differences are ~1e-15 (see rnn_helpers/compare.py)

configs = st.fixed_dictionaries(
    {
        "input_size": st.integers(1, 5),
        "hidden_size": st.integers(1, 5),
        "num_layers": st.integers(1, 3),
        "seq_len": st.integers(1, 6),
        "batch": st.integers(1, 3),
        "nonlinearity": st.sampled_from(["tanh", "relu"]),
        "bias": st.booleans(),
        "batch_first": st.booleans(),
        "bidirectional": st.booleans(),
        "with_hx": st.booleans(),
        "zero_grad_h_n": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


def _make(c, cls=nn.RNN):
    torch.manual_seed(c["seed"])
    return cls(
        c["input_size"], c["hidden_size"], c["num_layers"], nonlinearity=c["nonlinearity"], bias=c["bias"],
        batch_first=c["batch_first"], bidirectional=c["bidirectional"], dtype=torch.float64,
    )


def _data(c):
    dirs = 2 if c["bidirectional"] else 1
    seq_first = (c["seq_len"], c["batch"])
    lead = seq_first[::-1] if c["batch_first"] else seq_first
    x = torch.randn(*lead, c["input_size"], dtype=torch.float64)
    state = (c["num_layers"] * dirs, c["batch"], c["hidden_size"])
    hx = torch.randn(*state, dtype=torch.float64) if c["with_hx"] else None
    grad_output = torch.randn(*lead, dirs * c["hidden_size"], dtype=torch.float64)
    grad_h_n = torch.zeros(*state, dtype=torch.float64) if c["zero_grad_h_n"] else torch.randn(*state, dtype=torch.float64)
    return x, hx, grad_output, grad_h_n


def _autograd(rnn, x, hx, grad_output, grad_h_n):
    """The reference: the same gradients from autograd, keyed like rnn_backward's dict."""
    x = x.clone().requires_grad_()
    h = (torch.zeros(grad_h_n.shape, dtype=x.dtype) if hx is None else hx.clone()).requires_grad_()
    output, h_n = rnn(x, h)
    loss = (output * grad_output).sum() + (h_n * grad_h_n).sum()  # upstream gradients exactly as given
    names, params = zip(*rnn.named_parameters())
    grads = torch.autograd.grad(loss, (*params, x, h), allow_unused=True)
    return dict(zip((*names, "input", "hx"), grads))


def _assert_all_match(got, want):
    assert set(got) == set(want), f"keys differ: {sorted(set(got) ^ set(want))}"
    for name, expected in want.items():
        if expected is None:  # autograd: unused (cannot happen for an RNN, but be explicit)
            expected = torch.zeros_like(got[name])
        assert got[name].shape == expected.shape, f"{name}: shape {tuple(got[name].shape)} != {tuple(expected.shape)}"
        torch.testing.assert_close(got[name], expected, atol=ATOL, rtol=RTOL, msg=lambda m, n=name: f"{n}: {m}")


@given(configs)
def test_rnn_backward_matches_autograd_on_nn_rnn(c):
    rnn = _make(c)
    x, hx, grad_output, grad_h_n = _data(c)
    got = rnn_backward(rnn, x, hx, grad_output, grad_h_n)
    _assert_all_match(got, _autograd(rnn, x, hx, grad_output, grad_h_n))
    assert got["input"].shape == x.shape  # batch_first layout kept
    assert not any(g.requires_grad for g in got.values()), "rnn_backward must not build an autograd graph"


@pytest.mark.skipif(ManualRNN is None, reason="rnn_helpers.ManualRNN not available")
@given(configs)
def test_rnn_backward_matches_autograd_on_manual_rnn(c):
    reference = _make(c)
    manual = _make(c, ManualRNN)
    manual.load_state_dict(reference.state_dict())
    x, hx, grad_output, grad_h_n = _data(c)
    got = rnn_backward(manual, x, hx, grad_output, grad_h_n)
    _assert_all_match(got, _autograd(manual, x, hx, grad_output, grad_h_n))  # autograd through the manual loop
    _assert_all_match(got, _autograd(reference, x, hx, grad_output, grad_h_n))  # and through nn.RNN


def test_rnn_backward_runs_without_autograd(monkeypatch):
    rnn = nn.RNN(3, 4, 2, bidirectional=True, dtype=torch.float64)
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    grad_output = torch.randn(5, 2, 8, dtype=torch.float64)

    def forbidden(*args, **kwargs):
        raise AssertionError("rnn_backward must not use autograd")

    with monkeypatch.context() as patch, torch.autograd.set_grad_enabled(True):
        patch.setattr(torch.autograd, "grad", forbidden)
        patch.setattr(torch.autograd, "backward", forbidden)
        patch.setattr(torch.Tensor, "backward", forbidden)
        got = rnn_backward(rnn, x, None, grad_output, None)
    assert all(p.grad is None for p in rnn.parameters()), "rnn_backward must not call .backward()"
    want = _autograd(rnn, x, None, grad_output, torch.zeros(4, 2, 4, dtype=torch.float64))
    _assert_all_match(got, want)  # None for grad_h_n means zeros, and hx=None means a zero state


def test_eval_mode_dropout_is_accepted():
    rnn = nn.RNN(3, 4, 2, dropout=0.5, dtype=torch.float64).eval()
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    grad_output, grad_h_n = torch.randn(4, 2, 4, dtype=torch.float64), torch.randn(2, 2, 4, dtype=torch.float64)
    _assert_all_match(rnn_backward(rnn, x, None, grad_output, grad_h_n), _autograd(rnn, x, None, grad_output, grad_h_n))


def test_one_layer_backward_in_reverse_matches_autograd():
    torch.manual_seed(1)
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    h0 = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    weights = rnn_helpers.LayerWeights(
        *(torch.randn(*s, dtype=torch.float64, requires_grad=True) for s in [(5, 3), (5, 5), (5,), (5,)])
    )
    output, h_n = rnn_helpers.rnn_layer(x, h0, *weights, reverse=True)
    grad_output, grad_h_n = torch.randn_like(output), torch.randn_like(h_n)
    want = torch.autograd.grad((output * grad_output).sum() + (h_n * grad_h_n).sum(), (h0, *weights))
    _, grad_h0, grads = rnn_layer_backward(x, h0.detach(), weights, output.detach(), grad_output, grad_h_n, reverse=True)
    for got, expected in zip((grad_h0, *grads), want):
        torch.testing.assert_close(got, expected, atol=ATOL, rtol=RTOL)


@pytest.fixture
def setup():
    rnn = nn.RNN(3, 4, 2, bidirectional=True, batch_first=True, dtype=torch.float64)
    x = torch.randn(2, 5, 3, dtype=torch.float64)  # (batch, seq_len, input_size)
    return rnn, x, torch.randn(2, 5, 8, dtype=torch.float64), torch.randn(4, 2, 4, dtype=torch.float64)


def test_wrong_grad_output_shape_names_expected_and_actual(setup):
    rnn, x, grad_output, grad_h_n = setup
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(2, 5, 8\).*got \(5, 2, 8\)"):
        rnn_backward(rnn, x, None, grad_output.transpose(0, 1), grad_h_n)
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(2, 5, 8\).*got \(2, 5, 4\)"):
        rnn_backward(rnn, x, None, grad_output[..., :4], grad_h_n)


def test_wrong_grad_h_n_shape_names_expected_and_actual(setup):
    rnn, x, grad_output, grad_h_n = setup
    with pytest.raises(ValueError, match=r"grad_h_n: expected shape \(4, 2, 4\).*got \(2, 4, 4\)"):
        rnn_backward(rnn, x, None, grad_output, grad_h_n.transpose(0, 1))


def test_wrong_input_and_hx_shapes_are_refused(setup):
    rnn, x, grad_output, grad_h_n = setup
    with pytest.raises(ValueError, match=r"input: expected"):
        rnn_backward(rnn, x[..., :2], None, grad_output, grad_h_n)
    with pytest.raises(ValueError, match=r"hx: expected shape \(4, 2, 4\).*got \(2, 4, 4\)"):
        rnn_backward(rnn, x, torch.zeros(2, 4, 4, dtype=torch.float64), grad_output, grad_h_n)


def test_training_mode_dropout_is_refused():
    rnn = nn.RNN(3, 4, 2, dropout=0.5, dtype=torch.float64)  # modules start in training mode
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"dropout=0.5 in training mode.*rnn.eval\(\)"):
        rnn_backward(rnn, x, None, torch.zeros(4, 2, 4, dtype=torch.float64), None)


# --- the LSTM, by hand ----------------------------------------------------------------------------


def _lstm_reference(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    """A plain-ops LSTM loop (independent of the package), keeping every h_t and c_t for their gradients."""
    h, c, hs, cs = h0, c0, [], []
    for x_t in x:
        i, f, g, o = (x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        h.retain_grad()
        c.retain_grad()
        hs.append(h)
        cs.append(c)
    return hs, cs


@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_layer_backward_matches_autograd_with_the_state_gradients_of_every_step(seed):
    torch.manual_seed(seed)
    lstm = nn.LSTM(3, 4, dtype=torch.float64)
    x = torch.randn(6, 2, 3, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    grad_output = torch.randn(6, 2, 4, dtype=torch.float64)
    grad_h_n, grad_c_n = torch.randn(2, 4, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    weights = [p for p in lstm.parameters()]
    hs, cs = _lstm_reference(x, h0, c0, *weights)
    output, (h_n, c_n) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    torch.testing.assert_close(torch.stack(hs), output, atol=ATOL, rtol=RTOL)  # the reference is nn.LSTM
    loss = (torch.stack(hs) * grad_output).sum() + (hs[-1] * grad_h_n).sum() + (cs[-1] * grad_c_n).sum()
    loss.backward()

    with torch.no_grad():
        grad_x, (grad_h0, grad_c0), grads, (dh, dc) = rnn_helpers.lstm_layer_backward(
            x, (h0, c0), rnn_helpers.get_layer_weights(lstm), grad_output, grad_h_n, grad_c_n,
            return_state_grads=True)
    names = ("w_ih", "w_hh", "b_ih", "b_hh")
    expected = {"x": x.grad, "h0": h0.grad, "c0": c0.grad, **{n: p.grad for n, p in zip(names, weights)}}
    got = {"x": grad_x, "h0": grad_h0, "c0": grad_c0, **dict(zip(names, grads))}
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], atol=ATOL, rtol=RTOL, msg=lambda m, n=name: f"{n}: {m}")
    torch.testing.assert_close(dh, torch.stack([h.grad for h in hs]), atol=ATOL, rtol=RTOL)
    torch.testing.assert_close(dc, torch.stack([c.grad for c in cs]), atol=ATOL, rtol=RTOL)


def test_lstm_layer_backward_refuses_wrong_shapes():
    w = rnn_helpers.get_layer_weights(nn.LSTM(3, 4))
    x = torch.randn(5, 2, 3)
    with pytest.raises(ValueError, match=r"grad_output: expected shape \(5, 2, 4\), got \(5, 2, 3\)"):
        rnn_helpers.lstm_layer_backward(x, None, w, torch.zeros(5, 2, 3))
    with pytest.raises(ValueError, match=r"grad_c_n: expected a 2-D tensor of shape \(2, 4\), got a 1-D tensor of shape \(4,\)"):
        rnn_helpers.lstm_layer_backward(x, None, w, torch.zeros(5, 2, 4), None, torch.zeros(4))
