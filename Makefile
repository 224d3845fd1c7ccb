# `make lab`      : set everything up, open JupyterLab on the series.
# `make test`     : set everything up, run the fast tests (unit tests + strict nbval over every notebook).
# `make test-all` : everything `make test` runs, and the slow tier: the site and the slide decks built and
#                   opened in a real browser, every notebook run as in Colab (needs npm and chromium).
# `make site`     : the static site, build/site/index.html (from the stored outputs; needs npm).
# `make slides`   : one reveal.js deck per notebook, build/slides/NN_name.slides.html (needs npm).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup lab test test-all site slides notebooks headers clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# JupyterLab refuses to run as root without --allow-root (containers, CI machines): pass it only then.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

test: setup
	$(BIN)/python -m pytest -m "not slow"

test-all: setup
	$(BIN)/python -m pytest

site: setup
	$(BIN)/python tools/build_pages.py site

slides: setup
	$(BIN)/python tools/build_pages.py slides

# Re-execute every notebook in a fresh kernel, in place, and print each one's time.
notebooks: setup
	$(BIN)/python tools/execute_notebooks.py

# Regenerate every notebook's header (title, Colab badge, navigation, Colab setup cell).
headers: setup
	$(BIN)/python tools/headers.py

clean:
	rm -rf build
	rm -rf $(VENV)
