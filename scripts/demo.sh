#!/usr/bin/env bash
# Install, validate the shipped rules and check the sample placement.
set -euo pipefail
cd "$(dirname "$0")/.."
# The install's pip and setuptools chatter (build warnings about packaging, not about the demo)
# goes to a log that is shown only when the install fails.
mkdir -p .cache
log=.cache/setup.log
echo "Installeren (logboek: $log) ..."
if ! bash scripts/setup.sh >"$log" 2>&1; then
  cat "$log" >&2
  echo "demo: de installatie is mislukt (zie hierboven, of $log)" >&2
  exit 1
fi
.venv/bin/arrangeur validate
.venv/bin/arrangeur check samples/delft-bijstand.yaml
