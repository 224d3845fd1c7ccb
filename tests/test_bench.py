"""python -m rnn_helpers.bench on the tiny size: every contender timed, ratios to PyTorch, the machine named."""

import json

import matplotlib

matplotlib.use("Agg")  # no display in CI

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from rnn_helpers import bench  # noqa: E402


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    threads = torch.get_num_threads()
    try:
        assert bench.main(["--sizes", "tiny", "--rounds", "2", "--json", str(folder / "b.json"),
                           "--plot", str(folder / "b.png")]) == 0
    finally:
        torch.set_num_threads(threads)
    return json.loads((folder / "b.json").read_text()), folder


def test_every_contender_is_timed_in_both_passes_it_supports(tiny_run):
    data, _ = tiny_run
    rows = {(r["name"], r["phase"]) for r in data["results"]}
    names = ["naive loop", "rnn_layer_concat", "rnn_layer_hoisted", "ManualRNN", "nn.RNN",
             "ManualLSTM", "nn.LSTM", "ManualGRU", "nn.GRU", "RNN products only", "LSTM products only",
             "GRU products only"]
    for name in names:
        assert {(name, "forward"), (name, "forward+backward")} <= rows, name
    assert ("rnn_layer_inference", "forward") in rows and ("rnn_layer_inference", "forward+backward") not in rows
    for r in data["results"]:
        assert len(r["times"]) == 2 and all(t > 0 for t in r["times"])
        assert r["median"] > 0 and r["iqr"] >= 0 and r["gflops"] > 0 and r["matmul_share"] > 0


def test_ratios_are_against_the_module_of_the_same_cell(tiny_run):
    data, _ = tiny_run
    by_key = {(r["name"], r["phase"]): r for r in data["results"]}
    for r in data["results"]:
        reference = by_key[(r["reference"], r["phase"])]
        assert r["reference"] == {"RNN": "nn.RNN", "LSTM": "nn.LSTM", "GRU": "nn.GRU"}[r["cell"]]
        assert r["ratio"] == pytest.approx(r["median"] / reference["median"])
    assert by_key[("nn.LSTM", "forward")]["ratio"] == pytest.approx(1.0)


def test_the_floor_is_the_products_only_row_of_the_same_cell_and_pass(tiny_run):
    data, _ = tiny_run
    by_key = {(r["name"], r["phase"]): r for r in data["results"]}
    for r in data["results"]:
        floor = by_key[(f"{r['cell']} products only", r["phase"])]
        assert r["matmul_share"] == pytest.approx(floor["median"] / r["median"])
    assert by_key[("GRU products only", "forward")]["matmul_share"] == pytest.approx(1.0)


def test_products_only_makes_the_products_of_a_layer():
    # forward: 1 + T products; forward+backward: 1 + T + T + 3
    counted = []
    original = torch.mm
    forward, forward_backward = bench._products("LSTM", 5, 2, 3, 4, "cpu", torch.float32)
    try:
        torch.mm = lambda *a, **k: counted.append(1) or original(*a, **k)
        forward()
        assert len(counted) == 1 + 5
        counted.clear()
        forward_backward()
        assert len(counted) == 1 + 5 + 5 + 3
    finally:
        torch.mm = original


def test_cells_option_times_only_those(capsys):
    threads = torch.get_num_threads()
    try:
        bench.main(["--sizes", "tiny", "--rounds", "1", "--cells", "GRU"])
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert "nn.GRU" in out and "nn.LSTM" not in out and "naive loop" not in out


def test_the_machine_and_the_plot_are_reported(tiny_run, capsys):
    data, folder = tiny_run
    assert data["machine"].startswith("CPU: ") and f"torch {torch.__version__}" in data["machine"]
    assert (folder / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert set(data["products_only_gflops"]) == {f"tiny/{cell}/{phase}" for cell in ("RNN", "LSTM", "GRU")
                                                 for phase in ("forward", "forward+backward")}


def test_flops_count_the_matrix_products():
    # forward: 2 * T * B * gates * H * (I + H); forward+backward: three times that
    assert bench._flops("LSTM", 10, 2, 3, 4, "forward") == 2 * 10 * 2 * 16 * 7
    assert bench._flops("RNN", 10, 2, 3, 4, "forward+backward") == 3 * 2 * 10 * 2 * 4 * 7


def test_the_naive_loop_is_an_rnn():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, dtype=torch.float64)
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    output, h_n = bench.naive_loop(x, *rnn.parameters())
    torch.testing.assert_close(output, rnn(x)[0], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize(("argv", "words"), [
    (["--size", "1,2,3"], "expected seq_len,batch,input_size,hidden_size (4 positive ints), got '1,2,3'"),
    (["--size", "0,2,3,4"], "got '0,2,3,4'"),
    (["--rounds", "0"], "--rounds: expected at least 1, got 0"),
    (["--sizes", "huge"], "invalid choice: 'huge'"),
])
def test_bad_arguments_are_refused(argv, words, capsys):
    with pytest.raises(SystemExit):
        bench.main(argv)
    assert words in capsys.readouterr().err


@pytest.mark.slow
def test_compile_check_shows_the_loop_unrolled():
    """torch.compile captures one copy of the step per time step: the graph grows with seq_len."""
    rows = bench.compile_check(seq_lens=(2, 4, 6), batch=2, size=4, rounds=1, backend="eager")
    ops = [row["graph_ops"] for row in rows]
    per_step = (ops[1] - ops[0]) // 2
    assert per_step >= 4 and ops[2] - ops[1] == ops[1] - ops[0] == 2 * per_step  # linear in seq_len: unrolled
    assert all(row["first_call_s"] > 0 and row["compiled loop us"] > 0 for row in rows)
