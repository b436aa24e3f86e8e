#!/usr/bin/env bash
# The test command (README and .ci/run call exactly this). Installs first when .venv is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/detente ]; then
  DETENTE_SKIP_EXAMPLE=1 ./install.sh
fi
# The dashboard's browser tests drive Debian's chromium (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null
  else
    echo "run-tests.sh: chromium is missing; install Debian's chromium package (sudo apt-get install chromium)" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
