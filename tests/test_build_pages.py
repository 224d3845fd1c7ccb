"""tools/build_pages.py's staging: what it changes in the copies the site and the decks are built
from (the builds themselves: tests/test_site.py and tests/test_browser.py, marked slow)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_pages  # noqa: E402
import headers  # noqa: E402
import series  # noqa: E402

NAMES = list(series.TITLES)


def figure(alt=None, png="iVBORw0KGgo="):
    metadata = {"image/png": {"alt": alt}} if alt else {}
    return nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Image>"}, metadata=metadata)


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def code(source, *outputs, tags=()):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = list(outputs)
    return cell


def test_the_header_badge_becomes_text_and_its_link_stays():
    source = headers.header_source(NAMES[1])
    assert headers.BADGE in source  # the badge image is loaded from the network...
    staged = build_pages.offline_markdown(source)
    assert headers.BADGE not in staged and "<img" not in staged  # ...and is gone from the staged copy
    assert f'<a href="{headers.colab_url(NAMES[1])}" target="_parent">Open In Colab</a>' in staged
    assert build_pages.offline_markdown('<img src="_static/local.png" alt="local">') == '<img src="_static/local.png" alt="local">'


def test_a_cell_with_two_figures_is_split_one_figure_per_part():
    text = nbformat.v4.new_output("stream", name="stdout", text="between\n")
    cell = code("show(a, alt=...)\nprint('between')\nshow(b, alt=...)", figure("First figure alt"), text, figure("Second figure alt"))
    first, second = build_pages.split_figures(cell)
    assert first.source == cell.source and first.outputs == [cell.outputs[0], text]
    assert second.outputs == [cell.outputs[2]] and "remove-input" in second.metadata["tags"]
    assert second.source.strip(), "myst-nb drops a code cell with no source, and its outputs with it"
    single = code("show(a, alt=...)", text, figure("Only figure"))
    assert build_pages.split_figures(single) == [single]


def test_site_copy_carries_each_figures_alt_where_myst_nb_reads_it_and_hides_the_colab_cell():
    header, setup = headers.expected_header_cells(NAMES[0])
    two = code("show(a); show(b)", figure("Alt text of figure one."), figure("Alt text of figure two."))
    nb = notebook(header, setup, two, code("plt.show()", figure()))
    staged = build_pages.site_notebook(nb)
    alts = [c.metadata.get("mystnb", {}).get("image", {}).get("alt") for c in staged.cells[2:]]
    assert alts == ["Alt text of figure one.", "Alt text of figure two.", None]
    assert "remove-cell" in staged.cells[1].metadata["tags"]
    assert len({c.id for c in staged.cells}) == len(staged.cells)
    assert "mystnb" not in two.metadata and len(nb.cells) == 4, "the notebook itself must not change"


def test_deck_copy_links_the_neighbouring_decks():
    header, _ = headers.expected_header_cells(NAMES[1])
    staged = build_pages.slides_notebook(notebook(header))
    source = staged.cells[0].source
    assert f"]({NAMES[0].removesuffix('.ipynb')}.slides.html)" in source
    assert f"]({NAMES[2].removesuffix('.ipynb')}.slides.html)" in source
    assert ".ipynb)" not in source and "<img" not in source


@pytest.mark.parametrize("link, base, expected", [
    (f"[a](notebooks/{NAMES[0]})", "", f"[a]({NAMES[0]})"),
    ("[guide](docs/teaching.md)", "", "[guide](teaching.md)"),
    ("[series](tools/series.py)", "", f"[series](https://github.com/{series.REPO}/blob/{series.REF}/tools/series.py)"),
    ("[pkg](rnn_helpers/)", "", f"[pkg](https://github.com/{series.REPO}/blob/{series.REF}/rnn_helpers/)"),
    (f"[nb](../notebooks/{NAMES[2]})", "docs", f"[nb]({NAMES[2]})"),
    ("[readme](../README.md)", "docs", f"[readme](https://github.com/{series.REPO}/blob/{series.REF}/README.md)"),
    ("[web](https://pytorch.org/docs)", "", "[web](https://pytorch.org/docs)"),
    ("[here](#setup)", "", "[here](#setup)"),
])
def test_site_links(link, base, expected):
    assert build_pages.site_links(link, base=base) == expected


def test_landing_page_lists_every_notebook_in_order_with_the_two_commands():
    page = build_pages.landing_page()
    positions = [page.find(f"]({name})") for name in NAMES]
    assert -1 not in positions and positions == sorted(positions)
    assert "make lab" in page and "make test" in page and "[![" not in page
    assert "(notebooks/" not in page, "links must point at the pages, not at the repository's files"


def test_landing_page_needs_the_readme_sections_it_reuses(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("# RNNs by hand\n\nIntro.\n\n## The notebooks\n\n| a | b | c |\n")
    monkeypatch.setattr(build_pages, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match="Start without installing anything"):
        build_pages.landing_page()
