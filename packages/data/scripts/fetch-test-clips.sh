#!/usr/bin/env bash
# Fetches the real test clips (vtest.avi, Megamind.avi, Megamind_bugy.avi, tree.avi) from the
# Debian package opencv-doc into a cache folder, without installing it: `apt-get download` +
# `dpkg-deb`. Only the tests use them; nothing at runtime does.
#   usage: fetch-test-clips.sh [DIR]   (default: $ADAPTNET_TEST_CLIPS, else ~/.cache/adaptnet/test-clips)
set -euo pipefail
dir="${1:-${ADAPTNET_TEST_CLIPS:-${XDG_CACHE_HOME:-$HOME/.cache}/adaptnet/test-clips}}"
clips=(vtest.avi Megamind.avi Megamind_bugy.avi tree.avi)

have_all() { for c in "${clips[@]}"; do [ -s "$dir/$c" ] || return 1; done; }
if have_all; then echo "test clips: $dir"; exit 0; fi

for tool in apt-get dpkg-deb tar; do
  command -v "$tool" >/dev/null || { echo "fetch-test-clips: needs $tool (Debian/Ubuntu)" >&2; exit 1; }
done
mkdir -p "$dir"
work="$(mktemp -d "$dir/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current folder; as root it warns that _apt cannot write there.
(cd "$work" && apt-get download -q opencv-doc 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
deb="$(ls "$work"/opencv-doc_*.deb 2>/dev/null | head -1)"
if [ -z "$deb" ]; then echo "fetch-test-clips: apt-get download opencv-doc failed (run apt-get update first?)" >&2; exit 1; fi
mkdir "$work/x"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards '*/examples/data/*.avi'
for c in "${clips[@]}"; do
  src="$(find "$work/x" -name "$c" -type f | head -1)"
  [ -n "$src" ] || { echo "fetch-test-clips: $c is not in $(basename "$deb")" >&2; exit 1; }
  mv -f "$src" "$dir/.$c.part" && mv -f "$dir/.$c.part" "$dir/$c"
done
echo "test clips: $dir"
