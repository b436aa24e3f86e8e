#!/usr/bin/env bash
# The test command (README and .ci/run call exactly this). Installs first when .venv is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/detente ]; then
  DETENTE_SKIP_EXAMPLE=1 ./install.sh
fi
exec .venv/bin/python -m pytest "$@"
