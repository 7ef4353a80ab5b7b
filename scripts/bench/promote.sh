#!/usr/bin/env bash
# Benchmark the promotion goals of docs/performance.md against a local bare remote:
#   P5a  8 concurrent promotions into different apps, against the same 8 run one after another
#        (stderr: the push attempts of each concurrent round; the history must stay linear);
#   P5b  16 concurrent promotions of successive builds of one app (newest must win), against
#        the same 16 run in order;
#   P6   one promotion of 500 apps into one environment (one commit), end to end.
# Each pair runs ROUNDS times, serial and concurrent alternating; the medians and their ratio
# are printed. Usage: scripts/bench/promote.sh [ROUNDS=5] [BINARY=target/release/gitops-gen]
set -euo pipefail
rounds=${1:-5}
# shellcheck source=scripts/bench/lib.sh
source "$(dirname "$0")/lib.sh" "${2:-}"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# A same-repository layout with APPS apps, pushed to a fresh bare remote: $tmp/$1/{remote.git,app}.
setup() {
  local name=$1 apps=$2
  git init -q --bare -b main "$tmp/$name/remote.git"
  git clone -q "$tmp/$name/remote.git" "$tmp/$name/app" 2>/dev/null
  (
    cd "$tmp/$name/app"
    git checkout -q -b main
    local args=()
    for i in $(seq 1 "$apps"); do args+=(--app "app$i"); done
    "$bin" --color never init --yes --registry ghcr.io/bench "${args[@]}" >/dev/null 2>&1
    git add -A && git commit -q -m initial && git push -q origin main
  )
}

promote() { # dir env log args...
  local dir=$1 env=$2 log=$3
  shift 3
  (cd "$dir" && "$bin" --color never promote --env "$env" --mode commit --retries 100 "$@") \
    >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

# P5a: app k gets tag <label>-<round>.
setup p5a 8
p5a() { # label round concurrent?
  local pids=() k
  for k in $(seq 1 8); do
    if [ "$3" = yes ]; then
      promote "$tmp/p5a/app" production "$tmp/p5a.log.$k" --app "app$k" \
        --image "ghcr.io/bench/app$k:$1-$2" &
      pids+=($!)
    else
      promote "$tmp/p5a/app" production "$tmp/p5a.log.$k" --app "app$k" \
        --image "ghcr.io/bench/app$k:$1-$2"
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  # Every promotion landed as its own commit on a linear history.
  local attempts
  attempts=$(grep -ho '[0-9]* push attempt' "$tmp"/p5a.log.* | awk '{s+=$1} END {print s}')
  [ "$(git -C "$tmp/p5a/remote.git" rev-list --merges --count main)" = 0 ] \
    || { echo "P5a: the history has merges" >&2; exit 1; }
  [ "$3" = yes ] && echo "p5a round $2: $attempts push attempts for 8 promotions" >&2
  return 0
}

# P5b: 16 builds of app1, from 16 successive commits of the app repository.
setup p5b 1
p5b() { # label round concurrent?
  local app="$tmp/p5b/app" commits=() pids=() k
  for k in $(seq 1 16); do
    git -C "$app" commit -q --allow-empty -m "build $1-$2-$k"
    commits+=("$(git -C "$app" rev-parse HEAD)")
  done
  for k in $(seq 1 16); do
    local args=(--app app1 --image "ghcr.io/bench/app1:$1-$2-$k" --source-commit "${commits[$((k - 1))]}")
    if [ "$3" = yes ]; then
      promote "$app" production "$tmp/p5b.log.$k" "${args[@]}" &
      pids+=($!)
    else
      promote "$app" production "$tmp/p5b.log.$k" "${args[@]}"
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  # Newest wins: the overlay names the last build.
  git -C "$tmp/p5b/remote.git" show main:applications/overlays/production/kustomization.yaml \
    | grep -q "newTag: $1-$2-16" || { echo "P5b: the newest build did not win" >&2; exit 1; }
}

pair() { # name
  local serial=() concurrent=() r s
  for r in $(seq 1 "$rounds"); do
    s=$(now); "$1" s "$r" no; serial+=("$(ms "$s" "$(now)")")
    s=$(now); "$1" c "$r" yes; concurrent+=("$(ms "$s" "$(now)")")
  done
  local sm cm
  sm=$(printf '%s\n' "${serial[@]}" | median)
  cm=$(printf '%s\n' "${concurrent[@]}" | median)
  printf '%s: serial %d ms, concurrent %d ms (medians of %d), ratio %s\n' "$1" "$sm" "$cm" \
    "$rounds" "$(ratio "$sm" "$cm")"
}

pair p5a
pair p5b

# P6: 500 apps, one command, one commit.
setup p6 500
p6=()
for r in $(seq 1 "$rounds"); do
  args=()
  for i in $(seq 1 500); do args+=(--app "app$i" --image "ghcr.io/bench/app$i:r$r"); done
  s=$(now)
  promote "$tmp/p6/app" production "$tmp/p6.log" "${args[@]}"
  p6+=("$(ms "$s" "$(now)")")
done
printf 'p6: 500 apps in one commit: %d ms (median of %d)\n' "$(printf '%s\n' "${p6[@]}" | median)" "$rounds"
