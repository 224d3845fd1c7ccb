"""How fast is the hand-written RNN? ``python -m rnn_helpers.bench`` times it against PyTorch's own.

For each size (``--sizes teaching standard large``, or ``--size T,B,I,H``), every implementation runs a
forward pass (under ``torch.no_grad()``) and, where it can, a forward plus backward pass:

- Elman: the naive loop (two matmuls per step, as notebook 03 writes it), ``rnn_layer_concat``,
  ``rnn_layer_hoisted``, ``rnn_layer_inference`` (forward only), ``ManualRNN``, and ``nn.RNN``;
- gated: ``ManualLSTM`` against ``nn.LSTM``, ``ManualGRU`` against ``nn.GRU``;
- per cell, its matrix products alone (the floor).

Timing: ``torch.utils.benchmark`` timers (which synchronise CUDA), contenders *interleaved*: each round
runs every contender once, in a rotated order, so a slow moment of the machine hits them all alike.
Reported per contender: the median time and the spread (interquartile range) over the rounds, the time
per step, the ratio to PyTorch's module of the same cell (< 1: faster than PyTorch), the GFLOP/s (the
matrix products' floating-point operations only), and the *floor*: the same matrix products and nothing
else ("RNN products only", ...), timed in the same run, are what this machine's BLAS cannot do faster;
"floor %" is their time as a share of the row's time (100%: nothing but the products).
The machine line says what ran it: CPU, threads, torch version, BLAS, and on CUDA the GPU and the
cuDNN TF32 switch. ``--json FILE`` writes every number; ``--plot FILE`` draws the ratios.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn
from torch.utils import benchmark

from .compare import cudnn_rnn_switch
from .fused import rnn_layer_concat, rnn_layer_hoisted, rnn_layer_inference
from .modules import ManualGRU, ManualLSTM, ManualRNN

#: name -> (seq_len, batch, input_size, hidden_size)
SIZES: dict[str, tuple[int, int, int, int]] = {
    "tiny": (5, 2, 3, 4),             # for the tests
    "teaching": (50, 8, 64, 64),      # notebook 05's timing: call overhead decides
    "standard": (100, 64, 128, 256),  # a common real size
    "large": (50, 64, 128, 1024),     # a large hidden size: arithmetic and memory traffic decide
}
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def naive_loop(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, Tensor]:
    """The loop as notebook 03 first writes it: two matmuls and three adds per step, nothing hoisted."""
    h = x.new_zeros(x.shape[1], w_hh.shape[0])
    outputs = []
    for x_t in x.unbind(0):
        h = torch.tanh(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs), h


@dataclass
class Result:
    """One contender's timing at one size: times in seconds over the rounds."""

    size: str
    cell: str
    name: str
    phase: str  # "forward" or "forward+backward"
    times: list[float] = field(default_factory=list)
    reference: str = ""
    flops: float = 0.0
    median: float = 0.0
    iqr: float = 0.0
    ratio: float | None = None
    gflops: float = 0.0
    matmul_share: float | None = None


def machine_line(device: str) -> str:
    """What ran the benchmark: CPU (or GPU), threads, torch version, BLAS, cuDNN TF32 switch."""
    config = torch.__config__.show()
    blas = "MKL" if "Math Kernel Library" in config else ("OpenBLAS" if "OpenBLAS" in config else "BLAS: see torch.__config__.show()")
    cpu = _cpu_name()
    parts = [f"CPU: {cpu}", f"{torch.get_num_threads()} thread(s)", f"torch {torch.__version__}", blas,
             f"CPU capability: {torch.backends.cpu.get_cpu_capability()}", f"Python {platform.python_version()}"]
    if device == "cuda":
        parts.insert(0, f"GPU: {torch.cuda.get_device_name()}")
        switch, value = cudnn_rnn_switch()
        parts.append(f"cuDNN {torch.backends.cudnn.version()}, RNN float32 precision: {switch} = {value!r}")
    return " | ".join(parts)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _flops(cell: str, T: int, B: int, I: int, H: int, phase: str) -> float:  # noqa: E741 - I is input_size
    """Floating-point operations of the matrix products: 2 per multiply-add. The backward pass does
    twice the forward's products (one for the inputs' gradients, one for the weights')."""
    forward = 2.0 * T * B * GATES[cell] * H * (I + H)
    return forward if phase == "forward" else 3 * forward


