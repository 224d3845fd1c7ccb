"""The functional API (rnn_/lstm_/gru_ cell, layer, forward; the fused variants) against PyTorch, and compare.py."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from rnn_helpers import (
    LayerWeights,
    assert_matches,
    get_layer_weights,
    get_weights,
    gru_cell,
    gru_forward,
    gru_layer,
    lstm_cell,
    lstm_forward,
    lstm_layer,
    rnn_cell,
    rnn_forward,
    rnn_layer,
    rnn_layer_concat,
    rnn_layer_hoisted,
    rnn_layer_inference,
    set_layer_weights,
    tolerance,
)

configs = st.fixed_dictionaries(
    {
        "input_size": st.integers(1, 6),
        "hidden_size": st.integers(1, 6),
        "num_layers": st.integers(1, 3),
        "seq_len": st.integers(1, 6),
        "batch": st.integers(1, 4),
        "nonlinearity": st.sampled_from(["tanh", "relu"]),
        "bias": st.booleans(),
        "batch_first": st.booleans(),
        "bidirectional": st.booleans(),
        "with_h0": st.booleans(),
        "dtype": st.sampled_from([torch.float32, torch.float64]),
    }
)


def _close(actual, expected):
    atol, rtol = tolerance(expected.dtype)
    torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol)


@given(configs)
def test_rnn_forward_matches_nn_rnn(c):
    rnn = nn.RNN(
        c["input_size"], c["hidden_size"], c["num_layers"], nonlinearity=c["nonlinearity"],
        bias=c["bias"], batch_first=c["batch_first"], bidirectional=c["bidirectional"], dtype=c["dtype"],
    )
    dirs = 2 if c["bidirectional"] else 1
    shape = (c["batch"], c["seq_len"]) if c["batch_first"] else (c["seq_len"], c["batch"])
    x = torch.randn(*shape, c["input_size"], dtype=c["dtype"])
    h0 = torch.randn(c["num_layers"] * dirs, c["batch"], c["hidden_size"], dtype=c["dtype"]) if c["with_h0"] else None
    expected_out, expected_hn = rnn(x, h0)
    out, h_n = rnn_forward(
        x, get_weights(rnn), h0, nonlinearity=c["nonlinearity"], batch_first=c["batch_first"],
        bidirectional=c["bidirectional"],
    )
    _close(out, expected_out)
    _close(h_n, expected_hn)


@given(configs)
def test_fused_layers_match_rnn_layer(c):
    rnn = nn.RNN(c["input_size"], c["hidden_size"], nonlinearity=c["nonlinearity"], bias=c["bias"], dtype=c["dtype"])
    x = torch.randn(c["seq_len"], c["batch"], c["input_size"], dtype=c["dtype"])
    h0 = torch.randn(1, c["batch"], c["hidden_size"], dtype=c["dtype"]) if c["with_h0"] else None
    expected_out, expected_hn = rnn(x, h0)
    w = get_layer_weights(rnn)
    for layer_fn in (rnn_layer, rnn_layer_concat, rnn_layer_hoisted, rnn_layer_inference):
        out, h_n = layer_fn(x, None if h0 is None else h0[0], *w, nonlinearity=c["nonlinearity"])
        _close(out, expected_out)
        _close(h_n, expected_hn[0])


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_cell_matches_rnncell_batched_and_unbatched(nonlinearity, bias):
    cell = nn.RNNCell(4, 3, bias=bias, nonlinearity=nonlinearity, dtype=torch.float64)
    x, h = torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    w = get_layer_weights(cell)
    _close(rnn_cell(x, h, *w, nonlinearity=nonlinearity), cell(x, h))
    _close(rnn_cell(x[0], h[0], *w, nonlinearity=nonlinearity), cell(x[0], h[0]))


def test_rnn_layer_reverse_and_lengths_match_packed_bidirectional():
    rnn = nn.RNN(3, 4, bidirectional=True, dtype=torch.float64)
    lengths = torch.tensor([5, 2, 4])
    x = torch.randn(5, 3, 3, dtype=torch.float64)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    out_packed, expected_hn = rnn(packed)
    expected_out, _ = nn.utils.rnn.pad_packed_sequence(out_packed, total_length=5)
    out, h_n = rnn_forward(x, get_weights(rnn), bidirectional=True, lengths=lengths)
    _close(out, expected_out)
    _close(h_n, expected_hn)


def test_get_and_set_layer_weights_round_trip():
    a, b = nn.RNN(3, 2, num_layers=2, bidirectional=True), nn.RNN(3, 2, num_layers=2, bidirectional=True)
    for layer in range(2):
        for reverse in (False, True):
            set_layer_weights(b, get_layer_weights(a, layer, reverse), layer, reverse)
    for name, p in a.named_parameters():
        assert torch.equal(p, getattr(b, name)), name
    # the module's own parameters, not copies: gradients reach them
    assert get_layer_weights(a, 1, reverse=True).w_hh is a.weight_hh_l1_reverse


def test_get_weights_order_is_h_n_order():
    rnn = nn.RNN(3, 2, num_layers=2, bidirectional=True)
    names = [w.w_ih for w in get_weights(rnn)]
    expected = [rnn.weight_ih_l0, rnn.weight_ih_l0_reverse, rnn.weight_ih_l1, rnn.weight_ih_l1_reverse]
    assert all(a is b for a, b in zip(names, expected)) and len(names) == 4


def test_without_bias_get_layer_weights_returns_none():
    w = get_layer_weights(nn.RNN(3, 2, bias=False))
    assert w.b_ih is None and w.b_hh is None


# --- a wrong answer must be caught ------------------------------------------------------------

def test_assert_matches_catches_a_missing_bias(capsys):
    rnn = nn.RNN(4, 3)
    x = torch.randn(5, 1, 4)
    expected, _ = rnn(x)
    w = get_layer_weights(rnn)
    wrong, _ = rnn_layer(x, None, w.w_ih, w.w_hh, w.b_ih, None)  # b_hh forgotten
    with pytest.raises(AssertionError, match="output: manual == nn.RNN FAILED"):
        assert_matches(wrong, expected)
    right, _ = rnn_layer(x, None, *w)
    assert_matches(right, expected)
    assert capsys.readouterr().out == "output: manual == nn.RNN (float32, atol=1e-06, rtol=1e-05)\n"


def test_assert_matches_catches_feeding_x_to_every_stacked_layer():
    """The bug PyTorch's docstring carried: layer 1 reading x_t instead of layer 0's output."""
    rnn = nn.RNN(3, 3, num_layers=2, dtype=torch.float64)
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    expected, _ = rnn(x)
    w0, w1 = get_weights(rnn)
    wrong, _ = rnn_layer(x, None, *w1)
    with pytest.raises(AssertionError):
        assert_matches(wrong, expected)


def test_tolerance_float32_rejects_a_fourth_decimal_difference():
    a = torch.tensor([0.4333])
    with pytest.raises(AssertionError):
        assert_matches(torch.tensor([0.4332]), a)


def test_tolerance_is_tf32_aware_on_cuda_only():
    assert tolerance(torch.float32, "cpu") == (1e-6, 1e-5)
    assert tolerance(torch.float64, "cpu") == (1e-10, 1e-10)
    assert tolerance(torch.float32, "cuda")[0] > 1e-4  # TF32 on by default for cuDNN
    with pytest.raises(ValueError, match="dtype"):
        tolerance(torch.int64)


# --- bad input gets a clear error -------------------------------------------------------------

def test_rnn_cell_wrong_feature_size():
    w = LayerWeights(torch.randn(3, 4), torch.randn(3, 3))
    with pytest.raises(ValueError, match=r"x_t: expected shape \(batch, 4\), got \(2, 5\)"):
        rnn_cell(torch.randn(2, 5), torch.randn(2, 3), *w)


def test_rnn_cell_h_prev_batch_mismatch_is_not_broadcast():
    w = LayerWeights(torch.randn(3, 4), torch.randn(3, 3))
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(2, 3\), got \(1, 3\)"):
        rnn_cell(torch.randn(2, 4), torch.randn(1, 3), *w)


def test_rnn_cell_weight_shapes_checked():
    with pytest.raises(ValueError, match=r"w_hh: expected shape \(3, 3\), got \(4, 3\)"):
        rnn_cell(torch.randn(2, 4), torch.randn(2, 3), torch.randn(3, 4), torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"b_ih: expected shape \(3,\), got \(4,\)"):
        rnn_cell(torch.randn(2, 4), torch.randn(2, 3), torch.randn(3, 4), torch.randn(3, 3), torch.randn(4))


def test_rnn_cell_dtype_mismatch():
    w = LayerWeights(torch.randn(3, 4), torch.randn(3, 3))
    with pytest.raises(ValueError, match="one dtype.*x_t=torch.float64"):
        rnn_cell(torch.randn(2, 4, dtype=torch.float64), torch.randn(2, 3), *w)


def test_rnn_cell_bad_nonlinearity():
    with pytest.raises(ValueError, match=r"nonlinearity: expected one of \('tanh', 'relu'\), got 'sigmoid'"):
        rnn_cell(torch.randn(2, 4), torch.randn(2, 3), torch.randn(3, 4), torch.randn(3, 3), nonlinearity="sigmoid")


def test_rnn_layer_wrong_rank():
    w = get_layer_weights(nn.RNN(4, 3))
    with pytest.raises(ValueError, match=r"x: expected a 3-D tensor .* got a 2-D tensor of shape \(5, 4\)"):
        rnn_layer(torch.randn(5, 4), None, *w)


def test_rnn_layer_empty_sequence():
    w = get_layer_weights(nn.RNN(4, 3))
    with pytest.raises(ValueError, match="seq_len 0"):
        rnn_layer(torch.randn(0, 2, 4), None, *w)


def test_rnn_forward_h0_batch_first_trap():
    rnn = nn.RNN(4, 3, num_layers=2, batch_first=True)
    x = torch.randn(2, 5, 4)  # (batch, seq, feature)
    with pytest.raises(ValueError, match=r"h0: expected shape \(2, 2, 3\).*got \(2, 2, 3, 1\)"):
        rnn_forward(x, get_weights(rnn), torch.randn(2, 2, 3, 1), batch_first=True)
    with pytest.raises(ValueError, match=r"h0: expected shape \(2, 2, 3\).*got \(2, 3, 3\).*never batch-first"):
        rnn_forward(torch.randn(2, 5, 4), get_weights(rnn), torch.randn(2, 3, 3), batch_first=True)


def test_rnn_forward_wrong_feature_size():
    rnn = nn.RNN(4, 3)
    with pytest.raises(ValueError, match=r"input: expected shape \(seq_len, batch, 4\), got \(5, 2, 7\)"):
        rnn_forward(torch.randn(5, 2, 7), get_weights(rnn))


def test_rnn_forward_wrong_number_of_weights():
    rnn = nn.RNN(4, 3, num_layers=3)
    with pytest.raises(ValueError, match="expected num_layers \\* 2 LayerWeights, got 3"):
        rnn_forward(torch.randn(5, 2, 4), get_weights(rnn), bidirectional=True)


def test_set_layer_weights_shape_and_bias_errors():
    rnn = nn.RNN(4, 3)
    with pytest.raises(ValueError, match=r"weight_ih_l0: expected shape \(3, 4\), got \(4, 3\)"):
        set_layer_weights(rnn, LayerWeights(torch.randn(4, 3), torch.randn(3, 3), torch.randn(3), torch.randn(3)))
    with pytest.raises(ValueError, match="bias=False"):
        set_layer_weights(nn.RNN(4, 3, bias=False), LayerWeights(torch.randn(3, 4), torch.randn(3, 3), torch.randn(3)))
    with pytest.raises(ValueError, match=r"layer: expected 0 <= layer < num_layers=1, got 1"):
        get_layer_weights(rnn, layer=1)
    with pytest.raises(ValueError, match="not bidirectional"):
        get_layer_weights(rnn, reverse=True)


@given(
    st.integers(1, 5),
    st.sampled_from([torch.float32, torch.float64]),
    st.floats(1e-12, 1e-1),
    st.sampled_from([0.0, 1e-7, 1e-6, 1e-5, 1e-3]),
)
def test_assert_matches_fast_path_agrees_with_assert_close(n, dtype, scale, atol):
    """The fast path must accept exactly what torch.testing.assert_close accepts."""
    expected = torch.randn(n, dtype=dtype)
    actual = expected + scale * torch.randn(n, dtype=dtype)
    rtol = 1e-5
    try:
        torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol)
        reference_ok = True
    except AssertionError:
        reference_ok = False
    try:
        assert_matches(actual, expected, atol=atol, rtol=rtol)
        ours_ok = True
    except AssertionError:
        ours_ok = False
    assert ours_ok == reference_ok


def test_assert_matches_rejects_shape_and_dtype_differences():
    with pytest.raises(AssertionError):
        assert_matches(torch.zeros(2, 3), torch.zeros(3, 2))
    with pytest.raises(AssertionError):
        assert_matches(torch.zeros(3), torch.zeros(3, dtype=torch.float64))
    with pytest.raises(AssertionError):
        assert_matches(torch.tensor([float("nan")]), torch.tensor([float("nan")]))


# --- the LSTM and the GRU, as functions --------------------------------------------------------

GATED = {"LSTM": (nn.LSTM, nn.LSTMCell, lstm_cell, lstm_layer, lstm_forward),
         "GRU": (nn.GRU, nn.GRUCell, gru_cell, gru_layer, gru_forward)}


def _states(h):
    return h if isinstance(h, tuple) else (h,)


@pytest.mark.parametrize("kind", list(GATED))
@pytest.mark.parametrize("bias", [True, False])
def test_gated_cells_match_pytorch_cells_batched_and_unbatched(kind, bias):
    module_cls, cell_cls, cell_fn, _, _ = GATED[kind]
    cell = cell_cls(4, 3, bias=bias, dtype=torch.float64)
    x = torch.randn(5, 4, dtype=torch.float64)
    state = tuple(torch.randn(5, 3, dtype=torch.float64) for _ in range(2 if kind == "LSTM" else 1))
    hx = state if kind == "LSTM" else state[0]
    w = get_layer_weights(cell)
    for got, want in zip(_states(cell_fn(x, hx, *w)), _states(cell(x, hx))):
        _close(got, want)
    one = tuple(s[0] for s in state) if kind == "LSTM" else state[0][0]
    for got, want in zip(_states(cell_fn(x[0], one, *w)), _states(cell(x[0], one))):
        _close(got, want)


def test_lstm_cell_with_projection_matches_a_one_step_nn_lstm():
    lstm = nn.LSTM(4, 5, proj_size=2, dtype=torch.float64)
    x = torch.randn(1, 3, 4, dtype=torch.float64)
    h0, c0 = torch.randn(1, 3, 2, dtype=torch.float64), torch.randn(1, 3, 5, dtype=torch.float64)
    _, (h_n, c_n) = lstm(x, (h0, c0))
    h, c = lstm_cell(x[0], (h0[0], c0[0]), *get_layer_weights(lstm))
    _close(h, h_n[0])
    _close(c, c_n[0])


@pytest.mark.parametrize("kind", list(GATED))
def test_gated_layers_reverse_and_lengths_match_packed_bidirectional(kind):
    module_cls, _, _, layer_fn, forward_fn = GATED[kind]
    rnn = module_cls(3, 4, bidirectional=True, dtype=torch.float64)
    lengths = torch.tensor([5, 2, 4])
    x = torch.randn(5, 3, 3, dtype=torch.float64)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    out_packed, expected_final = rnn(packed)
    expected_out, _ = nn.utils.rnn.pad_packed_sequence(out_packed, total_length=5)
    out, final = forward_fn(x, get_weights(rnn), bidirectional=True, lengths=lengths)
    _close(out, expected_out)
    for got, want in zip(_states(final), _states(expected_final)):
        _close(got, want)
    # one direction at a time, with the layer function
    for direction in (0, 1):
        out_d, final_d = layer_fn(x, None, *get_layer_weights(rnn, 0, reverse=bool(direction)),
                                  reverse=bool(direction), lengths=lengths)
        _close(out_d, expected_out[..., 4 * direction: 4 * direction + 4])
        for got, want in zip(_states(final_d), _states(expected_final)):
            _close(got, want[direction])


@given(configs, st.booleans())
def test_gated_forward_matches_pytorch(c, projected):
    for kind, (module_cls, _, _, _, forward_fn) in GATED.items():
        kwargs = dict(bias=c["bias"], batch_first=c["batch_first"], bidirectional=c["bidirectional"], dtype=c["dtype"])
        proj = 1 if kind == "LSTM" and projected and c["hidden_size"] > 1 else 0
        if proj:
            kwargs["proj_size"] = proj
        rnn = module_cls(c["input_size"], c["hidden_size"], c["num_layers"], **kwargs)
        dirs = 2 if c["bidirectional"] else 1
        shape = (c["batch"], c["seq_len"]) if c["batch_first"] else (c["seq_len"], c["batch"])
        x = torch.randn(*shape, c["input_size"], dtype=c["dtype"])
        widths = [proj or c["hidden_size"]] + ([c["hidden_size"]] if kind == "LSTM" else [])
        state = [torch.randn(c["num_layers"] * dirs, c["batch"], w, dtype=c["dtype"]) for w in widths]
        hx = (tuple(state) if kind == "LSTM" else state[0]) if c["with_h0"] else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # nn.LSTM with proj_size: "not supported with oneDNN"
            expected_out, expected_final = rnn(x, hx)
        out, final = forward_fn(x, get_weights(rnn), hx, batch_first=c["batch_first"], bidirectional=c["bidirectional"])
        _close(out, expected_out)
        for got, want in zip(_states(final), _states(expected_final)):
            _close(got, want)


def test_gated_errors_name_expected_and_actual():
    lstm = nn.LSTM(4, 3)
    w = get_layer_weights(lstm)
    x = torch.randn(5, 2, 4)
    with pytest.raises(TypeError, match=r"state0: an LSTM's state is a pair \(h, c\) of tensors, got a tensor of shape \(2, 3\)"):
        lstm_layer(x, torch.zeros(2, 3), *w)
    with pytest.raises(ValueError, match=r"c0: expected shape \(2, 3\), got \(2, 4\)"):
        lstm_layer(x, (torch.zeros(2, 3), torch.zeros(2, 4)), *w)
    with pytest.raises(ValueError, match=r"w_ih: expected 4 \* hidden_size rows .* got 6 rows"):
        lstm_cell(x[0], (torch.zeros(2, 3), torch.zeros(2, 3)), torch.randn(6, 4), torch.randn(6, 3))
    with pytest.raises(ValueError, match=r"w_hh: expected shape \(9, 3\), got \(3, 3\)"):
        gru_cell(x[0], torch.zeros(2, 3), torch.randn(9, 4), torch.randn(3, 3))
    with pytest.raises(ValueError, match="w_hr: only an LSTM has a projection"):
        from rnn_helpers.cells import GRU
        from rnn_helpers.functional import check_weights
        check_weights(GRU(), (torch.randn(9, 4), torch.randn(9, 3), None, None, torch.randn(2, 3)))
    with pytest.raises(ValueError, match=r"h0: expected shape \(1, 2, 2\) = \(num_layers \* num_directions, batch, proj_size\), got \(1, 2, 3\)"):
        lstm_forward(x, get_weights(nn.LSTM(4, 3, proj_size=2)), (torch.zeros(1, 2, 3), torch.zeros(1, 2, 3)))
    with pytest.raises(ValueError, match=r"lengths: expected every length in 1..seq_len = 1..5, got \[6, 2\]"):
        gru_layer(x, None, *get_layer_weights(nn.GRU(4, 3)), lengths=torch.tensor([6, 2]))
