#!/usr/bin/env bash
# Install, lint, validate the shipped rules, run the tests and a smoke run of the benchmark on
# Python 3.11 (.venv), then the tests again on Python 3.13 (.venv313, durable-rules built from
# source by setup.sh). ARRANGEUR_SKIP_PY313=1 skips the second run on a machine without 3.13.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}" bash scripts/setup.sh
.venv/bin/ruff check engine api tests benchmarks
.venv/bin/ruff format --check engine api tests benchmarks
.venv/bin/lint-imports  # the import contracts in pyproject.toml: the pipeline runs one way
.venv/bin/mypy engine  # [tool.mypy] in pyproject.toml, with the pydantic plugin
.venv/bin/arrangeur validate
bash scripts/check-wheel.sh  # the wheel installed outside the checkout: a check and the server
# headless Chromium for tests/browser/ (in CI it must install; elsewhere those tests skip without it)
bash scripts/deps/chromium.sh || [ "${CI:-}" != "true" ]
# the caseload tests also run against a real PostgreSQL server on 127.0.0.1
ARRANGEUR_TEST_POSTGRES_URL=$(bash scripts/deps/postgres.sh | tail -1)
export ARRANGEUR_TEST_POSTGRES_URL
.venv/bin/python -m pytest
.venv/bin/arrangeur bench --quick

if [ "${ARRANGEUR_SKIP_PY313:-0}" != 1 ]; then
  PYTHON=python3.13 VENV=.venv313 bash scripts/setup.sh
  .venv313/bin/python -m pytest
fi
