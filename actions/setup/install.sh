#!/usr/bin/env bash
# Put tollgate on PATH in a GitHub Actions job (the logic of actions/setup/action.yml).
#
# Inputs come from the environment (action.yml sets them from its inputs):
#   TOLLGATE_SETUP_VERSION            X.Y.Z or vX.Y.Z; "source" to build this action's own
#                                     source; empty for the version in this action's Cargo.toml
#   TOLLGATE_SETUP_DOWNLOAD_BASE_URL  release download base; the asset is fetched from
#                                     BASE/vX.Y.Z/tollgate-X.Y.Z-TARGET.tar.gz (.zip on Windows)
#                                     together with ASSET.sha256
#   TOLLGATE_SETUP_GITHUB_TOKEN       optional; sent as a bearer token to https://github.com only
#   TOLLGATE_SETUP_BUILD_FALLBACK     "true" (default): when the release has no asset for this
#                                     platform (HTTP 404) and the version is this action's own,
#                                     build from source; "false": fail instead
#   TOLLGATE_SETUP_BUILD_CMD          replaces the build command (for tests); run with `bash -c`
#                                     and must create $TOLLGATE_SETUP_INSTALL_ROOT/bin/tollgate
#                                     (TOLLGATE_SETUP_SOURCE_DIR names the source tree)
# and the runner's RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH and
# GITHUB_OUTPUT (each optional; outside a runner, uname and temporary directories stand in).
#
# Order: the tool cache ($RUNNER_TOOL_CACHE/tollgate/VERSION/ARCH), then the release asset,
# verified against its .sha256 before anything is extracted or cached, then (404 only) a source
# build. A checksum mismatch always fails: it never falls back to building from source.
#
# Outputs (GITHUB_OUTPUT): path (the executable), version, source (cache|download|build).
set -euo pipefail

log() { printf 'tollgate-setup: %s\n' "$*" >&2; }
fail() {
    # One line, so it is a single annotation; the runner unescapes %25, %0D and %0A.
    local msg="$*"
    msg=${msg//'%'/'%25'}
    printf '::error title=tollgate setup::%s\n' "${msg//$'\n'/'%0A'}"
    exit 1
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)

# --- what to install -----------------------------------------------------------------------

source_version=""
if [[ -f "$source_dir/Cargo.toml" ]]; then
    source_version=$(sed -n '/^\[package\]/,/^\[/ s/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
        "$source_dir/Cargo.toml" | head -n 1)
fi

requested=${TOLLGATE_SETUP_VERSION:-}
requested=${requested//[[:space:]]/}
mode=release
case "$requested" in
    "")
        [[ -n "$source_version" ]] ||
            fail "no version given and no Cargo.toml version found in $source_dir (set the 'version' input)"
        version=$source_version
        ;;
    source)
        [[ -n "$source_version" ]] || fail "version 'source' needs the action's source tree, but $source_dir/Cargo.toml has no version"
        version=$source_version
        mode=build
        ;;
    *)
        version=${requested#v}
        ;;
esac
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; then
    fail "invalid version '$requested' (expected X.Y.Z, vX.Y.Z, 'source', or empty for the action's own version)"
fi

base_url=${TOLLGATE_SETUP_DOWNLOAD_BASE_URL:-https://github.com/tollgate-dev/tollgate/releases/download}
base_url=${base_url%/}
build_fallback=${TOLLGATE_SETUP_BUILD_FALLBACK:-true}
case "$build_fallback" in
    true | false) ;;
    *) fail "build-fallback must be 'true' or 'false', got '$build_fallback'" ;;
esac

# --- platform ------------------------------------------------------------------------------

raw_os=${RUNNER_OS:-$(uname -s)}
raw_arch=${RUNNER_ARCH:-$(uname -m)}
case "$raw_os" in
    Linux | linux) os=linux ;;
    macOS | Darwin | darwin) os=macos ;;
    Windows | windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) os=$(printf '%s' "$raw_os" | tr '[:upper:]' '[:lower:]') ;;
esac
case "$raw_arch" in
    X64 | x86_64 | amd64 | AMD64) arch=x64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) arch=$(printf '%s' "$raw_arch" | tr '[:upper:]' '[:lower:]') ;;
esac
target=""
case "$os/$arch" in
    linux/x64) target=x86_64-unknown-linux-gnu ;;
    linux/arm64) target=aarch64-unknown-linux-gnu ;;
    macos/x64) target=x86_64-apple-darwin ;;
    macos/arm64) target=aarch64-apple-darwin ;;
    windows/x64) target=x86_64-pc-windows-msvc ;;
