#!/usr/bin/env bash
# Measures `gitops-gen promote` against misbehaving remotes, with the release build:
#  1. a git:// remote on loopback that accepts and never answers, with the default --timeout:
#     time to give up, peak RSS, exit code, leftover temporary clones;
#  2. a pre-receive hook that rejects every push saying "cannot lock ref": time, pushes made.
# Usage: scripts/bench-promote-faults.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gitops-gen"
tmp=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

setup() {
  git init -q --bare -b main "$tmp/$1/remote.git"
  git clone -q "$tmp/$1/remote.git" "$tmp/$1/shop" 2>/dev/null
  cd "$tmp/$1/shop"
  git config user.name bench && git config user.email bench@example.com
  git checkout -q -b main
  "$bin" --color never init --yes --app web >/dev/null 2>&1
  git add -A && git commit -q -m initial && git push -q origin main
  mkdir -p "$tmp/$1/tmp"
}

# 1. The silent remote: a loopback listener that holds every connection, for at most 5 minutes.
setup silent
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$port" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(1)
held, start = [], time.time()
while time.time() - start < 300:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
server=$!
sleep 0.5
git remote set-url origin "git://127.0.0.1:$port/shop.git"
set +e
TMPDIR="$tmp/silent/tmp" /usr/bin/time -f '%e %M' -o "$tmp/time" \
  "$bin" --color never promote --env staging --app web --image ghcr.io/shop/web:v2 \
  >/dev/null 2>"$tmp/err"
code=$?
set -e
read -r secs kb < <(tail -n 1 "$tmp/time")
left=$(find "$tmp/silent/tmp" -maxdepth 1 -name 'gitops-gen-promote-*' | wc -l)
printf 'silent remote, default --timeout: exit %d after %ss, peak RSS %d KB, %d temporary clones left\n' \
  "$code" "$secs" "$kb" "$left"
kill "$server" 2>/dev/null
server=

# 2. A hook that rejects every push in the words of a lock failure.
setup hook
cat >"$tmp/hook/remote.git/hooks/pre-receive" <<'EOF'
#!/bin/sh
echo run >> "$GIT_DIR/hook-runs"
echo "error: cannot lock ref 'refs/heads/main': policy says no" >&2
exit 1
EOF
chmod +x "$tmp/hook/remote.git/hooks/pre-receive"
set +e
/usr/bin/time -f '%e %M' -o "$tmp/time" \
  "$bin" --color never promote --env staging --app web --image ghcr.io/shop/web:v2 \
  >/dev/null 2>"$tmp/err"
code=$?
set -e
read -r secs kb < <(tail -n 1 "$tmp/time")
printf 'hook saying "cannot lock ref": exit %d after %ss, %d push(es), peak RSS %d KB\n' \
  "$code" "$secs" "$(wc -l <"$tmp/hook/remote.git/hook-runs")" "$kb"
