#!/usr/bin/env python3
"""Collect bench/run.sh's raw runs into results.json and render docs/benchmarks.md.

    python3 bench/report.py --out-dir bench/out --report docs/benchmarks.md

Reads OUT/meta.json (machine and tool facts) and OUT/runs.jsonl (one line per timed run or
generated file), writes OUT/results.json and the Markdown report. Standard library only, so the
report can be re-rendered from saved results without re-running anything.
"""

import argparse
import json
import re
import statistics
from pathlib import Path

FORMATS = [("cyclonedx", "CycloneDX 1.6 JSON"), ("spdx", "SPDX 2.3 JSON")]
# Peers per format, in table order. Informational variants do not count for the targets.
PEERS = {
    "cyclonedx": ["check-jsonschema", "cyclonedx-python-lib", "cdx-validate", "check-jsonschema-noiri"],
    "spdx": ["check-jsonschema", "pyspdxtools"],
}
INFO_ONLY = {"check-jsonschema-noiri"}
PEER_LABEL = {
    "check-jsonschema": "check-jsonschema",
    "check-jsonschema-noiri": "check-jsonschema, no iri-reference format ¹",
    "cyclonedx-python-lib": "cyclonedx-python-lib",
    "cdx-validate": "cdx-validate (cdxgen)",
    "pyspdxtools": "pyspdxtools",
}
PEER_VERSION_KEY = {
    "check-jsonschema": "check-jsonschema",
    "check-jsonschema-noiri": "check-jsonschema",
    "cyclonedx-python-lib": "cyclonedx-python-lib",
    "cdx-validate": "@cyclonedx/cdxgen",
    "pyspdxtools": "spdx-tools",
}
TARGET_SPEEDUP = 100
TARGET_SCALING = 12
TARGET_RSS_RATIO = 4
MIB = 1024 * 1024


