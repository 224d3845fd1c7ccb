"""Every figure a notebook stores says what it shows: a sentence of alt text in its output's metadata,
``{"image/png": {"alt": ...}}``, where ``rnn_helpers.show(fig, alt)`` stores it and where the site
(tools/build_pages.py) and nbconvert's slides read it. A screen reader reads it in JupyterLab too.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from rnn_helpers.pictures.output import check_alt

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def figures_without_alt(nb) -> list[str]:
    """One line per stored image output whose alt text is missing or says too little."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for j, out in enumerate(cell.get("outputs", [])):
            for mime in IMAGE_TYPES:
                if mime not in out.get("data", {}):
                    continue
                alt = out.get("metadata", {}).get(mime, {}).get("alt")
                try:
                    check_alt(alt)
                except (TypeError, ValueError) as exc:
                    first = cell.source.strip().splitlines()[-1][:70] if cell.source.strip() else ""
                    problems.append(f"cell {i} output {j} ({mime}, `{first}`): {exc}")
    return problems


def _nb_with_figure(metadata: dict):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(fig, alt=...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Image>"},
                                           metadata=metadata)]
    nb.cells = [cell]
    return nb


def test_the_check_rejects_a_figure_without_real_alt_text():
    assert len(figures_without_alt(_nb_with_figure({}))) == 1  # plt.show(): no alt at all
    assert len(figures_without_alt(_nb_with_figure({"image/png": {"alt": "A plot."}}))) == 1  # says too little
    assert len(figures_without_alt(_nb_with_figure({"alt": "Heatmap of 4 hidden units over 5 steps."}))) == 1  # wrong key
    good = {"image/png": {"alt": "Heatmap of 4 hidden units over 5 steps: the states saturate near 1."}}
    assert figures_without_alt(_nb_with_figure(good)) == []


def test_show_stores_alt_text_the_check_accepts():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell
    from rnn_helpers import show

    shell = InteractiveShell.instance()
    captured = []
    shell.display_pub.publish = lambda data, metadata=None, **kw: captured.append((data, metadata))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    show(fig, alt="A line falling from 1 at step 0 to 0 at step 1.")
    (data, metadata), = captured
    out = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("show(...)")]
    nb.cells[0].outputs = [out]
    assert figures_without_alt(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_stored_figure_has_alt_text(path):
    problems = figures_without_alt(nbformat.read(path, as_version=4))
    assert not problems, (
        f"{path.name}: show every figure with rnn_helpers.show(fig, alt='what it shows'), then re-execute:\n"
        + "\n".join(problems)
    )
