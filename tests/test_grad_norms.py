"""hidden_state_grads / hidden_grad_norms against autograd; by-hand clipping against torch.nn.utils."""

import copy

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from rnn_helpers import ManualRNN
from rnn_helpers.grad_norms import (
    clip_grad_norm_by_hand,
    clip_grad_value_by_hand,
    hidden_grad_norms,
    hidden_state_grads,
)

F64 = torch.float64
ATOL = RTOL = 1e-10  # float64 (see rnn_helpers/compare.py)


def _autograd_hidden_grads(rnn, x, hx, grad_h_last):
    """dL/dh_t by splitting nn.RNN's own forward at t: h_t becomes a leaf, the rest runs from it."""
    x_seq = x.transpose(0, 1) if rnn.batch_first else x
    seq_len = x_seq.shape[0]
    rows = []
    for t in range(seq_len):
        first = x_seq[: t + 1].transpose(0, 1) if rnn.batch_first else x_seq[: t + 1]
        _, h_t = rnn(first, hx)  # (1, batch, hidden): h_t, through PyTorch's kernel
        h_t = h_t.detach().requires_grad_()
        if t == seq_len - 1:
            last = h_t[0]
        else:
            rest = x_seq[t + 1 :].transpose(0, 1) if rnn.batch_first else x_seq[t + 1 :]
            out, _ = rnn(rest, h_t)
            last = out[:, -1] if rnn.batch_first else out[-1]
        (g,) = torch.autograd.grad((last * grad_h_last).sum(), h_t)
        rows.append(g[0])
    return torch.stack(rows)


configs = st.fixed_dictionaries(
    {
        "input_size": st.integers(1, 4),
        "hidden_size": st.integers(1, 5),
        "seq_len": st.integers(1, 7),
        "batch": st.integers(1, 3),
        "nonlinearity": st.sampled_from(["tanh", "relu"]),
        "bias": st.booleans(),
        "batch_first": st.booleans(),
        "with_hx": st.booleans(),
        "ones": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


@given(configs)
def test_hidden_state_grads_equal_autograd(c):
    torch.manual_seed(c["seed"])
    rnn = nn.RNN(c["input_size"], c["hidden_size"], nonlinearity=c["nonlinearity"], bias=c["bias"],
                 batch_first=c["batch_first"], dtype=F64)
    shape = (c["batch"], c["seq_len"]) if c["batch_first"] else (c["seq_len"], c["batch"])
    x = torch.randn(*shape, c["input_size"], dtype=F64)
    hx = torch.randn(1, c["batch"], c["hidden_size"], dtype=F64) if c["with_hx"] else None
    grad_h_last = None if c["ones"] else torch.randn(c["batch"], c["hidden_size"], dtype=F64)
    got = hidden_state_grads(rnn, x, hx, grad_h_last)
    want_last = torch.ones(c["batch"], c["hidden_size"], dtype=F64) if grad_h_last is None else grad_h_last
    want = _autograd_hidden_grads(rnn, x, hx, want_last)
    assert got.shape == (c["seq_len"], c["batch"], c["hidden_size"])
    torch.testing.assert_close(got, want, atol=ATOL, rtol=RTOL)
    norms = hidden_grad_norms(rnn, x, hx, grad_h_last)
    assert norms.shape == (c["seq_len"],)
    torch.testing.assert_close(norms, want.flatten(1).norm(dim=1), atol=ATOL, rtol=RTOL)


def test_manual_rnn_gives_the_same_as_nn_rnn():
    rnn = nn.RNN(3, 4, nonlinearity="relu", dtype=F64)
    manual = ManualRNN(3, 4, nonlinearity="relu", dtype=F64)
    manual.load_state_dict(rnn.state_dict())
    x = torch.randn(6, 2, 3, dtype=F64)
    torch.testing.assert_close(hidden_state_grads(manual, x), hidden_state_grads(rnn, x), atol=0, rtol=0)


def test_last_row_is_the_given_gradient_and_no_autograd_graph():
    rnn = nn.RNN(2, 3, dtype=F64)
    x = torch.randn(4, 1, 2, dtype=F64, requires_grad=True)
    g = torch.randn(1, 3, dtype=F64)
    grads = hidden_state_grads(rnn, x, grad_h_last=g)
    assert torch.equal(grads[-1], g)
    assert not grads.requires_grad


def test_small_recurrent_weights_vanish_large_relu_weights_explode():
    torch.manual_seed(0)
    rnn = nn.RNN(2, 8, nonlinearity="relu", bias=False, dtype=F64)
    x = torch.rand(40, 1, 2, dtype=F64)  # positive input keeps relu units active
    with torch.no_grad():
        rnn.weight_ih_l0.abs_()
        rnn.weight_hh_l0.copy_(torch.eye(8, dtype=F64) * 0.5)
    small = hidden_grad_norms(rnn, x)
    assert small[0] < 1e-10 * small[-1]
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.eye(8, dtype=F64) * 1.5)
    large = hidden_grad_norms(rnn, x)
    assert large[0] > 1e6 * large[-1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 2}, "num_layers=2"),
        ({"bidirectional": True}, "bidirectional=True"),
    ],
)
def test_only_one_layer_one_direction(kwargs, message):
    rnn = nn.RNN(2, 3, dtype=F64, **kwargs)
    with pytest.raises(ValueError, match=message):
        hidden_state_grads(rnn, torch.randn(4, 1, 2, dtype=F64))


