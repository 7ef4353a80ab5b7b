#!/usr/bin/env bash
# Crash safety of `gitops-gen generate`: TRIALS times, start from a tree generated from one
# model, switch to a bigger model, run `generate` and `kill -9` it at a random moment. Counts
#   torn       files that are neither the old nor the new version (must be 0),
#   leftovers  trials that left temporary files behind (expected: a kill between create and rename),
#   not fixed  trials where the next `generate` did not remove every leftover or `--check` failed
#              afterwards (must be 0).
# Usage: scripts/bench-kill-generate.sh [TRIALS=50]   (BIN=path/to/gitops-gen to skip the build)
set -euo pipefail
trials=${1:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  BIN="$root/target/release/gitops-gen"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model_a="$root/tests/fixtures/models/four-envs.yaml"
mkdir -p "$tmp/a" "$tmp/b"
cp "$model_a" "$tmp/a/gitops-gen.yaml"
# The second model changes every managed file of staging and adds an app (new files).
sed -e 's/{name: staging, branches: \[staging\], promotion: commit}/{name: staging, branches: [staging], promotion: commit, namespace: shop-stg}/' \
  "$model_a" >"$tmp/b/gitops-gen.yaml"
printf '  - {name: worker, port: 7070, test: "make w"}\n' >>"$tmp/b/gitops-gen.yaml"
"$BIN" generate --dir "$tmp/a" >/dev/null 2>&1
"$BIN" generate --dir "$tmp/b" >/dev/null 2>&1
# How long one such run takes, to spread the kills over it.
cp -r "$tmp/a" "$tmp/t" && cp "$tmp/b/gitops-gen.yaml" "$tmp/t/"
start=$(date +%s%N)
"$BIN" generate --dir "$tmp/t" >/dev/null 2>&1
run_us=$((($(date +%s%N) - start) / 1000))
rm -rf "$tmp/t"

is_temp() { case "$(basename "$1")" in *.gitops-gen-tmp-??????|.gitops-gen-??????) return 0 ;; esac; return 1; }

torn=0 with_leftovers=0 not_fixed=0 killed=0
for i in $(seq 1 "$trials"); do
  t="$tmp/t$i"
  cp -r "$tmp/a" "$t"
  cp "$tmp/b/gitops-gen.yaml" "$t/gitops-gen.yaml"
  "$BIN" generate --dir "$t" >/dev/null 2>&1 &
  pid=$!
  # A random moment within one run's duration.
  delay=$((RANDOM % (run_us + 1)))
  sleep "$(printf '0.%06d' "$delay")"
  kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)) || true
  wait "$pid" 2>/dev/null || true
  left=0
  while IFS= read -r -d '' f; do
    rel=${f#"$t"/}
    if is_temp "$f"; then left=1; continue; fi
    [ "$rel" = gitops-gen.yaml ] && continue
    if ! cmp -s "$f" "$tmp/a/$rel" && ! cmp -s "$f" "$tmp/b/$rel"; then
      echo "torn: trial $i: $rel"
      torn=$((torn + 1))
    fi
  done < <(find "$t" -type f -print0)
  with_leftovers=$((with_leftovers + left))
  if ! "$BIN" generate --dir "$t" >/dev/null 2>&1 ||
    [ -n "$(find "$t" -name '*.gitops-gen-tmp-*' -o -name '.gitops-gen-??????')" ] ||
    ! "$BIN" generate --dir "$t" --check >/dev/null 2>&1; then
    not_fixed=$((not_fixed + 1))
  fi
  rm -rf "$t"
done
echo "one run: ${run_us} us; trials: $trials, signalled: $killed"
echo "torn files: $torn; trials with leftovers: $with_leftovers; not fixed by the next run: $not_fixed"
