"""Notebook hygiene: every notebook committed executed, in order, clean, with a current header."""

import functools
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import series  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ids = [p.name for p in NOTEBOOKS]


@functools.lru_cache(maxsize=None)
def _read(path):
    """Each notebook read (and validated) once per test process, however many tests look at it."""
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_the_series_is_the_list_in_tools_series():
    assert [p.name for p in NOTEBOOKS] == list(series.TITLES)
    for i, name in enumerate(series.TITLES, start=1):
        assert re.fullmatch(rf"{i:02d}_[a-z0-9_]+\.ipynb", name), name


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for name in series.TITLES:
        assert f"notebooks/{name}" in readme, f"README does not list {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_executed_in_order_in_a_fresh_kernel(path):
    nb = _read(path)
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: re-run top to bottom"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_errors_and_no_machine_specific_output(path):
    nb = _read(path)
    for i, cell in enumerate(code_cells(nb)):
        for out in cell.outputs:
            assert out.output_type != "error" or "NBVAL_RAISES_EXCEPTION" in cell.source, (
                f"cell {i} stored an error: {out.get('ename')}"
            )
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/(home|root|tmp|Users|work)/", text), f"cell {i} output holds a machine path"
            assert "Warning" not in text or "NBVAL" in cell.source, f"cell {i} stored a warning"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_only_timing_cells_ignore_their_output(path):
    nb = _read(path)
    for cell in code_cells(nb):
        assert "NBVAL_SKIP" not in cell.source and "NBVAL_IGNORE_OUTPUT" not in cell.metadata.get("tags", [])
        if "NBVAL_IGNORE_OUTPUT" in cell.source:
            assert re.search(r"perf_counter|timeit|time\(|interleaved_best\(", cell.source), (
                "only timing cells may carry NBVAL_IGNORE_OUTPUT:\n" + cell.source[:200]
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_proves_with_assertions_and_imports_properly(path):
    nb = _read(path)
    source = "\n".join(c.source for c in code_cells(nb))
    assert "assert_matches(" in source or "assert_close(" in source, "a notebook must assert, not print and hope"
    assert "sys.path" not in source, "install the package (pip install -e .), never edit sys.path"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"!\[[^\]]*\]\(https?://", markdown), "no hot-linked images: draw them with matplotlib"


def test_headers_are_current():
    import headers  # tools/headers.py, on sys.path above

    stale = [path.name for path in NOTEBOOKS if not headers.header_is_current(path)]
    assert not stale, f"out-of-date headers (run `make headers`, then re-execute): {stale}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_code_cell_over_25_lines(path):
    """Long cells are noise to a learner: pictures and helpers belong in rnn_helpers (blank lines not counted)."""
    long = {i: n for i, c in enumerate(_read(path).cells) if c.cell_type == "code"
            and (n := sum(1 for line in c.source.splitlines() if line.strip())) > 25}
    assert not long, f"cells over 25 lines (cell index: lines): {long}"
