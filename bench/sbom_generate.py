#!/usr/bin/env python3
"""Peer agreement (purl name+version sets) and speed of `tollgate sbom generate`.

Run by bench/sbom-generate.sh (which installs the peers and builds the release binary).
Every tool runs on a fresh copy of each fixture under bench/out/sbom-generate/work/, so peers
that write into the project directory (cargo-cyclonedx) never touch testdata/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sbom-generate"
TOOLS = ROOT / ".tools"
NPMBIN = TOOLS / "sbomgen-npm" / "node_modules" / ".bin"
VENV = TOOLS / "sbomgen-venv" / "bin"
TOLLGATE = Path(os.environ.get("TOLLGATE_BIN", ROOT / "target" / "release" / "tollgate"))
CARGO_CDX = TOOLS / "cargo" / "bin" / "cargo-cyclonedx"
FIX = ROOT / "testdata" / "sbom-generate"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "600"))
NOW = "2026-11-23T00:00:00Z"

# Fixture → the ecosystem's own CycloneDX tool (kind), when one installs here.
FIXTURES = {
    "cargo": "cargo-cyclonedx",
    "npm": "cyclonedx-npm",
    "npm-v1": "cyclonedx-npm",
    "yarn-classic": None,
    "yarn-berry": None,
    "pnpm-v9": None,
    "pnpm-v6": None,
    "uv": None,
    "poetry": "cyclonedx-py poetry",
    "requirements": "cyclonedx-py requirements",
    "pipenv": "cyclonedx-py pipenv",
    "go": None,
    "ruby": None,
    "composer": None,
    "gradle": None,
    "monorepo": None,
}

# Why a purl is in one SBOM and not the other: (fixture regex, peer regex, side, purl regex, reason).
# side is "tollgate" (only tollgate lists it) or "peer" (only the peer does).
EXPLANATIONS = [
    (r".*", r"cdxgen", "peer", r"^pkg:(npm|cargo|pypi|composer|gem|golang|maven)/[^@]*$",
     "cdxgen lists the project itself (no version) as a component; tollgate makes it the project root"),
    (r".*", r"cdxgen", "peer", r"@0\.0\.0-use\.local$|@workspace", "cdxgen lists the yarn workspace (0.0.0-use.local) as a package"),
    (r"gradle", r"cdxgen", "tollgate", r".*",
     "cdxgen does not read gradle.lockfile: it runs gradle, which --no-install-deps (and no JDK here) prevents"),
]


def log(msg: str) -> None:
    print(f"[sbom-generate bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    full_env = {**os.environ, **(env or {})}
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
        rc, err = p.returncode, p.stderr[-2000:]
    except subprocess.TimeoutExpired:
        rc, err = -1, f"timeout after {TIMEOUT}s"
    return time.perf_counter() - t0, rc, err


def fresh_copy(src: Path, name: str) -> Path:
    dst = OUT / "work" / name
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("node_modules", "target", "*.cdx.json", "bom.json"))
    return dst


def tool_cmd(tool: str, work: Path, out: Path) -> tuple[list[str], dict]:
    if tool == "tollgate":
        return [str(TOLLGATE), "--now", NOW, "--quiet", "sbom", "generate", str(work), "--out", str(out)], {}
    if tool == "cdxgen":
        return ([str(NPMBIN / "cdxgen"), "--no-install-deps", "--spec-version", "1.6", "--no-validate",
                 "-o", str(out), str(work)],
                {"FETCH_LICENSE": "false", "CDXGEN_NO_BANNER": "true", "CDXGEN_TEMP_DIR": str(OUT / "tmp")})
    if tool == "cyclonedx-npm":
        # --ignore-npm-errors: `npm ls` flags peer-dependency conflicts that the lockfile pins anyway.
        return ([str(NPMBIN / "cyclonedx-npm"), "--package-lock-only", "--ignore-npm-errors", "--output-format", "JSON",
                 "--output-file", str(out), str(work / "package.json")], {})
    if tool == "cyclonedx-py requirements":
        return [str(VENV / "cyclonedx-py"), "requirements", str(work / "requirements.txt"), "-o", str(out)], {}
    if tool == "cyclonedx-py poetry":
        return [str(VENV / "cyclonedx-py"), "poetry", str(work), "-o", str(out)], {}
    if tool == "cyclonedx-py pipenv":
        return [str(VENV / "cyclonedx-py"), "pipenv", "--dev", str(work), "-o", str(out)], {}
    if tool == "cargo-cyclonedx":
        # Writes <crate>.cdx.json beside Cargo.toml; the caller collects it. `--target all`: a
        # Cargo.lock pins the dependencies of every target, not only the host's.
        return ([str(CARGO_CDX), "cyclonedx", "--format", "json", "--spec-version", "1.5", "--target", "all",
                 "--manifest-path", str(work / "Cargo.toml")], {"CARGO_NET_OFFLINE": "false"})
    raise ValueError(tool)


def available(tool: str) -> bool:
    if tool == "cargo-cyclonedx":
        return CARGO_CDX.is_file()
    return True


def collect(tool: str, work: Path, out: Path) -> Path | None:
    if tool == "cargo-cyclonedx":
        found = sorted(work.glob("*.cdx.json"))
        return found[0] if found else None
    return out if out.is_file() else None


def norm(purl: str) -> str:
    """pkg:type/ns/name@version, percent-decoded, without qualifiers and subpath."""
    p = purl.split("#", 1)[0].split("?", 1)[0]
    p = urllib.parse.unquote(p)
    if p.startswith("pkg:pypi/"):
        name, _, ver = p[len("pkg:pypi/"):].partition("@")
        p = "pkg:pypi/" + re.sub(r"[-_.]+", "-", name).lower() + ("@" + ver if ver else "")
    return p


def purls(doc: dict, exclude_roots: bool = True) -> set[str]:
    out: set[str] = set()
    roots: set[str] = set()
    meta = (doc.get("metadata") or {}).get("component") or {}

    def walk_root(c: dict) -> None:
        if c.get("purl"):
            roots.add(norm(c["purl"]))
        for ch in c.get("components") or []:
            walk_root(ch)

    walk_root(meta)

    def walk(cs: list) -> None:
        for c in cs or []:
            if c.get("purl") and c.get("type") != "file":
                out.add(norm(c["purl"]))
            walk(c.get("components") or [])

    walk(doc.get("components") or [])
    return out - roots if exclude_roots else out


def explain(fixture: str, peer: str, side: str, purl: str, roots: set[str] = frozenset(),
            dev: set[str] = frozenset()) -> str:
    if side == "tollgate" and purl in dev and peer in ("cargo-cyclonedx", "cyclonedx-py pipenv"):
        return (f"a dev-only package: {peer} leaves development dependencies out; tollgate lists them with "
                "scope optional and tollgate:scope=dev (--exclude-dev leaves them out too)")
    if side == "peer" and purl in roots:
        return ("a project of the monorepo: tollgate describes it as a project root nested under the release "
                "(metadata.component.components), the peer as a component")
    for fx, pr, sd, pat, reason in EXPLANATIONS:
        if sd == side and re.fullmatch(fx, fixture) and re.fullmatch(pr, peer) and re.search(pat, purl):
            return reason
    return "UNEXPLAINED"


def self_source() -> Path:
    """This repository's Cargo.toml, Cargo.lock and sources (cargo-cyclonedx needs a buildable crate)."""
    src = OUT / "self-src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for f in ("Cargo.toml", "Cargo.lock", "build.rs"):
        shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "src", src / "src")
    return src