def _contenders(T: int, B: int, I: int, H: int, device: str, dtype: torch.dtype) -> list[tuple[str, str, Callable, Callable | None]]:  # noqa: E741
    """(cell, name, forward fn, forward+backward fn or None): the reference module comes last per cell."""
    factory = {"device": device, "dtype": dtype}
    x = torch.randn(T, B, I, **factory)
    x_grad = x.clone().requires_grad_()
    contenders = []
    torch.manual_seed(0)
    rnn = nn.RNN(I, H, **factory)
    weights = [p.detach().clone().requires_grad_() for p in rnn.parameters()]
    plain = [p.detach() for p in weights]

    def fwd(fn):
        def run():
            with torch.no_grad():
                fn(x)
        return run

    def fb(fn):
        def run():
            output = fn(x_grad)[0]
            output.backward(torch.ones_like(output))
        return run

    contenders += [
        ("RNN", "naive loop", fwd(lambda x: naive_loop(x, *plain)), fb(lambda x: naive_loop(x, *weights))),
        ("RNN", "rnn_layer_concat", fwd(lambda x: rnn_layer_concat(x, None, *plain)),
         fb(lambda x: rnn_layer_concat(x, None, *weights))),
        ("RNN", "rnn_layer_hoisted", fwd(lambda x: rnn_layer_hoisted(x, None, *plain)),
         fb(lambda x: rnn_layer_hoisted(x, None, *weights))),
        ("RNN", "rnn_layer_inference", fwd(lambda x: rnn_layer_inference(x, None, *plain)), None),
    ]
    for cell, reference_cls, manual_cls in (("RNN", nn.RNN, ManualRNN), ("LSTM", nn.LSTM, ManualLSTM),
                                            ("GRU", nn.GRU, ManualGRU)):
        torch.manual_seed(0)
        reference = reference_cls(I, H, **factory)
        manual = manual_cls(I, H, **factory)
        manual.load_state_dict(reference.state_dict())
        contenders.append((cell, f"Manual{cell}", fwd(manual), fb(manual)))
        contenders.append((cell, f"nn.{cell}", fwd(reference), fb(reference)))
        contenders.append((cell, f"{cell} products only", *_products(cell, T, B, I, H, device, dtype)))
    return contenders


def _products(cell: str, T: int, B: int, I: int, H: int, device: str, dtype: torch.dtype):  # noqa: E741
    """The matrix products of one layer and nothing else, into preallocated memory: (forward fn, forward+backward fn).

    Forward: the input part of every step, (T*B, I) @ (I, G*H), then per step (B, H) @ (H, G*H).
    Backward: per step (B, G*H) @ (G*H, H) (the gradient reaching h_{t-1}), then the three products over all
    steps: dL/dW_ih, dL/dW_hh and dL/dx. Any implementation makes at least these (G = the cell's gates);
    timed beside the others, they are the floor for this machine's BLAS.
    """
    G = GATES[cell] * H
    new = {"device": device, "dtype": dtype}
    x, w_ih, w_hh = torch.randn(T * B, I, **new), torch.randn(G, I, **new), torch.randn(G, H, **new)
    w_ih_t, w_hh_t = w_ih.t().contiguous(), w_hh.t().contiguous()
    gates, h, grad_h = torch.empty(T * B, G, **new), torch.randn(B, H, **new), torch.empty(B, H, **new)
    grad_w_ih, grad_w_hh, grad_x = torch.empty(G, I, **new), torch.empty(G, H, **new), torch.empty(T * B, I, **new)
    hs = torch.randn(T * B, H, **new)
    steps = gates.split(B)

    def forward():
        torch.mm(x, w_ih_t, out=gates)
        for step in steps:
            torch.mm(h, w_hh_t, out=step)

    def forward_backward():
        forward()
        for step in steps:
            torch.mm(step, w_hh, out=grad_h)
        torch.mm(gates.t(), x, out=grad_w_ih)
        torch.mm(gates.t(), hs, out=grad_w_hh)
        torch.mm(gates, w_ih, out=grad_x)

    return forward, forward_backward


