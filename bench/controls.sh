#!/usr/bin/env bash
# Benchmark `tollgate attest controls` (200-control catalog over 20,000 SARIF and JSON evidence
# files: evaluate + render Markdown/HTML/PDF + write attestation, VSA, OSCAL, CSV) against
# `sha256sum` over the same files (the floor: reading and hashing every byte once).
#
#   bench/controls.sh
#
# Generates (seeded, reused when present) bench/out/controls/{catalog.yaml,evidence/} with
# BENCH_CTL_CONTROLS (200) controls, each with BENCH_CTL_FILES_PER (100) files: half SARIF 2.1.0
# (Trivy-like: rules with security-severity, 3–30 results) and half JSON reports, 1–20 KB.
# Times both warm (hyperfine when installed, else the median of BENCH_CTL_RUNS runs) and writes
# the "Control attestation" section of docs/benchmarks.md between
# <!-- controls-bench:start --> / <!-- controls-bench:end --> (replaced, or appended).
set -euo pipefail
cd "$(dirname "$0")/.."

CONTROLS=${BENCH_CTL_CONTROLS:-200}
PER=${BENCH_CTL_FILES_PER:-100}
RUNS=${BENCH_CTL_RUNS:-7}
REPORT=${BENCH_REPORT:-docs/benchmarks.md}
OUT=bench/out
DATA=$OUT/controls
TG=target/release/tollgate

echo "== building tollgate (release)"
cargo build --release --quiet

STAMP=$DATA/.stamp-$CONTROLS-$PER
if [[ ! -f $STAMP ]]; then
  echo "== generating $CONTROLS controls x $PER files under $DATA"
  rm -rf "$DATA"
  python3 - "$DATA" "$CONTROLS" "$PER" <<'PY'
