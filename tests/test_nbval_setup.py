"""Prove the nbval set-up is what we think: strict mode, and a sanitizer that is loaded and works.

A mis-formatted sanitizer (say `replace:` without its space) or one that is not passed does
nothing, silently. These tests make that loud.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parent.parent
SANITIZER = ROOT / "tests" / "nbval_sanitize.cfg"


def _patterns():
    return get_sanitize_patterns(SANITIZER.read_text())


def _sanitize(text):
    for regex, replace in _patterns():
        text = re.sub(regex, replace, text)
    return text


def test_pytest_runs_nbval_strict_with_our_sanitizer(pytestconfig):
    assert pytestconfig.getoption("nbval"), "pytest must run with --nbval (see pyproject addopts)"
    assert not pytestconfig.getoption("nbval_lax"), "nbval must be strict, not --nbval-lax"
    assert Path(pytestconfig.getoption("nbval_sanitize_with")).resolve() == SANITIZER


def test_every_section_of_the_sanitizer_parses():
    sections = re.findall(r"^\[.+\]$", SANITIZER.read_text(), flags=re.MULTILINE)
    assert len(_patterns()) == len(sections) >= 4, "a section is mis-formatted and nbval would skip it"


@pytest.mark.parametrize(
    "here, there",
    [
        ("<torch._C.Generator at 0x104a7cf50>", "<torch._C.Generator at 0x7f3e2a1b0c90>"),
        ("<Figure size 640x480 with 1 Axes>", "<Figure size 1000x300 with 2 Axes>"),
        ("tensor([0.5], grad_fn=<StackBackward>)", "tensor([0.5], grad_fn=<StackBackward0>)"),
        ("tensor([0.5], device='cuda:0')", "tensor([0.5])"),
    ],
)
def test_sanitizer_equates_what_varies_between_machines(here, there):
    assert here != there
    assert _sanitize(here) == _sanitize(there)


def test_sanitizer_keeps_numbers_that_matter():
    assert _sanitize("tensor([[0.2655, 0.4333, 0.5745]])") == "tensor([[0.2655, 0.4333, 0.5745]])"
    assert _sanitize("tensor([[0.2655, 0.4333]])") != _sanitize("tensor([[0.2655, 0.4332]])")


@pytest.mark.slow
def test_nbval_with_the_sanitizer_passes_what_fails_without_it(tmp_path):
    """End to end: a stored output from 'another machine' (other address, other grad_fn name)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("class A: pass\nprint(A())", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="<__main__.A object at 0x7f00deadbeef>\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")

    def run(*extra):
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
             *extra, str(path)],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )

    with_sanitizer = run(f"--nbval-sanitize-with={SANITIZER}")
    without = run()
    assert with_sanitizer.returncode == 0, with_sanitizer.stdout
    assert without.returncode == 1 and "probe.ipynb" in without.stdout, without.stdout
