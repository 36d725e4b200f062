#!/usr/bin/env bash
# Installs what AdaptNet needs on a fresh Debian machine: pnpm 9, the Debian packages the tests and
# the main job use, and the workspace's npm dependencies (from the lockfile). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# libdnnl-dev: oneDNN for @adaptnet/backend-native (optional; without it wasm is used).
# ffmpeg: video decoding for @adaptnet/data (video folders) and adaptnet-video.
APT_PACKAGES=(dataset-fashion-mnist libdnnl-dev ffmpeg)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "bootstrap: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# corepack's signature check needs the network beyond the npm registry: install pnpm with npm.
if ! command -v pnpm >/dev/null || [ "$(pnpm --version | cut -d. -f1)" != "9" ]; then
  echo "bootstrap: installing pnpm 9"
  npm install -g pnpm@9 --silent
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
