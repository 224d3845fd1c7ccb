"""Shared by tests/test_site.py and tests/test_browser.py: the site and the decks, built once per test
session with the builder `make site` / `make slides` run (tools/build_pages.py), into a temporary
folder; and readers of what they must contain.

Once per session, not once per process: with pytest-xdist the first worker that needs the site builds it
(under a lock) into the folder conftest.py names in RNN_PAGES_SHARED, and the other workers reuse it.

RNN_PAGES_NOTEBOOKS=DIR builds from the notebooks in DIR instead of notebooks/ (a copy under work).
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import re
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_pages  # noqa: E402
import series  # noqa: E402

STEMS = [name.removesuffix(".ipynb") for name in series.TITLES]


def notebooks_dir() -> Path:
    return Path(os.environ.get("RNN_PAGES_NOTEBOOKS", ROOT / "notebooks")).resolve()


def _scratch(prefix: str) -> Path:
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, True)
    return Path(folder)


def _built_once(kind: str, build) -> Path:
    """``build(folder)``'s result, built by the first process of the session that asks (the others wait
    for it, then reuse it): in RNN_PAGES_SHARED when conftest.py set it, else in a folder of this process."""
    shared = Path(os.environ["RNN_PAGES_SHARED"]) if "RNN_PAGES_SHARED" in os.environ else _scratch("rnn-pages-")
    with open(shared / f"{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = shared / f"{kind}.built"  # written last: a build that failed half-way is not reused
        if not built.exists():
            built.write_text(str(build(shared / kind)))
        return Path(built.read_text())


@functools.cache
def site() -> Path:
    return _built_once("site", lambda folder: build_pages.build_site(notebooks_dir(), folder))


@functools.cache
def slides() -> Path:
    return _built_once("slides", lambda folder: build_pages.build_slides(notebooks_dir(), folder))


def figure_alts(stem: str) -> list:
    """The alt text of every figure the notebook stores, in order (None where it has none)."""
    nb = nbformat.read(notebooks_dir() / f"{stem}.ipynb", as_version=4)
    return [build_pages.output_alt(o) for cell in nb.cells for o in build_pages.image_outputs(cell)]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []  # (tag, attrs)
        self.styles = []  # text of <style> elements
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"(@import\s+(url\()?|url\()\s*['\"]?((https?:)?//[^'\")\s]+)", re.IGNORECASE)
# The attributes through which a page LOADS something (a plain <a href> is a link, not a load).
LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src", "audio": "src",
         "embed": "src", "object": "data", "track": "src", "input": "src"}


def network_loads(html: str) -> list[str]:
    """Every URL in ``html`` that a browser would fetch from another machine on opening it."""
    page = parse(html)
    found = []
    for tag, attrs in page.tags:
        url = attrs.get(LOADS.get(tag, ""), None)
        if tag == "link" and (attrs.get("rel") or "").lower() not in ("canonical", "alternate"):
            url = attrs.get("href")
        if url and REMOTE.match(url.strip()):
            found.append(f"<{tag}> {url}")
        if attrs.get("style"):
            found += [f"<{tag} style> {m.group(3)}" for m in CSS_REMOTE.finditer(attrs["style"])]
    for css in page.styles:
        found += [f"<style> {m.group(3)}" for m in CSS_REMOTE.finditer(css)]
    return sorted(set(found))


def css_network_loads(css: str) -> list[str]:
    """Every remote URL a stylesheet imports or loads (fonts, images)."""
    return [m.group(3) for m in CSS_REMOTE.finditer(css)]


def img_alts(html: str, src_prefix: str) -> list:
    """The alt attribute of every <img> whose src starts with ``src_prefix``, in order."""
    return [a.get("alt") for t, a in parse(html).tags if t == "img" and (a.get("src") or "").startswith(src_prefix)]
