#!/usr/bin/env bash
# The install step of action.yml: downloads the release archive of gitops-gen for this runner,
# checks its SHA-256 against action/checksums.txt, unpacks it and puts it on PATH.
#
# Inputs (environment): GITOPS_GEN_VERSION, GITOPS_GEN_ACTION_PATH, and the runner's RUNNER_OS,
# RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH and GITHUB_OUTPUT. GITOPS_GEN_DOWNLOAD_URL replaces
# https://github.com/gitops-gen/gitops-gen/releases/download (a mirror); the checksum is
# checked all the same.
set -euo pipefail

fail() {
  echo "::error title=gitops-gen install::$*" >&2
  exit 1
}

version=${GITOPS_GEN_VERSION:-}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || fail "version '${version}' is not a release number such as 1.2.3"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) fail "no gitops-gen release for runner ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; install it with cargo (tool.install: cargo)" ;;
esac
if [ "$target" = x86_64-pc-windows-msvc ]; then
  archive="gitops-gen-${version}-${target}.zip"
  exe=gitops-gen.exe
else
  archive="gitops-gen-${version}-${target}.tar.gz"
  exe=gitops-gen
fi

table="${GITOPS_GEN_ACTION_PATH:?}/action/checksums.txt"
expected=$(awk -v name="$archive" '$1 !~ /^#/ && $2 == name { print $1 }' "$table")
[ -n "$expected" ] \
  || fail "this commit of the action knows no checksum for ${archive}: pin a commit of gitops-gen/gitops-gen made after release ${version}"

base=${GITOPS_GEN_DOWNLOAD_URL:-https://github.com/gitops-gen/gitops-gen/releases/download}
dir="${RUNNER_TEMP:?}/gitops-gen-${version}"
rm -rf "$dir"
mkdir -p "$dir/bin"
curl --proto '=https,file' --tlsv1.2 --fail --silent --show-error --location --retry 3 \
  --output "$dir/$archive" "${base}/v${version}/${archive}"

if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$dir/$archive" | awk '{ print $1 }')
else
  actual=$(shasum -a 256 "$dir/$archive" | awk '{ print $1 }')
fi
[ "$actual" = "$expected" ] \
  || fail "${archive}: SHA-256 ${actual} is not the ${expected} this action carries; nothing was installed"

case "$archive" in
  *.zip) 7z x -y -o"$dir/bin" "$dir/$archive" "$exe" >/dev/null ;;
  *) tar -xzf "$dir/$archive" -C "$dir/bin" "$exe" ;;
esac
rm -f "$dir/$archive"

reported=$("$dir/bin/$exe" --version)
[ "$reported" = "gitops-gen ${version}" ] \
  || fail "the installed binary reports '${reported}', not gitops-gen ${version}"
echo "$dir/bin" >>"${GITHUB_PATH:?}"
echo "path=$dir/bin" >>"${GITHUB_OUTPUT:?}"
echo "installed ${reported} (${target}, sha256 ${actual})"
