"""A real browser: start JupyterLab as `make lab` does, run a notebook's cells through the UI in
headless Chromium, and check what a learner would see: the "manual == nn.RNN" lines and no error.

Chromium comes from Debian's package (`apt-get install chromium`; .ci/run installs it), driven by
Playwright pointed at that executable (Playwright's own browser download does not work here).
Without Chromium the test is skipped, unless RNN_REQUIRE_BROWSER=1 (set by .ci/run), which turns a
missing browser into a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


def test_notebook_runs_in_jupyterlab_and_shows_the_proof(jupyterlab, tmp_path):
    from playwright.sync_api import sync_playwright

    base, token, served = jupyterlab
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
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
            browser.close()
