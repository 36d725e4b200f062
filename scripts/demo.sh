#!/usr/bin/env bash
# The main job without the bootstrap: train a MutualNet on Fashion-MNIST, build its query table,
# print the Pareto frontier and the path of the plot. Re-running resumes (or reuses) the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
RUN="${ADAPTNET_RUN:-runs/main}"
pnpm exec turbo run build --filter=@adaptnet/classify... --output-logs=errors-only >&2
cli() { node apps/classify/dist/cli.js "$@"; }
# One epoch over all 60,000 training images (about 3.5 min on 2 cores); ADAPTNET_TRAIN_IMAGES=N
# trains on a seeded subset instead.
subset=()
if [ -n "${ADAPTNET_TRAIN_IMAGES:-}" ]; then subset=(--train-subset "$ADAPTNET_TRAIN_IMAGES"); fi
cli train --out "$RUN" --strategy mutualnet "${subset[@]}" --epochs 1 --resume
cli table --run "$RUN" --width-step "${ADAPTNET_WIDTH_STEP:-0.125}" --png
