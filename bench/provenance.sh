#!/usr/bin/env bash
# Benchmark `tollgate provenance generate` against `sha256sum` on the same files.
#
#   bench/provenance.sh
#
# Creates BENCH_PROV_FILES (default 5000) seeded random files of 4–256 KiB (log-uniform sizes,
# ~300 MB in all) under bench/out/prov/ (reused when already there), builds tollgate in release
# mode, checks that tollgate's digests equal sha256sum's, then times (warm page cache; hyperfine
# when installed, otherwise the median of BENCH_PROV_RUNS wall-clock runs):
#   - tollgate provenance generate 'bench/out/prov/**/*.bin' (hashes on every core)
#   - sha256sum over the same files                       (one process, one core)
#   - sha256sum, 2 parallel processes (xargs -P 2)        (for reference)
# and writes the "Provenance generation" section of docs/benchmarks.md between the markers
# <!-- provenance-bench:start --> / <!-- provenance-bench:end --> (appended when absent; the rest of
# the file is left alone). A copy of the section is kept in bench/out/provenance.md.
#
# Environment: BENCH_PROV_FILES (5000), BENCH_PROV_RUNS (5), BENCH_REPORT (docs/benchmarks.md),
#   BENCH_SKIP_BUILD=1 (time target/release/tollgate as it is, without `cargo build --release` first).
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${BENCH_PROV_FILES:-5000}
RUNS=${BENCH_PROV_RUNS:-5}
REPORT=${BENCH_REPORT:-docs/benchmarks.md}
OUT=bench/out
DATA=$OUT/prov
TG=target/release/tollgate

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  echo "== building tollgate (release)"
  cargo build --release --quiet
else
  echo "== BENCH_SKIP_BUILD=1: timing target/release/tollgate as it is"
fi
# Time a private copy: others may rebuild target/release/tollgate during the run.
mkdir -p "$OUT"
cp target/release/tollgate "$OUT/tollgate-prov"
TG=$OUT/tollgate-prov

if [[ ! -f $DATA/.stamp-$FILES ]]; then
  echo "== generating $FILES files under $DATA"
  rm -rf "$DATA"
  python3 - "$DATA" "$FILES" <<'EOF'
import math, os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261123)
total = 0
for i in range(n):
    d = os.path.join(root, f"d{i % 64:02d}")
    os.makedirs(d, exist_ok=True)
    size = int(math.exp(rng.uniform(math.log(4 * 1024), math.log(256 * 1024))))
    with open(os.path.join(d, f"artifact-{i:05d}.bin"), "wb") as f:
        f.write(rng.randbytes(size))
    total += size
open(os.path.join(root, f".stamp-{n}"), "w").write(f"{total}\n")
EOF
fi
BYTES=$(cat "$DATA/.stamp-$FILES")
MB=$(python3 -c "print(f'{$BYTES/1e6:.0f}')")
echo "== $FILES files, $MB MB"

LIST=$OUT/prov-files.txt
(cd "$DATA/.." && find prov -type f -name '*.bin' | LC_ALL=C sort) > "$LIST"

