#!/usr/bin/env bash
# Run every check: set up (with the test tools), ruff, mypy, then pytest, including the
# browser tests. Arguments go to pytest, e.g. `bash scripts/test.sh -x -q tests/browser`.
# Exits non-zero if any check fails; all checks run even when an earlier one fails.
#
# DATABASE_URL=postgres://… runs the tests against PostgreSQL instead of SQLite in memory.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --test || exit $?

failed=()

echo "==> ruff check lantern tests"
.venv/bin/ruff check lantern tests || failed+=(ruff)

echo "==> mypy lantern"
.venv/bin/mypy lantern || failed+=(mypy)

echo "==> pytest $*"
.venv/bin/pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that counts as a failure." >&2
  failed+=(pytest)
elif [ "$status" -ne 0 ]; then
  failed+=(pytest)
fi

if [ "${#failed[@]}" -gt 0 ]; then
  echo "==> FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "==> All checks passed."
