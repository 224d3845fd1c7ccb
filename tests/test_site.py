"""The static site (`make site`) and the slide decks (`make slides`), built as the Makefile builds
them (tools/build_pages.py), read as files: a page and a deck per notebook, in reading order, every
figure with its alt text, MathJax from a local copy, nothing loaded from the network.
The real browser opens them in tests/test_browser.py.
"""

from __future__ import annotations

import re

import pytest

import _pages
from _pages import STEMS

slow = pytest.mark.slow


# ------------------------------------------------------- the checkers themselves can fail (fast)


def test_network_check_finds_every_kind_of_remote_load():
    page = """<html><head>
    <script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
    <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">
    <style>@import url(https://fonts.googleapis.com/css?family=News+Cycle);</style>
    </head><body><img src="http://example.org/badge.svg" alt="a badge">
    <div style="background: url('https://example.org/bg.png')"></div>
    <a href="https://colab.research.google.com/">a link is not a load</a>
    <script src="_static/local.js"></script><img src="data:image/png;base64,AAAA" alt="x"></body></html>"""
    assert _pages.network_loads(page) == sorted([
        "<script> https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js",
        "<link> //fonts.googleapis.com/css?family=Lato",
        "<style> https://fonts.googleapis.com/css?family=News+Cycle",
        "<img> http://example.org/badge.svg",
        "<div style> https://example.org/bg.png",
    ])
    assert _pages.css_network_loads("@import url(https://fonts.googleapis.com/x); a {}") == ["https://fonts.googleapis.com/x"]


def test_img_alts_reads_the_alt_of_each_figure_in_order():
    html = '<img src="_images/a.png" alt="First figure"><img src="_static/logo.svg" alt="logo"><img src="_images/b.png">'
    assert _pages.img_alts(html, "_images/") == ["First figure", None]


# ------------------------------------------------------- the site


@slow
def test_site_has_a_landing_page_and_a_page_per_notebook_in_reading_order():
    site = _pages.site()
    index = (site / "index.html").read_text()
    for stem in STEMS:
        assert (site / f"{stem}.html").exists(), f"no page for {stem}"
    # the landing page's table and the sidebar both list the notebooks in tools/series.py's order
    positions = [index.find(f'href="{stem}.html"') for stem in STEMS]
    assert -1 not in positions and positions == sorted(positions), positions
    for section in ("The notebooks", "Start without installing anything", "On your machine: two commands"):
        assert section in index
    for stem, after in zip(STEMS, STEMS[1:]):  # every page leads to the next one
        assert f'href="{after}.html"' in (site / f"{stem}.html").read_text()


@slow
def test_site_loads_nothing_from_the_network():
    site = _pages.site()
    pages = sorted(site.glob("*.html"))
    bad = {p.name: _pages.network_loads(p.read_text()) for p in pages}
    assert not {k: v for k, v in bad.items() if v}, bad
    css = {p.relative_to(site).as_posix(): _pages.css_network_loads(p.read_text(errors="replace"))
           for p in site.rglob("*.css")}
    assert not {k: v for k, v in css.items() if v}, css


@slow
def test_site_renders_equations_with_its_own_mathjax():
    site = _pages.site()
    assert (site / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    assert list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    page = (site / f"{STEMS[1]}.html").read_text()
    assert re.search(r"<script[^>]* src=\"_static/mathjax/tex-mml-chtml.js(\?v=\w+)?\"", page), "MathJax is not loaded from _static"
    assert 'class="math notranslate nohighlight"' in page, "no math found on the page to render"


@slow
@pytest.mark.parametrize("stem", STEMS)
def test_site_page_shows_every_figure_with_its_alt_text(stem):
    expected = _pages.figure_alts(stem)
    shown = _pages.img_alts((_pages.site() / f"{stem}.html").read_text(), "_images/")
    assert shown == expected, f"{stem}: figures' alt text on the page {shown} != stored in the notebook {expected}"
    assert None not in expected, f"{stem}: a figure without alt text (see tests/test_alt_text.py)"


# ------------------------------------------------------- the slide decks


@slow
def test_a_deck_per_notebook_with_local_reveal_require_and_mathjax():
    slides = _pages.slides()
    for stem in STEMS:
        html = (slides / f"{stem}.slides.html").read_text()
        assert _pages.network_loads(html) == [], stem
        for local in ("_vendor/require.js", "_vendor/reveal.js/dist/reveal.css", "_vendor/mathjax/tex-mml-chtml.js",
                      "_vendor/reveal.js/dist/theme/white.css"):
            assert f'"{local}"' in html, f"{stem} does not load {local}"
    for path in ("require.js", "reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js",
                 "mathjax/tex-mml-chtml.js"):
        assert (slides / "_vendor" / path).exists(), path
    css = {p.relative_to(slides).as_posix(): _pages.css_network_loads(p.read_text(errors="replace"))
           for p in (slides / "_vendor").rglob("*.css")}
    assert not {k: v for k, v in css.items() if v}, css


@slow
@pytest.mark.parametrize("stem", STEMS)
def test_deck_shows_every_figure_with_its_alt_text(stem):
    expected = _pages.figure_alts(stem)
    shown = _pages.img_alts((_pages.slides() / f"{stem}.slides.html").read_text(), "data:image/")
    assert shown == expected, f"{stem}: figures' alt text in the deck {shown} != stored in the notebook {expected}"
    assert None not in expected, f"{stem}: a figure without alt text (see tests/test_alt_text.py)"
