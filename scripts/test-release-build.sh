#!/usr/bin/env bash
# `make test`: the binary released for this host (scripts/build-release.sh) is checked the way a
# user would run it. On x86_64 Linux it must be statically linked (no program interpreter) and
# be laid out by the symbol list made from it; then the demo runs on it end to end.
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
    # The code layout step ran and its list fits this very build (every name in it).
    list=target/$host/symbol-order.txt
    [ -s "$list" ] || { echo "test-release-build: no $list: the layout step did not run" >&2; exit 1; }
    report=$(bench/symbol-order.sh --check "$bin" "$list")
    echo "$report"
    read -r found _ listed _ <<<"${report#symbol-order: }"
    if [ "$found" != "$listed" ]; then
        echo "test-release-build: the symbol list does not fit $bin" >&2
        exit 1
    fi
fi
scripts/demo.sh "$bin" >/dev/null 2>&1 || { echo "test-release-build: the demo failed on $bin" >&2; scripts/demo.sh "$bin" | tail -20; exit 1; }
echo "test-release-build: $bin passes the demo"
