"""Execute notebooks top to bottom in a fresh kernel, in place, and report each one's time.

    python tools/execute_notebooks.py                    # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/03_*.ipynb

Exits 1 if a notebook fails or takes longer than the per-notebook budget (8 s).

The time is what a learner waits for after "Restart kernel and run all": from starting the kernel
until the last cell has finished. Shutting the kernel down afterwards (about 1 s here once torch is
loaded: the interpreter's exit frees torch) is not counted; it is printed separately.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BUDGET_S = 8.0
ROOT = Path(__file__).resolve().parent.parent


def merge_streams(nb) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How a kernel splits printed text into messages depends on timing, so the same run can be
    stored as one chunk or several. nbval compares the joined text anyway; joining here keeps
    the stored notebooks identical run to run, and their diffs free of noise.
    """
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (
                merged
                and out.output_type == "stream"
                and merged[-1].output_type == "stream"
                and merged[-1].name == out.name
            ):
                merged[-1].text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged


def execute(path: Path) -> tuple[float, float]:
    """Execute ``path`` in place; return (seconds to the end of the last cell, seconds in all)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("jupytext", None)  # authored with jupytext? keep only standard metadata
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no timestamps in cell metadata: keeps diffs clean
    )
    done = []
    client.on_cell_executed = lambda **_: done.append(time.perf_counter())
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    merge_streams(nb)
    nbformat.write(nb, path)
    return (done[-1] - start if done else total), total


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total, failed = 0.0, False
    for path in paths:
        try:
            elapsed, with_shutdown = execute(path)
        except Exception as exc:  # report and go on, so one run shows every broken notebook
            print(f"{path.name}: FAILED: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            failed = True
            continue
        total += elapsed
        over = "  OVER BUDGET" if elapsed > BUDGET_S else ""
        failed |= bool(over)
        print(f"{path.name}: {elapsed:5.1f} s{over}   (with the kernel's shutdown: {with_shutdown:.1f} s)")
    print(f"total: {total:.1f} s for {len(paths)} notebook(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
