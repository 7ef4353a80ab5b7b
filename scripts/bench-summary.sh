#!/usr/bin/env bash
# `analyze --summary` over many repositories: generates N repositories (the analyze fixtures,
# repeated, each with 200 filler source files), then times one summary over all of them with
# the release build. Prints wall time, peak RSS and the totals line.
# Usage: scripts/bench-summary.sh [N=1000]
set -euo pipefail
n=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gitops-gen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t fixtures < <(find "$root/tests/fixtures/analyze" -mindepth 1 -maxdepth 1 -type d | sort)
for i in $(seq 1 "$n"); do
  repo="$work/repo-$(printf '%04d' "$i")"
  cp -r "${fixtures[$(((i - 1) % ${#fixtures[@]}))]}" "$repo"
  mkdir -p "$repo/src"
  for f in $(seq 1 200); do
    printf 'fn f%d() {}\n' "$f" >"$repo/src/f$f.rs"
  done
done
files=$(find "$work" -type f | wc -l)
/usr/bin/time -f '%e %M' -o "$work/time" "$bin" --color never analyze --summary "$work"/repo-* \
  >"$work/out" 2>"$work/err" || true
read -r wall rss <"$work/time"
echo "$n repositories, $files files: ${wall} s wall, $((rss / 1024)) MB peak RSS"
tail -1 "$work/out"
