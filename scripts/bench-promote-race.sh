#!/usr/bin/env bash
# Benchmark: N concurrent `gitops-gen promote` processes (different apps and environments)
# against one bare remote. Reports wall time, push attempts and whether history stayed linear.
# Usage: scripts/bench-promote-race.sh [N=8] [ROUNDS=5]
set -euo pipefail
n=${1:-8}
rounds=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gitops-gen"
envs=(development staging preview production)

for round in $(seq 1 "$rounds"); do
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git init -q --bare -b main "$tmp/remote.git"
  git clone -q "$tmp/remote.git" "$tmp/shop" 2>/dev/null
  cd "$tmp/shop"
  git config user.name bench && git config user.email bench@example.com
  git checkout -q -b main
  apps=()
  for i in $(seq 1 $(( (n + ${#envs[@]} - 1) / ${#envs[@]} ))); do apps+=(--app "app$i"); done
  "$bin" --color never init --yes "${apps[@]}" >/dev/null 2>&1
  git add -A && git commit -q -m initial && git push -q origin main
  before=$(git -C "$tmp/remote.git" rev-list --count main)

  start=$(date +%s.%N)
  pids=()
  for k in $(seq 0 $((n - 1))); do
    env=${envs[$((k % ${#envs[@]}))]}
    app="app$((k / ${#envs[@]} + 1))"
    # The preview environment is per branch: its promotions name one.
    ref=()
    [ "$env" = preview ] && ref=(--ref refs/heads/feature/bench)
    "$bin" --color never promote --env "$env" --app "$app" --mode commit "${ref[@]}" \
      --image "ghcr.io/shop/$app:$env-r$round" --retries 50 >"$tmp/log.$k" 2>&1 &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  end=$(date +%s.%N)

  after=$(git -C "$tmp/remote.git" rev-list --count main)
  merges=$(git -C "$tmp/remote.git" rev-list --merges --count main)
  attempts=$(grep -ho '[0-9]* push attempt' "$tmp"/log.* | awk '{s+=$1; if ($1>m) m=$1} END {print s, m}')
  printf 'round %d: %d promotions, %d landed, %d failed, %.2fs wall, push attempts total/max: %s, merges: %s\n' \
    "$round" "$n" $((after - before)) "$failed" "$(echo "$end - $start" | bc)" "$attempts" "$merges"
  cd "$root"
  rm -rf "$tmp"
  trap - EXIT
done
