#!/usr/bin/env bash
# Every test, as CI runs it: checks (or installs) what the tests need, prepares the Python venv of the third-party
# toolkits (zeep, aiosmtpd, selenium, ...), and runs the Rust unit and integration tests.
#
# Usage: bash tests/run.sh [extra cargo test args]
#        bash tests/run.sh --check-prerequisites   (only say what is missing; exit 1 if anything is)
# Needs: Rust (cargo), Python 3 with venv, git and curl (the README's tour is run from a clone), and Debian's
# chromium and chromium-driver for the browser tests. As root
# with apt-get the missing Debian packages are installed (FORCERESET_NO_INSTALL=1 prevents it); otherwise a missing
# one stops the run with one line naming it. FORCERESET_SKIP_BROWSER=1 runs everything else and says the browser
# tests were skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

prerequisites() {
  local missing=()
  command -v cargo >/dev/null 2>&1 || { echo "tests/run.sh: cargo not found: install Rust (https://rustup.rs)" >&2; return 1; }
  if ! command -v python3 >/dev/null 2>&1; then
    missing+=(python3)
  elif ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ "${FORCERESET_SKIP_BROWSER:-}" != 1 ]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${FORCERESET_NO_INSTALL:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && return 0
  fi
  echo "tests/run.sh: missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]}; or FORCERESET_SKIP_BROWSER=1 to run without the browser tests)" >&2
  return 1
}

if [ "${1:-}" = "--check-prerequisites" ]; then
  prerequisites
  exit $?
fi
prerequisites || exit 1

venv=".venv"
req="tests/toolkits/requirements.txt"
if [ -f "$req" ]; then
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  stamp="$venv/.requirements.sha256"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
  export FORCERESET_PYTHON="$PWD/$venv/bin/python"
fi

status=0
cargo test --all-targets "$@" || status=$?
if [ "${FORCERESET_SKIP_BROWSER:-}" = 1 ]; then
  echo "tests/run.sh: the browser tests were SKIPPED (FORCERESET_SKIP_BROWSER=1)" >&2
fi
exit $status
