#!/usr/bin/env bash
# The package as a user gets it: build the wheel, install it (not editable) into a fresh venv in
# a temporary folder outside the checkout, and from there run a check and start the server.
# Catches what editable installs hide: a package or data file (rules, templates, fonts,
# migrations) left out of the wheel. Needs .venv (scripts/setup.sh) with the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURABLE=2.0.28
WHEELS=.cache/wheels/patched-5  # the patched durable-rules wheel that scripts/setup.sh built

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

rm -rf build  # a stale build/lib would hide a file the wheel leaves out
.venv/bin/python -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }
base=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
"$base" -m venv "$work/venv"
PY="$work/venv/bin/python"
tag=$("$PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
durable=$(ls "$WHEELS"/durable_rules-"$DURABLE"-"$tag"-*.whl 2>/dev/null | head -n 1 || true)
[ -n "$durable" ] || {
  echo "check-wheel: no durable-rules wheel in $WHEELS (run scripts/setup.sh)" >&2
  exit 1
}
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps "$ROOT/$durable"
"$PY" -m pip install --quiet --disable-pip-version-check "$work"/dist/arrangeur-*.whl

cp samples/oudere-ww.yaml "$work/plaatsing.yaml"
cd "$work"  # nothing of the checkout on the path from here
"$PY" - <<'PY'
import engine
import sys
from pathlib import Path

where = Path(engine.__file__).resolve()
if "site-packages" not in where.parts:
    sys.exit(f"check-wheel: engine imported from {where}, not from the installed wheel")
PY
"$work/venv/bin/arrangeur" check plaatsing.yaml --format json >check.json
"$PY" - <<'PY'
import json
import sys

arrangement = json.load(open("check.json"))
instruments = arrangement.get("instruments") or []
if not instruments:
    sys.exit("check-wheel: `arrangeur check` returned no instruments")
print(f"check-wheel: arrangeur check: {len(instruments)} instruments")
PY

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/venv/bin/arrangeur" serve --host 127.0.0.1 --port "$port" >serve.log 2>&1 &
server=$!
"$PY" - "$port" <<'PY'
import sys
import time
import urllib.error
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 30
while True:
    try:
        for path in ("/healthz", "/"):
            try:
                with urllib.request.urlopen(base + path, timeout=5) as response:
                    print(f"check-wheel: arrangeur serve: GET {path} {response.status}")
                    sys.exit(0)
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
        sys.exit("check-wheel: neither /healthz nor / answered")
    except (ConnectionError, urllib.error.URLError):
        if time.monotonic() > deadline:
            sys.exit("check-wheel: `arrangeur serve` did not answer within 30 s")
        time.sleep(0.3)
PY
kill "$server"  # a failure above exits through the trap, which stops the server too
wait "$server" 2>/dev/null || true
server=""
echo "check-wheel: OK"