def agreement() -> list[dict]:
    rows = []
    inputs = [(name, FIX / name, own) for name, own in FIXTURES.items()]
    inputs += [("npm-1500 (bench)", ROOT / "bench" / "fixtures" / "npm-1500", "cyclonedx-npm"),
               ("this repository's Cargo.lock", self_source(), "cargo-cyclonedx")]
    for fixture, src, own in inputs:
        slug = re.sub(r"[^a-z0-9]+", "-", fixture.lower()).strip("-")
        work = fresh_copy(src, f"{slug}-tollgate")
        out = OUT / f"{slug}.tollgate.cdx.json"
        cmd, env = tool_cmd("tollgate", work, out)
        _, rc, err = run(cmd, work, env)
        if rc != 0:
            log(f"tollgate failed on {fixture}: {err}")
            continue
        ours_doc = json.loads(out.read_text())
        ours = purls(ours_doc)
        roots = purls({"components": [ours_doc["metadata"]["component"]]}, exclude_roots=False)
        dev = {norm(c["purl"]) for c in ours_doc.get("components", []) if c.get("purl")
               and {"name": "tollgate:scope", "value": "dev"} in (c.get("properties") or [])}
        for peer in ["cdxgen"] + ([own] if own else []):
            if not available(peer):
                rows.append({"fixture": fixture, "peer": peer, "skipped": "not installed"})
                continue
            pwork = fresh_copy(src, f"{slug}-{peer.replace(' ', '-')}")
            pout = OUT / f"{slug}.{peer.replace(' ', '-')}.cdx.json"
            pout.unlink(missing_ok=True)
            cmd, env = tool_cmd(peer, pwork, pout)
            secs, rc, err = run(cmd, pwork, env)
            got = collect(peer, pwork, pout)
            if got is None:
                log(f"{peer} wrote nothing for {fixture} (exit {rc}): {err[-500:]}")
                rows.append({"fixture": fixture, "peer": peer, "skipped": f"no SBOM (exit {rc})"})
                continue
            try:
                theirs = purls(json.loads(got.read_text()))
            except ValueError as e:
                log(f"{peer} wrote an unreadable SBOM for {fixture} (exit {rc}): {e}; {err[-300:]}")
                rows.append({"fixture": fixture, "peer": peer, "skipped": f"unreadable SBOM (exit {rc})"})
                continue
            if not theirs and ours:
                rows.append({"fixture": fixture, "peer": peer, "tollgate": len(ours), "peerCount": 0,
                             "notComparable": explain(fixture, peer, "tollgate", next(iter(ours)), roots, dev)})
                log(f"{fixture} vs {peer}: the peer found nothing")
                continue
            both = ours & theirs
            only_ours = sorted(ours - theirs)
            only_theirs = sorted(theirs - ours)
            union = ours | theirs
            rows.append({
                "fixture": fixture, "peer": peer, "tollgate": len(ours), "peerCount": len(theirs),
                "agree": len(both), "union": len(union),
                "percent": round(100.0 * len(both) / len(union), 1) if union else 100.0,
                "onlyTollgate": [{"purl": p, "why": explain(fixture, peer, "tollgate", p, roots, dev)} for p in only_ours],
                "onlyPeer": [{"purl": p, "why": explain(fixture, peer, "peer", p, roots, dev)} for p in only_theirs],
            })
            log(f"{fixture} vs {peer}: {len(both)}/{len(union)} agree")
    return rows


