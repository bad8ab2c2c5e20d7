#!/usr/bin/env bash
# Every test, as CI runs it: prepares the Python venv of the third-party toolkits (zeep, aiosmtpd, ...)
# and runs the Rust unit and integration tests. Usage: bash tests/run.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."

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

cargo test --all-targets "$@"
