# Two commands do everything from a fresh clone:
#   make book   set up, execute every notebook (full size, cached), build the site
#   make test   set up (with the peer neural-tangents), lint, library tests (peers included),
#               notebooks (smoke), smoke site (-W), browser check
# Also: make lab, make bench, make long (the tests over a minute each), make mutate, make clean.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.learntheory-installed

.PHONY: help setup peers book student pdf test lint unit long notebooks site browser-deps lab bench mutate clean

help:
	@echo "make book   build the book (full size) into _build/html"
	@echo "make test   run every check (lint, tests, smoke notebooks, smoke site, browser)"
	@echo "make student the student edition (solutions removed) into _build/student/html"
	@echo "make pdf    the whole book as one PDF, _build/pdf/learning-theory.pdf (EDITION=student: without solutions)"
	@echo "make lab    JupyterLab on the book's environment (live explorers)"
	@echo "make bench  benchmarks, printed as ratios against their baselines"
	@echo "make long  the tests over a minute each (left out of make test)"
	@echo "make notebooks  every notebook executed apart with nbclient (smoke size)"
	@echo "make mutate mutation testing (mutmut) of lt.kernels and lt.ntk against their tests"
	@echo "make clean  remove builds and caches (keeps .venv; 'make distclean' removes it too)"

# The environment: created if missing, (re)installed when pyproject.toml changes.
# torch is installed first with its exact pin (a local CPU wheel where one is
# offered; an already-installed CUDA build of 2.13.0 is kept).
setup: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing torch==2.13.0, the Jupyter Book toolchain and learntheory (editable) into $(VENV)"
	$(PY) -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[book,test]"
	@touch $@

# The peer library, neural-tangents, for tests/ntk/test_peers.py and make bench, in two steps
# (an extra cannot say --no-deps): the `peers` extra (CPU jax 0.5.3, frozendict), then
# neural-tangents 0.6.5 with --no-deps, leaving out its tensorflow and tf2jax (~600 MB, used
# only by its TF interop; benchmarks/peers.py imports it without them). ~110 MB download,
# ~410 MB installed (jaxlib 380 MB). Without it the peer tests skip and bench says so.
PEERS_STAMP := $(VENV)/.learntheory-peers-installed
peers: $(PEERS_STAMP)
$(PEERS_STAMP): $(STAMP)
	@echo "Installing the peer library neural-tangents (without TensorFlow) into $(VENV)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[peers]"
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps "neural-tangents==0.6.5"
	@touch $@

book: setup
	$(PY) scripts/build_book.py full

# The student edition: the same pages, executed the same way (it starts from a copy of
# the full build's execution cache), with every solution removed from the HTML, the
# search index, the page sources and the downloadable notebooks (book/_ext/editions.py).
student: setup
	$(PY) scripts/build_book.py full --edition student

# The book as one PDF (no LaTeX): the single-page build printed by headless Chromium, with
# MathJax, figures, equation numbers and the bibliography; _build/pdf/learning-theory.pdf,
# or learning-theory-student.pdf with EDITION=student (scripts/build_pdf.py).
pdf: setup browser-deps
	$(PY) scripts/build_pdf.py full --edition $(or $(EDITION),full)

test: setup peers lint unit site
	@echo "make test: all checks passed"

lint: setup
	$(VENV)/bin/ruff check lib tests benchmarks scripts book/_ext

# Library tests and doctests, on 2 cores. The few tests marked `long` (over a minute
# each: the two-layer lazy-training exponents, the listed mutants) keep make test under
# 15 minutes by running in `make long` instead. The notebooks are executed (smoke size)
# once, by the site build, which fails on a cell error; tests/book/test_site.py then
# fails on any error output they left. `make notebooks` runs them apart, with nbclient.
unit: setup peers
	$(PY) -m pytest -n 2 -q tests lib/learntheory --doctest-modules \
	  -m "not browser and not long and not notebooks"

notebooks: setup
	$(PY) -m pytest -n 2 -q tests/book/test_notebooks.py -m notebooks

long: setup peers
	$(PY) -m pytest -n 2 -q tests -m long

