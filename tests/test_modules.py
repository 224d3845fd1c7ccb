"""ManualRNN / ManualLSTM / ManualGRU (and their cells) against PyTorch's modules.

Every comparison builds both modules under the same seed (so the same initial weights) and runs them
on the same input (and, in training mode, the same dropout seed), then compares the output, the final
state and the gradient of every parameter, of the input and of the initial state: float64 to 1e-10,
float32 to ``rnn_helpers.tolerance(torch.float32)`` = (atol 1e-6, rtol 1e-5). On the CPU nn.LSTM in
float32 runs oneDNN, which adds the two biases before the product: the last bits differ, within that
tolerance at these sizes.
"""

import re
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from rnn_helpers import (
    ManualGRU,
    ManualGRUCell,
    ManualLSTM,
    ManualLSTMCell,
    ManualRNN,
    ManualRNNCell,
    tolerance,
)

# nn.LSTM with proj_size warns that oneDNN cannot run it and falls back to ATen's loop: expected here.
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")

KINDS = {"RNN": (nn.RNN, ManualRNN), "LSTM": (nn.LSTM, ManualLSTM), "GRU": (nn.GRU, ManualGRU)}
CELLS = {"RNN": (nn.RNNCell, ManualRNNCell), "LSTM": (nn.LSTMCell, ManualLSTMCell), "GRU": (nn.GRUCell, ManualGRUCell)}
MODES = ["batched", "unbatched", "packed_sorted", "packed_unsorted"]


def _close(actual, expected, what):
    atol, rtol = tolerance(expected.dtype)
    torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol, msg=lambda m: f"{what}: {m}")


