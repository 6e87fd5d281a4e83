#!/usr/bin/env bash
# Regenerate bench/symbol-order.txt: the functions tollgate runs on its common paths, in the
# order the linker should lay them out (build.rs passes the file to lld as
# --symbol-ordering-file for x86_64 Linux builds).
#
#   bench/symbol-order.sh [BIN]          (default: the released build, made first by
#                                         scripts/build-release.sh)
#   bench/symbol-order.sh --check [BIN]  only report how many listed symbols BIN still has
#
# Symbol names carry hashes of the build configuration (target, flags, compiler version), so
# the list is made from, and matches, the released x86_64 Linux build; rerun this after changing
# the code on the validation path or the toolchain, then rebuild.
#
# Why: a run touches a few hundred KiB of code spread over a 20 MB text section, and the kernel
# maps every cached page around a touched one (fault-around), so `sbom validate` on a small SBOM
# kept 6.8 MiB of code pages resident. With the touched functions next to each other it keeps
# about 1.4 MiB (docs/benchmarks.md). The list only moves code: a stale list (after code
# changes, or another compiler whose symbol names differ) costs memory, never correctness.
#
# How: every command below runs under valgrind's callgrind; the symbols of the functions it
# executed are collected, `sbom validate` first (the path the memory target is measured on),
# then each further group's new symbols. Needs valgrind (a Debian package; installed if missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORDER="$ROOT/bench/symbol-order.txt"
cd "$ROOT"

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
RELEASED=target/x86_64-unknown-linux-gnu/release/tollgate
BIN="${1:-$RELEASED}"

if [ "$check" = 1 ]; then
    listed=$(grep -c . "$ORDER")
    found=$(nm --defined-only "$BIN" | awk '{print $3}' | sort -u | comm -12 - <(sort -u "$ORDER") | wc -l)
    echo "symbol-order: $found of $listed listed symbols are in $BIN"
    exit 0
fi

if ! command -v valgrind >/dev/null; then
    echo "symbol-order: installing valgrind (Debian package)" >&2
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
if [ "$BIN" = "$RELEASED" ]; then
    scripts/build-release.sh x86_64-unknown-linux-gnu >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
NOW=2026-11-23T12:00:00Z
for f in cyclonedx spdx; do
    for n in 1 2000; do
        python3 bench/gen_sbom.py --format "$f" --components "$n" -o "$work/$f-$n.json"
    done
done

# One group per line: a name, then the tollgate arguments.
groups=(
    "validate-cdx|--format json sbom validate $work/cyclonedx-2000.json"
    "validate-cdx|sbom validate $work/cyclonedx-1.json"
    "validate-spdx|--format json sbom validate $work/spdx-2000.json"
    "validate-spdx|sbom validate $work/spdx-1.json"
    "validate-testdata|sbom validate --profile ntia testdata/sbom/diff/new.cdx.json testdata/sbom/diff/new.spdx.json"
    "validate-testdata|sbom validate testdata/sbom/invalid/mixed-errors.cdx.json"
    "version|--version"
    "diff|sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.cdx.json --fail-on added,version,hash --allow testdata/sbom/diff/allow.yaml"
    "diff|--format markdown sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.spdx.json"
    "merge|sbom merge testdata/sbom/merge/api.cdx.json testdata/sbom/merge/worker.cdx.json --root-name platform --root-version 2.0.0 --out $work/merged.json"
)

: >"$work/order"
i=0
for g in "${groups[@]}"; do
    i=$((i + 1))
    args=${g#*|}
    # shellcheck disable=SC2086 # the arguments are split on purpose
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$i" \
        "$BIN" --now "$NOW" $args >/dev/null 2>"$work/log.$i" || true
    # Function names as the ELF symbol table has them (callgrind appends 'N to recursion cycles).
    grep -ohE '^c?fn=\([0-9]+\) .*' "$work/cg.$i" | sed -E "s/^c?fn=\([0-9]+\) //; s/'[0-9]+\$//" |
        grep -vE '^(0x[0-9a-f]+|\(below main\))$' | sort -u >"$work/group.$i"
    # Keep the first group's order; append only symbols not already listed.
    grep -vxFf "$work/order" "$work/group.$i" >>"$work/order" || true
done

# libc's functions stay listed: a statically linked build (scripts/build-release.sh) has them.
mv "$work/order" "$ORDER"
echo "symbol-order: wrote $(wc -l <"$ORDER") symbols to bench/symbol-order.txt" >&2
