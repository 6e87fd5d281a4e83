#!/usr/bin/env bash
# Does `tollgate repro run` agree with reprotest (the Debian reproducibility tester)?
#
# For every fixture in testdata/repro/*/ (a `build.sh` writing out/*), runs
#   tollgate repro run --source FIXTURE --artifact 'out/*' -- sh build.sh
#   reprotest --vary=-user_group,-fileordering,-domain_host,-kernel --store-dir S 'sh build.sh' 'out/*'
#   (both with SOURCE_DATE_EPOCH=1700000000)
# and compares, per artifact, which ones each tool finds different (reprotest's per-artifact
# result is read from the control and experiment artifacts it stores), and the verdict.
# Writes the "Reproducibility" section of docs/benchmarks.md between
# <!-- repro-bench:start --> / <!-- repro-bench:end --> (replaced, or appended).
#
# Needs reprotest (scripts/install-repro-tools.sh installs it, with faketime and diffoscope).
# Usage: bench/repro.sh   (TOLLGATE_BIN: the binary; default target/release, else target/debug)
set -euo pipefail
cd "$(dirname "$0")/.."

REPORT=${BENCH_REPORT:-docs/benchmarks.md}
T=${TOLLGATE_BIN:-}
if [[ -z "$T" ]]; then
    for c in target/release/tollgate target/debug/tollgate; do
        [[ -x "$c" ]] && { T=$c; break; }
    done
fi
[[ -n "$T" && -x "$T" ]] || { echo "bench/repro.sh: build tollgate first (cargo build)" >&2; exit 2; }
command -v reprotest >/dev/null || { echo "bench/repro.sh: reprotest is not installed (scripts/install-repro-tools.sh)" >&2; exit 2; }

VARY=-user_group,-fileordering,-domain_host,-kernel
SDE=1700000000
work=$(mktemp -d /tmp/tollgate-repro-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

rows=""
agree=0
total=0
for dir in testdata/repro/*/; do
    [[ -f "$dir/build.sh" ]] || continue
    name=$(basename "$dir")
    total=$((total + 1))
    set +e
    "$T" --format json repro run --source "$dir" --artifact 'out/*' --source-date-epoch "$SDE" \
        --report "$work/$name.tollgate.json" \
        -- sh build.sh >/dev/null 2>"$work/$name.tollgate.log"
    tg_rc=$?
    cp -r "$dir" "$work/$name.src"
    # reprotest does not set SOURCE_DATE_EPOCH; both tools build with the same one.
    (cd "$work/$name.src" && timeout 900 reprotest --vary="$VARY" --store-dir "$work/$name.store" \
        "SOURCE_DATE_EPOCH=$SDE sh build.sh" 'out/*') >"$work/$name.reprotest.log" 2>&1
    rt_rc=$?
    set -e
    row=$(python3 - "$work/$name.tollgate.json" "$work/$name.store" "$tg_rc" "$rt_rc" "$name" 2>"$work/$name.agree" <<'PY'
import hashlib, json, os, sys
tg_path, store, tg_rc, rt_rc, name = sys.argv[1:6]
tg = json.load(open(tg_path))
tg_diff = sorted(a["name"].split("/", 1)[-1] for a in tg["artifacts"] if a["status"] != "identical")

def files(d):
    out = {}
    base = os.path.join(store, d, "source-root", "out")
    for root, _, names in os.walk(base):
        for n in names:
            p = os.path.join(root, n)
            out[os.path.relpath(p, base)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out

control, exp = files("control"), files("experiment-1")
names = sorted(set(control) | set(exp))
rt_diff = sorted(n for n in names if control.get(n) != exp.get(n))
rt_ratio = (len(names) - len(rt_diff)) / len(names) if names else 0.0
rt_verdict = {"0": "reproducible", "1": "not reproducible"}.get(rt_rc, f"error (exit {rt_rc})")
tg_verdict = "reproducible" if tg["ratio"] == 1.0 else "not reproducible"
same = tg_diff == rt_diff and tg_verdict == rt_verdict
fmt = lambda l: ", ".join(f"`{x}`" for x in l) or "—"
print(f"| `{name}` | {tg['ratio']:.3f} | {fmt(tg_diff)} | {rt_verdict} | {rt_ratio:.3f} | {fmt(rt_diff)} | {'yes' if same else '**no**'} |")
print("AGREE" if same else "DISAGREE", file=sys.stderr)
PY
    )
    rows+="$row"$'\n'
    if grep -q '^AGREE' "$work/$name.agree"; then agree=$((agree + 1)); fi
    echo "$row"
done

rt_version="reprotest $(dpkg-query -W -f='${Version}' reprotest 2>/dev/null || echo "(version unknown)")"
ft=$(command -v faketime >/dev/null && echo "installed" || echo "not installed")
locale_note=$(locale -a 2>/dev/null | grep -qi '^fr_CH.utf8' && echo "installed" || echo "not installed (locale variation falls back to C in both tools)")
SECTION=$(cat <<MD
<!-- repro-bench:start -->
## Reproducibility: \`tollgate repro run\` against reprotest

\`bench/repro.sh\`, $(date -u +%Y-%m-%d), ${rt_version}, faketime ${ft}, \`fr_CH.UTF-8\` ${locale_note}.
Each fixture of \`testdata/repro/\` is built twice by each tool: tollgate varies build path, TZ, locale,
umask and the clock (faketime); reprotest runs with \`--vary=${VARY}\` (user/group, file ordering via
disorderfs, domain/host and kernel need privileges or tools not set up here). An artifact counts as
different for reprotest when its stored control and experiment copies differ.

| fixture | tollgate ratio | tollgate: different | reprotest | reprotest ratio | reprotest: different | agree |
| --- | ---: | --- | --- | ---: | --- | --- |
${rows%$'\n'}

Agreement: **${agree}/${total}** fixtures (same verdict and the same artifacts found different).
<!-- repro-bench:end -->
MD
)
python3 - "$REPORT" "$SECTION" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmarks\n"
pat = re.compile(r"<!-- repro-bench:start -->.*?<!-- repro-bench:end -->\n?", re.S)
if pat.search(text):
    text = pat.sub(lambda m: section + "\n", text)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "bench/repro.sh: agreement ${agree}/${total}; wrote ${REPORT}"
