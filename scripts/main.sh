#!/usr/bin/env bash
# The main job: bootstrap, build, and train on Fashion-MNIST (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm demo
