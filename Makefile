# `make lab`      : set everything up, open JupyterLab on the series.
# `make test`     : set everything up, run the fast tests (unit tests + strict nbval over every notebook).
# `make test-all` : everything `make test` runs, and the slow tier: the site and the slide decks built and
#                   opened in a real browser, every notebook checked by strict nbval as in Colab (needs npm
#                   and chromium).
# `make site`     : the static site, build/site/index.html (from the stored outputs; needs npm).
# `make slides`   : one reveal.js deck per notebook, build/slides/NN_name.slides.html (needs npm).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup lab test test-all site slides notebooks headers clean

# The install: a plain venv, then uv (from PyPI, pinned) installs the pinned list in seconds where pip
# takes minutes. uv does not read pip's configuration, so the local wheel folder pip may be configured
# with (`pip config`: find-links; on some machines it holds the CPU build of torch) is handed on.
# uv, unlike pip, installs no .pyc files: Python writes them on first import. Where it may not
# (PYTHONDONTWRITEBYTECODE=1, as on CI machines), every process, every notebook kernel included, would
# compile torch's Python source again on every import, about 5 s more per kernel. So the targets that run
# Python below unset it (NOPYC): the modules actually imported are compiled once, into .venv and
# __pycache__ (git-ignored). That is faster than uv's --compile-bytecode, which compiles every file of
# every package at install time (18 s here, against under 2 s for the install itself).
UV_VERSION := 0.13.9
NOPYC := env -u PYTHONDONTWRITEBYTECODE
PIP_FIND_LINKS := $(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements.txt $(addprefix --find-links ,$(PIP_FIND_LINKS))
	touch $@

setup: $(VENV)/.installed

# JupyterLab refuses to run as root without --allow-root (containers, CI machines): pass it only then.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(NOPYC) $(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

# The suite runs in parallel, one worker per core (pytest-xdist); --dist loadscope keeps each notebook's
# cells on one worker, in order. One BLAS thread per worker (and per notebook kernel): workers do not
# fight over cores, and the stored outputs hold with one thread as with two.
# PYTHONDONTWRITEBYTECODE unset (see the install above). For pytest it also matters on its own: without
# .pyc files it cannot cache the test modules it rewrites for its assertion messages, so the collector and
# each worker would rewrite them all again (about 3 s each here).
PYTEST := $(NOPYC) OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadscope

test: setup
	$(PYTEST) -m "not slow"

# The slow tier's Colab check runs strict nbval on every notebook (in the simulated Colab environment,
# tests/test_colab.py), so test-all checks each notebook there, once, and collects tests/ only. With no
# notebook cells to keep in order, tests are spread one by one, and a worker that runs out of tests takes
# some of the other's queue (--dist worksteal: with --dist load, the first chunk one worker was sent held
# every slow test, 241 s against 50 s); the site and the decks are still built once (tests/_pages.py).
test-all: setup
	$(subst loadscope,worksteal,$(PYTEST)) tests

site: setup
	$(NOPYC) $(BIN)/python tools/build_pages.py site

slides: setup
	$(NOPYC) $(BIN)/python tools/build_pages.py slides

# Re-execute every notebook in a fresh kernel, in place, and print each one's time.
notebooks: setup
	$(NOPYC) $(BIN)/python tools/execute_notebooks.py

# Regenerate every notebook's header (title, Colab badge, navigation, Colab setup cell).
headers: setup
	$(NOPYC) $(BIN)/python tools/headers.py

clean:
	rm -rf build
	rm -rf $(VENV)
