# 两条命令 / the two commands: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install dev lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/lifecircle demo

test: dev
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/pytest -q

lint: dev
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/access.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) out
