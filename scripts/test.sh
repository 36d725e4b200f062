#!/usr/bin/env bash
# The test command: bootstrap, then lint + build + typecheck + every package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Real clips for the video-decoding tests (Debian's opencv-doc, downloaded and unpacked, not installed).
bash packages/data/scripts/fetch-test-clips.sh || { apt-get update -qq && bash packages/data/scripts/fetch-test-clips.sh; }
# The live pycocotools check compares @adaptnet/coco with pycocotools on fresh random cases.
if [ -z "${ADAPTNET_PYTHON:-}" ]; then
  ADAPTNET_PYTHON="$(bash scripts/reference-python.sh)"
  export ADAPTNET_PYTHON
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm check