esac
exe=""
archive_ext=tar.gz
if [[ "$os" == windows ]]; then
    exe=.exe
    archive_ext=zip
fi

tmp_base=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
cache_root=${RUNNER_TOOL_CACHE:-$tmp_base/tollgate-tool-cache}
work=$(mktemp -d "$tmp_base/tollgate-setup.XXXXXX")
staging=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    rm -rf "$work"
    if [[ -n "$staging" ]]; then rm -rf "$staging"; fi
}
trap cleanup EXIT

# --- helpers -------------------------------------------------------------------------------

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    else
        fail "no sha256sum, shasum or openssl to verify the download with"
    fi
}

# fetch URL FILE: 0 when downloaded, 4 when the server has no such file (HTTP 404), and fails
# the action on any other error (after curl's retries of transient ones).
fetch() {
    local url=$1 out=$2 code rc=0
    local -a curl_args=(--silent --show-error --location --fail --retry 3 --retry-delay 2
        --connect-timeout 30 --max-time 900 --output "$out" --write-out '%{http_code}')
    if [[ -n "${TOLLGATE_SETUP_GITHUB_TOKEN:-}" && "$url" == https://github.com/* ]]; then
        # From stdin, so the token is not in the process list.
        code=$(printf 'header = "Authorization: Bearer %s"\n' "$TOLLGATE_SETUP_GITHUB_TOKEN" |
            curl --config - "${curl_args[@]}" "$url") || rc=$?
    else
        code=$(curl "${curl_args[@]}" "$url") || rc=$?
    fi
    if [[ $rc -eq 0 ]]; then
        return 0
    fi
    rm -f "$out"
    if [[ $rc -eq 22 && "$code" == 404 ]] || [[ $rc -eq 37 && "$url" == file://* ]]; then
        return 4
    fi
    fail "download of $url failed (curl exit $rc, HTTP status ${code:-none}); check the network or set 'version: source' to build from source"
}

# is_installed DIR: whether DIR is a complete tool-cache entry.
is_installed() {
    [[ -f "$1.complete" && -x "$1/bin/tollgate$exe" ]]
}

# check_runs BINARY: the binary must run on this machine.
check_runs() {
    local out
    if ! out=$("$1" --version 2>&1); then
        fail "the installed tollgate does not run on this runner ($os/$arch): $1 --version said: $out"
    fi
    log "$out"
}

# commit DIR STAGING: move a finished staging tree into the tool cache, then mark it complete.
commit() {
    local dir=$1
    rm -rf "$dir" "$dir.complete"
    mv "$staging" "$dir"
    staging=""
    : >"$dir.complete"
}

# Hash of the files a source build is made from, so a cached build is reused only for the
# same source.
source_hash() {
    (
        cd "$source_dir"
        local -a parts=()
        local p
        for p in Cargo.toml Cargo.lock build.rs src schemas templates catalog; do
            [[ -e "$p" ]] && parts+=("$p")
        done
        find "${parts[@]}" -type f | LC_ALL=C sort | while IFS= read -r f; do
            printf '%s  %s\n' "$(sha256_of "$f")" "$f"
        done
    ) >"$work/source-files.txt"
    sha256_of "$work/source-files.txt" | cut -c 1-16
}

finish() {
    local dir=$1 how=$2
    local bin_dir="$dir/bin"
    local binary="$bin_dir/tollgate$exe"
    # Downloads and builds were run from staging already; a cache entry may be stale or foreign.
    if [[ "$how" == cache ]]; then check_runs "$binary"; fi
    local path_entry=$bin_dir
    if [[ "$os" == windows ]] && command -v cygpath >/dev/null 2>&1; then
        path_entry=$(cygpath -w "$bin_dir")
        binary=$(cygpath -w "$binary")
    fi
    if [[ -n "${GITHUB_PATH:-}" ]]; then
        printf '%s\n' "$path_entry" >>"$GITHUB_PATH"
    else
        log "add $path_entry to PATH to use tollgate"
    fi
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
        {
            printf 'path=%s\n' "$binary"
            printf 'version=%s\n' "$version"
            printf 'source=%s\n' "$how"
        } >>"$GITHUB_OUTPUT"
    fi
    log "tollgate $version ($how) at $binary"
    exit 0
}

build() {
    local why=$1
    local key
    key="$version-src.$(source_hash)"
    local dir="$cache_root/tollgate/$key/$arch"
    if is_installed "$dir"; then
        log "found a build of this source in the tool cache: $dir"
        finish "$dir" cache
    fi
    log "building tollgate $version from $source_dir ($why)"
    mkdir -p "$cache_root/tollgate/$key"
    staging=$(mktemp -d "$cache_root/tollgate/$key/.staging-$arch.XXXXXX")
    export TOLLGATE_SETUP_INSTALL_ROOT=$staging TOLLGATE_SETUP_SOURCE_DIR=$source_dir
    if [[ -n "${TOLLGATE_SETUP_BUILD_CMD:-}" ]]; then
        bash -c "$TOLLGATE_SETUP_BUILD_CMD" || fail "the build command failed: $TOLLGATE_SETUP_BUILD_CMD"
    else
        command -v cargo >/dev/null 2>&1 ||
            fail "building from source needs cargo (install a Rust toolchain first, or use a released version)"
        cargo install --locked --force --root "$staging" --path "$source_dir" ||
            fail "cargo install --path $source_dir failed"
    fi
    [[ -x "$staging/bin/tollgate$exe" ]] ||
        fail "the build did not produce $staging/bin/tollgate$exe"
    check_runs "$staging/bin/tollgate$exe"
    commit "$dir"
    finish "$dir" build
}

# --- install -------------------------------------------------------------------------------

if [[ "$mode" == build ]]; then
    build "version 'source' requested"
fi

dir="$cache_root/tollgate/$version/$arch"
if is_installed "$dir"; then
    log "found tollgate $version in the tool cache: $dir"
    finish "$dir" cache
fi

# No asset for this platform, or none in the release: a source build, if that gives the
# version asked for.
no_asset() {
    local why=$1
    if [[ "$build_fallback" == true && "$version" == "$source_version" ]]; then
        build "$why"
    fi
    if [[ "$build_fallback" != true ]]; then
        fail "$why, and build-fallback is false"
    fi
    fail "$why; this action's source is version ${source_version:-unknown}, so it cannot build $version (use the action at the v$version tag, or 'version: source')"
}

if [[ -z "$target" ]]; then
    no_asset "no prebuilt tollgate for $raw_os/$raw_arch"
fi

asset="tollgate-$version-$target.$archive_ext"
url="$base_url/v$version/$asset"
log "downloading $url"
rc=0
fetch "$url" "$work/$asset" || rc=$?
if [[ $rc -eq 4 ]]; then
    no_asset "release v$version has no asset $asset (HTTP 404 at $url)"
fi
rc=0
fetch "$url.sha256" "$work/$asset.sha256" || rc=$?
if [[ $rc -eq 4 ]]; then
    fail "release v$version has $asset but no $asset.sha256; refusing to install an unverified binary"
fi

expected=$(tr -d '\r' <"$work/$asset.sha256" | awk 'NF { print tolower($1); exit }')
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    fail "$asset.sha256 does not hold a SHA-256 checksum (got '${expected:0:80}')"
fi
actual=$(sha256_of "$work/$asset")
if [[ "$actual" != "$expected" ]]; then
    fail "checksum mismatch for $asset: expected $expected from $asset.sha256, got $actual; the download is corrupt or was tampered with, so it is not installed (and no source build is tried)"
fi
log "checksum verified: $actual"

mkdir -p "$work/extract"
case "$archive_ext" in
    tar.gz) tar -xzf "$work/$asset" -C "$work/extract" ;;
    zip)
        if command -v unzip >/dev/null 2>&1; then
            unzip -q "$work/$asset" -d "$work/extract"
        elif command -v 7z >/dev/null 2>&1; then
            7z x -y -o"$work/extract" "$work/$asset" >/dev/null
        else
            tar -xf "$work/$asset" -C "$work/extract"
        fi
        ;;
esac
found=$(find "$work/extract" -maxdepth 3 -type f -name "tollgate$exe" | LC_ALL=C sort | head -n 1)
[[ -n "$found" ]] || fail "$asset has no tollgate$exe inside"

mkdir -p "$cache_root/tollgate/$version"
staging=$(mktemp -d "$cache_root/tollgate/$version/.staging-$arch.XXXXXX")
mkdir -p "$staging/bin"
cp "$found" "$staging/bin/tollgate$exe"
chmod +x "$staging/bin/tollgate$exe"
check_runs "$staging/bin/tollgate$exe"
commit "$dir"
finish "$dir" download
