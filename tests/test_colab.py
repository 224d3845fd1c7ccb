"""The Colab path, offline: each notebook, opened alone as Colab opens it, installs rnn_helpers with
its own setup cell from the repository at tools/series.py's REF, and runs top to bottom.

For each notebook in tools/series.py:
- a fresh environment WITHOUT rnn_helpers: a venv with no packages of its own (made in ~0.1 s)
  whose site-packages holds one .pth naming .venv's site-packages, so torch, matplotlib, ipykernel
  and pip import from there; Python does not process the .pth files of a folder named in a .pth,
  so .venv's editable rnn_helpers is not importable (checked before the run);
- `google.colab` importable (a stub package) and imported when the kernel starts (an IPython
  startup file), so the setup cell's `"google.colab" in sys.modules` holds, as in Colab;
- git reads a GIT_CONFIG_GLOBAL whose `url.<bare clone>.insteadOf` maps https://github.com/<REPO>
  to a local bare repository whose REF is the commit under test (HEAD: commit before running this),
  so the cell's `pip install "rnn_helpers @ git+https://github.com/<REPO>@<REF>"` clones HEAD;
  pip builds it in its usual isolated build environment (flit_core from PyPI, then pip's cache);
- the notebook is copied alone into an empty folder and run top to bottom by strict nbval (the
  suite's sanitizer, no --nbval-lax) in a fresh kernel of that environment: every stored output must
  come out again there, the setup cell's included. Then rnn_helpers must be installed in the
  environment, from HEAD.
Because each run is a strict nbval run, `make test-all` (and CI) checks the notebooks here, once, in
the Colab environment, instead of a second time in .venv (Makefile: test-all runs tests/ only).
Each notebook gets its own environment (no package is shared between runs, so none can hide a
missing install step, and tests may run in parallel).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import series  # noqa: E402

pytestmark = pytest.mark.slow

# Strict nbval, as the fast tier runs it (pyproject.toml's addopts) but on the lone copy and with the
# kernel of the fresh environment (no --nbval-current-env: the notebook's "python3" kernel, which
# JUPYTER_PATH resolves to that environment's kernelspec). One BLAS thread, as `make test`.
SANITIZER = ROOT / "tests" / "nbval_sanitize.cfg"
NBVAL = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "-p", "no:anyio",
         "-p", "no:hypothesispytest", "--nbval", f"--nbval-sanitize-with={SANITIZER}"]  # only nbval is needed
PROBE = "import importlib.util as u, json, sys; print(json.dumps({m: u.find_spec(m) is not None for m in sys.argv[1:]}))"


def _git(*args, cwd=ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """What every simulated Colab run shares: the bare clone, the git config, the google.colab stub."""
    base = tmp_path_factory.mktemp("colab")
    head = _git("rev-parse", "HEAD")
    bare = base / "repo.git"
    _git("init", "--quiet", "--bare", str(bare))
    _git("push", "--quiet", str(bare), f"HEAD:refs/heads/{series.REF}")
    _git("symbolic-ref", "HEAD", f"refs/heads/{series.REF}", cwd=bare)
    gitconfig = base / "gitconfig"
    gitconfig.write_text(f'[url "{bare.as_uri()}"]\n\tinsteadOf = https://github.com/{series.REPO}\n')
    stub = base / "stub"
    (stub / "google" / "colab").mkdir(parents=True)  # no google/__init__.py: a namespace package
    (stub / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab."""\n')
    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # Colab imports it before any cell runs\n")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "PYTHONPATH": str(stub),
        "IPYTHONDIR": str(base / "ipython"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "MPLBACKEND": "agg",
    }
    for var in ("VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR"):
        env.pop(var, None)
    return {"head": head, "env": env, "base": base}


