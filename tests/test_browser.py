"""A real browser: start JupyterLab as `make lab` does, run a notebook's cells through the UI in
headless Chromium, and check what a learner would see: the "manual == nn.RNN" lines and no error.
Then the static site and a slide deck (tools/build_pages.py, built as `make site` / `make slides`
build them), opened from file:// URLs as a reader opens them: every page loads with its figures and
equations, no console error, no request leaves the machine (every request that is not file:// or
data: is aborted and reported), and axe finds no serious or critical accessibility violation.

Chromium comes from Debian's package (`apt-get install chromium`; .ci/run installs it), driven by
Playwright pointed at that executable (Playwright's own browser download does not work here).
Without Chromium the test is skipped, unless RNN_REQUIRE_BROWSER=1 (set by .ci/run), which turns a
missing browser into a failure.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

import _pages

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOK = "02_single_cell.ipynb"

pytestmark = pytest.mark.slow


def _require_browser():
    if CHROMIUM is None:
        if os.environ.get("RNN_REQUIRE_BROWSER") == "1":
            pytest.fail("RNN_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed (it is in requirements.txt: make setup)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on a copy of notebooks/ (the UI run must not touch the stored notebooks)."""
    _require_browser()
    served = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", served)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
    )
    # The README's `make lab` runs `jupyter lab notebooks/`; the same, headless, on the copy.
    cmd = [sys.executable, "-m", "jupyter", "lab", str(served), "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")  # as `make lab` does for root
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token, served
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _launch(p):
    return p.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    )


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the browser tests a worker runs. Playwright's sync API allows one
    instance per thread, so every test of this module takes this one (pages are tests of their own, so
    that pytest-xdist can spread them over its workers)."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = _launch(playwright)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def test_notebook_runs_in_jupyterlab_and_shows_the_proof(jupyterlab, tmp_path, chromium):
    base, token, served = jupyterlab
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        # wait until the kernel is up (status shown as "Idle" in the status bar / toolbar)
        page.wait_for_function(
            "() => document.body.innerText.includes('Idle')", timeout=60_000
        )
        # Clear the stored outputs first, so everything checked below was produced by this run.
        page.click("text=Edit", timeout=10_000)
        page.click("text=Clear Outputs of All Cells", timeout=10_000)
        assert page.locator(".jp-OutputArea-output").count() == 0
        # Run → Run All Cells, as a learner would.
        page.click("li.lm-MenuBar-item:has-text('Run')", timeout=10_000)
        page.click(".lm-Menu-item:has-text('Run All Cells')", timeout=10_000)
        # done when every code cell has a number in its prompt and none is queued/running ([*])
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.textContent.trim());  // textContent: off-screen cells too
                return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
            }""",
            timeout=120_000,
        )
        page.screenshot(path=str(tmp_path / "notebook.png"), full_page=False)
        outputs = page.locator(".jp-OutputArea-output")
        text = "\n".join(outputs.all_text_contents())
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, "stderr/error output in the browser:\n" + "\n".join(errors.all_text_contents())
        assert "Traceback" not in text
        assert "manual == nn.RNN" in text, text[:2000]
    finally:
        page.close()


# ---------------------------------------------------------------- the static site and the decks


LEAVES_THE_MACHINE = re.compile(r"^(?!(file|data|blob):)")


def _watch_offline(page) -> dict:
    """Record what goes wrong on ``page``: console errors, uncaught exceptions, failed loads, and
    every request that would leave the machine (aborted: only file:// and data: are let through)."""
    log = {"errors": [], "external": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: log["errors"].append(f"failed to load {r.url[:120]}: {r.failure}"))

    def route(r):
        log["external"].append(r.request.url)
        r.abort()

    # Only what would leave the machine comes to Python: the browser matches the pattern itself, so the
    # dozens of local files a page loads (file:, data:, blob:) are not each sent through a Python callback.
    page.route(LEAVES_THE_MACHINE, route)
    return log


def _math_state(page) -> dict:
    """Wait for MathJax's first typeset, then count rendered and failed equations."""
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise.then(() => 1) : 0")
    return page.evaluate("() => ({rendered: document.querySelectorAll('mjx-container').length,"
                         " errors: document.querySelectorAll('mjx-merror').length})")


def test_the_offline_check_catches_a_page_that_loads_from_a_cdn(tmp_path, chromium):
    """The "no request leaves the machine" check can fail: a page loading a CDN script and a remote image."""
    cdn = "https://cdn.jsdelivr.net/npm/reveal.js@5.2.1/dist/reveal.js"
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    (tmp_path / "page.html").write_text(f'<html><body><script src="{cdn}"></script><img src="{badge}" alt="Open In Colab"></body></html>')
    page = chromium.new_page()
    try:
        log = _watch_offline(page)
        page.goto((tmp_path / "page.html").as_uri(), wait_until="load")
    finally:
        page.close()
    assert sorted(log["external"]) == sorted([cdn, badge])
    assert log["errors"], "aborting the requests must show as errors too"


@pytest.mark.parametrize("name", ["index", "teaching", *_pages.STEMS])
def test_site_page_loads_offline_with_figures_equations_and_no_serious_axe_violation(name, chromium):
    from axe_playwright_python.sync_playwright import Axe

    site = _pages.site()
    html = (site / f"{name}.html").read_text()
    problems = [f"an inline colour ({style}): the contrast check below assumes none"
                for style in re.findall(r'style="[^"]*colou?r[^"]*"', html)]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        log = _watch_offline(page)
        page.goto((site / f"{name}.html").as_uri(), wait_until="load")
        math = _math_state(page)
        if 'class="math notranslate' in html and (math["rendered"] == 0 or math["errors"]):
            problems.append(f"equations not rendered by MathJax: {math}")
        if name in _pages.STEMS:
            figures = page.eval_on_selector_all(
                ".cell_output img", "els => els.map(e => [e.getAttribute('alt'), e.complete && e.naturalWidth > 0])")
            if [alt for alt, _ in figures] != _pages.figure_alts(name) or not all(ok for _, ok in figures):
                problems.append(f"figures (alt, loaded) {figures} != stored alts {_pages.figure_alts(name)}")
        problems += [f"{what}: {items}" for what, items in
                     [("console errors", log["errors"]), ("requests leaving the machine", log["external"])] if items]
        # axe's two rules about colour, colour-contrast and link-in-text-block (a link told apart from its
        # text by colour), are most of axe's time on a page (colour-contrast ~20 s on a long page of
        # highlighted code). Every colour on these pages comes from the stylesheets all pages share (no
        # inline colour: checked above), so they run on the landing page and on notebook 01, whose page holds
        # every kind of element the others have (prose, links, tables, equations, code, outputs, <details>,
        # figures); every other rule runs on every page.
        options = {"resultTypes": ["violations"], "preload": False}   # preload: False, or axe fetches the
        if name not in ("index", _pages.STEMS[0]):                  # stylesheets itself (file://)
            options["rules"] = {rule: {"enabled": False} for rule in ("color-contrast", "link-in-text-block")}
        result = Axe().run(page, options=options)
        problems += [f"axe {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
                     for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        page.close()
    assert not problems, f"{name}.html:\n" + "\n".join(problems)


def test_a_slide_deck_opens_from_file_and_advances(chromium):
    stem = _pages.STEMS[1]
    deck = _pages.slides() / f"{stem}.slides.html"
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        log = _watch_offline(page)
        page.goto(deck.as_uri(), wait_until="load")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        total = page.evaluate("() => Reveal.getTotalSlides()")
        first = page.evaluate("() => Reveal.getIndices()")
        page.evaluate("() => Reveal.next()")
        second = page.evaluate("() => Reveal.getIndices()")
        math = _math_state(page)
        figures = page.eval_on_selector_all("img[src^='data:image']", "els => els.map(e => e.getAttribute('alt'))")
    finally:
        page.close()
    nb = nbformat.read(_pages.notebooks_dir() / f"{stem}.ipynb", as_version=4)
    sections = sum(c.cell_type == "markdown" and c.source.startswith("## ") for c in nb.cells)
    assert total >= sections > 0, f"{total} slides for {sections} sections"
    assert first == {"h": 0, "v": 0, "f": None} and second != first, (first, second)
    assert math["rendered"] > 0 and math["errors"] == 0, math
    assert figures == _pages.figure_alts(stem)
    assert log == {"errors": [], "external": []}, log
