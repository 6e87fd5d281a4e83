#!/usr/bin/env bash
# Build the binary that is released for TARGET: target/TARGET/release/tollgate[.exe].
# Used by .github/workflows/release.yml, bench/run.sh (which measures what ships) and
# `make release-build` (part of `make test`).
#
#   scripts/build-release.sh [TARGET]     (default: the host's target triple)
#
# Linux GNU targets are linked statically and position-dependent (crt-static, relocation model
# "static"): the binary then runs on any Linux of its architecture whatever its glibc, starts
# without a dynamic loader resolving libc, libm and libgcc_s, and keeps ~1.5 MiB less resident
# (docs/benchmarks.md). glibc's resolver is linked in for the one command that reaches a
# network (`tollgate trust` from an https:// TUF repository); it reads /etc/hosts and the DNS
# servers of /etc/resolv.conf, not NSS modules such as mDNS.
# The flags go in CARGO_TARGET_<TRIPLE>_RUSTFLAGS with an explicit --target, so build scripts
# and proc-macros (host code, which cannot be static) are built the ordinary way.
#
# On x86_64 Linux the build is then profiled (bench/symbol-order.sh, under valgrind) and linked
# again with the functions that common runs execute placed next to each other (build.rs,
# TOLLGATE_SYMBOL_ORDER): `sbom validate` keeps 1.4–2 MiB of code resident instead of 6.8 MiB.
# The list is target/TARGET/symbol-order.txt; it is only rewritten when it changes, so building
# an unchanged tree again relinks nothing. valgrind (a Debian package) is installed with apt-get
# when missing (sudo when not root); where that is impossible the step is skipped with a warning.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:-$(rustc -vV | sed -n 's/^host: //p')}
[ -n "$target" ] || { echo "build-release: cannot tell the host target (rustc -vV)" >&2; exit 2; }

case "$target" in
    *-linux-gnu)
        var="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
        export "$var=-C target-feature=+crt-static -C relocation-model=static ${!var:-}"
        ;;
esac
cd "$root"
exe=""
[[ "$target" != *windows* ]] || exe=.exe
bin="target/$target/release/tollgate$exe"
order="$root/target/$target/symbol-order.txt"

if [ "$target" = x86_64-unknown-linux-gnu ]; then
    # The list of the previous build, if any: an unchanged tree is then not rebuilt.
    export TOLLGATE_SYMBOL_ORDER="$order"
fi
cargo build --release --locked --target "$target"
install_valgrind() {
    command -v valgrind >/dev/null && return 0
    command -v apt-get >/dev/null || return 1
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || return 1
        sudo=(sudo)
    fi
    echo "build-release: installing valgrind (Debian package)" >&2
    "${sudo[@]}" apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends valgrind >&2
}

if [ "$target" = x86_64-unknown-linux-gnu ]; then
    if install_valgrind; then
        bench/symbol-order.sh "$bin" "$order"
        cargo build --release --locked --target "$target"
    else
        echo "build-release: warning: valgrind could not be installed; code layout not optimised" >&2
    fi
fi
echo "build-release: $bin" >&2
