#!/usr/bin/env bash
# Benchmark: `gitops-gen generate` on a large model (ENVS environments x APPS apps, both CIs),
# first run (writes everything) and a no-op rerun. Prints wall time and peak memory.
# Usage: scripts/bench-generate.sh [ENVS=20] [APPS=50]
set -euo pipefail
envs=${1:-20}
apps=${2:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gitops-gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "version: 1"
  echo "project: bench"
  echo "ci: both"
  echo "registry: ghcr.io/bench"
  echo "environments:"
  for e in $(seq 1 "$envs"); do echo "  - {name: env$e, branches: [deploy/env$e]}"; done
  echo "apps:"
  for a in $(seq 1 "$apps"); do echo "  - {name: app$a, test: \"make test\"}"; done
} >"$tmp/gitops-gen.yaml"
measure() {
  /usr/bin/time -f "%e s wall, %M KiB peak RSS" "$bin" --color never generate --dir "$tmp" "$@" 2>&1 >/dev/null | tail -1
}
echo "model: $envs environments x $apps apps"
echo "first generate:  $(measure)"
echo "no-op generate:  $(measure)"
echo "generate --check: $(measure --check)"
echo "files: $(find "$tmp" -type f | wc -l), bytes: $(du -sb "$tmp" | cut -f1)"