tg_cmd=("$TG" --now 2026-01-01T00:00:00Z provenance generate "$DATA/**/*.bin" --no-ci-env
  --builder-id https://bench.invalid/builder --out "$OUT/prov.intoto.json")
sum_cmd() { (cd "$OUT" && xargs -a prov-files.txt sha256sum > sha256sum.txt); }
sum_par_cmd() { (cd "$OUT" && xargs -a prov-files.txt -P 2 -n 1000 sha256sum > sha256sum-par.txt); }

echo "== correctness: tollgate digests == sha256sum"
"${tg_cmd[@]}" -q >/dev/null 2>&1
sum_cmd
python3 - "$OUT/prov.intoto.json" "$OUT/sha256sum.txt" "$FILES" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
tg = {s["name"].split("bench/out/", 1)[1]: s["digest"]["sha256"] for s in st["subject"]}
ss = {}
for line in open(sys.argv[2]):
    h, name = line.rstrip("\n").split("  ", 1)
    ss[name] = h
assert len(tg) == int(sys.argv[3]), (len(tg), sys.argv[3])
assert tg == ss, "digest mismatch"
print(f"   {len(tg)} subjects, all digests equal")
EOF

median_of() { # command... -> median wall seconds of $RUNS runs
  local times=()
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    times+=("$(python3 -c "print($e-$s)")")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Warm the page cache so every tool reads from memory.
cat "$DATA"/*/*.bin > /dev/null

if command -v hyperfine >/dev/null; then
  METHOD="hyperfine, $RUNS runs + 1 warm-up, mean"
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/prov-hyperfine.json" \
    -n tollgate "$(printf '%q ' "${tg_cmd[@]}")" \
    -n sha256sum "cd $OUT && xargs -a prov-files.txt sha256sum > sha256sum.txt" \
    -n "sha256sum -P2" "cd $OUT && xargs -a prov-files.txt -P 2 -n 1000 sha256sum > sha256sum-par.txt"
  read -r T_TG T_SUM T_PAR < <(python3 -c "import json; r=json.load(open('$OUT/prov-hyperfine.json'))['results']; print(*[x['mean'] for x in r])")
else
  METHOD="median of $RUNS wall-clock runs after a warm-up run"
  "${tg_cmd[@]}" >/dev/null 2>&1
  T_TG=$(median_of "${tg_cmd[@]}")
  T_SUM=$(median_of sum_cmd)
  T_PAR=$(median_of sum_par_cmd)
fi

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CORES=$(nproc)
SHANI=$(grep -q sha_ni /proc/cpuinfo && echo yes || echo no)
SUMV=$(sha256sum --version | head -1)
TGV=$("$TG" --version)
SECTION=$OUT/provenance.md
python3 - "$SECTION" <<EOF
import sys
tg, s, p = float("$T_TG"), float("$T_SUM"), float("$T_PAR")
mb = $BYTES / 1e6
rows = [("\`tollgate provenance generate 'bench/out/prov/**/*.bin'\`", tg),
        ("\`sha256sum\` (one process)", s),
        ("\`sha256sum\`, 2 processes (\`xargs -P 2\`)", p)]
out = ["<!-- provenance-bench:start -->",
       "## Provenance generation",
       "",
       "Written by \`bench/provenance.sh\` (this section only; re-run it to refresh).",
       "",
       f"$FILES seeded random files of 4–256 KiB (log-uniform sizes, {mb:.0f} MB) under \`bench/out/prov/\`, "
       "page cache warm. tollgate globs, hashes (SHA-256, streamed in 1 MiB chunks, all cores) and writes "
       "an in-toto Statement v1 with a SLSA v1.0 predicate; its digests are checked equal to sha256sum's "
       "before timing.",
       "",
       "| command | wall s | MB/s | vs sha256sum |",
       "|---|---:|---:|---:|"]
for name, t in rows:
    out.append(f"| {name} | {t:.3f} | {mb / t:.0f} | {t / s:.2f}x |")
out += ["",
        f"Target: tollgate ≤ 1.2x sha256sum. Result: **{tg / s:.2f}x** "
        f"({'met' if tg <= 1.2 * s else 'NOT met'}).",
        "",
        f"Machine: $CPU, $CORES cores, SHA-NI: $SHANI. $TGV; $SUMV. Timing: $METHOD.",
        "<!-- provenance-bench:end -->",
        ""]
open(sys.argv[1], "w").write("\n".join(out))
EOF

python3 - "$REPORT" "$SECTION" <<'EOF'
import os, re, sys
report, section = sys.argv[1], open(sys.argv[2]).read()
text = open(report).read() if os.path.exists(report) else "# Benchmarks\n"
pat = re.compile(r"<!-- provenance-bench:start -->.*?<!-- provenance-bench:end -->\n?", re.S)
if pat.search(text):
    text = pat.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(report, "w").write(text)
EOF
cat "$SECTION"
