"""rnn_helpers.training: the generated tasks, RNNWithHead, and the training loop of notebook 11."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils import parameters_to_vector

from rnn_helpers import ManualGRU, ManualLSTM, ManualRNN
from rnn_helpers.training import FREQ_RANGE, ManualAdam, RNNWithHead, echo_batch, noisy_sine, train

F64 = torch.float64


# --- noisy_sine -------------------------------------------------------------------------


def test_noisy_sine_shapes_dtype_and_reproducibility():
    series, clean = noisy_sine(5, 12, generator=torch.Generator().manual_seed(3))
    assert series.shape == clean.shape == (13, 5, 1)
    assert series.dtype == clean.dtype == F64
    again, _ = noisy_sine(5, 12, generator=torch.Generator().manual_seed(3))
    assert torch.equal(series, again), "the same generator seed must give the same data"
    other, _ = noisy_sine(5, 12, generator=torch.Generator().manual_seed(4))
    assert not torch.equal(series, other)
    assert noisy_sine(2, 3, dtype=torch.float32)[0].dtype == torch.float32


def test_noisy_sine_clean_part_is_a_sine_in_the_frequency_range():
    series, clean = noisy_sine(64, 20, noise=0.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(series, clean), "noise=0 must return the clean sine"
    assert clean.abs().max() <= 1
    # A sine satisfies s_{t+1} + s_{t-1} = 2 cos(freq) s_t: recover cos(freq) per sequence.
    c = clean[..., 0]
    ratio = (c[2:] + c[:-2]) / (2 * c[1:-1])
    mask = c[1:-1].abs() > 0.3   # avoid dividing by values near 0
    cos_freq = torch.stack([ratio[mask[:, b], b].median() for b in range(c.shape[1])])
    freq = torch.arccos(cos_freq)
    low, high = FREQ_RANGE
    assert ((freq > low - 1e-9) & (freq < high + 1e-9)).all()


def test_noisy_sine_noise_has_the_requested_size():
    series, clean = noisy_sine(512, 40, noise=0.1, generator=torch.Generator().manual_seed(1))
    std = (series - clean).std().item()
    assert abs(std - 0.1) < 0.005


@pytest.mark.parametrize("kwargs", [dict(batch=0, seq_len=3), dict(batch=2, seq_len=0), dict(batch=2, seq_len=3, noise=-1)])
def test_noisy_sine_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        noisy_sine(**kwargs)


# --- echo_batch -------------------------------------------------------------------------


@given(seq_len=st.integers(1, 12), data=st.data())
def test_echo_target_is_the_value_delay_steps_before_the_last(seq_len, data):
    delay = data.draw(st.integers(0, seq_len - 1))
    x, y = echo_batch(4, seq_len, delay, generator=torch.Generator().manual_seed(seq_len))
    assert x.shape == (seq_len, 4, 1) and y.shape == (4, 1)
    assert torch.equal(y, x[seq_len - 1 - delay])
    assert x.min() >= -1 and x.max() <= 1


@pytest.mark.parametrize("delay", [-1, 5, 6, 1.0])
def test_echo_rejects_a_delay_outside_the_sequence(delay):
    with pytest.raises(ValueError, match="delay"):
        echo_batch(2, 5, delay)


# --- RNNWithHead ------------------------------------------------------------------------


def test_head_on_every_step_and_on_the_final_state():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5, num_layers=2, dtype=F64)
    x = torch.randn(7, 4, 3, dtype=F64)
    output, h_n = rnn(x)
    every = RNNWithHead(rnn, out_features=2)
    assert every.head.weight.dtype == F64 and every.head.in_features == 5
    assert torch.equal(every(x), every.head(output))
    assert every(x).shape == (7, 4, 2)
    last = RNNWithHead(rnn, head=every.head, every_step=False)
    assert torch.equal(last(x), every.head(h_n[-1]))      # the top layer, not h_n[0]
    assert not torch.allclose(last(x), every.head(h_n[0]))
    assert last(x).shape == (4, 2)


def test_head_with_batch_first_and_bidirectional():
    torch.manual_seed(1)
    rnn = nn.RNN(2, 3, batch_first=True, bidirectional=True, dtype=F64)
    x = torch.randn(4, 6, 2, dtype=F64)   # (batch, seq_len, input_size)
    output, h_n = rnn(x)
    every = RNNWithHead(rnn)
    assert every.head.in_features == 6
    assert torch.equal(every(x), every.head(output)) and every(x).shape == (4, 6, 1)
    last = RNNWithHead(rnn, head=every.head, every_step=False)
    assert torch.equal(last(x), every.head(torch.cat([h_n[-2], h_n[-1]], dim=-1)))


def test_head_of_the_wrong_width_is_rejected():
    with pytest.raises(ValueError, match="in_features"):
        RNNWithHead(nn.RNN(2, 3), head=nn.Linear(4, 1))


def test_state_dict_moves_between_nn_rnn_and_manual_rnn_models():
    torch.manual_seed(2)
    reference = RNNWithHead(nn.RNN(1, 4, dtype=F64))
    manual = RNNWithHead(ManualRNN(1, 4, dtype=F64))
    assert list(reference.state_dict()) == list(manual.state_dict())
    manual.load_state_dict(reference.state_dict())
    x = torch.randn(5, 3, 1, dtype=F64)
    torch.testing.assert_close(manual(x), reference(x), atol=1e-12, rtol=1e-12)


def test_head_on_an_lstm_reads_h_n_not_the_cell_state():
    torch.manual_seed(7)
    lstm = nn.LSTM(2, 4, num_layers=2, dtype=F64)
    x = torch.randn(6, 3, 2, dtype=F64)
    output, (h_n, c_n) = lstm(x)
    last = RNNWithHead(lstm, every_step=False)
    assert torch.equal(last(x), last.head(h_n[-1]))
    assert not torch.allclose(last(x), last.head(c_n[-1]))
    every = RNNWithHead(lstm, head=last.head)
    assert torch.equal(every(x), last.head(output))
    h0, c0 = torch.randn(2, 3, 4, dtype=F64), torch.randn(2, 3, 4, dtype=F64)
    assert torch.equal(last(x, (h0, c0)), last.head(lstm(x, (h0, c0))[1][0][-1]))


def test_head_on_a_projected_bidirectional_lstm_reads_both_directions_proj_size_wide():
    torch.manual_seed(8)
    lstm = nn.LSTM(2, 5, proj_size=3, bidirectional=True, dtype=F64)
    x = torch.randn(4, 2, 2, dtype=F64)
    model = RNNWithHead(lstm, every_step=False)
    assert model.head.in_features == 6
    _, (h_n, _) = lstm(x)
    assert torch.equal(model(x), model.head(torch.cat([h_n[-2], h_n[-1]], dim=-1)))


def test_head_on_a_gru_and_state_dicts_move_to_the_manual_gated_cells():
    torch.manual_seed(9)
    x = torch.randn(5, 3, 2, dtype=F64)
    for torch_class, manual_class in [(nn.GRU, ManualGRU), (nn.LSTM, ManualLSTM)]:
        reference = RNNWithHead(torch_class(2, 4, dtype=F64), every_step=False)
        manual = RNNWithHead(manual_class(2, 4, dtype=F64), every_step=False)
        assert list(reference.state_dict()) == list(manual.state_dict())
        manual.load_state_dict(reference.state_dict())
        torch.testing.assert_close(manual(x), reference(x), atol=1e-12, rtol=1e-12)


# --- train ------------------------------------------------------------------------------


def _sine_batches(n, seed=0, batch=16, seq_len=20):
    gen = torch.Generator().manual_seed(seed)
    return [(s[:-1], s[1:]) for s, _ in (noisy_sine(batch, seq_len, generator=gen) for _ in range(n))]


def test_train_is_the_hand_written_gradient_descent_step():
    torch.manual_seed(3)
    model = RNNWithHead(nn.RNN(1, 6, dtype=F64))
    twin = RNNWithHead(nn.RNN(1, 6, dtype=F64))
    twin.load_state_dict(model.state_dict())
    batches = _sine_batches(3)
    lr = 0.1
    want = []
    for x, y in batches:
        model.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        want.append(loss.item())
    got = train(twin, batches, lr=lr)
    assert got == want
    assert torch.equal(parameters_to_vector(twin.parameters()), parameters_to_vector(model.parameters()))


def test_train_makes_the_update_of_torch_optim_sgd():
    torch.manual_seed(4)
    model = RNNWithHead(nn.RNN(1, 6, dtype=F64))
    twin = RNNWithHead(nn.RNN(1, 6, dtype=F64))
    twin.load_state_dict(model.state_dict())
    batches = _sine_batches(5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    want = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        want.append(loss.item())
    got = train(twin, batches, lr=0.2)
    torch.testing.assert_close(torch.tensor(got, dtype=F64), torch.tensor(want, dtype=F64), atol=0, rtol=1e-12)
    torch.testing.assert_close(parameters_to_vector(twin.parameters()), parameters_to_vector(model.parameters()),
                               atol=1e-12, rtol=1e-12)


def test_train_learns_the_sine():
    torch.manual_seed(0)
    model = RNNWithHead(nn.RNN(1, 16, dtype=F64))
    losses = train(model, _sine_batches(80), lr=0.2)
    assert len(losses) == 80 and all(isinstance(v, float) for v in losses)
    assert sum(losses[-10:]) / 10 < losses[0] / 4
    test_series, _ = noisy_sine(256, 20, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        test_loss = F.mse_loss(model(test_series[:-1]), test_series[1:]).item()
    repeat_last = F.mse_loss(test_series[:-1], test_series[1:]).item()
    assert test_loss < repeat_last / 1.5


def test_manual_rnn_trains_exactly_as_nn_rnn():
    """The notebook's claim, as a test: same start, same batches, same losses to 1e-8 relative."""
    torch.manual_seed(5)
    reference = RNNWithHead(nn.RNN(1, 8, dtype=F64))
    manual = RNNWithHead(ManualRNN(1, 8, dtype=F64))
    manual.load_state_dict(reference.state_dict())
    batches = _sine_batches(40, seed=5)
    want = train(reference, batches, lr=0.2)
    got = train(manual, batches, lr=0.2)
    torch.testing.assert_close(torch.tensor(got, dtype=F64), torch.tensor(want, dtype=F64), atol=0, rtol=1e-8)
    torch.testing.assert_close(parameters_to_vector(manual.parameters()), parameters_to_vector(reference.parameters()),
                               atol=1e-8, rtol=1e-8)


