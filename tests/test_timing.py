"""best_time (rnn_helpers/timing.py) and plot_timings (rnn_helpers/pictures/timings.py)."""

import itertools

import matplotlib

matplotlib.use("Agg")  # no display in CI
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_helpers import timing  # noqa: E402
from rnn_helpers.pictures.timings import plot_timings
from rnn_helpers.timing import best_time  # noqa: E402


def test_best_time_calls_fn_warmup_plus_repeat_times_number_with_its_arguments():
    seen = []
    best_time(lambda a, b=0: seen.append((a, b)), 1, b=2, repeat=4, number=3, warmup=2)
    assert seen == [(1, 2)] * (2 + 4 * 3)


def test_best_time_returns_the_best_round_divided_by_number(monkeypatch):
    # a fake clock: each round reads the clock twice; rounds last 6 s, 3 s and 9 s
    ticks = iter([0.0, 6.0, 10.0, 13.0, 20.0, 29.0])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(ticks))
    assert best_time(lambda: None, repeat=3, number=3, warmup=0) == pytest.approx(1.0)


def test_best_time_measures_real_time():
    import time

    assert 0.004 <= best_time(time.sleep, 0.005, repeat=2, number=1, warmup=0) < 0.5


@pytest.mark.parametrize("kwargs", [{"repeat": 0}, {"number": 0}, {"warmup": -1}])
def test_best_time_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError, match="expected repeat >= 1, number >= 1, warmup >= 0"):
        best_time(lambda: None, **kwargs)


def test_plot_timings_draws_one_line_per_name_in_milliseconds():
    seq_lens = [10, 20, 40]
    ax = plot_timings(seq_lens, {"a": [0.001, 0.002, 0.004], "b": [0.003, 0.003, 0.003]}, title="t")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert list(lines[0].get_xdata()) == seq_lens
    assert list(lines[0].get_ydata()) == pytest.approx([1.0, 2.0, 4.0])
    assert ax.get_ylabel() == "ms per call" and ax.get_title() == "t"
    plt.close(ax.figure)


def test_plot_timings_per_step_is_microseconds_per_step_on_a_given_axes():
    fig, ax = plt.subplots()
    out = plot_timings([10, 100], {"loop": [0.001, 0.01]}, ax=ax, per_step=True)
    assert out is ax
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx([100.0, 100.0])
    assert "per time step" in ax.get_ylabel()
    plt.close(fig)


def test_plot_timings_rejects_a_length_mismatch_naming_the_entry():
    with pytest.raises(ValueError, match=r"timings\['b'\]: expected 3 times \(one per seq_len\), got 2"):
        plot_timings([1, 2, 3], {"a": [1, 2, 3], "b": [1, 2]})


def test_plot_timings_accepts_any_iterable_of_lengths():
    ax = plot_timings(itertools.islice(itertools.count(5, 5), 2), {"a": [1.0, 2.0]})
    assert list(ax.get_lines()[0].get_xdata()) == [5, 10]
    plt.close(ax.figure)


def test_plot_timings_gives_each_line_its_own_palette_colour():
    from rnn_helpers.pictures.style import LINE_COLORS

    ax = plot_timings([1, 2], {"a": [1.0, 2.0], "b": [2.0, 3.0]})
    assert [line.get_color() for line in ax.get_lines()] == list(LINE_COLORS[:2])
    plt.close(ax.figure)


def test_plot_timing_panels_shows_total_and_per_step_with_one_legend():
    from rnn_helpers.pictures.timings import plot_timing_panels

    fig = plot_timing_panels([10, 100], {"loop": [0.001, 0.01], "fused": [0.0005, 0.004]})
    ax_total, ax_step = fig.axes
    assert ax_total.get_ylabel() == "ms per call" and "per time step" in ax_step.get_ylabel()
    assert list(ax_step.get_lines()[0].get_ydata()) == pytest.approx([100.0, 100.0])
    assert ax_total.get_legend() is not None and ax_step.get_legend() is None
    plt.close(fig)


def test_timing_table_gives_microseconds_per_step_and_ratios_to_the_reference():
    from rnn_helpers.timing import timing_table

    table = timing_table([10, 100], {"loop": [0.001, 0.01], "nn.RNN": [0.0005, 0.002]}, reference="nn.RNN")
    header, columns, loop, ref = table.splitlines()
    assert "µs per step" in header and "time / nn.RNN" in header
    assert columns.split() == ["T=10", "T=100", "T=10", "T=100"]
    assert loop.split() == ["loop", "100.0", "100.0", "2.00", "5.00"]
    assert ref.split() == ["nn.RNN", "50.0", "20.0", "1.00", "1.00"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(reference="cuDNN"), r"reference: expected one of \['a'\], got 'cuDNN'"),
    (dict(reference="a", seq_lens=[1]), r"timings\['a'\]: expected 1 times"),
])
def test_timing_table_rejects_a_missing_reference_or_a_length_mismatch(kwargs, match):
    from rnn_helpers.timing import timing_table

    args = dict(seq_lens=[1, 2], timings={"a": [1.0, 2.0]})
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        timing_table(**args)


def test_performance_table_gives_ratios_rates_and_the_matmul_limit():
    from rnn_helpers.timing import performance_table

    times = {"ref": 0.010, "mine": 0.005, "mm": 0.0001}
    table = performance_table(times, seq_len=100, flops=2e9, reference="ref", matmul="mm", matmul_flops=2e7)
    lines = table.splitlines()
    # mine: 5 ms, 50 µs/step, 0.5 x ref, 400 GFLOP/s, 200 GFLOP/s limit -> 200 %
    assert lines[2].split() == ["mine", "5.00", "50.0", "0.50", "400.0", "200%"]
    assert lines[1].split() == ["ref", "10.00", "100.0", "1.00", "200.0", "100%"]
    assert lines[-1].startswith("mm: 200.0 GFLOP/s")
    with pytest.raises(ValueError, match="reference: expected one of"):
        performance_table(times, 100, 2e9, reference="nn.RNN", matmul="mm", matmul_flops=2e7)


def test_interleaved_best_takes_each_functions_best_round_and_restores_threads():
    import torch

    from rnn_helpers.timing import interleaved_best

    calls = []
    threads = torch.get_num_threads()
    best = interleaved_best({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, rounds=3, number=2)
    assert calls == (["a"] * 3 + ["b"] * 3) * 3  # per round: a warm-up and 2 timed calls each, a then b
    assert set(best) == {"a", "b"} and all(0 <= t < 1 for t in best.values())
    assert torch.get_num_threads() == threads
    with pytest.raises(ValueError, match="rounds: expected at least 1, got 0"):
        interleaved_best({"a": lambda: None}, rounds=0)
