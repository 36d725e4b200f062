#!/usr/bin/env bash
# The main job without the bootstrap: train a MutualNet on Fashion-MNIST, build its query table,
# print the Pareto frontier and the path of the plot. Re-running resumes (or reuses) the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
RUN="${ADAPTNET_RUN:-runs/main}"
pnpm exec turbo run build --filter=@adaptnet/classify... --output-logs=errors-only >&2
cli() { node apps/classify/dist/cli.js "$@"; }
cli train --out "$RUN" --strategy mutualnet --train-subset "${ADAPTNET_TRAIN_IMAGES:-20000}" --epochs 1 --resume
cli table --run "$RUN" --width-step "${ADAPTNET_WIDTH_STEP:-0.125}" --png