def test_train_rejects_a_prediction_that_would_broadcast():
    torch.manual_seed(6)
    model = RNNWithHead(nn.RNN(1, 4, dtype=F64), every_step=False)   # predicts (batch, 1)
    x, y = echo_batch(8, 5, 1)
    with pytest.raises(ValueError, match=r"\(8, 1\).*\(8,\)"):
        train(model, [(x, y[:, 0])], lr=0.1)                           # target (batch,)


def test_train_prints_progress_every_n_steps(capsys):
    torch.manual_seed(7)
    model = RNNWithHead(nn.RNN(1, 4, dtype=F64))
    losses = train(model, _sine_batches(6), lr=0.1, print_every=3, label="m ")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"m step    3: loss {losses[2]:.4f}", f"m step    6: loss {losses[5]:.4f}"]
    assert not any(math.isnan(v) for v in losses)


@pytest.mark.parametrize("kwargs", [dict(lr=0), dict(lr=-0.1), dict(lr=0.1, print_every=0)])
def test_train_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        train(RNNWithHead(nn.RNN(1, 2)), [], **kwargs)


# --- ManualAdam ---------------------------------------------------------------------------------


def _echo_batches(n, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [echo_batch(8, 6, 2, generator=gen) for _ in range(n)]


@pytest.mark.parametrize("rnn_class", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("kwargs", [{"lr": 0.03}, {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}, {}])
def test_manual_adam_makes_the_steps_of_torch_optim_adam(rnn_class, kwargs):
    torch.manual_seed(10)
    model = RNNWithHead(rnn_class(1, 5, dtype=F64), every_step=False)
    twin = RNNWithHead(rnn_class(1, 5, dtype=F64), every_step=False)
    twin.load_state_dict(model.state_dict())
    reference, manual = torch.optim.Adam(model.parameters(), **kwargs), ManualAdam(twin.parameters(), **kwargs)
    start = parameters_to_vector(twin.parameters()).detach().clone()
    for x, y in _echo_batches(25):
        for net, optimizer in ((model, reference), (twin, manual)):
            optimizer.zero_grad()
            F.mse_loss(net(x), y).backward()
            optimizer.step()
    torch.testing.assert_close(parameters_to_vector(twin.parameters()), parameters_to_vector(model.parameters()),
                               atol=1e-12, rtol=1e-12)
    moved = (parameters_to_vector(twin.parameters()) - start).abs().max().item()
    assert moved > 1e-3, "25 steps must move the parameters, or the comparison proves nothing"


def test_manual_adam_by_the_formula_and_a_parameter_without_gradient_waits():
    p, q = torch.tensor([1.0, -2.0], dtype=F64, requires_grad=True), torch.tensor([3.0], dtype=F64, requires_grad=True)
    adam = ManualAdam([p, q], lr=0.1, betas=(0.5, 0.75), eps=1e-3)
    grads = [torch.tensor([0.4, -1.0], dtype=F64), torch.tensor([2.0, 0.5], dtype=F64)]
    m = v = torch.zeros(2, dtype=F64)
    want = p.detach().clone()
    for t, g in enumerate(grads, start=1):
        adam.zero_grad()
        assert p.grad is None
        p.grad = g.clone()                                       # q has no gradient: it must not move
        adam.step()
        m, v = 0.5 * m + 0.5 * g, 0.75 * v + 0.25 * g**2
        want = want - 0.1 * (m / (1 - 0.5**t)) / ((v / (1 - 0.75**t)).sqrt() + 1e-3)
        torch.testing.assert_close(p.detach(), want, atol=1e-14, rtol=1e-14)
    assert q.item() == 3.0 and adam.steps == [2, 0]
    q.grad = torch.tensor([1.0], dtype=F64)
    adam.step()                                                  # q's first step: t = 1 for q
    assert adam.steps == [3, 1]
    torch.testing.assert_close(q.detach(), torch.tensor([3.0 - 0.1 / (1 + 1e-3)], dtype=F64), atol=1e-14, rtol=1e-14)


def test_manual_adam_trains_an_lstm_exactly_as_a_manual_lstm():
    """The notebook-15 claim as a test: ManualLSTM and nn.LSTM, the same start and batches, the same losses."""
    torch.manual_seed(11)
    reference = RNNWithHead(nn.LSTM(1, 4, dtype=F64), every_step=False)
    manual = RNNWithHead(ManualLSTM(1, 4, dtype=F64), every_step=False)
    manual.load_state_dict(reference.state_dict())
    losses = {}
    for name, net in (("nn", reference), ("manual", manual)):
        adam, losses[name] = ManualAdam(net.parameters(), lr=0.03), []
        for x, y in _echo_batches(10, seed=1):
            adam.zero_grad()
            loss = F.mse_loss(net(x), y)
            loss.backward()
            adam.step()
            losses[name].append(loss.item())
    torch.testing.assert_close(torch.tensor(losses["manual"], dtype=F64), torch.tensor(losses["nn"], dtype=F64),
                               atol=0, rtol=1e-10)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ([], {}, ValueError, "at least one parameter"),
        ([[1.0]], {}, TypeError, r"params\[0\]: expected a tensor"),
        ([[torch.zeros(1)]], {"lr": 0}, ValueError, "lr: expected a learning rate > 0, got 0"),
        ([[torch.zeros(1)]], {"betas": (0.9, 1.0)}, ValueError, r"betas: expected a pair .* got \(0.9, 1.0\)"),
        ([[torch.zeros(1)]], {"betas": 0.9}, ValueError, "betas"),
        ([[torch.zeros(1)]], {"eps": -1e-8}, ValueError, "eps: expected a number >= 0"),
    ],
)
def test_manual_adam_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ManualAdam(*(args or [[]]), **kwargs)
