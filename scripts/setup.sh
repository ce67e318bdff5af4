#!/usr/bin/env bash
# Set Lantern up on this machine: the system packages it lacks, a virtual environment in
# .venv, the GOV.UK Frontend files and Lantern itself. Safe to run again: each step is
# skipped when it is already done, so scripts/demo.sh and scripts/test.sh run it every time.
#
#   bash scripts/setup.sh          what `lantern demo` and `lantern serve` need
#   bash scripts/setup.sh --test   also the test tools, Chromium for the browser tests, and
#                                  pyspark and Java for the Spark backend's tests
#
# Made for Debian 12 or Ubuntu with Python 3.11 or later. System packages are installed with
# apt-get, as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (use --test, or nothing)" >&2; exit 2 ;;
  esac
done

step() { printf '==> %s\n' "$*"; }
fail() { printf '\nsetup.sh: %s\n' "$*" >&2; exit 1; }

log=$(mktemp "${TMPDIR:-/tmp}/lantern-setup.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'fail "stopped unexpectedly at line $LINENO: $BASH_COMMAND"' ERR

# Run a command quietly; if it fails, show the end of what it said and stop.
quietly() {
  local what=$1; shift
  if ! "$@" >"$log" 2>&1; then
    printf '\n--- last lines of output from: %s ---\n' "$*" >&2
    tail -n 40 "$log" >&2
    fail "$what failed (see the output above)."
  fi
}

# --- System packages --------------------------------------------------------------------

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need to run as root to install system packages ($*), and sudo is not installed."
  fi
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    quietly "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
}
apt_install() {
  command -v apt-get >/dev/null 2>&1 \
    || fail "these system packages are missing: $*. apt-get is not available, so install them yourself."
  step "Installing system packages: $*"
  apt_update_once
  quietly "Installing $*" as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@"
}

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

step "Checking system packages…"
if command -v python3.11 >/dev/null 2>&1 && python_ok python3.11; then
  python=python3.11
elif command -v python3 >/dev/null 2>&1 && python_ok python3; then
  python=python3
else
  fail "Lantern needs Python 3.11 or later (python3.11 or python3). Install it, then run this again."
fi

missing=()
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ "$with_test" -eq 1 ] && ! [ -x /usr/bin/chromium ]; then
  # The browser tests drive Debian's Chromium; Playwright cannot download its own here.
  missing+=(chromium)
fi
if [ "$with_test" -eq 1 ] && ! command -v java >/dev/null 2>&1; then
  # The tests of the Spark backend (the spark extra) run Spark, which needs Java 17 or later.
  missing+=(openjdk-17-jre-headless)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
if [ "$with_test" -eq 1 ] && ! [ -x /usr/bin/chromium ]; then
  fail "the browser tests need Chromium at /usr/bin/chromium, which is still missing."
fi

# --- Python virtual environment ---------------------------------------------------------

if [ -e .venv ] && ! python_ok .venv/bin/python; then
  step "Removing .venv, which is broken or has a Python older than 3.11…"
  rm -rf .venv
fi
make_venv() { rm -rf .venv; "$python" -m venv .venv >"$log" 2>&1; }
if [ ! -e .venv ]; then
  step "Creating the virtual environment in .venv with $python…"
  if ! make_venv; then
    # Debian and Ubuntu ship venv's pip bootstrap separately, in python3-venv.
    version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    venv_packages=(python3-venv)
    command -v apt-get >/dev/null 2>&1 && apt_update_once
    if apt-cache show "python$version-venv" >/dev/null 2>&1; then
      venv_packages+=("python$version-venv")
    fi
    apt_install "${venv_packages[@]}"
    if ! make_venv; then
      tail -n 20 "$log" >&2
      rm -rf .venv
      fail "could not create .venv with $python -m venv."
    fi
  fi
fi

# --- GOV.UK Frontend and MOJ Frontend ---------------------------------------------------

# The versions pinned in package-lock.json, in the form vendor-frontend.sh records them.
wanted_frontend=$(.venv/bin/python - <<'EOF'
import json
packages = json.load(open("package-lock.json"))["packages"]
for name in ("govuk-frontend", "@ministryofjustice/frontend"):
    print(name, packages["node_modules/" + name]["version"])
EOF
)
vendored=lantern/web/static/vendor
if [ -f "$vendored/VERSIONS" ] && [ -f "$vendored/govuk/govuk-frontend.min.css" ] \
   && [ -f "$vendored/moj/moj-frontend.min.css" ] \
   && [ "$(cat "$vendored/VERSIONS")" = "$wanted_frontend" ]; then
  step "GOV.UK Frontend already in place ($(tr '\n' ' ' < "$vendored/VERSIONS" | sed 's/ $//'))."
else
  step "Fetching GOV.UK Frontend and MOJ Frontend with npm…"
  quietly "scripts/vendor-frontend.sh" bash scripts/vendor-frontend.sh
fi

# --- Lantern and its Python dependencies ------------------------------------------------

# The tests cover the Spark backend too, so they need its extra (pyspark).
if [ "$with_test" -eq 1 ]; then target='.[test,spark]'; else target='.'; fi
# Reinstall only when pyproject.toml changes or the test extras are newly wanted.
stamp=.venv/.lantern-installed
fingerprint="$(sha256sum pyproject.toml | cut -d' ' -f1) $target"
if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$fingerprint" ] \
     || { [ "$target" = '.' ] && [ "$(cut -d' ' -f1 "$stamp")" = "${fingerprint%% *}" ]; }; } \
   && .venv/bin/python -c 'import lantern' >/dev/null 2>&1; then
  step "Lantern's Python packages already installed."
else
  step "Installing Lantern and its Python packages into .venv (pip install -e '$target')…"
  quietly "pip install" .venv/bin/python -m pip install --disable-pip-version-check \
    --no-input -q -e "$target"
  echo "$fingerprint" > "$stamp"
fi

step "Set-up complete."
