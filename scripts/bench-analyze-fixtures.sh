#!/usr/bin/env bash
# Benchmark: `gitops-gen analyze --format json` over every fixture repository in
# tests/fixtures/analyze, ROUNDS times. Prints the wall time per round and, when valgrind is
# installed, the instructions one round executes (repeatable on a busy machine, unlike time).
# Usage: scripts/bench-analyze-fixtures.sh [ROUNDS=20] [BINARY=target/release/gitops-gen]
set -euo pipefail
rounds=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${2:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/gitops-gen"
fi
fixtures=("$root"/tests/fixtures/analyze/*/)
one_round() {
  for dir in "${fixtures[@]}"; do
    "$bin" --color never analyze "$dir" --format json >/dev/null
  done
}
one_round # warm the page cache
start=$(date +%s%N)
for _ in $(seq 1 "$rounds"); do one_round; done
end=$(date +%s%N)
echo "fixtures: ${#fixtures[@]}, rounds: $rounds"
echo "wall: $(( (end - start) / rounds / 1000 )) us per round ($(( (end - start) / rounds / ${#fixtures[@]} / 1000 )) us per repository)"
if command -v valgrind >/dev/null 2>&1; then
  total=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for dir in "${fixtures[@]}"; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" --color never analyze "$dir" --format json >/dev/null 2>"$tmp/err"
    n=$(sed -n 's/^==[0-9]*== Collected : //p' "$tmp/err")
    total=$(( total + n ))
  done
  echo "instructions: $total per round"
fi
