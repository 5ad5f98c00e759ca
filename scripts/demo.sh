#!/usr/bin/env bash
# Installs everything and runs the main job: `crossroads demo` on the embedded default (DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/crossroads demo "$@"
