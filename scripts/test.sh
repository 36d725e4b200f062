#!/usr/bin/env bash
# The test command: bootstrap, then lint + build + typecheck + every package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm check
