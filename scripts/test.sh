#!/usr/bin/env bash
# Installs everything, starts PostgreSQL for the metadata-store tests, and runs the whole test suite.
# Exits non-zero when any test fails or when no test ran at all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# PostgreSQL: start the Debian cluster and make a throw-away database for the tests.
if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
  pg_ctlcluster "$ver" main start 2>/dev/null || true
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='crossroads'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE crossroads LOGIN PASSWORD 'crossroads' CREATEDB\""
  export CROSSROADS_TEST_POSTGRES_URL="postgresql+psycopg://crossroads:crossroads@127.0.0.1:5432/postgres"
fi

set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test: no test was collected; that is a failure" >&2
  exit 1
fi
exit "$rc"
