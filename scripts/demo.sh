#!/usr/bin/env bash
# Set Lantern up if needed, then run `lantern demo`: migrate, load made-up data, create one
# demo user per role and serve at http://127.0.0.1:8000 (Ctrl+C to stop).
#
#   bash scripts/demo.sh                   serve at http://127.0.0.1:8000
#   bash scripts/demo.sh 127.0.0.1:8123    serve somewhere else
#   bash scripts/demo.sh --no-serve        set up the demo database, but do not serve
#
# Demo users sign in with LANTERN_DEMO_PASSWORD, or lantern-demo-2026 if it is not set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> Starting the demo…"
exec .venv/bin/lantern demo "$@"
