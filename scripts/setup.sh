#!/usr/bin/env bash
# Create .venv with Python 3.11 or 3.12 (durable-rules 2.0.28 does not import on 3.13) and install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=""
for candidate in python3.11 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1; then
    version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    case "$version" in 3.11|3.12) PY="$candidate"; break ;; esac
  fi
done
if [ -z "$PY" ]; then
  echo "Arrangeur needs Python 3.11 or 3.12 (durable-rules 2.0.28 does not import on 3.13)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e ".[test]"
