#!/usr/bin/env bash
# Benchmark `tollgate sbom validate` against peer validators on synthetic SBOMs.
#
#   bench/run.sh                      full run: 2k, 20k, 200k components (can take an hour)
#   BENCH_QUICK=1 bench/run.sh        smoke run: 2k and 20k, peers only at 2k
#   BENCH_SIZES="2000 20000" bench/run.sh
#
# Steps: install the peers (bench/install-peers.sh), build tollgate (scripts/build-release.sh),
# generate CycloneDX 1.6 and SPDX 2.3 documents (bench/gen_sbom.py) into bench/out/sbom/, check
# that tollgate passes each one, then time every tool x size with /usr/bin/time (wall seconds
# and peak RSS), each run under a timeout. Raw runs go to bench/out/runs.jsonl, the collected
# results to bench/out/results.json, and the report to docs/benchmarks.md (bench/report.py).
#
# Environment:
#   BENCH_SIZES          component counts (default "2000 20000 200000")
#   BENCH_QUICK=1        sizes "2000 20000" and peers only at 2000
#   BENCH_TIMEOUT        per-run timeout in seconds (default 600); a peer that times out is
#                        recorded as "> TIMEOUT s" and not run at bigger sizes
#   BENCH_TOLLGATE_RUNS  timed tollgate runs per document, median reported (default 11)
#   BENCH_PEER_RUNS      at most this many runs of a peer per document (default 3); a peer
#                        gets fewer when one run takes long (see peer_runs_for below)
#   BENCH_IDLE_WAIT      wait up to this many seconds for other compilers (rustc) to finish
#                        before each timed run (default 900); 2 cores are easily disturbed
#   BENCH_PEERS          space-separated subset of peers to run (default: all)
#   BENCH_PROJECT_SKIP   1 (default): don't run a peer at a size where its previous size's time,
#                        scaled linearly, exceeds twice the timeout; record the projection
#   BENCH_QUIET_WAIT     before each timed run, wait up to this many seconds (default 60) for the
#                        CPUs to be at most 10% busy; the busy share and the CPU time stolen by
#                        the hypervisor during the run go to runs.jsonl
#   BENCH_NO_PEERS=1     time only tollgate
#   BENCH_REPORT         where to write the report (default docs/benchmarks.md)
#   BENCH_OUT            working directory for documents, logs and results (default bench/out)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="${BENCH_OUT:-$HERE/out}"
PEERS="$HERE/.peers"
NOW="2026-11-23T00:00:00Z"

QUICK="${BENCH_QUICK:-0}"
if [ "$QUICK" = 1 ]; then
    SIZES="${BENCH_SIZES:-2000 20000}"
    PEER_MAX_SIZE=2000
else
    SIZES="${BENCH_SIZES:-2000 20000 200000}"
    PEER_MAX_SIZE=999999999
fi
TIMEOUT="${BENCH_TIMEOUT:-600}"
TOLLGATE_RUNS="${BENCH_TOLLGATE_RUNS:-11}"
PEER_RUNS="${BENCH_PEER_RUNS:-3}"
IDLE_WAIT="${BENCH_IDLE_WAIT:-900}"
ALL_PEERS="check-jsonschema check-jsonschema-noiri cyclonedx-python-lib cdx-validate pyspdxtools"
PEER_LIST="${BENCH_PEERS:-$ALL_PEERS}"
[ "${BENCH_NO_PEERS:-0}" = 1 ] && PEER_LIST=""
REPORT="${BENCH_REPORT:-$ROOT/docs/benchmarks.md}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$OUT/sbom" "$OUT/logs" "$OUT/schemas/cyclonedx" "$OUT/schemas/spdx"

# --- tools ------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time (Debian package 'time')"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
command -v timeout >/dev/null || { echo "bench: coreutils 'timeout' is required" >&2; exit 2; }

if [ -n "$PEER_LIST" ]; then
    log "installing peers"
    bash "$HERE/install-peers.sh" >/dev/null
fi

# The binary measured is the one released: scripts/build-release.sh (static on Linux, code laid
# out by bench/symbol-order.txt).
HOST="$(rustc -vV | sed -n 's/^host: //p')"
log "building tollgate (scripts/build-release.sh $HOST)"
"$ROOT/scripts/build-release.sh" "$HOST" >"$OUT/logs/build.log" 2>&1 ||
    { tail -20 "$OUT/logs/build.log" >&2; exit 1; }
# The tree the binary was built from (others may commit during a long run).
git -C "$ROOT" describe --always --dirty > "$OUT/build-git.txt" 2>/dev/null || echo unknown > "$OUT/build-git.txt"
# Time a private copy: other people may rebuild the binary during a long run.
cp "$ROOT/target/$HOST/release/tollgate" "$OUT/tollgate"
TOLLGATE="$OUT/tollgate"