class _Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal, or when asked)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * self.done // self.total:3d}% {label[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run(sizes: Sequence[tuple[str, tuple[int, int, int, int]]], rounds: int = 7, device: str = "cpu",
        dtype: torch.dtype = torch.float32, target_s: float = 0.02, progress: bool = False,
        cells: Sequence[str] = tuple(GATES)) -> tuple[list[Result], dict]:
    """Time every contender at every size, interleaved; returns the results and the products-only rate
    (GFLOP/s) per size and cell."""
    plans = []
    for label, (T, B, I, H) in sizes:  # noqa: E741
        contenders = _contenders(T, B, I, H, device, dtype)
        for cell, name, forward, backward in contenders:
            if cell not in cells:
                continue
            for phase, fn in (("forward", forward), ("forward+backward", backward)):
                if fn is not None:
                    result = Result(label, cell, name, phase, reference=f"nn.{cell}", flops=_flops(cell, T, B, I, H, phase))
                    plans.append((result, fn, T))
    bar = _Progress(len(plans) * rounds, progress)
    timers = []
    for result, fn, _ in plans:
        timer = benchmark.Timer("fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
        once = timer.timeit(1).median  # also a warm-up call
        timers.append((timer, max(1, int(target_s / max(once, 1e-9)))))
    for r in range(rounds):
        shift = r % len(plans)
        for index in list(range(shift, len(plans))) + list(range(shift)):
            (result, _, _), (timer, number) = plans[index], timers[index]
            result.times.append(timer.timeit(number).median)
            bar.step(f"{result.size}: {result.name} {result.phase}")
    bar.close()
    results = [result for result, _, _ in plans]
    for result in results:
        quartiles = statistics.quantiles(result.times, n=4) if len(result.times) > 1 else [result.times[0]] * 3
        result.median, result.iqr = statistics.median(result.times), quartiles[2] - quartiles[0]
        result.gflops = result.flops / result.median / 1e9
    rates = {}
    for result in results:
        def twin(name):
            return next(r for r in results if r.size == result.size and r.name == name and r.phase == result.phase)
        result.ratio = result.median / twin(result.reference).median
        floor = twin(f"{result.cell} products only")
        result.matmul_share = floor.median / result.median
        rates[f"{result.size}/{result.cell}/{result.phase}"] = floor.gflops
    return results, rates


def table(results: Sequence[Result], sizes: dict[str, tuple[int, int, int, int]], rates: dict[str, float]) -> str:
    lines = []
    for label, (T, B, I, H) in sizes.items():  # noqa: E741
        lines.append(f"\n{label}: seq_len={T} batch={B} input_size={I} hidden_size={H}")
        lines.append(f"{'implementation':<22}{'pass':<18}{'median ms':>10}{'IQR ms':>9}{'us/step':>9}"
                     f"{'x PyTorch':>10}{'GFLOP/s':>9}{'floor %':>9}")
        for r in (r for r in results if r.size == label):
            lines.append(f"{r.name:<22}{r.phase:<18}{r.median * 1e3:>10.3f}{r.iqr * 1e3:>9.3f}{r.median / T * 1e6:>9.1f}"
                         f"{r.ratio:>10.2f}{r.gflops:>9.3g}{100 * r.matmul_share:>8.0f}%")
    return "\n".join(lines)


def plot(results: Sequence[Result], path: str) -> None:
    """Bar chart: time relative to PyTorch's module, per size and pass (written to ``path``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .pictures.style import LINE_COLORS

    groups = sorted({(r.size, r.phase) for r in results}, key=lambda g: (list(SIZES).index(g[0]) if g[0] in SIZES else 99, g[1]))
    names = list(dict.fromkeys(r.name for r in results))
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4.5), squeeze=False, sharey=True)
    for ax, (size, phase) in zip(axes[0], groups):
        rows = [r for r in results if r.size == size and r.phase == phase]
        labels = [r.name for r in rows]
        ax.barh(labels, [r.ratio for r in rows], color=[LINE_COLORS[names.index(n) % len(LINE_COLORS)] for n in labels])
        ax.axvline(1.0, color="black", linewidth=1)
        ax.set_title(f"{size}: {phase}", fontsize=10)
        ax.set_xlabel("time / PyTorch's module (< 1 is faster)")
        ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def compile_check(seq_lens: Sequence[int] = (10, 40), batch: int = 8, size: int = 64,
                  rounds: int = 5, backend: str = "inductor") -> list[dict]:
    """What ``torch.compile`` does with the naive Python loop over time, measured.

    For each sequence length: the number of operations in the graph TorchDynamo captures (it grows with
    seq_len: the loop is unrolled, one copy of the step per time step), the seconds the first call takes
    (tracing and compiling), and then the time per call of the compiled loop, the eager loop and nn.RNN.
    """
    import os
    import tempfile
    import time

    import torch._dynamo  # imported here: seconds, and only for this check

    # A cold compile each time: inductor would otherwise reuse the kernels it cached on disk in an earlier run.
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnn_bench_inductor_")
    import torch._inductor.config

    torch._inductor.config.fx_graph_cache = False

    results = []
    for T in seq_lens:
        torch.manual_seed(0)
        rnn = nn.RNN(size, size)
        weights = [p.detach() for p in rnn.parameters()]
        x = torch.randn(T, batch, size)
        counted: list[int] = []

        def counting_backend(gm, example_inputs):
            counted.append(sum(1 for node in gm.graph.nodes if node.op == "call_function"))
            return gm.forward

        torch._dynamo.reset()
        with torch.no_grad():
            torch.compile(naive_loop, backend=counting_backend)(x, *weights)
        torch._dynamo.reset()
        compiled = torch.compile(naive_loop, backend=backend)
        start = time.perf_counter()
        with torch.no_grad():
            compiled(x, *weights)
        first_call = time.perf_counter() - start
        timers = {name: benchmark.Timer("fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
                  for name, fn in (("compiled loop", lambda: compiled(x, *weights)),
                                   ("eager loop", lambda: naive_loop(x, *weights)), ("nn.RNN", lambda: rnn(x)))}
        times: dict[str, list[float]] = {name: [] for name in timers}
        with torch.no_grad():
            for _ in range(rounds):
                for name, timer in timers.items():
                    times[name].append(timer.timeit(20).median)
        result = {"seq_len": T, "graph_ops": sum(counted), "first_call_s": first_call}
        result.update({f"{name} us": statistics.median(v) * 1e6 for name, v in times.items()})
        results.append(result)
    return results


def _parse_size(text: str) -> tuple[int, int, int, int]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected seq_len,batch,input_size,hidden_size (4 positive ints), got {text!r}")
    return values  # type: ignore[return-value]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnn_helpers.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["teaching", "standard", "large"])
    parser.add_argument("--size", type=_parse_size, action="append", default=[], metavar="T,B,I,H",
                        help="a size of your own (repeatable): seq_len,batch,input_size,hidden_size")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per contender (default 7)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: steadier timings)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--json", metavar="FILE", help="write every number to FILE")
    parser.add_argument("--plot", metavar="FILE", help="draw the ratios to FILE (PNG)")
    parser.add_argument("--cells", nargs="+", choices=list(GATES), default=list(GATES),
                        help="which cells to time (default: all three)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")
    parser.add_argument("--compile", action="store_true",
                        help="instead: what torch.compile does with the naive loop (graph size, compile time, speed)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds: expected at least 1, got {args.rounds}")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA device is available here")
    torch.set_num_threads(args.threads)
    if args.compile:
        print(machine_line("cpu"))
        for row in compile_check():
            print(f"seq_len={row['seq_len']:3d}: {row['graph_ops']} ops in the captured graph; first call "
                  f"{row['first_call_s']:.1f} s; then per call: compiled {row['compiled loop us']:.0f} us, "
                  f"eager {row['eager loop us']:.0f} us, nn.RNN {row['nn.RNN us']:.0f} us")
        return 0
    sizes = {name: SIZES[name] for name in args.sizes}
    sizes.update({f"T{t},B{b},I{i},H{h}": (t, b, i, h) for t, b, i, h in args.size})
    results, rates = run(list(sizes.items()), args.rounds, args.device, getattr(torch, args.dtype),
                         progress=args.progress or sys.stderr.isatty(), cells=args.cells)
    header = machine_line(args.device)
    print(header)
    print(f"{args.dtype}, {args.device}, {args.rounds} interleaved rounds; x PyTorch = time / the PyTorch module "
          "of the same cell (nn.RNN for every Elman row); GFLOP/s counts the matrix products only; floor % = "
          "the time the same products take alone (the 'products only' row) / this row's time")
    print(table(results, sizes, rates))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": header, "dtype": args.dtype, "device": args.device, "rounds": args.rounds,
                       "sizes": sizes, "products_only_gflops": rates, "results": [asdict(r) for r in results]}, f, indent=1)
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
