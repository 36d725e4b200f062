#!/usr/bin/env bash
# A Python with the reference implementations the tests compare against (pycocotools, numpy), in
# .venv-reference/. Prints its interpreter's path; prints nothing when pip cannot install them
# (no package index reachable), so the live reference checks skip — except under CI, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-reference
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pycocotools, numpy' 2>/dev/null; then
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check --retries 0 pycocotools numpy; } >&2; then
    echo "reference-python: could not install pycocotools and numpy with pip into $venv" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
  fi
fi
echo "$PWD/$venv/bin/python"
