#!/usr/bin/env bash
# Package a release binary the way actions/setup/install.sh expects it:
#   OUTDIR/tollgate-VERSION-TARGET.tar.gz (+ .zip for Windows targets), each with a .sha256
#   file ("HEX  NAME"); the archive holds tollgate-VERSION-TARGET/tollgate[.exe], README.md and
#   LICENSE (when present).
# Usage: scripts/package-release.sh VERSION TARGET [OUTDIR]   (OUTDIR defaults to dist)
# The binary is target/TARGET/release/tollgate[.exe] unless TOLLGATE_PACKAGE_BIN names it.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 VERSION TARGET [OUTDIR]" >&2
    exit 2
fi
version=${1#v}
target=$2
outdir=${3:-dist}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

exe=""
[[ "$target" != *windows* ]] || exe=.exe
bin=${TOLLGATE_PACKAGE_BIN:-$root/target/$target/release/tollgate$exe}
[[ -f "$bin" ]] || { echo "package-release: no binary at $bin" >&2; exit 1; }

sha256_line() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi
}

name="tollgate-$version-$target"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/package-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$bin" "$stage/$name/tollgate$exe"
chmod 755 "$stage/$name/tollgate$exe"
for doc in README.md LICENSE CHANGELOG.md; do
    [[ ! -f "$root/$doc" ]] || cp "$root/$doc" "$stage/$name/"
done

# Reproducible archives where the tools allow it: fixed order, owner and time.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
tar_args=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    tar_args=(--sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch")
fi
(cd "$stage" && tar ${tar_args[@]+"${tar_args[@]}"} -cf - "$name") | gzip -9n >"$outdir/$name.tar.gz"
archives=("$name.tar.gz")

if [[ -n "$exe" ]]; then
    rm -f "$outdir/$name.zip"
    if command -v 7z >/dev/null 2>&1; then
        (cd "$stage" && 7z a -tzip -bd "$outdir/$name.zip" "$name" >/dev/null)
    else
        (cd "$stage" && zip -qrX "$outdir/$name.zip" "$name")
    fi
    archives+=("$name.zip")
fi

cd "$outdir"
for a in "${archives[@]}"; do
    sha256_line "$a" >"$a.sha256"
    echo "$outdir/$a"
    echo "$outdir/$a.sha256"
done
