#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ one after the other (the machine's cores are shared) and prints
# one line per target: executions, executions per second, and the outcome.
#
#   scripts/fuzz.sh -runs=1000000            # the campaign: 1M executions per target
#   scripts/fuzz.sh -max_total_time=5        # a smoke run: 5 seconds per target
#   scripts/fuzz.sh -runs=1000000 yaml model # only these targets
#   scripts/fuzz.sh -max_total_time=3 -seed=1 # a smoke run with repeatable choices
#   FUZZ_PROFILE=dev scripts/fuzz.sh -max_total_time=3 -seed=1
#                                            # CI's: unoptimised, with overflow checks, built in
#                                            # half the time (its runs are about the seeds)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Builds without a
# sanitizer: the crate forbids `unsafe`, and the targets look for panics, stack overflows,
# timeouts and memory blow-ups, which libFuzzer catches on its own. New inputs go to
# fuzz/corpus/<target> (ignored by git); the committed seeds are fuzz/seeds/<target>; a
# failing input is saved under fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."

# Leading arguments that start with `-` go to libFuzzer; the rest name targets.
options=()
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
  options+=("$1")
  shift
done
if [ ${#options[@]} -eq 0 ]; then
  echo "usage: $0 -runs=N|-max_total_time=S [-seed=N ...] [target...]" >&2
  exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^gitops-gen-fuzz$')
fi

profile=${FUZZ_PROFILE:-release}
case "$profile" in
  release) build=(cargo +nightly fuzz build -s none --target-dir target/fuzz) ;;
  dev) build=(cargo +nightly fuzz build --dev -s none --target-dir target/fuzz) ;;
  *)
    echo "FUZZ_PROFILE must be release or dev, not $profile" >&2
    exit 2
    ;;
esac
buildlog=$(mktemp)
if ! "${build[@]}" >"$buildlog" 2>&1; then
  cat "$buildlog" >&2
  exit 2
fi
rm -f "$buildlog"
case "$profile" in
  release) bin=target/fuzz/x86_64-unknown-linux-gnu/release ;;
  dev) bin=target/fuzz/x86_64-unknown-linux-gnu/debug ;;
esac
status=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log=$(mktemp)
  started=$(date +%s)
  if "$bin/$target" "fuzz/corpus/$target" "fuzz/seeds/$target" "${options[@]}" \
      -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1; then
    outcome=ok
  else
    outcome="FAILED (see $log)"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  seconds=$(($(date +%s) - started))
  printf '%-16s %10s execs %6s s %8s exec/s %5s MB  %s\n' "$target" "${execs:-?}" "$seconds" \
    "${speed:-?}" "${rss:-?}" "$outcome"
  if [ "$outcome" = ok ]; then
    rm -f "$log"
  else
    # The CI machine and its files are gone once the run ends: print why, and the input.
    grep -v -E '^(#[0-9]+|INFO:|MS:|stat::)' "$log" | tail -n 40 >&2
    for crash in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
      echo "input $crash (base64):" >&2
      base64 -w 0 "$crash" >&2
      echo >&2
    done
  fi
done
exit $status
