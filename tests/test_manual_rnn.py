"""ManualRNN / ManualRNNCell against nn.RNN / nn.RNNCell: values, gradients, parameters, errors.

Every comparison runs both modules from the same weights (and, in training mode, the same
seed) and compares output, h_n and the gradient of every parameter, of the input and of hx:
float64 to 1e-10, float32 to ``rnn_helpers.tolerance(torch.float32)`` = (atol 1e-6, rtol 1e-5).
"""

import re
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from rnn_helpers import ManualRNN, ManualRNNCell, get_weights, rnn_forward, tolerance

MODES = ["batched", "unbatched", "packed_sorted", "packed_unsorted"]


def _close(actual, expected, what):
    atol, rtol = tolerance(expected.dtype)
    torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol, msg=lambda m: f"{what}: {m}")


def _pair(make, seed=0):
    """(nn.RNN-like reference, Manual twin) built under the same seed, without warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.manual_seed(seed)
        reference = make(nn)
        torch.manual_seed(seed)
        manual = make(None)
    return reference, manual


# ---------------------------------------------------------------------------
# ManualRNN == nn.RNN over random configurations: values and every gradient
# ---------------------------------------------------------------------------


@st.composite
def rnn_cases(draw):
    c = draw(
        st.fixed_dictionaries(
            {
                "input_size": st.integers(1, 4),
                "hidden_size": st.integers(1, 4),
                "num_layers": st.integers(1, 3),
                "nonlinearity": st.sampled_from(["tanh", "relu"]),
                "bias": st.booleans(),
                "batch_first": st.booleans(),
                "bidirectional": st.booleans(),
                "dropout": st.sampled_from([0.0, 0.0, 0.5]),
                "training": st.booleans(),
                "mode": st.sampled_from(MODES),
                "seq_len": st.integers(1, 5),
                "batch": st.integers(1, 4),
                "with_hx": st.booleans(),
                "dtype": st.sampled_from([torch.float64, torch.float32]),
            }
        )
    )
    lengths = draw(st.lists(st.integers(1, c["seq_len"]), min_size=c["batch"], max_size=c["batch"]))
    c["lengths"] = sorted(lengths, reverse=True) if c["mode"] == "packed_sorted" else lengths
    return c


def _build(c, module):
    kwargs = dict(
        num_layers=c["num_layers"], nonlinearity=c["nonlinearity"], bias=c["bias"],
        batch_first=c["batch_first"], dropout=c["dropout"], bidirectional=c["bidirectional"], dtype=c["dtype"],
    )
    if module is nn:
        return nn.RNN(c["input_size"], c["hidden_size"], **kwargs)
    return ManualRNN(c["input_size"], c["hidden_size"], **kwargs)


def _run(rnn, c, x, hx, seed):
    """Forward and backward through ``rnn``; returns (output tensor, h_n, {name: grad})."""
    x = x.clone().requires_grad_()
    hx = None if hx is None else hx.clone().requires_grad_()
    inp = x
    if c["mode"].startswith("packed"):
        inp = pack_padded_sequence(
            x, torch.tensor(c["lengths"]), batch_first=c["batch_first"], enforce_sorted=c["mode"] == "packed_sorted"
        )
    torch.manual_seed(seed)  # the same dropout masks for both modules
    output, h_n = rnn(inp, hx)
    extra = {}
    if isinstance(output, PackedSequence):
        extra = {"batch_sizes": output.batch_sizes, "sorted_indices": output.sorted_indices,
                 "unsorted_indices": output.unsorted_indices}
        output = output.data
    # Weigh every element differently, so a swapped row or a wrong step shows in the gradients.
    g = torch.Generator().manual_seed(seed)
    w_out = torch.randn(output.shape, generator=g, dtype=torch.float64).to(output.dtype)
    w_h = torch.randn(h_n.shape, generator=g, dtype=torch.float64).to(h_n.dtype)
    ((output * w_out).sum() + (h_n * w_h).sum()).backward()
    grads = {name: p.grad for name, p in rnn.named_parameters()}
    grads["input"] = x.grad
    if hx is not None:
        grads["hx"] = hx.grad
    return output, h_n, grads, extra


@given(rnn_cases())
def test_manual_rnn_matches_nn_rnn_values_and_gradients(c):
    reference, manual = _pair(lambda m: _build(c, m))
    # Same seed -> exactly the same initial weights, same names, same order.
    assert list(reference.state_dict()) == list(manual.state_dict())
    for name, p in reference.state_dict().items():
        assert torch.equal(p, manual.state_dict()[name]), name
    reference.train(c["training"])
    manual.train(c["training"])

    dirs = 2 if c["bidirectional"] else 1
    shape = (c["batch"], c["seq_len"]) if c["batch_first"] else (c["seq_len"], c["batch"])
    x = torch.randn(*shape, c["input_size"], dtype=c["dtype"])
    hx = torch.randn(c["num_layers"] * dirs, c["batch"], c["hidden_size"], dtype=c["dtype"])
    if c["mode"] == "unbatched":
        x = x[0] if c["batch_first"] else x[:, 0]  # (seq_len, input_size)
        hx = hx[:, 0]  # (num_layers * dirs, hidden_size)
    hx = hx if c["with_hx"] else None

    out_ref, hn_ref, grads_ref, extra_ref = _run(reference, c, x, hx, seed=1)
    out_man, hn_man, grads_man, extra_man = _run(manual, c, x, hx, seed=1)
    _close(out_man, out_ref, "output")
    _close(hn_man, hn_ref, "h_n")
    assert grads_man.keys() == grads_ref.keys()
    for name in grads_ref:
        _close(grads_man[name], grads_ref[name], f"grad of {name}")
    for key, value in extra_ref.items():  # PackedSequence bookkeeping passes through unchanged
        assert (value is None and extra_man[key] is None) or torch.equal(value, extra_man[key]), key


@pytest.mark.parametrize("mode", MODES)
def test_training_dropout_draws_the_same_mask_as_nn_rnn(mode):
    """On the CPU nn.RNN drops each layer's output (packed: the packed data) with at::dropout,
    which is what F.dropout calls: the same seed gives the same mask, so train mode is exact."""
    c = dict(input_size=3, hidden_size=5, num_layers=3, nonlinearity="tanh", bias=True, batch_first=False,
             dropout=0.5, bidirectional=True, mode=mode, lengths=[2, 6, 4, 6], dtype=torch.float64)
    if mode == "packed_sorted":
        c["lengths"] = [6, 6, 4, 2]
    reference, manual = _pair(lambda m: _build(c, m))
    x = torch.randn(6, 4, 3, dtype=torch.float64)
    if mode == "unbatched":
        x = x[:, 0]
    out_ref, hn_ref, grads_ref, _ = _run(reference, c, x, None, seed=7)
    out_man, hn_man, grads_man, _ = _run(manual, c, x, None, seed=7)
    _close(out_man, out_ref, "output")
    _close(hn_man, hn_ref, "h_n")
    for name in grads_ref:
        _close(grads_man[name], grads_ref[name], f"grad of {name}")
    # ...and dropout really acted: the training output differs from the eval output.
    manual.eval()
    out_eval, _, _, _ = _run(manual, c, x, None, seed=7)
    assert not torch.allclose(out_eval, out_man)


def test_dropout_is_off_in_eval_mode_and_in_the_last_layer():
    torch.manual_seed(0)
    with_dropout = ManualRNN(3, 4, num_layers=2, dropout=0.9).eval()
    without = ManualRNN(3, 4, num_layers=2)
    without.load_state_dict(with_dropout.state_dict())
    x = torch.randn(5, 2, 3)
    torch.testing.assert_close(with_dropout(x), without(x), rtol=0, atol=0)
    # One layer: dropout never applies (nn.RNN warns), even in training.
    with pytest.warns(UserWarning):
        single = ManualRNN(3, 4, dropout=0.9)
    reference = ManualRNN(3, 4)
    reference.load_state_dict(single.state_dict())
    torch.testing.assert_close(single.train()(x), reference(x), rtol=0, atol=0)


def test_rnn_forward_default_dropout_path_is_unchanged_with_lengths():
    """``packed_dropout`` is opt-in: without it, rnn_forward drops the padded tensor as before."""
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, dtype=torch.float64)
    x = torch.randn(5, 3, 3, dtype=torch.float64)
    lengths = torch.tensor([5, 3, 2])
    torch.manual_seed(3)
    out, _ = rnn_forward(x, get_weights(rnn), dropout=0.5, training=True, lengths=lengths)
    torch.manual_seed(3)
    out_again, _ = rnn_forward(x, get_weights(rnn), dropout=0.5, training=True, lengths=lengths)
    torch.testing.assert_close(out, out_again, rtol=0, atol=0)
    # Padded positions stay exactly zero on both paths.
    for packed_dropout in (False, True):
        out, _ = rnn_forward(x, get_weights(rnn), dropout=0.5, training=True, lengths=lengths,
                             packed_dropout=packed_dropout)
        assert torch.all(out[3:, 1] == 0) and torch.all(out[2:, 2] == 0)


# ---------------------------------------------------------------------------
# Parameters: names, shapes, order, initialisation, state_dict both ways
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_same_parameters_and_same_seed_initialisation(bias, bidirectional):
    reference, manual = _pair(lambda m: (nn.RNN if m else ManualRNN)(
        5, 3, 3, bias=bias, bidirectional=bidirectional, dtype=torch.float64))
    ref_params = [(n, tuple(p.shape)) for n, p in reference.named_parameters()]
    assert [(n, tuple(p.shape)) for n, p in manual.named_parameters()] == ref_params
    for (name, p), q in zip(reference.named_parameters(), manual.parameters()):
        assert torch.equal(p, q), f"{name}: same seed, different initial values"
        assert q.requires_grad and q.dtype == torch.float64
    assert [[tuple(p.shape) for p in ws] for ws in manual.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in reference.all_weights
    ]
    if not bias:
        assert not hasattr(manual, "bias_ih_l0") and not hasattr(reference, "bias_ih_l0")
    # reset_parameters draws again, exactly as nn.RNN does.
    torch.manual_seed(5)
    reference.reset_parameters()
    torch.manual_seed(5)
    manual.reset_parameters()
    for p, q in zip(reference.parameters(), manual.parameters()):
        assert torch.equal(p, q)


def test_load_state_dict_both_ways():
    torch.manual_seed(0)
    reference = nn.RNN(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    manual = ManualRNN(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 4)
    manual.load_state_dict(reference.state_dict())  # strict: same keys, same shapes
    for got, want in zip(manual(x), reference(x)):
        _close(got, want, "nn.RNN -> ManualRNN")
    torch.manual_seed(1)
    manual.reset_parameters()
    reference.load_state_dict(manual.state_dict())
    for got, want in zip(manual(x), reference(x)):
        _close(got, want, "ManualRNN -> nn.RNN")
    # A state_dict of another configuration is refused, as by nn.RNN.
    with pytest.raises(RuntimeError, match="size mismatch"):
        ManualRNN(4, 5, num_layers=2, bidirectional=True).load_state_dict(reference.state_dict())


def test_swapped_into_a_model_with_a_linear_head():
    class Net(nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn, self.out = rnn, nn.Linear(16, 1)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.out(y)

    torch.manual_seed(0)
    net = Net(nn.RNN(9, 16))
    twin = Net(ManualRNN(9, 16))
    twin.load_state_dict(net.state_dict())
    x, target = torch.rand(5, 2, 9), torch.rand(5, 2, 1)
    for model in (net, twin):
        nn.functional.mse_loss(model(x), target).backward()
    _close(twin(x), net(x), "predictions")
    for (name, p), q in zip(net.named_parameters(), twin.parameters()):
        _close(q.grad, p.grad, f"grad of {name}")


def test_repr_names_the_options_like_nn_rnn():
    kwargs = dict(num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    assert repr(ManualRNN(3, 4, **kwargs)) == "Manual" + repr(nn.RNN(3, 4, **kwargs))
    assert repr(ManualRNN(9, 16)) == "ManualRNN(9, 16)"
    assert repr(ManualRNN(9, 16, nonlinearity="relu")) == "ManualRNN(9, 16, nonlinearity=relu)"
    cell_kwargs = dict(bias=False, nonlinearity="relu")
    assert repr(ManualRNNCell(3, 4, **cell_kwargs)) == "Manual" + repr(nn.RNNCell(3, 4, **cell_kwargs))


def test_batch_of_zero_and_dtype_conversion_work_like_nn_rnn():
    reference, manual = _pair(lambda m: (nn.RNN if m else ManualRNN)(3, 4, 2, bidirectional=True))
    for got, want in zip(manual(torch.randn(5, 0, 3)), reference(torch.randn(5, 0, 3))):
        assert got.shape == want.shape
    manual.double()
    reference.double()
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    for got, want in zip(manual(x), reference(x)):
        _close(got, want, "after .double()")
    manual.flatten_parameters()  # a no-op, present so nn.RNN code keeps running


def test_uses_no_pytorch_rnn_kernel(monkeypatch):
    assert not issubclass(ManualRNN, nn.RNNBase) and not issubclass(ManualRNNCell, nn.RNNCellBase)

    def refuse(*args, **kwargs):
        raise AssertionError("a PyTorch RNN kernel was called")

    for name in ("rnn_tanh", "rnn_relu", "rnn_tanh_cell", "rnn_relu_cell"):
        monkeypatch.setattr(torch._VF, name, refuse)
        monkeypatch.setattr(torch, name, refuse)
    with pytest.raises(AssertionError, match="kernel"):
        nn.RNN(3, 4)(torch.randn(2, 1, 3))  # the patch does catch nn.RNN
    rnn = ManualRNN(3, 4, num_layers=2, bidirectional=True, nonlinearity="relu", dropout=0.5)
    packed = pack_padded_sequence(torch.randn(4, 2, 3), torch.tensor([4, 2]))
    for inp in (torch.randn(4, 2, 3), torch.randn(4, 3), packed):
        output, h_n = rnn(inp)
        (output.data.sum() + h_n.sum()).backward()
    ManualRNNCell(3, 4)(torch.randn(2, 3)).sum().backward()


# ---------------------------------------------------------------------------
# ManualRNNCell == nn.RNNCell
# ---------------------------------------------------------------------------


@given(
    st.fixed_dictionaries(
        {
            "input_size": st.integers(1, 5),
            "hidden_size": st.integers(1, 5),
            "batch": st.integers(1, 4),
            "batched": st.booleans(),
            "bias": st.booleans(),
            "nonlinearity": st.sampled_from(["tanh", "relu"]),
            "with_hx": st.booleans(),
            "dtype": st.sampled_from([torch.float64, torch.float32]),
        }
    )
)
def test_manual_rnn_cell_matches_nn_rnncell(c):
    reference, manual = _pair(lambda m: (nn.RNNCell if m else ManualRNNCell)(
        c["input_size"], c["hidden_size"], bias=c["bias"], nonlinearity=c["nonlinearity"], dtype=c["dtype"]))
    assert [(n, p.shape) for n, p in reference.named_parameters()] == [(n, p.shape) for n, p in manual.named_parameters()]
    for p, q in zip(reference.parameters(), manual.parameters()):
        assert torch.equal(p, q)
    lead = (c["batch"],) if c["batched"] else ()
    x = torch.randn(*lead, c["input_size"], dtype=c["dtype"])
    hx = torch.randn(*lead, c["hidden_size"], dtype=c["dtype"]) if c["with_hx"] else None
    weight = torch.randn(*lead, c["hidden_size"], dtype=c["dtype"])
    results = []
    for cell in (reference, manual):
        xi = x.clone().requires_grad_()
        hi = None if hx is None else hx.clone().requires_grad_()
        h = cell(xi, hi)
        (h * weight).sum().backward()
        grads = {n: p.grad for n, p in cell.named_parameters()}
        grads["input"] = xi.grad
        if hi is not None:
            grads["hx"] = hi.grad
        results.append((h, grads))
    (h_ref, g_ref), (h_man, g_man) = results
    _close(h_man, h_ref, "h'")
    assert g_ref.keys() == g_man.keys()
    for name in g_ref:
        _close(g_man[name], g_ref[name], f"grad of {name}")


def test_cell_state_dict_both_ways():
    torch.manual_seed(0)
    reference, manual = nn.RNNCell(3, 4, bias=False), ManualRNNCell(3, 4, bias=False)
    manual.load_state_dict(reference.state_dict())
    x = torch.randn(2, 3)
    _close(manual(x), reference(x), "nn.RNNCell -> ManualRNNCell")
    manual.reset_parameters()
    reference.load_state_dict(manual.state_dict())
    _close(manual(x), reference(x), "ManualRNNCell -> nn.RNNCell")
    assert manual.bias_ih is None and manual.bias_hh is None


# ---------------------------------------------------------------------------
# Bad arguments: refused like nn.RNN, with a message naming expected and actual
# ---------------------------------------------------------------------------

BAD_CONSTRUCTOR_ARGS = [
    # (kwargs, exception, words the message must contain)
    ({"hidden_size": 0}, ValueError, ["hidden_size", "> 0", "got 0"]),
    ({"hidden_size": -2}, ValueError, ["hidden_size", "> 0", "got -2"]),
    ({"hidden_size": 2.0}, TypeError, ["hidden_size", "int", "float 2.0"]),
    ({"input_size": 0}, ValueError, ["input_size", "> 0", "got 0"]),
    ({"input_size": "3"}, TypeError, ["input_size", "int", "str '3'"]),
    ({"num_layers": 0}, ValueError, ["num_layers", "> 0", "got 0"]),
    ({"num_layers": 1.5}, TypeError, ["num_layers", "int", "float 1.5"]),
    ({"dropout": 1.5}, ValueError, ["dropout", "[0, 1]", "1.5"]),
    ({"dropout": -0.1}, ValueError, ["dropout", "[0, 1]", "-0.1"]),
    ({"dropout": True}, ValueError, ["dropout", "[0, 1]", "bool True"]),
    ({"dropout": "0.5"}, ValueError, ["dropout", "[0, 1]", "str '0.5'"]),
    ({"nonlinearity": "sigmoid"}, ValueError, ["nonlinearity", "'tanh' or 'relu'", "'sigmoid'"]),
    ({"nonlinearity": "Tanh"}, ValueError, ["nonlinearity", "'tanh' or 'relu'", "'Tanh'"]),
    ({"bias": 1}, TypeError, ["bias", "bool", "int 1"]),
    ({"batch_first": None}, TypeError, ["batch_first", "bool", "NoneType None"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), BAD_CONSTRUCTOR_ARGS, ids=lambda v: repr(v)[:30])
def test_bad_constructor_arguments_are_refused_like_nn_rnn(kwargs, error, words):
    args = {"input_size": 3, "hidden_size": 4, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error):  # nn.RNN refuses it, with the same exception type
            nn.RNN(**args)
        with pytest.raises(error) as caught:
            ManualRNN(**args)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    case for case in BAD_CONSTRUCTOR_ARGS if set(case[0]) <= {"input_size", "hidden_size", "bias", "nonlinearity"}
], ids=lambda v: repr(v)[:30])
def test_bad_cell_constructor_arguments_are_refused(kwargs, error, words):
    # Stricter than nn.RNNCell, which accepts e.g. hidden_size=0 or nonlinearity='sigmoid' until forward.
    with pytest.raises(error) as caught:
        ManualRNNCell(**{"input_size": 3, "hidden_size": 4, **kwargs})
    for word in words:
        assert word in str(caught.value)


def test_dropout_with_one_layer_warns_exactly_like_nn_rnn():
    with pytest.warns(UserWarning) as ours:
        ManualRNN(3, 4, dropout=0.2)
    with pytest.warns(UserWarning) as theirs:
        nn.RNN(3, 4, dropout=0.2)
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # points at the caller's line, as nn.RNN's does
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ManualRNN(3, 4, num_layers=2, dropout=0.2)
        ManualRNN(3, 4, dropout=0.0)


def _t(*shape, dtype=torch.float32):
    return torch.zeros(*shape, dtype=dtype)


# A 2-layer bidirectional RNN(3, 4): hx is (4, batch, 4). (name, kwargs, input, hx, error, words)
BAD_INPUTS = [
    ("wrong feature size", {}, _t(5, 2, 6), None, RuntimeError, ["input_size=3", "got 6", "(5, 2, 6)"]),
    ("wrong feature size unbatched", {}, _t(5, 6), None, RuntimeError, ["input_size=3", "got 6"]),
    ("4-D input", {}, _t(5, 2, 3, 1), None, ValueError, ["3-D", "2-D", "got a 4-D", "(5, 2, 3, 1)"]),
    ("1-D input", {}, _t(3), None, ValueError, ["3-D", "got a 1-D", "(3,)"]),
    ("empty sequence", {}, _t(0, 2, 3), None, RuntimeError, ["at least one step", "seq_len 0"]),
    ("empty sequence unbatched", {}, _t(0, 3), None, RuntimeError, ["at least one step", "seq_len 0"]),
    ("empty sequence batch_first", {"batch_first": True}, _t(2, 0, 3), None, RuntimeError,
     ["seq_len 0", "(batch, seq_len, input_size)"]),
    ("hx batch", {}, _t(5, 2, 3), _t(4, 3, 4), RuntimeError, ["(4, 2, 4)", "got (4, 3, 4)"]),
    ("hx layers", {}, _t(5, 2, 3), _t(2, 2, 4), RuntimeError, ["(4, 2, 4)", "num_layers * num_directions", "got (2, 2, 4)"]),
    ("hx hidden", {}, _t(5, 2, 3), _t(4, 2, 5), RuntimeError, ["(4, 2, 4)", "got (4, 2, 5)"]),
    ("hx batch-first", {"batch_first": True}, _t(2, 5, 3), _t(2, 4, 4), RuntimeError,
     ["(4, 2, 4)", "got (2, 4, 4)", "never batch-first"]),
    ("unbatched input, batched hx", {}, _t(5, 3), _t(4, 1, 4), RuntimeError,
     ["unbatched 2-D input", "2-D hx", "got a 3-D", "(4, 1, 4)"]),
    ("batched input, unbatched hx", {}, _t(5, 2, 3), _t(4, 4), RuntimeError,
     ["batched 3-D input", "3-D hx", "got a 2-D", "(4, 4)"]),
    ("unbatched hx wrong", {}, _t(5, 3), _t(2, 4), RuntimeError, ["(4, 4)", "unbatched", "got (2, 4)"]),
    ("input dtype", {}, _t(5, 2, 3, dtype=torch.float64), None, ValueError,
     ["input", "torch.float32", "got torch.float64"]),
    ("integer input", {}, torch.zeros(5, 2, 3, dtype=torch.long), None, ValueError,
     ["input", "torch.float32", "got torch.int64"]),
    ("hx dtype", {}, _t(5, 2, 3), _t(4, 2, 4, dtype=torch.float64), ValueError,
     ["hx", "torch.float32", "got torch.float64"]),
]


@pytest.mark.parametrize(("name", "kwargs", "x", "hx", "error", "words"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_a_clear_message(name, kwargs, x, hx, error, words):
    reference, manual = _pair(lambda m: (nn.RNN if m else ManualRNN)(3, 4, num_layers=2, bidirectional=True, **kwargs))
    with pytest.raises((RuntimeError, ValueError)):  # nn.RNN refuses it too
        reference(x, hx)
    with pytest.raises(error) as caught:
        manual(x, hx)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"


def test_bad_packed_input_is_refused():
    rnn = ManualRNN(3, 4)
    packed = pack_padded_sequence(torch.zeros(5, 2, 3), torch.tensor([3, 5]), enforce_sorted=False)
    with pytest.raises(RuntimeError, match=re.escape("expected shape (1, 2, 4)")):
        rnn(packed, torch.zeros(1, 3, 4))
    with pytest.raises(RuntimeError, match="input_size=4"):
        ManualRNN(4, 4)(packed)
    packed_float64 = PackedSequence(packed.data.double(), packed.batch_sizes, packed.sorted_indices,
                                    packed.unsorted_indices)
    with pytest.raises(ValueError, match="got torch.float64"):
        rnn(packed_float64)
    with pytest.raises(TypeError, match="Tensor or a PackedSequence"):
        rnn([[0.0, 0.0, 0.0]])


def test_packed_hx_of_the_wrong_batch_is_refused_where_nn_rnn_is_silent():
    """nn.RNN permutes hx with sorted_indices *before* checking its shape, so an hx with extra
    batch rows slips through; ManualRNN checks hx in the caller's order and refuses it."""
    reference, manual = _pair(lambda m: (nn.RNN if m else ManualRNN)(3, 4))
    packed = pack_padded_sequence(torch.zeros(5, 2, 3), torch.tensor([3, 5]), enforce_sorted=False)
    too_many_rows = torch.zeros(1, 3, 4)
    reference(packed, too_many_rows)  # accepted silently (rows 0 and 1 used, row 2 ignored)
    with pytest.raises(RuntimeError, match=re.escape("got (1, 3, 4)")):
        manual(packed, too_many_rows)


