# Two commands on a fresh machine (Python 3.11, no GPU):
#   make main   # the whole toy pipeline, from nothing to reports
#   make test   # what CI runs: export in sync, notebooks clean, nbdev tests, toy-pipeline integration test
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build of torch on CPU machines (pip finds 2.13.0 on this project's machines); override on a GPU box,
# e.g. `make TORCH=torch main`.
TORCH ?= torch==2.13.0
PRESET ?= default

.PHONY: main test venv lab docs clean-data

$(VENV)/.installed: settings.ini setup.py pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

main: venv
	$(VENV)/bin/xsd_main --preset $(PRESET)

test: venv
	$(PY) tools/run_tests.py

# The docs site offline (`nbdev-docs` needs Quarto): every notebook executed (its fast cells, as nbdev-test) and processed by nbdev,
# the API reference and the reports' plots, into _docs/ (open _docs/index.html). Fails naming any broken notebook.
docs: venv
	$(PY) tools/build_docs.py

# JupyterLab with the project's kernel registered (every notebook runs as it is)
lab: venv
	$(PY) -m pip install -q jupyterlab
	$(PY) -m ipykernel install --user --name xmodal_sd --display-name "xmodal_sd (.venv)"
	$(VENV)/bin/jupyter lab nbs/