def _fresh_env(where: Path) -> Path:
    """A venv with nothing installed, that imports .venv's packages but not its rnn_helpers."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    python = where / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "parent_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _kernelspec(jupyter: Path, python: Path) -> None:
    """A python3 kernel of exactly this environment, ahead of any other (JUPYTER_PATH comes first)."""
    spec = jupyter / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Colab (simulated)", "language": "python"}))


def _simulate(name: str, colab: dict, work: Path, source: Path | None = None) -> dict:
    """Run notebook ``name`` (from notebooks/, or ``source``) as Colab would (see the module
    docstring); return what the test checks."""
    python = _fresh_env(work / "env")
    _kernelspec(work / "jupyter", python)
    env = {**colab["env"], "JUPYTER_PATH": str(work / "jupyter")}
    folder = work / "content"  # Colab's working folder: the notebook and nothing else
    folder.mkdir()
    shutil.copy2(source or ROOT / "notebooks" / name, folder / name)
    modules = ["rnn_helpers", "torch", "matplotlib", "ipykernel", "google.colab"]
    probe = subprocess.run([python, "-c", PROBE, *modules], cwd=folder, env=env, capture_output=True, text=True)
    before = json.loads(probe.stdout) if probe.returncode == 0 else probe.stderr
    run = subprocess.run([python, *NBVAL, name], cwd=folder, env={**env, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
                         capture_output=True, text=True)
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    return {"before": before, "returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr, "site": site}


_RUNS: dict = {}
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2)


def _result(name: str, colab: dict, base: Path) -> dict:
    """The result of ``name``'s run. Runs are subprocesses: outside pytest-xdist (which runs tests in
    parallel itself), the next notebook's run starts while this one's is awaited, two at a time."""
    names = list(series.TITLES)
    upcoming = [name] if os.environ.get("PYTEST_XDIST_WORKER") else names[names.index(name):][:2]
    for n in upcoming:
        if n not in _RUNS:
            _RUNS[n] = _POOL.submit(_simulate, n, colab, base / n.removesuffix(".ipynb"))
    return _RUNS[name].result()


@pytest.mark.parametrize("name", list(series.TITLES))
def test_notebook_runs_alone_as_in_colab(name, colab):
    result = _result(name, colab, colab["base"])
    assert result["before"] == {"rnn_helpers": False, "torch": True, "matplotlib": True, "ipykernel": True,
                                "google.colab": True}, f"the fresh environment is not what Colab gives: {result['before']}"
    assert result["returncode"] == 0, f"{name} failed as in Colab:\n{result['stdout'][-4000:]}{result['stderr'][-2000:]}"
    cells = sum(cell["cell_type"] == "code" for cell in json.loads((ROOT / "notebooks" / name).read_text())["cells"])
    assert f"{cells} passed" in result["stdout"], f"strict nbval did not check every code cell:\n{result['stdout'][-2000:]}"
    site = result["site"]
    installed = list(site.glob("rnn_helpers-*.dist-info"))
    assert len(installed) == 1 and (site / "rnn_helpers" / "__init__.py").exists(), (
        f"the setup cell did not install rnn_helpers into the fresh environment: {sorted(p.name for p in site.iterdir())}"
    )
    direct = json.loads((installed[0] / "direct_url.json").read_text())
    assert direct["url"] == f"https://github.com/{series.REPO}"
    assert direct["vcs_info"]["requested_revision"] == series.REF
    assert direct["vcs_info"]["commit_id"] == colab["head"], "installed from another commit than the one under test"


def test_without_its_setup_cell_a_notebook_cannot_import_rnn_helpers_there(colab, tmp_path):
    """The simulation can fail: the fresh kernel has no rnn_helpers until the setup cell installs it,
    and a stored output that does not come out again fails the run (strict nbval)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    wrong = nbformat.v4.new_code_cell("print(2 + 2)")
    wrong.outputs = [nbformat.v4.new_output("stream", name="stdout", text="5\n")]
    nb.cells = [wrong, nbformat.v4.new_code_cell("import torch, matplotlib\nimport rnn_helpers")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "no_setup.ipynb")
    result = _simulate("no_setup.ipynb", colab, tmp_path / "run", source=tmp_path / "no_setup.ipynb")
    assert result["returncode"] != 0
    assert "2 failed" in result["stdout"], result["stdout"][-2000:]
    assert "No module named 'rnn_helpers'" in result["stdout"], result["stdout"][-2000:]
    assert not list(result["site"].glob("rnn_helpers*")), "nothing may have installed it"
