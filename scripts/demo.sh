#!/usr/bin/env bash
# `make demo`: tollgate's SBOM gate on the bundled example in testdata/sbom/.
# Each step states the verdict it expects; the demo fails if tollgate disagrees.
set -uo pipefail
BIN=${1:-target/release/tollgate}
NOW=2026-11-23T12:00:00Z
cd "$(dirname "$0")/.."
failures=0

step() {
  local expect=$1; shift
  printf '\n\033[1m$ tollgate %s\033[0m   (expect exit %s)\n' "$*" "$expect"
  "$BIN" --now "$NOW" "$@"
  local got=$?
  if [ "$got" -ne "$expect" ]; then
    echo "demo: expected exit $expect, got $got" >&2
    failures=$((failures + 1))
  fi
}

echo "== 1. Validate a CycloneDX 1.6 and an SPDX 2.3 SBOM against the official schemas + NTIA minimum elements"
step 0 sbom validate --profile ntia testdata/sbom/diff/new.cdx.json testdata/sbom/diff/new.spdx.json

echo "== 2. A broken SBOM is denied, with file:line:col, JSON pointer and a hint per finding"
step 1 sbom validate testdata/sbom/invalid/mixed-errors.cdx.json

echo "== 3. Drift between two releases; hash and unexpected version changes deny, the allow list covers the rest"
step 1 sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.cdx.json --fail-on added,version,hash --allow testdata/sbom/diff/allow.yaml

echo "== 4. The same diff across formats (CycloneDX baseline vs SPDX candidate), as a pull-request comment"
step 0 --format markdown sbom diff testdata/sbom/diff/old.cdx.json testdata/sbom/diff/new.spdx.json

echo "== 5. Merge the SBOMs of a monorepo's services into one that validates"
out=$(mktemp -d)/platform.cdx.json
step 0 sbom merge testdata/sbom/merge/api.cdx.json testdata/sbom/merge/worker.cdx.json --root-name platform --root-version 2.0.0 --out "$out"
step 0 sbom validate "$out"

echo "== 6. Bad input is exit 2 with one line naming the file"
step 2 sbom validate testdata/sbom/does-not-exist.json

echo
if [ "$failures" -eq 0 ]; then
  echo "demo: all steps gave the expected verdicts"
else
  echo "demo: $failures step(s) gave unexpected verdicts" >&2
  exit 1
fi