def load(out_dir):
    meta = json.loads((out_dir / "meta.json").read_text())
    files, compact, runs = {}, {}, {}
    for line in (out_dir / "runs.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("kind") == "file":
            target = compact if r.get("variant") == "compact" else files
            target.setdefault(r["format"], {})[r["size"]] = {"bytes": r["bytes"], "path": r["path"]}
            continue
        runs.setdefault(r["format"], {}).setdefault(r["size"], {}).setdefault(r["tool"], []).append(r)
    results = {}
    for fmt, by_size in runs.items():
        for size, by_tool in by_size.items():
            for tool, rs in by_tool.items():
                results.setdefault(fmt, {}).setdefault(size, {})[tool] = summarise(rs)
    return meta, files, compact, results


def summarise(rs):
    ok = [r for r in rs if r["status"] == "ok"]
    s = {"runs": rs}
    if len(ok) == len(rs) and ok:
        walls = [r["wall_s"] for r in ok]
        s.update(status="ok", n=len(ok), median_s=statistics.median(walls), min_s=min(walls),
                 max_s=max(walls), peak_rss_kb=max(r["rss_kb"] for r in ok))
    else:
        bad = next(r for r in rs if r["status"] != "ok")
        s.update(status=bad["status"], rc=bad.get("rc"), after=bad.get("after"),
                 wall_s=bad.get("wall_s"), peak_rss_kb=bad.get("rss_kb"),
                 projected_s=bad.get("projected_s"), from_size=bad.get("from_size"))
    s["compiler_running"] = any(r.get("compiler_running") for r in rs)
    s["max_steal_pct"] = max((r.get("steal_pct") or 0 for r in rs), default=0)
    s["max_busy_before_pct"] = max((r.get("busy_before_pct") or 0 for r in rs), default=0)
    return s


# ------------------------------------------------------------------------------ formatting


def fmt_s(x):
    if x < 0.1:
        return f"{x * 1000:.0f} ms"
    if x < 10:
        return f"{x:.2f} s"
    if x < 100:
        return f"{x:.1f} s"
    return f"{x:,.0f} s"


def fmt_x(x):
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 10:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


def fmt_mb(b):
    return f"{b / MIB:,.1f}"


def fmt_rss(kib):
    """Peak RSS in MiB: one decimal below 100 MiB, where the 4x target is decided by a few."""
    mib = kib / 1024
    return f"{mib:,.1f}" if mib < 100 else f"{mib:,.0f}"


def fmt_n(n):
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def peer_time(res, tool_t, timeout):
    """(cell text, speedup or None, speedup is a lower bound)."""
    if res is None:
        return "—", None, False
    st = res["status"]
    if st == "ok":
        sp = res["median_s"] / tool_t if tool_t else None
        return f"{fmt_s(res['median_s'])} ({fmt_x(sp)})", sp, False
    if st == "timeout":
        sp = timeout / tool_t if tool_t else None
        return f"> {timeout} s (> {fmt_x(sp)})", sp, True
    if st == "projected":
        sp = timeout / tool_t if tool_t else None
        return f"not run, ≈ {res['projected_s']:,.0f} s projected ² (> {fmt_x(sp)})", sp, True
    if st == "skipped":
        sp = timeout / tool_t if tool_t else None
        return f"not run ² (> {fmt_x(sp)})", sp, True
    rc = res.get("rc")
    return f"failed (exit {rc}) ³", None, False


# ------------------------------------------------------------------------------ report


def render(meta, files, compact, results):
    timeout = meta["timeout_s"]
    m = meta["machine"]
    pv = meta.get("peers", {})
    out = []
    w = out.append
    w("# Benchmarks: `tollgate sbom validate`")
    w("")
    w("How long `tollgate sbom validate` takes, and how much memory it needs, on large synthetic "
      "SBOMs, next to the validators people use today. Everything here is produced by "
      "`bench/run.sh`; re-run it to refresh this page (see [Reproducing](#reproducing)). "
      "Numbers below are from one run on "
      f"{meta['date']}" + (" — **quick mode** (`BENCH_QUICK=1`): peers were only run at 2k."
                           if meta.get("quick") else "."))
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}, {m['nproc']} cores (`nproc`)")
    w(f"- RAM: {m['ram_gib']} GiB")
    w(f"- OS: {m.get('os') or 'Linux'}, kernel {m['kernel']}")
    w("")
    w("## Tools")
    w("")
    w("| Tool | Version | Command timed |")
    w("| --- | --- | --- |")
    tg = meta["tollgate"]
    w(f"| tollgate | {tg['version'].replace('tollgate ', '')} (`{tg['git']}`, the released build: static, from `scripts/build-release.sh`; "
      f"{meta.get('rustc', '')}) | `tollgate --now {meta['now']} --format json sbom validate FILE` |")
    w("| tollgate, semantic rules only | same | `… sbom validate --no-schema FILE` (information) |")
    w(f"| check-jsonschema | {pv.get('check-jsonschema', '?')} (jsonschema {pv.get('jsonschema', '?')}, "
      f"Python {pv.get('python', '?')}) | `check-jsonschema --schemafile bom-1.6.schema.json "
      "--base-uri file://… FILE` / `--schemafile spdx-2.3.schema.json FILE` |")
    w(f"| check-jsonschema, no iri-reference ¹ | same | `check-jsonschema --disable-formats "
      "iri-reference …` (CycloneDX; information) |")
    w(f"| cyclonedx-python-lib | {pv.get('cyclonedx-python-lib', '?')} | `bench/peers/cdx_py_validate.py "
      "FILE` (`JsonStrictValidator(SchemaVersion.V1_6).validate_str`) |")
    w(f"| cdx-validate (@cyclonedx/cdxgen) | {pv.get('@cyclonedx/cdxgen', '?')} (Node "
      f"{pv.get('node', '?')}) | `cdx-validate -i FILE --strict --fail-severity critical` |")
    w(f"| pyspdxtools (spdx-tools) | {pv.get('spdx-tools', '?')} | `pyspdxtools -i FILE` |")
    w("")
    w("All peers are installed by `bench/install-peers.sh` into `bench/.peers/` at the pinned "
      "versions above. check-jsonschema validates against the same vendored schema files tollgate "
      "embeds (`schemas/`), copied to `bench/out/schemas/` under the `*.SNAPSHOT.schema.json` names "
      "that `bom-1.6.schema.json`'s `$ref`s use, with `--base-uri` pointing there so nothing is "
      "fetched. cdx-validate runs its schema check, its deep purl/ref checks and its compliance "
      "scorecard (all on by default); `--strict` makes a schema or deep failure exit non-zero and "
      "`--fail-severity critical` keeps the scorecard's \"BOM is not signed\" from failing the run. "
      "Node gets `--max-old-space-size=16384` so the big files are not cut short by its default "
      "heap limit.")
    w("")
    w("## Documents")
    w("")
    w("`bench/gen_sbom.py` (seeded, byte-for-byte reproducible) writes realistic documents, "
      "indented by 2 spaces as cdxgen and syft write them: components from npm (some scoped), "
      "PyPI, Maven, Cargo and Go with package URLs, suppliers, SPDX licence ids or expressions, a "
      "SHA-256 and for half of them a SHA-512 digest, homepage/VCS links for most, and a "
      "dependency graph in which each component depends on 0–3 others of its ecosystem. "
      "CycloneDX documents use `bom-ref` = purl (with an npm scope's `@` unencoded, as cdxgen "
      "writes it); SPDX documents carry the purl as a `PACKAGE-MANAGER` external ref and the "
      "graph as `DESCRIBES` / `DEPENDS_ON` relationships. Every document passes tollgate (exit 0) "
      "and every peer that finished.")
    w("")
    w("| Components | CycloneDX file | SPDX file |")
    w("| ---: | ---: | ---: |")
    for size in meta["sizes"]:
        c = files.get("cyclonedx", {}).get(size)
        s = files.get("spdx", {}).get(size)
        w(f"| {size:,} | {fmt_mb(c['bytes']) + ' MiB' if c else '—'} | "
          f"{fmt_mb(s['bytes']) + ' MiB' if s else '—'} |")
    w("")

    # -------------------------------------------------------------- per-format tables
    w("## Results")
    w("")
    w(f"Wall-clock time, median of {meta['tollgate_runs']} runs for tollgate and of 1–3 runs for a "
      "peer (3 if its first run takes under 10 s, 2 under 60 s, else 1); peak RSS is the largest of "
      "those runs. Each peer cell is its time and, in brackets, the speedup = peer time ÷ "
      f"tollgate time. Every run has a {timeout} s timeout; a peer that times out is not run at "
      "bigger sizes. Each run is spawned and reaped by `bench/timed.py` (wall time from just before "
      "the spawn to the reap, peak RSS from GNU time's `%M`), with no shell or `timeout(1)` in "
      "between: those cost 3–4 ms a run here, which the earlier runs below counted against "
      "tollgate (a tenth of an SPDX 20k run).")
    w("")
    speedups_20k = []   # (fmt, peer, speedup, lower_bound, info_only)
    scaling = {}        # fmt -> ratio or None
    rss_rows = []       # (fmt, size, ratio)
    for fmt, title in FORMATS:
        by_size = results.get(fmt, {})
        if not by_size:
            continue
        peers = [p for p in PEERS[fmt] if any(p in by_size.get(n, {}) for n in by_size)]
        w(f"### {title}")
        w("")
        base = results.get(fmt, {}).get(1, {}).get("tollgate-baseline")
        base_kb = base["peak_rss_kb"] if base and base["status"] == "ok" else None
        head = ["Components", "File (MiB)", "tollgate", "Peak RSS (MiB)", "RSS ÷ file",
                "(RSS − base) ÷ file ⁴", "tollgate --no-schema"] + [PEER_LABEL[p] for p in peers]
        w("| " + " | ".join(head) + " |")
        w("| " + " | ".join(["---:"] * len(head)) + " |")
        for size in sorted(by_size):
            if size == 1:
                continue
            r = by_size[size]
            t = r.get("tollgate")
            fbytes = files.get(fmt, {}).get(size, {}).get("bytes")
            if not t or t["status"] != "ok":
                row = [f"{size:,}", fmt_mb(fbytes) if fbytes else "—",
                       f"failed ({t['status'] if t else 'missing'})", "—", "—", "—", "—"]
                tt = None
            else:
                tt = t["median_s"]
                ratio = t["peak_rss_kb"] * 1024 / fbytes if fbytes else None
                rss_rows.append((fmt, size, ratio, t["peak_rss_kb"], fbytes))
                ns = r.get("tollgate-no-schema")
                row = [f"{size:,}", fmt_mb(fbytes), fmt_s(tt),
                       fmt_rss(t['peak_rss_kb']),
                       f"{ratio:.2f}" if ratio else "—",
                       f"{(t['peak_rss_kb'] - base_kb) * 1024 / fbytes:.2f}" if base_kb and fbytes else "—",
                       fmt_s(ns["median_s"]) if ns and ns["status"] == "ok" else "—"]
            for p in peers:
                cell, sp, lower = peer_time(r.get(p), tt, timeout)
                row.append(cell)
                if size == 20000 and r.get(p) is not None:
                    speedups_20k.append((fmt, p, sp, lower, p in INFO_ONLY, r[p]["status"]))
            w("| " + " | ".join(row) + " |")
        w("")
        # peer memory
        mem_rows = []
        for size in sorted(by_size):
            if size == 1:
                continue
            cells = []
            for p in peers:
                res = by_size[size].get(p)
                if res and res.get("peak_rss_kb") and res["status"] in ("ok", "timeout", "error"):
                    mark = "" if res["status"] == "ok" else " (at stop)"
                    cells.append(f"{res['peak_rss_kb'] / 1024:,.0f}{mark}")
                else:
                    cells.append("—")
            mem_rows.append(f"| {size:,} | " + " | ".join(cells) + " |")
        w("Peers' peak RSS (MiB):")
        w("")
        w("| Components | " + " | ".join(PEER_LABEL[p] for p in peers) + " |")
        w("| ---: | " + " | ".join(["---:"] * len(peers)) + " |")
        out.extend(mem_rows)
        w("")
        if base_kb:
            w(f"⁴ tollgate's fixed footprint, measured on a one-component document, is "
              f"{base_kb / 1024:.1f} MiB (binary, compiled schema, allocator); this column leaves it out. "
              f"Information only: the target is on the plain ratio.")
            w("")
        t20 = by_size.get(20000, {}).get("tollgate")
        t200 = by_size.get(200000, {}).get("tollgate")
        if t20 and t200 and t20["status"] == "ok" and t200["status"] == "ok":
            scaling[fmt] = (t200["median_s"] / t20["median_s"], t20["median_s"], t200["median_s"])
        else:
            scaling[fmt] = None

    # compact variant
    comp_lines = []
    for fmt, title in FORMATS:
        for size, f in sorted(compact.get(fmt, {}).items()):
            res = results.get(fmt, {}).get(size, {}).get("tollgate-compact")
            if res and res["status"] == "ok":
                ratio = res["peak_rss_kb"] * 1024 / f["bytes"]
                comp_lines.append(f"| {title} | {size:,} | {fmt_mb(f['bytes'])} | {fmt_s(res['median_s'])} | "
                                  f"{res['peak_rss_kb'] / 1024:,.0f} | {ratio:.2f} |")
    if comp_lines:
        w("### Same documents without indentation (information)")
        w("")
        w("Real generators differ in whitespace, which changes the file size but hardly the parsed "
          "data, so the memory-to-file ratio depends on it. The largest documents written as compact "
          "JSON, tollgate only:")
        w("")
        w("| Format | Components | File (MiB) | tollgate | Peak RSS (MiB) | RSS ÷ file |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        out.extend(comp_lines)
        w("")

    # -------------------------------------------------------------- scaling
    scale_rows = []
    for fmt, title in FORMATS:
        by_size = results.get(fmt, {})
        sizes = sorted(n for n in by_size if n > 1)
        steps = list(zip(sizes, sizes[1:]))
        if not steps:
            continue
        for tool in ["tollgate", "tollgate-no-schema"] + PEERS[fmt]:
            cells, any_ok = [], False
            for a, b in steps:
                ra, rb = by_size[a].get(tool), by_size[b].get(tool)
                if ra and rb and ra["status"] == "ok" and rb["status"] == "ok":
                    cells.append(f"{rb['median_s'] / ra['median_s']:.1f}× (for {b // a}× the components)")
                    any_ok = True
                elif ra and ra["status"] == "ok" and rb and rb["status"] == "timeout":
                    cells.append(f"> {timeout / ra['median_s']:.0f}× (timed out)")
                    any_ok = True
                else:
                    cells.append("—")
            if any_ok:
                label = PEER_LABEL.get(tool, tool.replace("tollgate-no-schema", "tollgate --no-schema"))
                scale_rows.append(f"| {title} | {label} | " + " | ".join(cells) + " |")
    if scale_rows:
        w("### How time grows with size")
        w("")
        w("Time at the bigger size ÷ time at the smaller one (linear growth is the size factor, "
          "10×). Fixed start-up costs make small sizes look cheap, so growth below 10× mostly "
          "reflects start-up; growth far above 10× means the tool does super-linear work.")
        w("")
        w("| Format | Tool | " + " | ".join(f"{fmt_n(a)} → {fmt_n(b)}" for a, b in steps) + " |")
        w("| --- | --- | " + " | ".join(["---:"] * len(steps)) + " |")
        out.extend(scale_rows)
        w("")
    share = []
    for fmt, title in FORMATS:
        by_size = results.get(fmt, {})
        if not by_size:
            continue
        big = max(by_size)
        t, ns = by_size[big].get("tollgate"), by_size[big].get("tollgate-no-schema")
        if t and ns and t["status"] == "ok" and ns["status"] == "ok":
            d = (t["median_s"] - ns["median_s"]) / t["median_s"]
            share.append(f"{title} {fmt_n(big)}: " + (f"{d:.0%}" if d > 0.03 else "within noise"))
    if share:
        w("Schema validation's share of tollgate's time (default minus `--no-schema`, ÷ default) at "
          "the largest size: " + "; ".join(share) + ". The rest is reading and parsing the "
          "JSON and the semantic rules, so those, not the schema, decide tollgate's time.")
        w("")

    # -------------------------------------------------------------- targets
    w("## Targets")
    w("")
    w("Schema and semantic rules both on (tollgate's default; the `--no-schema` column is information only).")
    w("")
    # 1. speedup
    counted = [s for s in speedups_20k if not s[4]]
    w(f"**1. At 20k components, at least {TARGET_SPEEDUP}× faster than every peer.**")
    w("")
    if not counted:
        w("Not measured: no peer was run at 20k components"
          + (" (quick mode)." if meta.get("quick") else "."))
        w("")
        t1 = None
    else:
        for fmt, p, sp, lower, _, st in counted:
            if sp is None:
                w(f"- {dict(FORMATS)[fmt]}, {PEER_LABEL[p]}: no speedup ({st})")
            else:
                how = (f"> {fmt_x(sp)} (the peer did not finish in {timeout} s; lower bound)"
                       if lower else fmt_x(sp))
                w(f"- {dict(FORMATS)[fmt]}, {PEER_LABEL[p]}: {how}")
        valid = [s for s in counted if s[2] is not None]
        mn = min(valid, key=lambda s: s[2]) if valid else None
        failed_peers = [s for s in counted if s[2] is None]
        t1 = bool(mn) and mn[2] >= TARGET_SPEEDUP
        w("")
        if mn:
            bound = " (a lower bound)" if mn[3] else ""
            w(f"Minimum: **{fmt_x(mn[2])}**{bound}, vs {PEER_LABEL[mn[1]]} on {dict(FORMATS)[mn[0]]}. "
              f"Target {'**met**' if t1 else '**NOT met**'}."
              + (" (Peers that failed are not counted.)" if failed_peers else ""))
        w("")
        info = [s for s in speedups_20k if s[4] and s[2] is not None]
        for fmt, p, sp, lower, _, _ in info:
            w(f"For information, {PEER_LABEL[p]} on {dict(FORMATS)[fmt]}: "
              f"{'> ' if lower else ''}{fmt_x(sp)}.")
            w("")
    # 2. scaling
    w(f"**2. 200k components take at most {TARGET_SCALING}× the 20k time.**")
    w("")
    t2 = []
    for fmt, title in FORMATS:
        sc = scaling.get(fmt)
        if sc is None:
            w(f"- {title}: not measured")
            continue
        ok = sc[0] <= TARGET_SCALING
        t2.append(ok)
        w(f"- {title}: {fmt_s(sc[2])} ÷ {fmt_s(sc[1])} = **{sc[0]:.2f}×** — {'met' if ok else '**NOT met**'}")
    w("")
    # 3. memory
    w(f"**3. Peak memory at most {TARGET_RSS_RATIO}× the file size.**")
    w("")
    t3, fixed_only = [], True
    for fmt, size, ratio, rss, fbytes in rss_rows:
        ok = ratio is not None and ratio <= TARGET_RSS_RATIO
        t3.append(ok)
        w(f"- {dict(FORMATS)[fmt]}, {size:,} components: {rss / 1024:,.1f} MiB ÷ {fmt_mb(fbytes)} MiB "
          f"= **{ratio:.2f}×** — {'met' if ok else '**NOT met**'}")
        if not ok:
            base = results.get(fmt, {}).get(1, {}).get("tollgate-baseline")
            if not (base and base["status"] == "ok"
                    and (rss - base["peak_rss_kb"]) * 1024 / fbytes <= TARGET_RSS_RATIO):
                fixed_only = False
    w("")
    if t3 and not all(t3) and fixed_only:
        w("Every miss is at a size where tollgate's fixed footprint (see ⁴ above) is itself several "
          "times the file: without it, memory stays under "
          f"{TARGET_RSS_RATIO}× the file at every size.")
        w("")
    summary = [
        ("20k speedup ≥ 100× vs every peer", "not measured" if t1 is None else ("met" if t1 else "NOT met")),
        ("200k ÷ 20k time ≤ 12×", "not measured" if not t2 else ("met" if all(t2) else "NOT met")),
        ("peak RSS ≤ 4× file size", "not measured" if not t3 else ("met" if all(t3) else "NOT met")),
    ]
    w("| Target | Result |")
    w("| --- | --- |")
    for name, res in summary:
        w(f"| {name} | {'**' + res + '**' if res == 'NOT met' else res} |")
    w("")

    # -------------------------------------------------------------- notes
    w("## Notes")
    w("")
    w("1. Both Python schema peers (check-jsonschema and cyclonedx-python-lib) use the `jsonschema` "
      "library, whose `iri-reference` format check (used by every URL in a CycloneDX document) "
      "parses with an Earley grammar (`rfc3987-syntax` on `lark`) at tens of milliseconds per URL; "
      "this dominates their CycloneDX times (a profile of cyclonedx-python-lib on 100 components "
      "spends over 90% of validation in it). The *no iri-reference* column shows check-jsonschema "
      "with that one check turned off, to separate the peer's general speed from this cost; it "
      "is not counted for the targets, since it validates less than tollgate does. SPDX 2.3's "
      "schema has no such format, which is why check-jsonschema is much faster there.")
    w(f"2. *not run*: the peer timed out (> {timeout} s) or failed at a smaller size, or its time at "
      f"the previous size scaled linearly (the *projection*) is over twice the {timeout} s timeout, so "
      "it would only have timed out; the speedup shown is the lower bound timeout ÷ tollgate time.")
    w("3. *failed*: the peer exited non-zero other than by timeout (for example out of memory); "
      "see `bench/out/logs/`.")
    w("4. The peers do different amounts of work. check-jsonschema and cyclonedx-python-lib "
      "check the JSON schema only; cdx-validate adds purl/ref checks and a compliance "
      "scorecard; pyspdxtools parses the document into its object model and runs the SPDX "
      "validation rules (ids, relationships, licences, checksums, purls) but does not use the "
      "JSON schema. tollgate runs the official schema and its semantic rules (duplicate and "
      "dangling refs, purl syntax, SPDX licence expressions, digest lengths, timestamps).")
    busy = sorted({(fmt, size, tool) for fmt, by_size in results.items()
                   for size, by_tool in by_size.items() for tool, res in by_tool.items()
                   if res.get("compiler_running")})
    tg = [res for by_size in results.values() for by_tool in by_size.values()
          for tool, res in by_tool.items() if tool.startswith("tollgate")]
    steal = max((r.get("max_steal_pct", 0) for r in tg), default=0)
    before = max((r.get("max_busy_before_pct", 0) for r in tg), default=0)
    w("5. The benchmark machine is a 2-vCPU virtual machine that may be shared. Before each "
      "timed run `bench/run.sh` waits for running compilers (rustc) to finish and for the CPUs "
      "to be at most 10% busy (up to 60 s), and records the load average, the busy share just "
      "before the run and the CPU time the hypervisor stole during it; runs are still somewhat "
      "noisy (see the min/max per tool in `bench/out/results.json`). In this run, over "
      f"tollgate's timed runs: at most {before:.0f}% of the CPUs busy just before a run, at most "
      f"{steal:.1f}% of the CPU time stolen during one.")
    if busy:
        w("6. Some runs overlapped another compilation on this 2-core machine and may be slower "
          "than they should be (`compiler_running` in `bench/out/results.json`): "
          + "; ".join(f"{t} on {f} {fmt_n(s)}" for f, s, t in busy) + ".")
    w("")
    w("## Reproducing")
    w("")
    w("```sh")
    w("bench/run.sh                  # installs peers, builds tollgate, generates, times, writes this page")
    w("BENCH_QUICK=1 bench/run.sh    # smoke run: 2k and 20k, peers only at 2k")
    w("BENCH_SIZES=\"2000 20000\" bench/run.sh")
    w("python3 bench/gen_sbom.py --format cyclonedx --components 20000 -o bom.json")
    w("```")
    w("")
    w("Raw runs: `bench/out/runs.jsonl`; collected: `bench/out/results.json` (both git-ignored). "
      "Other knobs: `BENCH_TIMEOUT`, `BENCH_TOLLGATE_RUNS`, `BENCH_PEER_RUNS`, `BENCH_PEERS`, "
      "`BENCH_NO_PEERS=1` (see the top of `bench/run.sh`).")
    w("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default=str(Path(__file__).parent / "out"))
    ap.add_argument("--report", default=str(Path(__file__).parent.parent / "docs" / "benchmarks.md"))
    a = ap.parse_args()
    out_dir = Path(a.out_dir)
    meta, files, compact, results = load(out_dir)
    (out_dir / "results.json").write_text(json.dumps(
        {"meta": meta, "files": files, "compact_files": compact, "results": results}, indent=2))
    report = Path(a.report)
    text = render(meta, files, compact, results)
    # Other benchmark scripts (bench/provenance.sh, …) own marker-delimited sections of the
    # same page; carry them over instead of dropping them.
    if report.exists():
        kept = re.findall(r"<!-- ([a-z-]+-bench):start -->.*?<!-- \1:end -->\n?",
                          report.read_text(), re.S)
        old = report.read_text()
        for name in kept:
            m = re.search(r"<!-- %s:start -->.*?<!-- %s:end -->\n?" % (name, name), old, re.S)
            text = text.rstrip("\n") + "\n\n" + m.group(0)
    report.write_text(text)


if __name__ == "__main__":
    main()