def test_wrong_shapes_are_named():
    rnn = nn.RNN(2, 3, dtype=F64)
    x = torch.randn(4, 5, 2, dtype=F64)
    with pytest.raises(ValueError, match="input"):
        hidden_state_grads(rnn, torch.randn(4, 5, 3, dtype=F64))
    with pytest.raises(ValueError, match=r"hx: expected shape \(1, 5, 3\)"):
        hidden_state_grads(rnn, x, torch.randn(1, 3, 3, dtype=F64))
    with pytest.raises(ValueError, match="grad_h_last"):
        hidden_state_grads(rnn, x, grad_h_last=torch.randn(5, 4, dtype=F64))
    with pytest.raises(ValueError, match="dtype"):
        hidden_state_grads(rnn, x.float())
    with pytest.raises(TypeError, match="nn.RNN"):
        hidden_state_grads(nn.Linear(2, 3), x)


# --- clipping ------------------------------------------------------------------------------

param_sets = st.fixed_dictionaries(
    {
        "shapes": st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=3), min_size=1, max_size=5),
        "scale": st.sampled_from([1e-3, 0.1, 1.0, 10.0, 1e4]),
        "max_norm": st.sampled_from([0.01, 0.5, 1.0, 5.0]),
        "clip_value": st.sampled_from([1e-3, 0.05, 1.0]),
        "none_grad": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


def _params(c):
    gen = torch.Generator().manual_seed(c["seed"])
    params = []
    for i, shape in enumerate(c["shapes"]):
        p = nn.Parameter(torch.randn(shape, dtype=F64, generator=gen))
        # (one gradient at least: torch 2.13's clip_grad_value_ raises when no parameter has one)
        if not (c["none_grad"] and i == 0 and len(c["shapes"]) > 1):
            p.grad = c["scale"] * torch.randn(shape, dtype=F64, generator=gen)
        params.append(p)
    return params


SPECIALS = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}

norm_cases = st.fixed_dictionaries(
    {
        # shapes may be 0-d (a scalar parameter) or hold no element at all (a 0 in the shape)
        "shapes": st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=3), min_size=0, max_size=5),
        "scale": st.sampled_from([1e-3, 0.1, 1.0, 10.0, 1e4]),
        "max_norm": st.sampled_from([0.0, 0.01, 0.5, 1.0, 5.0, 1e30]),
        "norm_type": st.sampled_from([2.0, 2, 1.0, 3.0, float("inf")]),
        "dtype": st.sampled_from([torch.float64, torch.float32]),
        "foreach": st.sampled_from([None, True, False]),
        "none_grads": st.lists(st.booleans(), min_size=5, max_size=5),
        # (parameter index, flat position, value): inf, -inf and nan planted into the gradients
        "specials": st.lists(
            st.tuples(st.integers(0, 4), st.integers(0, 63), st.sampled_from(sorted(SPECIALS))), max_size=3
        ),
        "seed": st.integers(0, 2**16),
    }
)


def _norm_params(c):
    """Parameters with random gradients as c describes (some None, some with inf / nan entries)."""
    gen = torch.Generator().manual_seed(c["seed"])
    params = []
    for i, shape in enumerate(c["shapes"]):
        p = nn.Parameter(torch.zeros(shape, dtype=c["dtype"]))
        if not c["none_grads"][i]:
            p.grad = c["scale"] * torch.randn(shape, generator=gen, dtype=F64).to(c["dtype"])
        params.append(p)
    for i, position, special in c["specials"]:
        if i < len(params) and params[i].grad is not None and params[i].grad.numel() > 0:
            params[i].grad.view(-1)[position % params[i].grad.numel()] = SPECIALS[special]
    return params


