#!/usr/bin/env bash
# Benchmark the analyze and generate goals of docs/performance.md (P1-P3) on synthetic inputs
# from scripts/bench/monorepo.py and scripts/bench/models.py. Prints one line per goal with the
# medians of paired hyperfine runs and their ratio. Ratios are what count: absolute times on a
# shared machine are noisy.
#
#   P1  analyze on FILES files, warm cache, against the floor: `find` over the checkout plus `cat`
#       of exactly the files analyze opens (taken from one strace'd run); cold cache too when the
#       page cache can be dropped; against zizmor --offline on the same workflows.
#   P2  generate --check on 100 apps x 5 environments, against `gitops-gen --version` (and
#       --check --render for reference); and with the model at the root of the FILES-file
#       monorepo.
#   P3  analyze at FILES/10 and FILES files; generate at 10, 100 and 1,000 apps.
#   1M  with MILLION=1: analyze on 1,000,000 files, wall time and peak RSS (the tree is about
#       8 GB; it is deleted afterwards).
#
# Usage: scripts/bench/analyze.sh [FILES=100000] [BINARY=target/release/gitops-gen]
# Needs hyperfine (pinned: `cargo install hyperfine --version 1.19.0 --locked`) and strace;
# zizmor (pinned: `pip install zizmor==1.32.0`) is used when on PATH.
set -euo pipefail
files=${1:-100000}
# shellcheck source=scripts/bench/lib.sh
source "$(dirname "$0")/lib.sh" "${2:-}"
for tool in hyperfine strace; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
runs=${RUNS:-10}

# Median wall time in ms of each command of a hyperfine run, in order.
medians() {
  hyperfine -N -w 2 -r "$runs" --export-json "$tmp/h.json" "$@" >/dev/null 2>&1
  python3 -c 'import json,sys; print(" ".join("%.1f" % (r["median"] * 1000) for r in json.load(open(sys.argv[1]))["results"]))' "$tmp/h.json"
}

# The floor for analyzing DIR: find over the checkout, cat of what analyze opens.
floor_for() { # dir -> writes $tmp/opened.<name>, prints the floor command
  local dir=$1 list="$tmp/opened.$(basename "$1")"
  strace -f -qq -e trace=openat -e signal=none -o "$tmp/trace" \
    "$bin" --color never analyze "$dir" --format json >/dev/null
  # With threads, strace splits a call into `<unfinished ...>` and `resumed` lines, so the
  # path is taken from the call and kept when it names a regular file.
  grep -o "\"$dir/[^\"]*\", O_RDONLY|O_CLOEXEC" "$tmp/trace" \
    | sed -e 's/^"//' -e 's/", O_RDONLY.*//' | sort -u \
    | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done >"$list"
  echo "sh -c 'find $dir -name .git -prune -o -type f -print >/dev/null; xargs -d \"\\n\" cat <$list >/dev/null'"
}