def timed(tool: str, src: Path, name: str) -> dict:
    times = []
    rc = 0
    for i in range(RUNS):
        work = fresh_copy(src, f"speed-{name}-{tool.replace(' ', '-')}")
        out = OUT / f"speed-{name}.{tool.replace(' ', '-')}.cdx.json"
        out.unlink(missing_ok=True)
        cmd, env = tool_cmd(tool, work, out)
        secs, rc, err = run(cmd, work, env)
        if rc != 0 or collect(tool, work, out) is None:
            log(f"{tool} on {name} failed (exit {rc}): {err[-400:]}")
            return {"tool": tool, "input": name, "error": f"exit {rc}"}
        times.append(secs)
    return {"tool": tool, "input": name, "runs": len(times), "median": statistics.median(times),
            "min": min(times), "max": max(times)}


def speed() -> list[dict]:
    results = []
    self_src = self_source()
    npm_src = ROOT / "bench" / "fixtures" / "npm-1500"
    for name, src, tools in (
        ("Cargo.lock (this repository)", self_src, ["tollgate", "cdxgen", "cargo-cyclonedx"]),
        ("package-lock.json (1,523 packages)", npm_src, ["tollgate", "cdxgen", "cyclonedx-npm"]),
    ):
        slug = "self" if "Cargo" in name else "npm1500"
        for tool in tools:
            if not available(tool):
                results.append({"tool": tool, "input": name, "error": "not installed"})
                continue
            log(f"timing {tool} on {name} ({RUNS} runs)")
            r = timed(tool, src, slug)
            r["input"] = name
            results.append(r)
    return results


def versions() -> dict:
    v = json.loads((TOOLS / "sbomgen-versions.json").read_text())
    v["tollgate"] = subprocess.run([str(TOLLGATE), "--version"], capture_output=True, text=True).stdout.strip()
    if CARGO_CDX.is_file():
        out = subprocess.run([str(CARGO_CDX), "cyclonedx", "--version"], capture_output=True, text=True).stdout
        v["cargo-cyclonedx"] = "cargo-cyclonedx " + (out.split() or ["?"])[-1]
    return v


