#!/usr/bin/env bash
# Installs everything Crossroads needs on a fresh Debian machine (run as root, or with sudo available):
# Debian packages, a virtual environment in .venv, and the package with pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)   # PySpark (local mode)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)        # metadata store tests
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)                # enclave sandbox
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "setup: done (.venv ready, $(.venv/bin/python --version))"