# --- schemas for check-jsonschema ----------------------------------------------------------
# bom-1.6.schema.json refers to "spdx.SNAPSHOT.schema.json" and "jsf-0.82.SNAPSHOT.schema.json"
# relative to its $id (http://cyclonedx.org/schema/...). Use the same vendored schema files
# tollgate embeds, copied here under the names the refs use, and point --base-uri at the copy
# so every $ref resolves to a local file (no network).
SCH="$OUT/schemas"
cp "$ROOT/schemas/cyclonedx/bom-1.6.schema.json" "$SCH/cyclonedx/bom-1.6.schema.json"
cp "$ROOT/schemas/cyclonedx/spdx.schema.json" "$SCH/cyclonedx/spdx.SNAPSHOT.schema.json"
cp "$ROOT/schemas/cyclonedx/jsf-0.82.schema.json" "$SCH/cyclonedx/jsf-0.82.SNAPSHOT.schema.json"
cp "$ROOT/schemas/spdx/spdx-2.3.schema.json" "$SCH/spdx/spdx-2.3.schema.json"

# --- documents --------------------------------------------------------------------------------
GEN_STAMP="$(sha256sum "$HERE/gen_sbom.py" | cut -c1-16)"
doc_path() { echo "$OUT/sbom/$1-$2.json"; }      # format size
gen_doc() {                                        # format size [indent]
    local f="$1" n="$2" indent="${3:-2}" path stamp
    path="$OUT/sbom/$f-$n.json"
    [ "$indent" != 2 ] && path="$OUT/sbom/$f-$n-compact.json"
    stamp="$path.stamp"
    if [ -s "$path" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$GEN_STAMP" ]; then
        return
    fi
    log "generating $path"
    python3 "$HERE/gen_sbom.py" --format "$f" --components "$n" --indent "$indent" -o "$path.tmp"
    mv "$path.tmp" "$path"
    echo "$GEN_STAMP" > "$stamp"
}

# --- measurement ------------------------------------------------------------------------------
RUNS="$OUT/runs.jsonl"
: > "$RUNS"

wait_idle() {
    local waited=0
    while pgrep -x rustc >/dev/null 2>&1 || pgrep -x cc1 >/dev/null 2>&1; do
        if [ "$waited" -ge "$IDLE_WAIT" ]; then
            log "other compilers still running after ${IDLE_WAIT}s; timing anyway (noted as load)"
            return
        fi
        [ "$waited" = 0 ] && log "waiting for other compilers (rustc) to finish"
        sleep 10
        waited=$((waited + 10))
    done
}

# The aggregate "cpu" line of /proc/stat: "total busy steal" in clock ticks (busy excludes
# idle and iowait; steal is time the hypervisor gave this VM's vCPUs to someone else).
cpu_ticks() {
    awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, t - $5 - $6, $9 }' /proc/stat
}

# Wait (up to QUIET_WAIT seconds) until the CPUs are nearly idle: a process left over from
# a peer, or anything else on the machine, takes cores from the multi-threaded tool being
# timed. Prints the busy share (%) of the last 0.5 s sample.
QUIET_WAIT="${BENCH_QUIET_WAIT:-60}"
wait_quiet() {
    local start=$SECONDS a b busy
    while :; do
        read -r -a a < <(cpu_ticks)
        sleep 0.5
        read -r -a b < <(cpu_ticks)
        busy=$(awk -v t=$((b[0] - a[0])) -v u=$((b[1] - a[1])) 'BEGIN { printf "%.0f", t ? 100 * u / t : 0 }')
        if [ "$busy" -le 10 ] || [ $((SECONDS - start)) -ge "$QUIET_WAIT" ]; then
            echo "$busy"
            return
        fi
    done
}