# The smoke site (-W -n --keep-going, raising on any cell error), then the checks on it:
# the browser checks, the student edition, the wheel, the smoke PDF. They mostly wait
# (page loads, MathJax: 160 s of CPU in 257 s on two workers), so four workers share
# the two cores, one test file each at a time (--dist loadfile: a file's module
# fixtures, such as the printed PDF, are built once); the page-by-page checks are in
# files of their own (tests/book/test_site*.py) so that they spread. Measured on the
# 2-core machine: 189 s with 4 workers, 257 s with 2 (2026-11-28).
site: setup browser-deps
	$(PY) scripts/build_book.py smoke
	LT_SITE_PREBUILT=1 $(PY) -m pytest -n 4 --dist loadfile -q -m browser tests/book

browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$$CHROMIUM" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Headless Chromium is missing: installing Debian's 'chromium' package for the browser check (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Headless Chromium is missing: install 'chromium' (or set CHROMIUM=/path/to/it) for the browser check"; exit 1; \
	  fi; \
	fi

# JupyterLab on the repository, with the project's default settings
# (.jupyter/lab/settings/overrides.json, read as LabApp.app_settings_dir): a double-click
# on a book/**/*.md page opens it as a notebook (jupytext), no Jupyter-news prompt, and
# no autosave (opening a page marks it modified: autosave would rewrite its header).
# They are defaults: a student's own JupyterLab settings still win. Explorers are live
# widgets there. Pages run at full size; `BOOK_SMOKE=1 make lab` runs them small
# (kernels inherit the environment). LAB_ARGS adds flags (tests/book/test_lab.py).
lab: setup
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.app_settings_dir="$(CURDIR)/.jupyter/lab/settings" \
	  $(LAB_ARGS) $(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup peers
	$(PY) benchmarks/run.py

# Mutation testing: a tool we run, not a CI gate. First scripts/check_mutants.py applies
# the one-line mutations listed in tests/README.md and checks each is caught. Then mutmut 3 mutates lib/learntheory/kernels
# and lib/learntheory/ntk and runs each mutant against only the tests (tests/kernels,
# tests/ntk) that cover the mutated function, then scripts/mutation_report.py prints
# the score, the counts, the wall time and the survivors by file and function.
# Configuration and its reasons: [tool.mutmut] in pyproject.toml. What keeps it well
# under an hour on 2 shared cores:
#   * -m "not slow and not gpu": the slow rate tests are skipped (gpu ones skip anyway),
#     so code only the slow tests check numerically (e.g. ntk.feature_change_sweep,
#     lazy_run, ntk_relative_variance) shows up as surviving mutants;
#   * argument checks and error-message lines are not mutated (do_not_mutate_patterns);
#   * workers fork from the warm main process, and pytest's per-session gc is off;
#   * MUTATE_JOBS=2 workers, one torch thread each, under nice -n 19 (the cores are shared).
# mutmut only understands ./, src/ and source/ layouts, so the run goes through a
# temporary `src -> lib` symlink (removed afterwards; gitignored). Each run starts
# fresh (rm -rf mutants/): mutmut would otherwise reuse the results cached there.
# Results stay in mutants/ (*.py.meta) until the next run or `make clean`; with the
# symlink back (ln -s lib src): `.venv/bin/mutmut show NAME` diffs one mutant,
# `.venv/bin/mutmut run NAME` reruns it, `.venv/bin/mutmut results` lists survivors.
MUTATE_STAMP := $(VENV)/.learntheory-mutate-installed
MUTATE_JOBS ?= 2

$(MUTATE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[mutate]"
	@touch $@

mutate: $(MUTATE_STAMP)
	@echo "== the listed mutants of tests/README.md (each must be caught) =="
	$(PY) scripts/check_mutants.py
	@echo "== mutmut over lt.kernels and lt.ntk =="
	@if [ -e src ] && [ ! -L src ]; then echo "make mutate: ./src exists and is not mutmut's symlink to lib"; exit 1; fi
	rm -rf mutants
	ln -sfn lib src
	@trap 'rm -f src' EXIT; start=$$(date +%s); rc=0; \
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 nice -n 19 $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) || rc=$$?; \
	end=$$(date +%s); \
	$(PY) scripts/mutation_report.py --wall-seconds $$((end - start)); \
	exit $$rc

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache mutants
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) lib/*.egg-info
