#!/usr/bin/env bash
# Install, lint, validate the shipped rules, run the tests and a smoke run of the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check engine api tests benchmarks
.venv/bin/ruff format --check engine api tests benchmarks
.venv/bin/lint-imports  # the import contracts in pyproject.toml: the pipeline runs one way
.venv/bin/arrangeur validate
# headless Chromium for tests/browser/ (in CI it must install; elsewhere those tests skip without it)
bash scripts/deps/chromium.sh || [ "${CI:-}" != "true" ]
.venv/bin/python -m pytest
.venv/bin/arrangeur bench --quick
