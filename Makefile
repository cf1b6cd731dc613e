# HighPipe — the two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export UV_LINK_MODE := copy

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: help setup demo serve test lint typecheck unit contract integration e2e bench clean

help:
	@echo "make demo   — install and run HighPipe on http://$(HOST):$(PORT)/ with the demo shop"
	@echo "make test   — install and run the whole test suite (lint, types, unit, contract, integration, e2e)"
	@echo "make bench  — run the benchmarks in bench/ (results in bench/results/)"

$(UV):
	python3 -m pip install --user --quiet "uv==$(UV_VERSION)" || python3 -m pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $@

setup: .venv/.synced

demo: setup
	$(UV) run highpipe serve --host $(HOST) --port $(PORT)

serve: demo

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench

typecheck: setup
	$(UV) run mypy src

test: setup lint typecheck
	$(UV) run pytest -q $(PYTEST_ARGS)

unit: setup
	$(UV) run pytest -q tests/unit
contract: setup
	$(UV) run pytest -q tests/contract
integration: setup
	$(UV) run pytest -q tests/integration
e2e: setup
	$(UV) run pytest -q tests/e2e

bench: setup
	$(UV) run python bench/pipeline.py
	$(UV) run python bench/analysis_speed.py
	$(UV) run python bench/analysis_quality.py

clean:
	rm -rf .highpipe .pytest_cache .mypy_cache .ruff_cache
