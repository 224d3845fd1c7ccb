"""rnn_helpers.compare: the CUDA float32 tolerance follows the switch that governs cuDNN's RNNs.

No GPU is needed: the switches are plain process-wide flags that a CPU build of torch also has,
and ``tolerance(torch.float32, "cuda")`` only reads them. Every test leaves the flags as it found
them (the fixture below restores them and checks it did).
"""

from types import SimpleNamespace

import pytest
import torch

import rnn_helpers.compare as compare
from rnn_helpers import assert_matches, tolerance
from rnn_helpers.compare import (
    TF32_TOLERANCE,
    TOLERANCES,
    cuda_float32_uses_tf32,
    cudnn_rnn_precision,
    cudnn_rnn_switch,
    cudnn_rnn_uses_tf32,
)

B = torch.backends
TIGHT = TOLERANCES[torch.float32]


def _new_switches():
    return (B.fp32_precision, B.cudnn.fp32_precision, B.cuda.matmul.fp32_precision,
            B.cudnn.rnn.fp32_precision, B.cudnn.conv.fp32_precision)


@pytest.fixture(autouse=True)
def _restore_flags():
    legacy = torch._C._get_cudnn_allow_tf32()  # consistent in the default state, so this read does not raise
    before = _new_switches()
    yield
    torch._C._set_cudnn_allow_tf32(legacy)  # sets the legacy bool (and rnn/conv) without the consistency check
    generic, cudnn_all, matmul, rnn, conv = before
    B.fp32_precision = generic
    B.cudnn.fp32_precision = cudnn_all
    B.cuda.matmul.fp32_precision = matmul
    B.cudnn.rnn.fp32_precision = rnn
    B.cudnn.conv.fp32_precision = conv
    assert _new_switches() == before and torch._C._get_cudnn_allow_tf32() == legacy


def test_default_cudnn_rnns_use_tf32_so_cuda_float32_is_loose_and_the_cpu_is_not():
    assert cudnn_rnn_switch() == ("torch.backends.cudnn.rnn.fp32_precision", "tf32")
    assert tolerance(torch.float32, "cuda") == TF32_TOLERANCE
    assert tolerance(torch.float32, "cpu") == TIGHT
    assert tolerance(torch.float64, "cuda") == TOLERANCES[torch.float64]  # TF32 is a float32 matter


def test_the_new_rnn_switch_set_to_ieee_makes_cuda_float32_tight(monkeypatch):
    monkeypatch.setattr(B.cudnn.rnn, "fp32_precision", "ieee")
    assert cudnn_rnn_switch()[1] == "ieee" and not cudnn_rnn_uses_tf32()
    assert tolerance(torch.float32, "cuda") == TIGHT


def test_the_legacy_flag_can_disagree_and_is_not_what_the_tolerance_reads():
    # only cuDNN's convolutions told to stop using TF32: RNNs still use it
    B.cudnn.conv.fp32_precision = "ieee"
    with pytest.raises(RuntimeError, match="different TF32 flags"):
        B.cudnn.allow_tf32  # the legacy flag cannot speak for both any more
    assert tolerance(torch.float32, "cuda") == TF32_TOLERANCE
    # and the other way round: RNNs in ieee, convolutions in TF32
    B.cudnn.conv.fp32_precision = "tf32"
    B.cudnn.rnn.fp32_precision = "ieee"
    with pytest.raises(RuntimeError, match="different TF32 flags"):
        B.cudnn.allow_tf32
    assert tolerance(torch.float32, "cuda") == TIGHT


def test_setting_the_legacy_flag_still_reaches_the_rnn_switch():
    B.cudnn.allow_tf32 = False
    assert cudnn_rnn_switch()[1] != "tf32" and tolerance(torch.float32, "cuda") == TIGHT
    B.cudnn.allow_tf32 = True
    assert tolerance(torch.float32, "cuda") == TF32_TOLERANCE


@pytest.mark.parametrize("parent, loose", [("tf32", True), ("ieee", False)])
def test_an_rnn_switch_set_to_none_inherits_from_cudnn(parent, loose):
    B.cudnn.rnn.fp32_precision = "none"
    B.cudnn.fp32_precision = parent
    assert cudnn_rnn_switch()[1] == parent  # the getter resolves "none", as ATen does
    assert (tolerance(torch.float32, "cuda") == TF32_TOLERANCE) is loose


def test_tf32_in_cublas_matmuls_loosens_cuda_float32_too():
    B.cudnn.rnn.fp32_precision = "ieee"
    B.cuda.matmul.fp32_precision = "tf32"  # e.g. after torch.set_float32_matmul_precision("high")
    assert cuda_float32_uses_tf32() and tolerance(torch.float32, "cuda") == TF32_TOLERANCE


def test_an_older_torch_falls_back_to_the_legacy_flags(monkeypatch):
    # torch < 2.9: cudnn.rnn declares no switch (an assigned string is ignored), matmul has only allow_tf32
    old_rnn_module = SimpleNamespace(fp32_precision="ieee")
    for legacy_cudnn, legacy_matmul, loose in ((True, False, True), (False, False, False), (False, True, True)):
        monkeypatch.setattr(B, "cudnn", SimpleNamespace(rnn=old_rnn_module, allow_tf32=legacy_cudnn))
        monkeypatch.setattr(B.cuda, "matmul", SimpleNamespace(allow_tf32=legacy_matmul))
        assert cudnn_rnn_switch() == ("torch.backends.cudnn.allow_tf32", legacy_cudnn)
        assert (tolerance(torch.float32, "cuda") == TF32_TOLERANCE) is loose


def test_cudnn_rnn_precision_sets_the_switch_inside_and_restores_it():
    with cudnn_rnn_precision("ieee"):
        assert cudnn_rnn_switch()[1] == "ieee" and tolerance(torch.float32, "cuda") == TIGHT
    assert cudnn_rnn_switch()[1] == "tf32"
    with pytest.raises(ZeroDivisionError):
        with cudnn_rnn_precision("ieee"):
            1 / 0
    assert cudnn_rnn_switch()[1] == "tf32", "restored after an exception too"
    B.cudnn.allow_tf32  # the legacy flag agrees again: reading it does not raise


def test_cudnn_rnn_precision_on_an_older_torch_sets_the_legacy_flag(monkeypatch):
    fake = SimpleNamespace(rnn=None, allow_tf32=True)
    monkeypatch.setattr(B, "cudnn", fake)
    with cudnn_rnn_precision("ieee"):
        assert fake.allow_tf32 is False
    assert fake.allow_tf32 is True


def test_cudnn_rnn_precision_rejects_an_unknown_precision():
    with pytest.raises(ValueError, match="expected 'ieee' or 'tf32', got 'bf16'"):
        with cudnn_rnn_precision("bf16"):
            pass


def test_assert_matches_asks_tolerance_for_the_expected_tensors_dtype_and_device(monkeypatch, capsys):
    asked = []

    def fake_tolerance(dtype, device="cpu"):
        asked.append((dtype, torch.device(device)))
        return TIGHT

    monkeypatch.setattr(compare, "tolerance", fake_tolerance)
    a = torch.ones(3)
    assert_matches(a, a.clone())
    assert asked == [(torch.float32, torch.device("cpu"))]
    assert capsys.readouterr().out == "output: manual == nn.RNN (float32, atol=1e-06, rtol=1e-05)\n"


def test_an_integer_dtype_has_no_tolerance():
    with pytest.raises(ValueError, match="dtype: expected one of"):
        tolerance(torch.int64, "cuda")
