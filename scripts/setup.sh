#!/usr/bin/env bash
# Create a virtual environment and install Arrangeur with its test extras.
#
#   bash scripts/setup.sh                              # .venv, first of python3.11/3.12/3.13
#   PYTHON=python3.13 bash scripts/setup.sh            # .venv on that interpreter
#   PYTHON=python3.13 VENV=.venv313 bash scripts/setup.sh   # a second venv beside .venv
#
# durable-rules 2.0.28 (the last release, source distribution only) is built here on every
# version, from its PyPI source with build-time patches (scripts/deps/patch_durable.py: Python
# 3.13's C API, session memory sized for Arrangeur's checks, two memory-safety fixes (a
# completed action's frame that a fact kept pointing at, a new state's unset action context),
# and action messages that name the rule only), and the wheel is cached in .cache/wheels/<patch level>/
# (ignored by git). Needs a C compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
DURABLE=2.0.28
WHEELS=.cache/wheels/patched-5  # raise the level when the patches change

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

# A working interpreter for a name such as python3.13: on PATH, else under pyenv (its shims
# exist for every installed version but refuse the ones that are not selected).
resolve() {
  local name="$1" found
  if command -v "$name" >/dev/null 2>&1 && version_of "$name" >/dev/null; then
    command -v "$name"
    return 0
  fi
  for found in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/"$name"; do
    if [ -x "$found" ] && version_of "$found" >/dev/null; then
      echo "$found"
      return 0
    fi
  done
  return 1
}

supported() { case "$1" in 3.11 | 3.12 | 3.13) return 0 ;; *) return 1 ;; esac; }

PY=""
if [ -n "${PYTHON:-}" ]; then
  PY=$(resolve "$PYTHON") || { echo "setup: interpreter '$PYTHON' not found" >&2; exit 1; }
  supported "$(version_of "$PY")" || {
    echo "setup: Arrangeur supports Python 3.11 to 3.13, $PYTHON is $(version_of "$PY")" >&2
    exit 1
  }
else
  for candidate in python3.11 python3.12 python3.13 python3; do
    if found=$(resolve "$candidate") && supported "$(version_of "$found")"; then
      PY="$found"
      break
    fi
  done
  [ -n "$PY" ] || { echo "setup: Arrangeur needs Python 3.11, 3.12 or 3.13" >&2; exit 1; }
fi
WANT=$(version_of "$PY")

# An existing venv on another version is replaced only when an interpreter was asked for.
if [ -x "$VENV/bin/python" ] && [ -n "${PYTHON:-}" ] && [ "$(version_of "$VENV/bin/python")" != "$WANT" ]; then
  echo "setup: $VENV is Python $(version_of "$VENV/bin/python"), recreating it on $WANT" >&2
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install --quiet --upgrade pip >/dev/null

tag=$("$VENV/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
wheel=$(ls "$WHEELS"/durable_rules-"$DURABLE"-"$tag"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || {
    echo "setup: building durable-rules needs a C compiler (apt-get install -y gcc)" >&2
    exit 1
  }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "${PIP[@]}" download --quiet --no-binary :all: --no-deps "durable-rules==$DURABLE" -d "$work"
  tar -xzf "$work"/durable_rules-"$DURABLE".tar.gz -C "$work"
  src="$work/durable_rules-$DURABLE/src"
  "$PY" scripts/deps/patch_durable.py "$src"
  mkdir -p "$WHEELS"
  # setuptools' deprecation notes about durable's own packaging only on failure
  "${PIP[@]}" wheel --quiet --no-deps -w "$WHEELS" "$work/durable_rules-$DURABLE" \
    >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  wheel=$(ls "$WHEELS"/durable_rules-"$DURABLE"-"$tag"-*.whl | head -n 1)
fi
"${PIP[@]}" install --quiet --force-reinstall --no-deps "$wheel"
"${PIP[@]}" install --quiet -e ".[test]"
