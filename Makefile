# digitrec: `make demo` reads the example images, `make test` runs the whole suite.
# Both create the virtual environment first (Python 3.11+ as $(PYTHON)).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED_MNIST := $(abspath ../shared/data/mnist.npz)
ifneq ($(wildcard $(SHARED_MNIST)),)
export DIGITREC_MNIST ?= $(SHARED_MNIST)
endif

.PHONY: demo test serve install install-test examples clean

demo: install
	$(BIN)/digitrec predict examples/ --save-annotated runs/demo

test: install-test
	$(BIN)/python -m pytest

serve: install
	$(BIN)/digitrec serve

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,notebook]'
	touch $@ $(VENV)/.installed

examples: install
	$(BIN)/python tools/make_examples.py examples

clean:
	rm -rf $(VENV) runs .pytest_cache
