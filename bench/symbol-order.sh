#!/usr/bin/env bash
# List the functions a tollgate binary runs on its common paths, in the order the linker should
# lay them out (scripts/build-release.sh passes the list back to the same build through
# TOLLGATE_SYMBOL_ORDER, see build.rs).
#
#   bench/symbol-order.sh BIN OUT         profile BIN, write the list to OUT
#   bench/symbol-order.sh --check BIN LIST  report how many listed symbols BIN has
#
# Why: a run touches a few hundred KiB of code spread over a 20 MB text section, and the kernel
# maps every cached page around a touched one (fault-around), so `sbom validate` on a small SBOM
# kept 6.8 MiB of code pages resident. With the touched functions next to each other it keeps
# about 1.4–2 MiB (docs/benchmarks.md). The list only moves code: a list that does not fit the
# binary costs memory, never correctness.
#
# How: every command below runs under valgrind's callgrind; the symbols of the functions it
# executed are collected, `sbom validate` first (the path the memory target is measured on),
# then each further group's new symbols. Symbol names carry hashes of the code and of the build
# configuration, so the list is made from the very build it is used for.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" = "--check" ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --check BIN LIST" >&2; exit 2; }
    listed=$(grep -c . "$3")
    found=$(nm --defined-only "$2" | awk '{print $3}' | sort -u | comm -12 - <(sort -u "$3") | wc -l)
    echo "symbol-order: $found of $listed listed symbols are in $2"
    exit 0
fi
[ $# -eq 2 ] || { echo "usage: $0 BIN OUT | --check BIN LIST" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$2
command -v valgrind >/dev/null || { echo "symbol-order: valgrind is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$ROOT"
NOW=2026-11-23T12:00:00Z
for f in cyclonedx spdx; do
    for n in 1 2000; do
        python3 bench/gen_sbom.py --format "$f" --components "$n" -o "$work/$f-$n.json"
    done
done

# The tollgate arguments of each group, most important first.
groups=(
    "--format json sbom validate $work/cyclonedx-2000.json"
    "sbom validate $work/cyclonedx-1.json"
    "--format json sbom validate $work/spdx-2000.json"
    "sbom validate $work/spdx-1.json"
    "sbom validate --profile ntia testdata/sbom/diff/new.cdx.json testdata/sbom/diff/new.spdx.json"
    "sbom validate testdata/sbom/invalid/mixed-errors.cdx.json"
    "--version"
    "sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.cdx.json --fail-on added,version,hash --allow testdata/sbom/diff/allow.yaml"
    "--format markdown sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.spdx.json"
    "sbom merge testdata/sbom/merge/api.cdx.json testdata/sbom/merge/worker.cdx.json --root-name platform --root-version 2.0.0 --out $work/merged.json"
)

: >"$work/order"
i=0
for args in "${groups[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # the arguments are split on purpose
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$i" \
        "$BIN" --now "$NOW" $args >/dev/null 2>"$work/log.$i" || true
    # Function names as the symbol table has them (callgrind appends 'N to recursion cycles);
    # a dynamically linked build's libc names are ignored by the linker, a static one's used.
    grep -ohE '^c?fn=\([0-9]+\) .*' "$work/cg.$i" | sed -E "s/^c?fn=\([0-9]+\) //; s/'[0-9]+\$//" |
        grep -vE '^(0x[0-9a-f]+|\(below main\))$' | sort -u >"$work/group.$i"
    # Keep the earlier groups' order; append only symbols not already listed.
    grep -vxFf "$work/order" "$work/group.$i" >>"$work/order" || true
done
[ -s "$work/order" ] || { echo "symbol-order: callgrind named no function (see valgrind's log)" >&2; cat "$work/log.1" >&2; exit 1; }
# Replace OUT only when the list changed: the build reruns when OUT is touched.
if ! cmp -s "$work/order" "$OUT" 2>/dev/null; then
    mkdir -p "$(dirname "$OUT")"
    cp "$work/order" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
fi
echo "symbol-order: $(wc -l <"$OUT") symbols in $OUT" >&2
