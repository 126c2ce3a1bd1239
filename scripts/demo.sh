#!/usr/bin/env bash
# Install, validate the shipped rules and check the sample placement.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/arrangeur validate
.venv/bin/arrangeur check samples/delft-bijstand.yaml