CELL_BAD_INPUTS = [
    ("3-D input", _t(2, 3, 1), None, ValueError, ["(batch, input_size)", "got a 3-D", "(2, 3, 1)"]),
    ("3-D hx", _t(2, 3), _t(1, 2, 4), ValueError, ["(batch, hidden_size)", "got a 3-D"]),
    ("feature size", _t(2, 5), None, RuntimeError, ["input_size=3", "got 5"]),
    ("hx batch", _t(2, 3), _t(3, 4), RuntimeError, ["(2, 4)", "got (3, 4)"]),
    ("hx hidden", _t(2, 3), _t(2, 5), RuntimeError, ["(2, 4)", "got (2, 5)"]),
    ("unbatched input, batched hx", _t(3), _t(1, 4), RuntimeError, ["(4,)", "unbatched", "got (1, 4)"]),
    ("batched input, unbatched hx", _t(2, 3), _t(4), RuntimeError, ["(2, 4)", "got (4,)"]),
    ("input dtype", _t(2, 3, dtype=torch.float64), None, ValueError, ["torch.float32", "got torch.float64"]),
    ("hx dtype", _t(2, 3), _t(2, 4, dtype=torch.float64), ValueError, ["hx", "got torch.float64"]),
]


@pytest.mark.parametrize(("name", "x", "hx", "error", "words"), CELL_BAD_INPUTS, ids=[c[0] for c in CELL_BAD_INPUTS])
def test_cell_bad_input_is_refused_with_a_clear_message(name, x, hx, error, words):
    with pytest.raises((RuntimeError, ValueError)):  # nn.RNNCell refuses it too
        nn.RNNCell(3, 4)(x, hx)
    with pytest.raises(error) as caught:
        ManualRNNCell(3, 4)(x, hx)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"