import json, os, random, sys
root, nc, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261130)
ev = os.path.join(root, "evidence")
total = 0
cat = ["schema: 1", "controls:"]
for c in range(nc):
    d = os.path.join(ev, f"c{c:03d}")
    os.makedirs(d, exist_ok=True)
    for i in range(per // 2):
        nrules = rng.randint(3, 30)
        rules = [{"id": f"CVE-2026-{c:03d}{r:03d}", "shortDescription": {"text": "x" * rng.randint(20, 200)},
                  "defaultConfiguration": {"level": "warning"},
                  "properties": {"security-severity": f"{rng.uniform(0.1, 6.9):.1f}", "tags": ["security"]}}
                 for r in range(nrules)]
        results = [{"ruleId": rules[r]["id"], "ruleIndex": r, "level": "warning",
                    "message": {"text": "finding " + "y" * rng.randint(10, 150)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"pkg/{r}/Cargo.lock"},
                                                        "region": {"startLine": r + 1}}}]}
                   for r in range(nrules)]
        doc = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
               "runs": [{"tool": {"driver": {"name": "Trivy", "version": "0.58.0", "rules": rules}}, "results": results}]}
        b = json.dumps(doc, indent=2).encode()
        open(os.path.join(d, f"scan-{i:03d}.sarif"), "wb").write(b)
        total += len(b)
    for i in range(per - per // 2):
        doc = {"status": "ok", "generatedAt": "2026-11-20T10:00:00Z",
               "checks": [{"name": f"check-{k}", "ok": True, "detail": "z" * rng.randint(10, 400)}
                          for k in range(rng.randint(2, 40))]}
        b = json.dumps(doc, indent=2).encode()
        open(os.path.join(d, f"report-{i:03d}.json"), "wb").write(b)
        total += len(b)
    cat += [f"  - id: C-{c:03d}", f"    name: Generated control {c}",
            "    frameworks: {soc2: [CC8.1], iso27001: [A.8.28]}",
            "    evidence:", f"      - path: c{c:03d}/*.sarif", f"        min: {per // 2}",
            f"      - c{c:03d}/*.json",
            "    assert:", "      - type: sarif_no_levels", "        levels: [CRITICAL, HIGH]",
            "      - type: json_path", "        path: $.status", "        value: ok",
            f"        evidence: c{c:03d}/*.json",
            "      - type: json_path", "        path: $.checks[*].ok", "        value: true",
            f"        evidence: c{c:03d}/*.json"]
open(os.path.join(root, "catalog.yaml"), "w").write("\n".join(cat) + "\n")
open(os.path.join(root, f".stamp-{nc}-{per}"), "w").write(f"{total}\n")
PY
fi
BYTES=$(cat "$STAMP")
FILES=$((CONTROLS * PER))
MB=$(python3 -c "print(f'{$BYTES/1e6:.0f}')")
echo "== $CONTROLS controls, $FILES files, $MB MB"
LIST=$OUT/controls-files.txt
(cd "$DATA/evidence" && find . -type f | LC_ALL=C sort) > "$LIST"

tg() { "$TG" -q --now 2026-11-23T12:00:00Z attest controls --catalog "$DATA/catalog.yaml" \
  --evidence "$DATA/evidence" --out "$OUT/controls-out" >/dev/null; }
tg_nopdf() { "$TG" -q --now 2026-11-23T12:00:00Z attest controls --catalog "$DATA/catalog.yaml" \
  --evidence "$DATA/evidence" --out "$OUT/controls-out" --no-pdf >/dev/null; }
sum() { (cd "$DATA/evidence" && xargs -a "$OLDPWD/$LIST" sha256sum >/dev/null); }

tg # warm up, and it must pass
grep -q '"verdict": "pass"' "$OUT/controls-out/controls/attestation.json" || { echo "attestation did not pass" >&2; exit 1; }
sum

median() { # prints the median wall time in seconds of RUNS runs of "$@"
  local t=()
  for _ in $(seq "$RUNS"); do
    local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N)
    t+=("$(python3 -c "print($e-$s)")")
  done
  printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
echo "== timing ($RUNS runs each, warm cache)"
T_TG=$(median tg); T_NOPDF=$(median tg_nopdf); T_SUM=$(median sum)
RATIO=$(python3 -c "print(f'{$T_TG/$T_SUM:.2f}')")
MET=$(python3 -c "print('met' if $T_TG < 2*$T_SUM else 'NOT met')")
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs || true)
echo "tollgate $T_TG s (no PDF $T_NOPDF s), sha256sum $T_SUM s, ratio $RATIO: target $MET"

SECTION=$(cat <<MD
<!-- controls-bench:start -->
## Control attestation (\`tollgate attest controls\`)

\`bench/controls.sh\`, $(date -u +%Y-%m-%d), $(nproc) cores ($CPU), warm page cache, median of $RUNS runs.
$CONTROLS controls (each: an evidence glob with \`min: $((PER / 2))\`, \`sarif_no_levels [CRITICAL, HIGH]\`,
two \`json_path\` assertions) over $FILES evidence files ($((FILES / 2)) SARIF 2.1.0 with 3–30 rules and
results each, $((FILES / 2)) JSON reports; $MB MB in all). tollgate lists the tree once, matches all
globs with one glob set, parses every file, hashes every file, writes the in-toto attestation
($FILES subjects), VSA, OSCAL, CSV, Markdown, HTML and PDF. \`sha256sum\` only reads and hashes
the same files (one process, one core).

| command | wall time |
|---|---:|
| \`tollgate attest controls\` (all outputs) | $(printf '%.3f' "$T_TG") s |
| \`tollgate attest controls --no-pdf\` | $(printf '%.3f' "$T_NOPDF") s |
| \`sha256sum\` over the same files | $(printf '%.3f' "$T_SUM") s |

Ratio tollgate / sha256sum: **$RATIO×** — target < 2×: **$MET**.
<!-- controls-bench:end -->
MD
)
python3 - "$REPORT" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmarks\n"
pat = re.compile(r"<!-- controls-bench:start -->.*?<!-- controls-bench:end -->\n?", re.S)
if pat.search(text):
    text = pat.sub(lambda m: section + "\n", text)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "== wrote $REPORT"
