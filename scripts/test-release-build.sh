#!/usr/bin/env bash
# `make test`: the binary released for this host (scripts/build-release.sh) is checked the way a
# user would run it. On x86_64 Linux it must be statically linked (no program interpreter) and
# carry the symbol layout of bench/symbol-order.txt; then the demo runs on it end to end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
host=$(rustc -vV | sed -n 's/^host: //p')
bin=target/$host/release/tollgate
[ -x "$bin" ] || { echo "test-release-build: no $bin (run scripts/build-release.sh)" >&2; exit 1; }
case "$host" in
    *-linux-gnu)
        if readelf -lW "$bin" | grep -q 'Requesting program interpreter'; then
            echo "test-release-build: $bin is dynamically linked; the release build must be static" >&2
            exit 1
        fi
        ;;
esac
if [ "$host" = x86_64-unknown-linux-gnu ]; then
    # Informational: a stale list costs memory, not correctness (bench/symbol-order.sh).
    bench/symbol-order.sh --check "$bin"
fi
scripts/demo.sh "$bin" >/dev/null 2>&1 || { echo "test-release-build: the demo failed on $bin" >&2; scripts/demo.sh "$bin" | tail -20; exit 1; }
echo "test-release-build: $bin passes the demo"
