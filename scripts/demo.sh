#!/usr/bin/env bash
# `make demo`: tollgate's SBOM gate on the bundled example in testdata/sbom/.
# Each step states the verdict it expects; the demo fails if tollgate disagrees.
set -uo pipefail
BIN=${1:-target/release/tollgate}
NOW=2026-11-23T12:00:00Z
cd "$(dirname "$0")/.." || exit 2
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

work=$(mktemp -d)
echo "== 7a. Generate an SBOM from the example monorepo's lockfiles (cargo, npm, uv) and validate it (schema + semantic rules)"
step 0 sbom generate testdata/sbom-generate/monorepo --out "$work/sbom.cdx.json"
step 0 sbom validate "$work/sbom.cdx.json"   # lockfiles carry no supplier, so the NTIA profile would deny

echo "== 7. Provenance: generate, sign, verify against a key and a source policy; a tampered artefact is denied"
printf 'release artefact\n' > "$work/app.tar.gz"
step 0 key generate --out-prefix "$work/release"
step 0 provenance generate "$work/app.tar.gz" --no-ci-env --builder-id https://ci.example.com/release \
  --source-uri git+https://github.com/acme/app --source-ref refs/tags/v1.4.2 --out "$work/prov.json"
step 0 sign "$work/prov.json" --key "$work/release.key" --as jsonl --out "$work/prov.intoto.jsonl"
step 0 verify provenance "$work/app.tar.gz" --provenance "$work/prov.intoto.jsonl" --key "$work/release.pub" \
  --source-uri github.com/acme/app --source-versioned-tag v1
printf 'tampered\n' >> "$work/app.tar.gz"
step 1 verify provenance "$work/app.tar.gz" --provenance "$work/prov.intoto.jsonl" --key "$work/release.pub"

echo "== 8. Control Attestation over the example evidence tree (catalog/default.yaml), signed"
step 0 attest controls --catalog catalog/default.yaml \
  --evidence testdata/controls/example/evidence --waivers testdata/controls/example/waivers.yaml \
  --trusted-key testdata/controls/example/signer.pub --key "$work/release.key" --release "app 1.4.2" --out "$work"
step 0 verify attestation "$work/controls/attestation.dsse.json" --key "$work/release.pub" \
  --evidence testdata/controls/example/evidence
echo "   reports: $work/controls/report.{md,html,pdf}"

echo "== 9. Evidence Pack: evidence + Control Attestation, signed and reproducible; verify it; prove one artifact"
step 0 --ledger "$work/decisions.jsonl" evidence pack --dir testdata/controls/example/evidence \
  --attestation "$work/controls/attestation.json" --org acme --release v1.4.2 --key "$work/release.key" \
  --no-ci-env --out "$work/audit-pack-acme-v1.4.2.tgz"
step 0 --ledger "$work/decisions.jsonl" evidence verify "$work/audit-pack-acme-v1.4.2.tgz" --key "$work/release.pub"
step 0 evidence prove "$work/audit-pack-acme-v1.4.2.tgz" sbom/sbom-app.cdx.json --key "$work/release.pub" --out "$work/proof.json"
step 0 ledger verify "$work/decisions.jsonl"

echo
echo "Everything the demo made is in $work:"
(cd "$work" && find . -type f | LC_ALL=C sort | sed 's/^\.\//   /')

echo
if [ "$failures" -eq 0 ]; then
  echo "demo: all steps gave the expected verdicts"
else
  echo "demo: $failures step(s) gave unexpected verdicts" >&2
  exit 1
fi