def replace_section(path: Path, name: str, body: str) -> None:
    text = path.read_text() if path.exists() else ""
    section = f"<!-- {name}:start -->\n{body.rstrip()}\n<!-- {name}:end -->\n"
    pat = re.compile(r"<!-- %s:start -->.*?<!-- %s:end -->\n?" % (name, name), re.S)
    if pat.search(text):
        text = pat.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def agreement_md(rows: list[dict], vers: dict) -> str:
    lines = ["## Agreement with peers (generated by `bench/sbom-generate.sh`)", "",
             "Purl sets (type/namespace/name@version, qualifiers dropped, percent-decoded, PyPI names "
             "PEP 503-normalised) of tollgate and each peer on the same fixture copies; the projects' own "
             "root components are left out on both sides. Agreement = shared / union.", "",
             "Peers: " + ", ".join(f"{k} {vers[k]}" for k in ("@cyclonedx/cdxgen", "@cyclonedx/cyclonedx-npm",
                                                               "cyclonedx-bom", "cargo-cyclonedx") if k in vers), "",
             "| fixture | peer | tollgate | peer | shared | agreement |", "|---|---|---:|---:|---:|---:|"]
    total_agree = total_union = 0
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['fixture']} | {r['peer']} | | | | skipped: {r['skipped']} |")
            continue
        if "notComparable" in r:
            lines.append(f"| {r['fixture']} | {r['peer']} | {r['tollgate']} | 0 | | not comparable: "
                         f"{r['notComparable']} |")
            continue
        total_agree += r["agree"]
        total_union += r["union"]
        lines.append(f"| {r['fixture']} | {r['peer']} | {r['tollgate']} | {r['peerCount']} | {r['agree']} | "
                     f"{r['percent']:.1f}% |")
    pct = 100.0 * total_agree / total_union if total_union else 100.0
    lines += ["", f"**Overall: {total_agree} of {total_union} purls agree ({pct:.1f}%)**, over every fixture "
              "the peer could read (rows marked not comparable are inputs the peer does not read at all).", ""]
    diffs = [(r, side, d) for r in rows if "skipped" not in r and "notComparable" not in r
             for side, key in (("only tollgate", "onlyTollgate"), ("only peer", "onlyPeer")) for d in r[key]]
    if diffs:
        lines += ["Every difference:", "", "| fixture | peer | where | purl | why |", "|---|---|---|---|---|"]
        for r, side, d in diffs:
            lines.append(f"| {r['fixture']} | {r['peer']} | {side} | `{d['purl']}` | {d['why']} |")
        lines.append("")
    return "\n".join(lines)


def speed_md(results: list[dict], vers: dict) -> str:
    lines = ["## SBOM generation (`bench/sbom-generate.sh`)", "",
             f"Wall time, median of {RUNS} runs, of generating a CycloneDX SBOM from one lockfile on this "
             "machine (2 shared cores); each run on a fresh copy of the input. tollgate "
             f"`{vers.get('tollgate', '')}` (release build); cdxgen {vers.get('@cyclonedx/cdxgen')} "
             "(`--no-install-deps`, `FETCH_LICENSE=false`); cyclonedx-npm "
             f"{vers.get('@cyclonedx/cyclonedx-npm')} (`--package-lock-only`); "
             f"{vers.get('cargo-cyclonedx', 'cargo-cyclonedx: not installed')} (`--format json --target all`); node {vers.get('node')}.", "",
             "tollgate's time includes validating the SBOM it writes (schema + semantic rules + NTIA "
             "coverage), which the peers do not do. The machine is shared, so medians move between runs; "
             "the best-of-runs ratio is shown too.", "",
             "| input | tool | median | min | max | tollgate is (median) | tollgate is (best run) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    base = {r["input"]: r for r in results if r["tool"] == "tollgate" and "median" in r}
    for r in results:
        if "median" not in r:
            lines.append(f"| {r['input']} | {r['tool']} | {r['error']} | | | | |")
            continue
        b = base[r["input"]]
        ratio = "" if r["tool"] == "tollgate" else f"{r['median'] / b['median']:.1f}× faster"
        best = "" if r["tool"] == "tollgate" else f"{r['min'] / b['min']:.1f}× faster"
        lines.append(f"| {r['input']} | {r['tool']} | {r['median']:.3f} s | {r['min']:.3f} s | {r['max']:.3f} s "
                     f"| {ratio} | {best} |")
    lines += ["", "cargo-cyclonedx was installed by `cargo install --locked --root .tools/cargo cargo-cyclonedx` "
              "(0.5.9, 139 crates): 292 s of CPU (user + sys), 18 minutes of wall time niced on the shared "
              "cores — within the ~5 CPU-minute budget, so it is part of the comparison "
              "(`BENCH_INSTALL_CARGO_CYCLONEDX=1` installs it the same way).", ""]
    return "\n".join(lines)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tmp").mkdir(exist_ok=True)
    vers = versions()
    rows = agreement()
    results = speed() if os.environ.get("BENCH_SKIP_SPEED") != "1" else []
    (OUT / "results.json").write_text(json.dumps({"versions": vers, "agreement": rows, "speed": results}, indent=2))
    replace_section(ROOT / "docs" / "sbom-generate.md", "sbom-generate-agreement", agreement_md(rows, vers))
    if results:
        replace_section(ROOT / "docs" / "benchmarks.md", "sbom-generate-bench", speed_md(results, vers))
    unexplained = [d for r in rows if "skipped" not in r and "notComparable" not in r for d in r["onlyTollgate"] + r["onlyPeer"]
                   if d["why"] == "UNEXPLAINED"]
    log(f"{len(unexplained)} unexplained difference(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