# measure FORMAT SIZE TOOL RUN_INDEX CMD...  -> prints "status wall rss_kb" and appends to runs.jsonl
measure() {
    local f="$1" n="$2" tool="$3" i="$4"; shift 4
    local lf="$OUT/logs/$tool-$f-$n.log" rc=0 wall rss status load busy
    wait_idle
    local busy_before steal c0 c1
    busy_before="$(wait_quiet)"
    busy=false
    pgrep -x rustc >/dev/null 2>&1 && busy=true
    load="$(cut -d' ' -f1 /proc/loadavg)"
    # Wall time and peak RSS from bench/timed.py: the command is spawned and reaped by it
    # directly (no shell or timeout(1) in between), RSS from GNU time's %M.
    read -r -a c0 < <(cpu_ticks)
    read -r rc wall rss < <(python3 "$HERE/timed.py" "$TIMEOUT" "$lf" "$@") || true
    read -r -a c1 < <(cpu_ticks)
    # Share of the run's CPU time the hypervisor stole (clock ticks are 10 ms: coarse on short runs).
    steal=$(awk -v t=$((c1[0] - c0[0])) -v s=$((c1[2] - c0[2])) 'BEGIN { printf "%.1f", t ? 100 * s / t : 0 }')
    # A compiler that started during the run disturbed it too.
    pgrep -x rustc >/dev/null 2>&1 && busy=true
    rc="${rc:-1}" wall="${wall:-0}" rss="${rss:-0}"
    if [ "$rc" = 0 ]; then status=ok
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then status=timeout
    else status=error
    fi
    printf '{"format":"%s","size":%s,"tool":"%s","run":%s,"status":"%s","rc":%s,"wall_s":%s,"rss_kb":%s,"load1":%s,"busy_before_pct":%s,"steal_pct":%s,"compiler_running":%s}\n' \
        "$f" "$n" "$tool" "$i" "$status" "$rc" "$wall" "$rss" "$load" "$busy_before" "$steal" "$busy" >> "$RUNS"
    log "$(printf '%-24s %-9s %7s  run %s: %-7s %8ss %8s KiB' "$tool" "$f" "$n" "$i" "$status" "$wall" "$rss")"
    echo "$status $wall $rss"
}

# How many runs a peer gets, from its first run's wall time.
peer_runs_for() {
    awk -v w="$1" -v max="$PEER_RUNS" 'BEGIN { r = (w < 10) ? 3 : (w < 60) ? 2 : 1; print (r < max) ? r : max }'
}

peer_cmd() {                                       # tool format file -> command words, or nothing
    local tool="$1" f="$2" file="$3" V="$PEERS/venv/bin"
    case "$tool:$f" in
        check-jsonschema:cyclonedx)
            echo "$V/check-jsonschema --schemafile $SCH/cyclonedx/bom-1.6.schema.json --base-uri file://$SCH/cyclonedx/bom-1.6.schema.json $file" ;;
        check-jsonschema-noiri:cyclonedx)
            echo "$V/check-jsonschema --disable-formats iri-reference --schemafile $SCH/cyclonedx/bom-1.6.schema.json --base-uri file://$SCH/cyclonedx/bom-1.6.schema.json $file" ;;
        check-jsonschema:spdx)
            echo "$V/check-jsonschema --schemafile $SCH/spdx/spdx-2.3.schema.json $file" ;;
        cyclonedx-python-lib:cyclonedx)
            echo "$V/python $HERE/peers/cdx_py_validate.py $file" ;;
        cdx-validate:cyclonedx)
            # --strict: exit 2 when schema or deep (purl/ref) validation fails. --fail-severity
            # critical: don't fail on the compliance scorecard's "BOM is not signed" (high).
            echo "$PEERS/npm/node_modules/.bin/cdx-validate -i $file --strict --fail-severity critical" ;;
        pyspdxtools:spdx)
            echo "$V/pyspdxtools -i $file" ;;
    esac
}

# Give node room for the big documents so cdx-validate is measured, not its default heap cap.
export NODE_OPTIONS="--max-old-space-size=16384"

declare -A DEAD=()   # "tool:format" -> size at which it timed out or failed
declare -A LAST=()   # "tool:format" -> "size median_seconds" of its last finished size
PROJECT_SKIP="${BENCH_PROJECT_SKIP:-1}"

# Fixed cost: tollgate on a one-component document (process start, schema compilation).
for f in cyclonedx spdx; do
    gen_doc "$f" 1
    for i in 1 2 3; do
        measure "$f" 1 tollgate-baseline "$i" "$TOLLGATE" --now "$NOW" --format json sbom validate "$(doc_path "$f" 1)" >/dev/null
    done
done