def _assert_identical(a, b):
    """Equal to the last bit, nan where the other has nan (rtol = atol = 0, equal_nan)."""
    torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)


@given(norm_cases)
def test_clip_grad_norm_by_hand_equals_pytorch_on_any_input(c):
    """Any shapes, None grads, no grads at all, inf and nan entries, norm types, foreach or not: identical."""
    mine, theirs = _norm_params(c), _norm_params(c)
    try:
        total_theirs = nn.utils.clip_grad_norm_(theirs, c["max_norm"], norm_type=c["norm_type"], foreach=c["foreach"])
    except RuntimeError:  # e.g. the inf norm of a gradient with no element: no identity, PyTorch refuses
        with pytest.raises(RuntimeError, match="cannot compute the inf"):
            clip_grad_norm_by_hand(mine, c["max_norm"], norm_type=c["norm_type"])
        total_mine = total_theirs = None
    else:
        total_mine = clip_grad_norm_by_hand(mine, c["max_norm"], norm_type=c["norm_type"])
        _assert_identical(total_mine, total_theirs)
    for a, b in zip(mine, theirs):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            _assert_identical(a.grad, b.grad)


@pytest.mark.parametrize(
    "special, expected",
    [
        # total inf -> factor max_norm / inf = 0: finite entries become 0, the inf itself inf * 0 = nan
        ("inf", [[0.0, float("nan"), 0.0], [0.0, 0.0]]),
        # total nan -> factor nan: every entry of every gradient becomes nan
        ("nan", [[float("nan")] * 3, [float("nan")] * 2]),
    ],
)
def test_a_non_finite_total_spreads_to_every_gradient_as_in_pytorch(special, expected):
    def make():
        a, b = nn.Parameter(torch.zeros(3, dtype=F64)), nn.Parameter(torch.zeros(2, dtype=F64))
        a.grad = torch.tensor([1.0, float(special), -2.0], dtype=F64)
        b.grad = torch.tensor([3.0, -4.0], dtype=F64)
        return [a, b]

    mine, theirs = make(), make()
    total = clip_grad_norm_by_hand(mine, 1.0)
    _assert_identical(total, nn.utils.clip_grad_norm_(theirs, 1.0))
    assert torch.isinf(total) if special == "inf" else torch.isnan(total)
    for p, q, want in zip(mine, theirs, expected):
        _assert_identical(p.grad, torch.tensor(want, dtype=F64))
        _assert_identical(p.grad, q.grad)


def test_error_if_nonfinite_raises_like_pytorch_and_leaves_the_gradients():
    def make():
        p = nn.Parameter(torch.zeros(2, dtype=F64))
        p.grad = torch.tensor([1.0, float("inf")], dtype=F64)
        return p

    mine, theirs = make(), make()
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_by_hand([mine], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([theirs], 1.0, error_if_nonfinite=True)
    _assert_identical(mine.grad, theirs.grad)
    _assert_identical(mine.grad, torch.tensor([1.0, float("inf")], dtype=F64))
    # finite gradients: error_if_nonfinite changes nothing
    p = nn.Parameter(torch.zeros(2, dtype=F64))
    p.grad = torch.tensor([3.0, 4.0], dtype=F64)
    torch.testing.assert_close(clip_grad_norm_by_hand([p], 1.0, error_if_nonfinite=True), torch.tensor(5.0, dtype=F64))


def test_the_factor_is_always_applied_and_a_factor_of_one_changes_nothing():
    """PyTorch multiplies by clamp(max_norm / (total + 1e-6), max=1) with no `if`: below max_norm that is 1."""
    p = nn.Parameter(torch.zeros(3, dtype=F64))
    p.grad = torch.tensor([0.1, -0.0, 0.3], dtype=F64)
    before = p.grad.clone()
    clip_grad_norm_by_hand(p, max_norm=1.0)
    assert torch.equal(p.grad, before) and torch.equal(p.grad.signbit(), before.signbit())


def test_no_parameters_or_no_gradients_return_pytorchs_zero():
    for params in ([], [nn.Parameter(torch.zeros(2, dtype=F64))]):
        mine = clip_grad_norm_by_hand(params, 1.0)
        theirs = nn.utils.clip_grad_norm_(params, 1.0)
        _assert_identical(mine, theirs)
        assert mine.dtype == theirs.dtype == torch.float32
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_by_hand((p for p in []), 1.0)


def test_mixed_dtypes_agree_with_pytorch():
    """PyTorch groups gradients by dtype before adding their norms (in an order of its own), so with
    mixed dtypes the total may differ in the last bit; the values agree to float32 rounding."""
    def make():
        a, b = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, dtype=F64))
        a.grad = torch.tensor([1.0, -2.0, 30.0])
        b.grad = torch.tensor([3.0, -4.0], dtype=F64)
        return [a, b]

    mine, theirs = make(), make()
    torch.testing.assert_close(clip_grad_norm_by_hand(mine, 1.0), nn.utils.clip_grad_norm_(theirs, 1.0))
    for p, q in zip(mine, theirs):
        assert p.grad.dtype == q.grad.dtype
        torch.testing.assert_close(p.grad, q.grad)


