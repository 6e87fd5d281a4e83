#!/usr/bin/env bash
# Regenerates testdata/controls/example/: an evidence tree on which catalog/default.yaml passes.
# The signing key is generated here and thrown away; only signer.pub and the signed provenance
# are kept (so the example needs no private key). Usage: testdata/controls/make-example.sh [TOLLGATE]
set -euo pipefail
cd "$(dirname "$0")"
TG=${1:-../../target/debug/tollgate}
TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
EX=example
rm -rf "$EX" && mkdir -p "$EX"/evidence/{sbom,scans,provenance,dist,policies,perf,db,cost,dr}
E=$EX/evidence
NOW=2026-11-23T12:00:00Z

printf 'release artefact v1.4.2\n' > $E/dist/app-1.4.2.tar.gz
cat > $E/sbom/sbom-app.cdx.json <<'JSON'
{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
 "metadata":{"timestamp":"2026-11-20T09:00:00Z","tools":{"components":[{"type":"application","name":"tollgate"}]},
  "component":{"type":"application","bom-ref":"pkg:generic/acme/app@1.4.2","name":"app","version":"1.4.2","supplier":{"name":"Acme"}}},
 "components":[{"type":"library","bom-ref":"pkg:cargo/serde@1.0.219","name":"serde","version":"1.0.219","purl":"pkg:cargo/serde@1.0.219","supplier":{"name":"serde-rs"},
   "hashes":[{"alg":"SHA-256","content":"5f0e2c6ed6606019b4e29e69dbaba95b11854410e5347d525002456dbbb786b6"}],"licenses":[{"license":{"id":"MIT"}}]}],
 "dependencies":[{"ref":"pkg:generic/acme/app@1.4.2","dependsOn":["pkg:cargo/serde@1.0.219"]},{"ref":"pkg:cargo/serde@1.0.219","dependsOn":[]}]}
JSON
sarif() { # $1 file, $2 rule security-severity, $3 level
cat > "$1" <<JSON
{"\$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy","version":"0.58.0",
 "rules":[{"id":"CVE-2026-0001","shortDescription":{"text":"example finding"},"defaultConfiguration":{"level":"$3"},"properties":{"security-severity":"$2"}}]}},
 "results":[{"ruleId":"CVE-2026-0001","ruleIndex":0,"message":{"text":"example finding"},
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"Cargo.lock"},"region":{"startLine":1}}}]}]}]}
JSON
}
sarif $E/scans/trivy.sarif 5.3 warning
cat > $E/db/schema-lint.sarif <<'JSON'
{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"squawk","rules":[]}},"results":[]}]}
JSON
cat > $E/db/shadow-reads.json <<'JSON'
{"window":"2026-11-20T00:00:00Z/2026-11-21T00:00:00Z","reads":120000,"mismatches":0}
JSON
cat > $E/policies/conftest-results.json <<'JSON'
[{"filename":"deploy/k8s.yaml","namespace":"main","successes":14,"warnings":[],"failures":[]}]
JSON
cat > $E/dr/drill-2026-11.json <<'JSON'
{"kind":"dr-drill","scenario":"region failover","completedAt":"2026-11-10T10:00:00Z","result":"passed","rtoMinutes":12}
JSON
cp ../budget/k6/baseline.json $E/perf/k6-baseline.json
cp ../budget/k6/baseline.json $E/perf/k6-summary.json
cat > $E/cost/infracost.json <<'JSON'
{"version":"0.2","currency":"USD","projects":[{"name":"acme/platform/api","metadata":{},"pastBreakdown":{"totalMonthlyCost":"800"},"breakdown":{"totalMonthlyCost":"820"},"diff":{"totalMonthlyCost":"20"}}],
 "totalMonthlyCost":"820","pastTotalMonthlyCost":"800","diffTotalMonthlyCost":"20","timeGenerated":"2026-11-20T09:00:00Z","summary":{"totalDetectedResources":3,"totalSupportedResources":3}}
JSON

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$TG" -q key generate --out-prefix "$tmp/signer"
cp "$tmp/signer.pub" $EX/signer.pub
"$TG" -q --now $NOW provenance generate "$E/dist/*.tar.gz" --no-ci-env \
  --builder-id https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.4.2 \
  --source-uri git+https://github.com/acme/app --source-ref refs/tags/v1.4.2 \
  --source-digest 0123456789abcdef0123456789abcdef01234567 --out "$tmp/st.json"
# Subject names relative to the evidence directory, as the catalog sees them.
sed -i "s#\"$E/dist/#\"dist/#" "$tmp/st.json"
"$TG" -q sign "$tmp/st.json" --key "$tmp/signer.key" --out $E/provenance/app.intoto.json
cat > $EX/waivers.yaml <<'YAML'
schema: 1
waivers:
  - control: DR-01
    reason: The Q4 drill is scheduled after the release freeze.
    approver: cto@acme.example
    expires: 2027-01-31
    ticket: https://tracker.acme.example/SEC-142
YAML
echo "wrote $EX"