for n in $SIZES; do
    for f in cyclonedx spdx; do
        gen_doc "$f" "$n"
        doc="$(doc_path "$f" "$n")"
        # The document must be valid for tollgate, or the comparison is meaningless.
        if ! "$TOLLGATE" --now "$NOW" sbom validate -q "$doc" >"$OUT/logs/check-$f-$n.log" 2>&1; then
            log "tollgate does not pass $doc; see $OUT/logs/check-$f-$n.log"
            exit 1
        fi
        printf '{"kind":"file","format":"%s","size":%s,"path":"%s","bytes":%s}\n' \
            "$f" "$n" "${doc#"$ROOT/"}" "$(stat -c %s "$doc")" >> "$RUNS"

        for i in $(seq 1 "$TOLLGATE_RUNS"); do
            measure "$f" "$n" tollgate "$i" "$TOLLGATE" --now "$NOW" --format json sbom validate "$doc" >/dev/null
        done
        for i in $(seq 1 "$TOLLGATE_RUNS"); do
            measure "$f" "$n" tollgate-no-schema "$i" "$TOLLGATE" --now "$NOW" --format json sbom validate --no-schema "$doc" >/dev/null
        done

        [ "$n" -le "$PEER_MAX_SIZE" ] || continue
        for tool in $PEER_LIST; do
            cmd="$(peer_cmd "$tool" "$f" "$doc")"
            [ -n "$cmd" ] || continue
            if [ -n "${DEAD[$tool:$f]:-}" ]; then
                printf '{"format":"%s","size":%s,"tool":"%s","run":1,"status":"skipped","rc":null,"wall_s":null,"rss_kb":null,"after":%s}\n' \
                    "$f" "$n" "$tool" "${DEAD[$tool:$f]}" >> "$RUNS"
                log "$tool $f $n: skipped (timed out or failed at ${DEAD[$tool:$f]})"
                continue
            fi
            # A peer whose time at the previous size, scaled linearly, is over twice the timeout
            # would only time out here: record the projection instead of burning the timeout.
            if [ "$PROJECT_SKIP" = 1 ] && [ -n "${LAST[$tool:$f]:-}" ]; then
                read -r pn pt <<<"${LAST[$tool:$f]}"
                proj="$(awk -v t="$pt" -v a="$pn" -v b="$n" 'BEGIN { printf "%.0f", t * b / a }')"
                if [ "$proj" -gt $((2 * TIMEOUT)) ]; then
                    printf '{"format":"%s","size":%s,"tool":"%s","run":1,"status":"projected","rc":null,"wall_s":null,"rss_kb":null,"projected_s":%s,"from_size":%s}\n' \
                        "$f" "$n" "$tool" "$proj" "$pn" >> "$RUNS"
                    log "$tool $f $n: not run, projected ${proj}s from ${pt}s at $pn"
                    DEAD[$tool:$f]="$n"
                    continue
                fi
            fi
            # shellcheck disable=SC2086
            read -r status wall _ < <(measure "$f" "$n" "$tool" 1 $cmd)
            if [ "$status" != ok ]; then
                DEAD[$tool:$f]="$n"
                continue
            fi
            runs="$(peer_runs_for "$wall")"
            walls="$wall"
            for i in $(seq 2 "$runs"); do
                # shellcheck disable=SC2086
                read -r _ w2 _ < <(measure "$f" "$n" "$tool" "$i" $cmd)
                walls="$walls $w2"
            done
            LAST[$tool:$f]="$n $(echo "$walls" | tr ' ' '\n' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
        done
    done
done

# Informational: the largest size written as compact JSON (no indentation), tollgate only, for
# the memory-to-file-size ratio on a denser file.
LARGEST="$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -n1)"
for f in cyclonedx spdx; do
    gen_doc "$f" "$LARGEST" -1
    doc="$OUT/sbom/$f-$LARGEST-compact.json"
    printf '{"kind":"file","format":"%s","size":%s,"variant":"compact","path":"%s","bytes":%s}\n' \
        "$f" "$LARGEST" "${doc#"$ROOT/"}" "$(stat -c %s "$doc")" >> "$RUNS"
    for i in $(seq 1 "$TOLLGATE_RUNS"); do
        measure "$f" "$LARGEST" tollgate-compact "$i" "$TOLLGATE" --now "$NOW" --format json sbom validate "$doc" >/dev/null
    done
done

# --- facts and report -------------------------------------------------------------------------
python3 - "$OUT/meta.json" "$TOLLGATE" "$ROOT" "$PEERS/versions.json" "$TIMEOUT" "$QUICK" "$SIZES" "$NOW" "$TOLLGATE_RUNS" <<'PYEOF'
import json, os, platform, subprocess, sys, datetime
out, tollgate, root, versions, timeout, quick, sizes, now, truns = sys.argv[1:]
def sh(*a, cwd=None):
    try:
        return subprocess.run(a, capture_output=True, text=True, cwd=cwd).stdout.strip()
    except OSError:
        return ""
cpu = ""
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
peers = json.load(open(versions)) if os.path.exists(versions) else {}
meta = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "machine": {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
    },
    "tollgate": {
        "version": sh(tollgate, "--version"),
        "git": open(os.path.join(os.path.dirname(out), "build-git.txt")).read().strip(),
    },
    "rustc": sh("rustc", "--version"),
    "peers": peers,
    "timeout_s": int(timeout),
    "quick": quick == "1",
    "sizes": [int(s) for s in sizes.split()],
    "now": now,
    "tollgate_runs": int(truns),
}
json.dump(meta, open(out, "w"), indent=2)
PYEOF

python3 "$HERE/report.py" --out-dir "$OUT" --report "$REPORT"
log "done: $OUT/results.json, $REPORT"