analyze_goal() { # label dir
  local floor
  floor=$(floor_for "$2")
  read -r f a < <(medians "$floor" "$bin --color never analyze $2 --format json")
  echo "P1 $1: floor $f ms, analyze $a ms, ratio $(ratio "$f" "$a") (files opened: $(wc -l <"$tmp/opened.$(basename "$2")"))"
  if [ "$(id -u)" = 0 ] && (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
    read -r f a < <(RUNS=5 medians --prepare "sh -c 'sync; echo 3 > /proc/sys/vm/drop_caches'" "$floor" \
      "$bin --color never analyze $2 --format json")
    echo "P1 $1 cold: floor $f ms, analyze $a ms, ratio $(ratio "$f" "$a")"
  else
    echo "P1 $1 cold: skipped (the page cache cannot be dropped here)"
  fi
  if command -v zizmor >/dev/null; then
    # zizmor exits non-zero when it has findings; that is its answer, not a failure.
    read -r z a < <(medians -i "zizmor --offline --no-progress -q $2/.github/workflows" \
      "$bin --color never analyze $2 --format json")
    echo "P1 $1 zizmor: zizmor --offline $z ms, analyze $a ms, ratio $(ratio "$z" "$a")"
  fi
  /usr/bin/time -f "%M" -o "$tmp/rss" "$bin" --color never analyze "$2" --format json >/dev/null
  echo "P1 $1 peak RSS: $(( $(cat "$tmp/rss") / 1024 )) MiB"
}

python3 "$root/scripts/bench/monorepo.py" --files $((files / 10)) "$tmp/small" >/dev/null 2>&1
python3 "$root/scripts/bench/monorepo.py" --files "$files" "$tmp/large" >/dev/null 2>&1
analyze_goal "$((files / 10)) files" "$tmp/small"
analyze_goal "$files files" "$tmp/large"
read -r s l < <(medians "$bin --color never analyze $tmp/small --format json" \
  "$bin --color never analyze $tmp/large --format json")
echo "P3 analyze $((files / 10)) -> $files files: $s ms -> $l ms, $(ratio "$s" "$l")x for 10x input"

# Deploy steps per file: one workflow with 100, then 1,000 deploy steps.
for steps in 100 1000; do
  mkdir -p "$tmp/steps$steps/.github/workflows"
  {
    echo "on: {push: {branches: [main]}}"
    echo "jobs:"
    echo "  deploy:"
    echo "    runs-on: ubuntu-latest"
    echo "    environment: production"
    echo "    steps:"
    for i in $(seq 1 "$steps"); do echo "      - run: kubectl apply -n prod -f k8s/app$i.yaml"; done
  } >"$tmp/steps$steps/.github/workflows/deploy.yml"
done
read -r s l < <(medians "$bin --color never analyze $tmp/steps100 --format json" \
  "$bin --color never analyze $tmp/steps1000 --format json")
echo "P3 analyze 100 -> 1000 deploy steps in one file: $s ms -> $l ms, $(ratio "$s" "$l")x"

# Generate.
model() { # apps envs dir
  python3 "$root/scripts/bench/models.py" --apps "$1" --envs "$2" "$3" >/dev/null
  git -C "$3" init -q 2>/dev/null || true
  "$bin" --color never generate --dir "$3" >/dev/null 2>&1
}
model 100 5 "$tmp/m100"
read -r v g r < <(medians "$bin --version" "$bin --color never generate --check --dir $tmp/m100" \
  "$bin --color never generate --check --render --dir $tmp/m100")
echo "P2 generate --check, 100 apps x 5 environments: --version $v ms, check $g ms, ratio $(ratio "$v" "$g")"
echo "   (generate --check --render, which renders whatever the digests say: $r ms, ratio $(ratio "$v" "$r"))"
# The monorepo has a .gitlab-ci.yml of its own: gitops-gen's pipeline goes beside it, included.
{ cat "$tmp/m100/gitops-gen.yaml"; echo "gitlab: {file: .gitlab/gitops.gitlab-ci.yml}"; } \
  >"$tmp/large/gitops-gen.yaml"
"$bin" --color never generate --dir "$tmp/large" >/dev/null 2>&1
read -r v g < <(medians "$bin --version" "$bin --color never generate --check --dir $tmp/large")
echo "P2 generate --check in the $files-file monorepo: --version $v ms, check $g ms, ratio $(ratio "$v" "$g")"
model 10 5 "$tmp/m10"
model 1000 5 "$tmp/m1000"
read -r a b c < <(medians "$bin --color never generate --check --dir $tmp/m10" \
  "$bin --color never generate --check --dir $tmp/m100" \
  "$bin --color never generate --check --dir $tmp/m1000")
echo "P3 generate --check 10 -> 100 -> 1000 apps: $a -> $b -> $c ms, $(ratio "$a" "$b")x and $(ratio "$b" "$c")x"
read -r a b c < <(medians "$bin --color never generate --check --render --dir $tmp/m10" \
  "$bin --color never generate --check --render --dir $tmp/m100" \
  "$bin --color never generate --check --render --dir $tmp/m1000")
echo "P3 generate --check --render 10 -> 100 -> 1000 apps: $a -> $b -> $c ms, $(ratio "$a" "$b")x and $(ratio "$b" "$c")x"
rm -rf "$tmp/small" "$tmp/m10" "$tmp/m1000"

if [ "${MILLION:-0}" = 1 ]; then
  rm -rf "$tmp/large"
  python3 "$root/scripts/bench/monorepo.py" --files 1000000 --no-git "$tmp/million" >/dev/null 2>&1
  /usr/bin/time -f "%e %M" -o "$tmp/rss" "$bin" --color never analyze "$tmp/million" --format json \
    >"$tmp/million.json"
  read -r wall kib <"$tmp/rss"
  echo "1M analyze: ${wall} s, peak RSS $((kib / 1024)) MiB, $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["deploy_steps"]), "deploy steps,", len(d["diagnostics"]), "diagnostics")' "$tmp/million.json")"
fi
