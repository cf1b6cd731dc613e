# HighPipe — the two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export UV_LINK_MODE := copy

UV_BIN := $(shell command -v uv 2>/dev/null)
ifeq ($(UV_BIN),)
UV := python3 -m uv
else
UV := $(UV_BIN)
endif

# Each mk/*.mk adds its own targets and hooks itself into the two commands:
#   DEMO_PREREQS  — run before `highpipe serve` in `make demo` (e.g. build the web app)
#   TEST_PREREQS  — run before pytest in `make test` (e.g. start PostgreSQL, Redis, Kafka, the LLM server)
#   TEST_EXTRA    — run after pytest in `make test` (e.g. vitest, browser end-to-end)
DEMO_PREREQS :=
TEST_PREREQS :=
TEST_EXTRA :=
-include mk/*.mk

.PHONY: .uv-installed help setup demo serve test pytest lint typecheck unit contract integration e2e bench clean

help:
	@echo "make demo   — install and run HighPipe on http://$(HOST):$(PORT)/ with the demo shop"
	@echo "make test   — install and run the whole test suite (lint, types, unit, contract, integration, e2e)"
	@echo "make bench  — run the benchmarks in bench/ (results in bench/results/)"

.uv-installed:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) --version

.venv/.synced: pyproject.toml uv.lock | .uv-installed
	$(UV) sync --frozen --all-extras
	@touch $@

setup: .venv/.synced

demo: setup $(DEMO_PREREQS)
	$(UV) run highpipe serve --host $(HOST) --port $(PORT)

serve: demo

lint: setup
	$(UV) run ruff check src tests bench dags jobs deploy/airflow
	$(UV) run ruff format --check src tests bench dags jobs deploy/airflow

typecheck: setup
	$(UV) run mypy src

test: setup lint typecheck $(TEST_PREREQS) pytest $(TEST_EXTRA)

pytest: setup
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
	$(UV) run python bench/analysis_behaviour.py

clean:
	rm -rf .highpipe .pytest_cache .mypy_cache .ruff_cache