def _pair(make, seed=0):
    """(PyTorch reference, Manual twin) built under the same seed, without warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.manual_seed(seed)
        reference = make(True)
        torch.manual_seed(seed)
        manual = make(False)
    return reference, manual


def _states(h):
    return h if isinstance(h, tuple) else (h,)


# ---------------------------------------------------------------------------------------------
# The modules == PyTorch's over random configurations: values and every gradient
# ---------------------------------------------------------------------------------------------


@st.composite
def cases(draw):
    c = draw(
        st.fixed_dictionaries(
            {
                "kind": st.sampled_from(list(KINDS)),
                "input_size": st.integers(1, 4),
                "hidden_size": st.integers(2, 4),
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
                "proj": st.booleans(),
            }
        )
    )
    c["proj_size"] = draw(st.integers(1, c["hidden_size"] - 1)) if c["kind"] == "LSTM" and c["proj"] else 0
    lengths = draw(st.lists(st.integers(1, c["seq_len"]), min_size=c["batch"], max_size=c["batch"]))
    c["lengths"] = sorted(lengths, reverse=True) if c["mode"] == "packed_sorted" else lengths
    return c


def _build(c, reference: bool):
    kwargs = dict(num_layers=c["num_layers"], bias=c["bias"], batch_first=c["batch_first"], dropout=c["dropout"],
                  bidirectional=c["bidirectional"], dtype=c["dtype"])
    if c["kind"] == "RNN":
        kwargs["nonlinearity"] = c["nonlinearity"]
    if c["proj_size"]:
        kwargs["proj_size"] = c["proj_size"]
    return KINDS[c["kind"]][0 if reference else 1](c["input_size"], c["hidden_size"], **kwargs)


def _inputs(c):
    dirs = 2 if c["bidirectional"] else 1
    shape = (c["batch"], c["seq_len"]) if c["batch_first"] else (c["seq_len"], c["batch"])
    x = torch.randn(*shape, c["input_size"], dtype=c["dtype"])
    layers = c["num_layers"] * dirs
    widths = [c["proj_size"] or c["hidden_size"]] + ([c["hidden_size"]] if c["kind"] == "LSTM" else [])
    state = [torch.randn(layers, c["batch"], w, dtype=c["dtype"]) for w in widths]
    if c["mode"] == "unbatched":
        x = x[0] if c["batch_first"] else x[:, 0]  # (seq_len, input_size)
        state = [s[:, 0] for s in state]          # (layers * dirs, width)
    return x, (state if c["with_hx"] else None)


def _run(module, c, x, state, seed):
    """Forward and backward; returns (output tensor, final states, {name: grad}, packed bookkeeping)."""
    x = x.clone().requires_grad_()
    state = None if state is None else [s.clone().requires_grad_() for s in state]
    hx = None if state is None else (tuple(state) if c["kind"] == "LSTM" else state[0])
    inp = x
    if c["mode"].startswith("packed"):
        inp = pack_padded_sequence(x, torch.tensor(c["lengths"]), batch_first=c["batch_first"],
                                   enforce_sorted=c["mode"] == "packed_sorted")
    torch.manual_seed(seed)  # the same dropout masks for both modules
    output, h = module(inp, hx)
    extra = {}
    if isinstance(output, PackedSequence):
        extra = {"batch_sizes": output.batch_sizes, "sorted_indices": output.sorted_indices,
                 "unsorted_indices": output.unsorted_indices}
        output = output.data
    # Weigh every element differently, so a swapped row, gate or step shows in the gradients.
    g = torch.Generator().manual_seed(seed)
    loss = (output * torch.randn(output.shape, generator=g, dtype=torch.float64).to(output.dtype)).sum()
    for s in _states(h):
        loss = loss + (s * torch.randn(s.shape, generator=g, dtype=torch.float64).to(s.dtype)).sum()
    loss.backward()
    grads = {name: p.grad for name, p in module.named_parameters()}
    grads["input"] = x.grad
    for k, s in enumerate(state or []):
        grads[f"hx[{k}]"] = s.grad
    return output, _states(h), grads, extra


@given(cases())
def test_manual_modules_match_pytorch_values_and_gradients(c):
    reference, manual = _pair(lambda ref: _build(c, ref))
    # Same seed -> exactly the same initial weights, same names, same order.
    assert list(reference.state_dict()) == list(manual.state_dict())
    for name, p in reference.state_dict().items():
        assert torch.equal(p, manual.state_dict()[name]), name
    reference.train(c["training"])
    manual.train(c["training"])
    x, state = _inputs(c)
    out_ref, h_ref, grads_ref, extra_ref = _run(reference, c, x, state, seed=1)
    out_man, h_man, grads_man, extra_man = _run(manual, c, x, state, seed=1)
    _close(out_man, out_ref, "output")
    assert len(h_man) == len(h_ref)
    for k, (got, want) in enumerate(zip(h_man, h_ref)):
        _close(got, want, f"final state [{k}]")
    assert grads_man.keys() == grads_ref.keys()
    for name in grads_ref:
        _close(grads_man[name], grads_ref[name], f"grad of {name}")
    for key, value in extra_ref.items():  # PackedSequence bookkeeping passes through unchanged
        assert (value is None and extra_man[key] is None) or torch.equal(value, extra_man[key]), key


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("mode", MODES)
def test_training_dropout_draws_the_same_mask_as_pytorch(kind, mode):
    """On the CPU PyTorch drops each layer's output (packed: the packed data) with at::dropout,
    which is what F.dropout calls: the same seed gives the same mask, so train mode is exact."""
    c = dict(kind=kind, input_size=3, hidden_size=5, num_layers=3, nonlinearity="tanh", bias=True,
             batch_first=False, dropout=0.5, bidirectional=True, mode=mode, lengths=[2, 6, 4, 6],
             dtype=torch.float64, proj_size=0, seq_len=6, batch=4, with_hx=False)
    if mode == "packed_sorted":
        c["lengths"] = [6, 6, 4, 2]
    reference, manual = _pair(lambda ref: _build(c, ref))
    x, _ = _inputs(c)
    out_ref, h_ref, grads_ref, _ = _run(reference, c, x, None, seed=7)
    out_man, h_man, grads_man, _ = _run(manual, c, x, None, seed=7)
    _close(out_man, out_ref, "output")
    for got, want in zip(h_man, h_ref):
        _close(got, want, "final state")
    for name in grads_ref:
        _close(grads_man[name], grads_ref[name], f"grad of {name}")
    manual.eval()  # ...and dropout really acted: the training output differs from the eval output
    out_eval, _, _, _ = _run(manual, c, x, None, seed=7)
    assert not torch.allclose(out_eval, out_man)


@pytest.mark.parametrize("kind", list(KINDS))
def test_dropout_is_off_in_eval_mode_and_in_the_last_layer(kind):
    manual_cls = KINDS[kind][1]
    torch.manual_seed(0)
    with_dropout = manual_cls(3, 4, num_layers=2, dropout=0.9).eval()
    without = manual_cls(3, 4, num_layers=2)
    without.load_state_dict(with_dropout.state_dict())
    x = torch.randn(5, 2, 3)
    torch.testing.assert_close(with_dropout(x), without(x), rtol=0, atol=0)
    with pytest.warns(UserWarning):  # one layer: dropout never applies (PyTorch warns), even in training
        single = manual_cls(3, 4, dropout=0.9)
    reference = manual_cls(3, 4)
    reference.load_state_dict(single.state_dict())
    torch.testing.assert_close(single.train()(x), reference(x), rtol=0, atol=0)


# ---------------------------------------------------------------------------------------------
# Parameters: names, shapes, order, initialisation, state_dict both ways
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_same_parameters_and_same_seed_initialisation(kind, bias, bidirectional):
    kwargs = dict(bias=bias, bidirectional=bidirectional, dtype=torch.float64)
    if kind == "LSTM":
        kwargs["proj_size"] = 2
    reference, manual = _pair(lambda ref: KINDS[kind][0 if ref else 1](5, 3, 3, **kwargs))
    ref_params = [(n, tuple(p.shape)) for n, p in reference.named_parameters()]
    assert [(n, tuple(p.shape)) for n, p in manual.named_parameters()] == ref_params
    for (name, p), q in zip(reference.named_parameters(), manual.parameters()):
        assert torch.equal(p, q), f"{name}: same seed, different initial values"
        assert q.requires_grad and q.dtype == torch.float64
    assert [[tuple(p.shape) for p in ws] for ws in manual.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in reference.all_weights
    ]
    torch.manual_seed(5)  # reset_parameters draws again, exactly as PyTorch's does
    reference.reset_parameters()
    torch.manual_seed(5)
    manual.reset_parameters()
    for p, q in zip(reference.parameters(), manual.parameters()):
        assert torch.equal(p, q)


def test_lstm_projection_shapes_follow_pytorch():
    reference, manual = _pair(lambda ref: (nn.LSTM if ref else ManualLSTM)(5, 6, num_layers=2, proj_size=3,
                                                                           bidirectional=True))
    shapes = {n: tuple(p.shape) for n, p in manual.named_parameters()}
    assert shapes["weight_hr_l0"] == (3, 6)           # (proj_size, hidden_size)
    assert shapes["weight_hh_l0"] == (24, 3)          # the projected h is what recurs
    assert shapes["weight_ih_l1"] == (24, 2 * 3)      # layers above read num_directions * proj_size
    output, (h_n, c_n) = manual(torch.randn(7, 2, 5))
    assert output.shape == (7, 2, 6) and h_n.shape == (4, 2, 3) and c_n.shape == (4, 2, 6)


@pytest.mark.parametrize("kind", list(KINDS))
def test_load_state_dict_both_ways(kind):
    reference_cls, manual_cls = KINDS[kind]
    torch.manual_seed(0)
    reference = reference_cls(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    manual = manual_cls(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 4)
    manual.load_state_dict(reference.state_dict())  # strict: same keys, same shapes
    for got, want in zip(manual(x)[0:1] + _states(manual(x)[1]), reference(x)[0:1] + _states(reference(x)[1])):
        _close(got, want, f"nn.{kind} -> Manual{kind}")
    torch.manual_seed(1)
    manual.reset_parameters()
    reference.load_state_dict(manual.state_dict())
    _close(manual(x)[0], reference(x)[0], f"Manual{kind} -> nn.{kind}")
    with pytest.raises(RuntimeError, match="size mismatch"):  # another configuration is refused, as by PyTorch
        manual_cls(4, 5, num_layers=2, bidirectional=True).load_state_dict(reference.state_dict())


@pytest.mark.parametrize("kind", list(KINDS))
def test_swapped_into_a_model_with_a_linear_head(kind):
    class Net(nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn, self.out = rnn, nn.Linear(16, 1, dtype=torch.float64)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.out(y)

    reference_cls, manual_cls = KINDS[kind]
    torch.manual_seed(0)
    net, twin = Net(reference_cls(9, 16, dtype=torch.float64)), Net(manual_cls(9, 16, dtype=torch.float64))
    twin.load_state_dict(net.state_dict())
    x, target = torch.rand(5, 2, 9, dtype=torch.float64), torch.rand(5, 2, 1, dtype=torch.float64)
    for model in (net, twin):
        nn.functional.mse_loss(model(x), target).backward()
    _close(twin(x), net(x), "predictions")
    for (name, p), q in zip(net.named_parameters(), twin.parameters()):
        _close(q.grad, p.grad, f"grad of {name}")


def test_repr_names_the_options_like_pytorch():
    kwargs = dict(num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    for kind, (reference_cls, manual_cls) in KINDS.items():
        assert repr(manual_cls(3, 4, **kwargs)) == "Manual" + repr(reference_cls(3, 4, **kwargs))
    assert repr(ManualLSTM(3, 4, proj_size=2)) == "Manual" + repr(nn.LSTM(3, 4, proj_size=2))
    assert repr(ManualRNN(9, 16)) == "ManualRNN(9, 16)"
    assert repr(ManualRNN(9, 16, nonlinearity="relu")) == "ManualRNN(9, 16, nonlinearity=relu)"
    for kind, (reference_cls, manual_cls) in CELLS.items():
        assert repr(manual_cls(3, 4, bias=False)) == "Manual" + repr(reference_cls(3, 4, bias=False))


@pytest.mark.parametrize("kind", list(KINDS))
def test_batch_of_zero_and_dtype_conversion_work_like_pytorch(kind):
    reference, manual = _pair(lambda ref: KINDS[kind][0 if ref else 1](3, 4, 2, bidirectional=True))
    got, want = manual(torch.randn(5, 0, 3)), reference(torch.randn(5, 0, 3))
    assert got[0].shape == want[0].shape
    assert [s.shape for s in _states(got[1])] == [s.shape for s in _states(want[1])]
    manual.double()
    reference.double()
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    _close(manual(x)[0], reference(x)[0], "after .double()")
    manual.flatten_parameters()  # a no-op, present so PyTorch code keeps running


def test_uses_no_pytorch_rnn_kernel(monkeypatch):
    for reference_cls, manual_cls in list(KINDS.values()):
        assert not issubclass(manual_cls, nn.RNNBase)
    for reference_cls, manual_cls in list(CELLS.values()):
        assert not issubclass(manual_cls, nn.RNNCellBase)

    def refuse(*args, **kwargs):
        raise AssertionError("a PyTorch RNN kernel was called")

    for name in ("rnn_tanh", "rnn_relu", "rnn_tanh_cell", "rnn_relu_cell", "lstm", "gru", "lstm_cell", "gru_cell"):
        monkeypatch.setattr(torch._VF, name, refuse)
        monkeypatch.setattr(torch, name, refuse)
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        with pytest.raises(AssertionError, match="kernel"):
            cls(3, 4)(torch.randn(2, 1, 3))  # the patch does catch PyTorch's modules
    packed = pack_padded_sequence(torch.randn(4, 2, 3), torch.tensor([4, 2]))
    for manual_cls in (ManualRNN, ManualLSTM, ManualGRU):
        rnn = manual_cls(3, 4, num_layers=2, bidirectional=True, dropout=0.5)
        for inp in (torch.randn(4, 2, 3), torch.randn(4, 3), packed):
            output, h = rnn(inp)
            (output.data.sum() + sum(s.sum() for s in _states(h))).backward()
    for manual_cls in (ManualRNNCell, ManualLSTMCell, ManualGRUCell):
        h = manual_cls(3, 4)(torch.randn(2, 3))
        sum(s.sum() for s in _states(h)).backward()


def test_second_derivatives_are_refused_with_a_clear_error():
    """The backward pass is written by hand (first derivatives); asking to differentiate it again raises."""
    for manual_cls in (ManualRNN, ManualLSTM, ManualGRU):
        x = torch.randn(5, 2, 3, requires_grad=True)
        output, _ = manual_cls(3, 4)(x)
        with pytest.raises(RuntimeError, match="first derivatives only.*create_graph=True is not supported"):
            torch.autograd.grad(output.sum(), x, create_graph=True)


def test_inner_loop_checks_nothing(monkeypatch):
    """Arguments are checked once, at the module's boundary: the number of shape checks does not
    grow with the sequence length (it did: every step was checked at four levels)."""
    import rnn_helpers._checks as checks

    calls = []
    original = checks.check_shape
    monkeypatch.setattr(checks, "check_shape", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    for manual_cls in (ManualRNN, ManualLSTM, ManualGRU):
        rnn = manual_cls(3, 4, num_layers=2, bidirectional=True)
        counts = []
        for seq_len in (2, 50):
            calls.clear()
            rnn(torch.randn(seq_len, 3, 3))
            counts.append(len(calls))
        assert counts[0] == counts[1], f"{manual_cls.__name__}: {counts} shape checks"


# ---------------------------------------------------------------------------------------------
# The cells == PyTorch's cells
# ---------------------------------------------------------------------------------------------


@given(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(list(CELLS)),
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
def test_manual_cells_match_pytorch_cells(c):
    kwargs = dict(bias=c["bias"], dtype=c["dtype"])
    if c["kind"] == "RNN":
        kwargs["nonlinearity"] = c["nonlinearity"]
    reference, manual = _pair(lambda ref: CELLS[c["kind"]][0 if ref else 1](c["input_size"], c["hidden_size"], **kwargs))
    assert [(n, p.shape) for n, p in reference.named_parameters()] == [(n, p.shape) for n, p in manual.named_parameters()]
    for p, q in zip(reference.parameters(), manual.parameters()):
        assert torch.equal(p, q)
    lead = (c["batch"],) if c["batched"] else ()
    x = torch.randn(*lead, c["input_size"], dtype=c["dtype"])
    count = 2 if c["kind"] == "LSTM" else 1
    state = [torch.randn(*lead, c["hidden_size"], dtype=c["dtype"]) for _ in range(count)] if c["with_hx"] else None
    weights = [torch.randn(*lead, c["hidden_size"], dtype=c["dtype"]) for _ in range(count)]
    results = []
    for cell in (reference, manual):
        xi = x.clone().requires_grad_()
        si = None if state is None else [s.clone().requires_grad_() for s in state]
        hx = None if si is None else (tuple(si) if count == 2 else si[0])
        new = _states(cell(xi, hx))
        sum((s * w).sum() for s, w in zip(new, weights)).backward()
        grads = {n: p.grad for n, p in cell.named_parameters()}
        grads["input"] = xi.grad
        for k, s in enumerate(si or []):
            grads[f"hx[{k}]"] = s.grad
        results.append((new, grads))
    (new_ref, g_ref), (new_man, g_man) = results
    for got, want in zip(new_man, new_ref):
        _close(got, want, "new state")
    assert g_ref.keys() == g_man.keys()
    for name in g_ref:
        _close(g_man[name], g_ref[name], f"grad of {name}")


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_state_dict_both_ways(kind):
    reference_cls, manual_cls = CELLS[kind]
    torch.manual_seed(0)
    reference, manual = reference_cls(3, 4, bias=False), manual_cls(3, 4, bias=False)
    manual.load_state_dict(reference.state_dict())
    x = torch.randn(2, 3)
    _close(_states(manual(x))[0], _states(reference(x))[0], f"nn.{kind}Cell -> Manual{kind}Cell")
    manual.reset_parameters()
    reference.load_state_dict(manual.state_dict())
    _close(_states(manual(x))[0], _states(reference(x))[0], f"Manual{kind}Cell -> nn.{kind}Cell")
    assert manual.bias_ih is None and manual.bias_hh is None


# ---------------------------------------------------------------------------------------------
# Bad arguments: refused like PyTorch, with a message naming expected and actual
# ---------------------------------------------------------------------------------------------

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
    ({"bias": 1}, TypeError, ["bias", "bool", "int 1"]),
    ({"batch_first": None}, TypeError, ["batch_first", "bool", "NoneType None"]),
]
RNN_ONLY = [
    ({"nonlinearity": "sigmoid"}, ValueError, ["nonlinearity", "'tanh' or 'relu'", "'sigmoid'"]),
    ({"nonlinearity": "Tanh"}, ValueError, ["nonlinearity", "'tanh' or 'relu'", "'Tanh'"]),
    ({"proj_size": 2}, ValueError, ["proj_size", "only an LSTM", "got proj_size=2"]),
]
LSTM_ONLY = [
    ({"proj_size": 4}, ValueError, ["proj_size < hidden_size = 4", "got proj_size=4"]),
    ({"proj_size": 7}, ValueError, ["proj_size < hidden_size = 4", "got proj_size=7"]),
    ({"proj_size": -1}, ValueError, ["proj_size", "positive", "got -1"]),
]
GRU_ONLY = [({"proj_size": 2}, ValueError, ["proj_size", "only an LSTM", "nn.GRU", "got proj_size=2"])]
CONSTRUCTOR_CASES = (
    [(kind, *case) for kind in KINDS for case in BAD_CONSTRUCTOR_ARGS]
    + [("RNN", *case) for case in RNN_ONLY] + [("LSTM", *case) for case in LSTM_ONLY]
    + [("GRU", *case) for case in GRU_ONLY]
)


@pytest.mark.parametrize(("kind", "kwargs", "error", "words"), CONSTRUCTOR_CASES, ids=lambda v: repr(v)[:30])
def test_bad_constructor_arguments_are_refused_like_pytorch(kind, kwargs, error, words):
    reference_cls, manual_cls = KINDS[kind]
    args = {"input_size": 3, "hidden_size": 4, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error):  # PyTorch refuses it, with the same exception type
            reference_cls(**args)
        with pytest.raises(error) as caught:
            manual_cls(**args)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    case for case in BAD_CONSTRUCTOR_ARGS + RNN_ONLY[:2] if set(case[0]) <= {"input_size", "hidden_size", "bias", "nonlinearity"}
], ids=lambda v: repr(v)[:30])
def test_bad_cell_constructor_arguments_are_refused(kwargs, error, words):
    # Stricter than nn.RNNCell, which accepts e.g. hidden_size=0 or nonlinearity='sigmoid' until forward.
    with pytest.raises(error) as caught:
        ManualRNNCell(**{"input_size": 3, "hidden_size": 4, **kwargs})
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("manual_cls", [ManualRNN, ManualLSTM, ManualGRU])
def test_dropout_with_one_layer_warns_exactly_like_pytorch(manual_cls):
    with pytest.warns(UserWarning) as ours:
        manual_cls(3, 4, dropout=0.2)
    with pytest.warns(UserWarning) as theirs:
        nn.RNN(3, 4, dropout=0.2)
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # points at the caller's line, as PyTorch's does
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        manual_cls(3, 4, num_layers=2, dropout=0.2)
        manual_cls(3, 4, dropout=0.0)


def _t(*shape, dtype=torch.float32):
    return torch.zeros(*shape, dtype=dtype)


# A 2-layer bidirectional (3 -> 4) module: every state is (4, batch, 4). (name, kwargs, input, hx, error, words)
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
     ["unbatched 2-D input", "2-D", "got a 3-D", "(4, 1, 4)"]),
    ("batched input, unbatched hx", {}, _t(5, 2, 3), _t(4, 4), RuntimeError,
     ["batched 3-D input", "3-D", "got a 2-D", "(4, 4)"]),
    ("unbatched hx wrong", {}, _t(5, 3), _t(2, 4), RuntimeError, ["(4, 4)", "unbatched", "got (2, 4)"]),
    ("input dtype", {}, _t(5, 2, 3, dtype=torch.float64), None, ValueError, ["input", "torch.float32", "got torch.float64"]),
    ("integer input", {}, torch.zeros(5, 2, 3, dtype=torch.long), None, ValueError,
     ["input", "torch.float32", "got torch.int64"]),
    ("hx dtype", {}, _t(5, 2, 3), _t(4, 2, 4, dtype=torch.float64), ValueError, ["torch.float32", "got torch.float64"]),
]


def _as_hx(kind, hx, c=None):
    """For an LSTM, the bad hx goes in as h_0, with a good c_0 beside it (or the given one)."""
    if kind != "LSTM" or hx is None:
        return hx
    return (hx, c if c is not None else torch.zeros(4, *hx.shape[1:-1], 4, dtype=hx.dtype))


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(("name", "kwargs", "x", "hx", "error", "words"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_a_clear_message(kind, name, kwargs, x, hx, error, words):
    reference, manual = _pair(lambda ref: KINDS[kind][0 if ref else 1](3, 4, num_layers=2, bidirectional=True, **kwargs))
    hx = _as_hx(kind, hx)
    with pytest.raises((RuntimeError, ValueError)):  # PyTorch refuses it too
        reference(x, hx)
    with pytest.raises(error) as caught:
        manual(x, hx)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"


LSTM_BAD_STATES = [
    # (what, module kwargs, hx, error, words): PyTorch's own messages are unclear or an IndexError
    ("a tensor for the pair", {}, _t(1, 2, 4), TypeError, ["pair (h_0, c_0)", "got a tensor of shape (1, 2, 4)"]),
    ("a 1-tuple", {}, (_t(1, 2, 4),), TypeError, ["pair (h_0, c_0)", "got a tuple of 1"]),
    ("c0 of the wrong shape", {}, (_t(1, 2, 4), _t(1, 2, 3)), RuntimeError, ["hx[1] (c_0)", "(1, 2, 4)", "got (1, 2, 3)"]),
    ("h0 with hidden_size when projected", {"proj_size": 2}, (_t(1, 2, 4), _t(1, 2, 4)), RuntimeError,
     ["hx[0] (h_0)", "(1, 2, 2)", "got (1, 2, 4)", "proj_size=2", "c_0 keeps hidden_size"]),
]


@pytest.mark.parametrize(("what", "kwargs", "hx", "error", "words"), LSTM_BAD_STATES, ids=[c[0] for c in LSTM_BAD_STATES])
def test_bad_lstm_state_is_refused_more_clearly_than_by_pytorch(what, kwargs, hx, error, words):
    reference, manual = _pair(lambda ref: (nn.LSTM if ref else ManualLSTM)(3, 4, **kwargs))
    x = _t(5, 2, 3)
    with pytest.raises(Exception):  # noqa: B017 - PyTorch refuses it too (an IndexError for a lone tensor)
        reference(x, hx)
    with pytest.raises(error) as caught:
        manual(x, hx)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_bad_packed_input_is_refused(kind):
    manual_cls = KINDS[kind][1]
    rnn = manual_cls(3, 4)
    packed = pack_padded_sequence(torch.zeros(5, 2, 3), torch.tensor([3, 5]), enforce_sorted=False)
    with pytest.raises(RuntimeError, match=re.escape("expected shape (1, 2, 4)")):
        rnn(packed, _as_hx(kind, torch.zeros(1, 3, 4), torch.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match="input_size=4"):
        manual_cls(4, 4)(packed)
    packed_float64 = PackedSequence(packed.data.double(), packed.batch_sizes, packed.sorted_indices,
                                    packed.unsorted_indices)
    with pytest.raises(ValueError, match="got torch.float64"):
        rnn(packed_float64)
    with pytest.raises(TypeError, match="Tensor or a PackedSequence"):
        rnn([[0.0, 0.0, 0.0]])


def test_packed_hx_of_the_wrong_batch_is_refused_where_pytorch_is_silent():
    """PyTorch permutes hx with sorted_indices *before* checking its shape, so an hx with extra batch
    rows slips through; the Manual modules check hx in the caller's order and refuse it."""
    reference, manual = _pair(lambda ref: (nn.RNN if ref else ManualRNN)(3, 4))
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
    ("hx dtype", _t(2, 3), _t(2, 4, dtype=torch.float64), ValueError, ["got torch.float64"]),
]


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize(("name", "x", "hx", "error", "words"), CELL_BAD_INPUTS, ids=[c[0] for c in CELL_BAD_INPUTS])
def test_cell_bad_input_is_refused_with_a_clear_message(kind, name, x, hx, error, words):
    reference_cls, manual_cls = CELLS[kind]
    if kind == "LSTM" and hx is not None:
        hx = (hx, hx.clone())
    with pytest.raises((RuntimeError, ValueError)):  # PyTorch's cell refuses it too
        reference_cls(3, 4)(x, hx)
    with pytest.raises(error) as caught:
        manual_cls(3, 4)(x, hx)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"