def test_a_negative_max_norm_is_refused_where_pytorch_flips_the_sign():
    p = nn.Parameter(torch.zeros(2, dtype=F64))
    p.grad = torch.tensor([3.0, 4.0], dtype=F64)
    with pytest.raises(ValueError, match="max_norm: expected a number >= 0, got -1.0"):
        clip_grad_norm_by_hand([p], -1.0)
    assert torch.equal(p.grad, torch.tensor([3.0, 4.0], dtype=F64))
    nn.utils.clip_grad_norm_([p], -1.0)  # what we refuse to copy: every gradient turned around
    assert (p.grad < 0).all()


@given(param_sets)
def test_clip_grad_value_by_hand_equals_pytorch(c):
    mine, theirs = _params(c), _params(c)
    clip_grad_value_by_hand(mine, c["clip_value"])
    nn.utils.clip_grad_value_(theirs, c["clip_value"])
    for a, b in zip(mine, theirs):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert torch.equal(a.grad, b.grad)


def test_norm_clipping_keeps_the_direction_and_caps_the_total():
    params = [nn.Parameter(torch.zeros(3, dtype=F64)), nn.Parameter(torch.zeros(2, 2, dtype=F64))]
    params[0].grad = torch.tensor([30.0, -40.0, 0.0], dtype=F64)
    params[1].grad = torch.tensor([[0.0, 1.0], [2.0, 0.5]], dtype=F64)
    before = torch.cat([p.grad.flatten() for p in params])
    total = clip_grad_norm_by_hand(params, max_norm=1.0)
    after = torch.cat([p.grad.flatten() for p in params])
    torch.testing.assert_close(total, before.norm())
    torch.testing.assert_close(after, before / (before.norm() + 1e-6))  # same direction, one factor
    assert after.norm() <= 1.0


def test_norm_clipping_leaves_small_gradients_alone():
    p = nn.Parameter(torch.zeros(3, dtype=F64))
    p.grad = torch.tensor([0.1, -0.2, 0.3], dtype=F64)
    before = p.grad.clone()
    clip_grad_norm_by_hand(p, max_norm=1.0)  # a single tensor is accepted too
    assert torch.equal(p.grad, before), "below max_norm nothing may change (no scaling up)"


def test_value_clipping_changes_the_direction():
    p = nn.Parameter(torch.zeros(2, dtype=F64))
    p.grad = torch.tensor([3.0, 0.4], dtype=F64)
    clip_grad_value_by_hand([p], 1.0)
    assert torch.equal(p.grad, torch.tensor([1.0, 0.4], dtype=F64))


def test_no_gradients_at_all():
    p = nn.Parameter(torch.zeros(2, dtype=F64))
    assert clip_grad_norm_by_hand([p], 1.0) == 0
    clip_grad_value_by_hand([p], 1.0)
    assert p.grad is None


def test_clipping_an_nn_rnn_like_pytorch():
    torch.manual_seed(1)
    rnn = nn.RNN(3, 5, nonlinearity="relu", dtype=F64)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(6)
    out, _ = rnn(torch.randn(20, 2, 3, dtype=F64))
    out[-1].sum().backward()
    twin = copy.deepcopy(rnn)  # deepcopy does not copy .grad: copy the gradients over
    for a, b in zip(rnn.parameters(), twin.parameters()):
        b.grad = a.grad.clone()
    total = clip_grad_norm_by_hand(rnn.parameters(), 0.5)
    assert total > 0.5
    torch.testing.assert_close(total, nn.utils.clip_grad_norm_(twin.parameters(), 0.5), atol=ATOL, rtol=RTOL)
    for a, b in zip(rnn.parameters(), twin.parameters()):
        torch.testing.assert_close(a.grad, b.grad, atol=ATOL, rtol=RTOL)
