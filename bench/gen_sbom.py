#!/usr/bin/env python3
"""Deterministic synthetic SBOMs for benchmarking `tollgate sbom validate`.

Writes a CycloneDX 1.6 JSON or SPDX 2.3 JSON document with N library components that looks
like the output of a real generator (cdxgen, syft): package URLs of several ecosystems,
suppliers, SPDX licence ids and expressions, SHA-256/SHA-512 digests of the right length,
external references and a dependency graph in which each component depends on 0-3 others.
The same (format, N, seed) always gives byte-identical output. Standard library only.

    python3 bench/gen_sbom.py --format cyclonedx --components 20000 -o bench/out/cdx-20000.json
    python3 bench/gen_sbom.py --format spdx --components 20000 --seed 7 -o bench/out/spdx-20000.json

Every document is meant to be valid: schema-valid and free of tollgate semantic findings
(bench/run.sh checks that tollgate exits 0 on each one before timing it).
"""

import argparse
import json
import random
import sys
import uuid

# A fixed creation time, before the `--now` bench/run.sh passes to tollgate.
CREATED = "2026-11-20T09:30:00Z"

ECOSYSTEMS = ["npm", "npm", "npm", "pypi", "pypi", "maven", "maven", "cargo", "golang"]

SYLLABLES = [
    "ac", "al", "ar", "ba", "be", "bo", "ca", "ce", "co", "da", "de", "di", "do", "el", "en",
    "fa", "fe", "fi", "fo", "ga", "ge", "go", "ha", "he", "io", "ja", "jo", "ka", "ke", "la",
    "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "na", "ne", "no", "pa", "pe", "pi", "po",
    "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "ta", "te", "ti", "to", "tu", "va",
    "ve", "vi", "vo", "xa", "ya", "yo", "za", "ze", "zo",
]
WORDS = [
    "async", "buffer", "cache", "codec", "config", "core", "crypto", "css", "data", "date",
    "debug", "diff", "emitter", "env", "event", "fetch", "file", "format", "glob", "graph",
    "hash", "http", "io", "json", "jwt", "lexer", "log", "lru", "map", "math", "mime", "net",
    "parse", "path", "pool", "proto", "queue", "regex", "retry", "rpc", "schema", "semver",
    "serde", "shell", "sql", "stream", "string", "sync", "tar", "template", "text", "time",
    "tls", "toml", "trace", "tree", "url", "utf8", "utils", "uuid", "validate", "xml", "yaml",
    "zip",
]
SUFFIXES = ["", "", "", "-js", "-core", "-utils", "-lite", "-plus", "-rs", "-kit", "2", "3"]
ORGS = [
    "Acme Corp", "Apache Software Foundation", "Eclipse Foundation", "OpenJS Foundation",
    "Python Software Foundation", "Rust Project Developers", "Google LLC", "Microsoft",
    "Red Hat", "The Go Authors", "Independent maintainer", "FasterXML", "Pallets", "Tokio",
]
LICENSE_IDS = [
    "MIT", "MIT", "MIT", "Apache-2.0", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC",
    "MPL-2.0", "LGPL-2.1-or-later", "GPL-2.0-only", "EPL-2.0", "Unlicense", "0BSD", "Zlib",
    "BSD-3-Clause", "Python-2.0", "PostgreSQL",
]
LICENSE_EXPRESSIONS = [
    "Apache-2.0 OR MIT",
    "MIT OR Apache-2.0",
    "(MIT OR Apache-2.0) AND Unicode-DFS-2016",
    "MIT AND BSD-3-Clause",
    "GPL-2.0-or-later WITH Classpath-exception-2.0",
    "EPL-2.0 OR GPL-2.0-or-later WITH Classpath-exception-2.0",
    "BSD-2-Clause OR MIT OR Apache-2.0",
    "LGPL-2.1-only OR MPL-2.0",
]


class Names:
    """Unique, plausible package identities."""

    def __init__(self, rng):
        self.rng = rng
        self.seen = set()

    def word(self):
        r = self.rng
        if r.random() < 0.6:
            return r.choice(WORDS)
        return "".join(r.choice(SYLLABLES) for _ in range(r.randint(2, 3)))

    def version(self, eco):
        r = self.rng
        major = r.choice([0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 12, 20])
        v = f"{major}.{r.randint(0, 40)}.{r.randint(0, 30)}"
        if r.random() < 0.05:
            v += r.choice(["-beta.1", "-rc.2", "-alpha.3"]) if eco != "pypi" else r.choice(
                ["b1", "rc2", "a3"])
        if eco == "golang":
            v = "v" + v
        return v

    def make(self, i):
        """(ecosystem, group or None, name, version) never returned twice."""
        r = self.rng
        eco = ECOSYSTEMS[i % len(ECOSYSTEMS)] if r.random() < 0.5 else r.choice(ECOSYSTEMS)
        while True:
            base = self.word() + r.choice(["-", "-", "_", ""]) + self.word() + r.choice(SUFFIXES)
            group = None
            if eco == "npm":
                base = base.replace("_", "-")
                if r.random() < 0.3:
                    group = "@" + self.word()
            elif eco == "pypi":
                base = base.replace("_", "-")
            elif eco == "maven":
                group = r.choice(["org", "com", "io", "net"]) + "." + self.word() + "." + self.word()
            elif eco == "cargo":
                base = base.replace("-js", "")
            elif eco == "golang":
                group = r.choice(["github.com", "gitlab.com", "golang.org/x", "go.uber.org"])
                if group in ("github.com", "gitlab.com"):
                    group += "/" + self.word()
            version = self.version(eco)
            key = (eco, group, base, version)
            if key not in self.seen:
                self.seen.add(key)
                return eco, group, base, version


def purl(eco, group, name, version):
    if eco == "npm":
        ns = group.replace("@", "%40") + "/" if group else ""
        return f"pkg:npm/{ns}{name}@{version}"
    if eco == "pypi":
        return f"pkg:pypi/{name}@{version}"
    if eco == "maven":
        return f"pkg:maven/{group}/{name}@{version}?type=jar"
    if eco == "cargo":
        return f"pkg:cargo/{name}@{version}"
    if eco == "golang":
        return f"pkg:golang/{group}/{name}@{version}"
    raise ValueError(eco)


def homepage(eco, group, name):
    if eco == "npm":
        return f"https://www.npmjs.com/package/{group + '/' if group else ''}{name}"
    if eco == "pypi":
        return f"https://pypi.org/project/{name}/"
    if eco == "maven":
        return f"https://central.sonatype.com/artifact/{group}/{name}"
    if eco == "cargo":
        return f"https://crates.io/crates/{name}"
    return f"https://pkg.go.dev/{group}/{name}"


def vcs(rng, name):
    host = rng.choice(["github.com", "github.com", "gitlab.com", "codeberg.org"])
    return f"https://{host}/{rng.choice(WORDS)}-{rng.choice(SYLLABLES)}/{name}"


def hexdigest(rng, nbytes):
    return rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()


def dep_targets(rng, k, n):
    """0-3 distinct positions after k in a list of n (so the graph is a DAG, as real ones
    mostly are), mostly near neighbours (a package's deps tend to be listed close by)."""
    want = rng.choices([0, 1, 2, 3], weights=[30, 30, 25, 15])[0]
    later = n - k - 1
    want = min(want, later)
    out = set()
    while len(out) < want:
        if rng.random() < 0.7:
            j = k + 1 + min(later - 1, int(rng.expovariate(1 / 50)))
        else:
            j = rng.randint(k + 1, n - 1)
        out.add(j)
    return sorted(out)


def packages(rng, n):
    names = Names(rng)
    out = []
    for i in range(n):
        eco, group, name, version = names.make(i)
        lic_expr = rng.random() < 0.2
        p = purl(eco, group, name, version)
        out.append({
            "eco": eco,
            "group": group,
            "name": name,
            "version": version,
            "purl": p,
            "ref": p.replace("%40", "@"),
            "supplier": rng.choice(ORGS),
            "license": rng.choice(LICENSE_EXPRESSIONS) if lic_expr else rng.choice(LICENSE_IDS),
            "license_is_expr": lic_expr,
            "sha256": hexdigest(rng, 32),
            "sha512": hexdigest(rng, 64) if rng.random() < 0.5 else None,
            "homepage": homepage(eco, group, name) if rng.random() < 0.6 else None,
            "vcs": vcs(rng, name) if rng.random() < 0.4 else None,
            "scope": rng.choice(["required", "required", "required", "optional"]),
        })
    # Dependencies stay within an ecosystem, as in a real (non-monorepo) project.
    by_eco = {}
    for i, p in enumerate(out):
        by_eco.setdefault(p["eco"], []).append(i)
    for members in by_eco.values():
        for k, i in enumerate(members):
            out[i]["deps"] = [members[j] for j in dep_targets(rng, k, len(members))]
    # Whatever nothing depends on is a direct dependency of the application.
    depended = set()
    for p in out:
        depended.update(p["deps"])
    roots = [i for i in range(n) if i not in depended]
    return out, roots


def doc_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# ---------------------------------------------------------------------------- CycloneDX 1.6


def cyclonedx(n, seed):
    rng = random.Random(f"cyclonedx-{seed}-{n}")
    pkgs, roots = packages(rng, n)
    app_ref = "pkg:generic/acme/storefront@4.2.0"
    components = []
    for p in pkgs:
        # bom-ref is the purl with the npm scope's '@' left unencoded, as cdxgen writes it (and
        # as its cdx-validate insists: it rejects "%40" in dependency refs).
        c = {"type": "library", "bom-ref": p["ref"]}
        if p["group"] and p["eco"] in ("npm", "maven"):
            c["group"] = p["group"]
        c["name"] = p["name"]
        c["version"] = p["version"]
        c["scope"] = p["scope"]
        c["supplier"] = {"name": p["supplier"]}
        if p["homepage"]:
            c["supplier"]["url"] = [p["homepage"]]
        hashes = [{"alg": "SHA-256", "content": p["sha256"]}]
        if p["sha512"]:
            hashes.append({"alg": "SHA-512", "content": p["sha512"]})
        c["hashes"] = hashes
        if p["license_is_expr"]:
            c["licenses"] = [{"expression": p["license"]}]
        else:
            c["licenses"] = [{"license": {"id": p["license"]}}]
        c["purl"] = p["purl"]
        refs = []
        if p["vcs"]:
            refs.append({"type": "vcs", "url": p["vcs"]})
        if p["homepage"]:
            refs.append({"type": "website", "url": p["homepage"]})
        if refs:
            c["externalReferences"] = refs
        if p["eco"] == "npm":
            c["properties"] = [{"name": "cdx:npm:package:path",
                                "value": "node_modules/" + (p["group"] + "/" if p["group"] else "")
                                + p["name"]}]
        components.append(c)

    dependencies = [{"ref": app_ref, "dependsOn": [pkgs[i]["ref"] for i in roots]}]
    for p in pkgs:
        dependencies.append({"ref": p["ref"], "dependsOn": [pkgs[j]["ref"] for j in p["deps"]]})

    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:" + doc_uuid(rng),
        "version": 1,
        "metadata": {
            "timestamp": CREATED,
            "lifecycles": [{"phase": "build"}],
            "tools": {
                "components": [{
                    "type": "application",
                    "group": "tollgate-bench",
                    "name": "gen_sbom.py",
                    "version": "1.0.0",
                    "description": "Synthetic SBOM generator for benchmarks",
                }]
            },
            "authors": [{"name": "Release Engineering", "email": "release@example.com"}],
            "component": {
                "type": "application",
                "bom-ref": app_ref,
                "group": "acme",
                "name": "storefront",
                "version": "4.2.0",
                "purl": app_ref,
                "licenses": [{"license": {"id": "Apache-2.0"}}],
            },
            "supplier": {"name": "Acme Corp", "url": ["https://acme.example.com"]},
        },
        "components": components,
        "dependencies": dependencies,
    }


# ---------------------------------------------------------------------------- SPDX 2.3


def spdx(n, seed):
    rng = random.Random(f"spdx-{seed}-{n}")
    pkgs, roots = packages(rng, n)
    ids = [f"SPDXRef-Package-{p['eco']}-{i}" for i, p in enumerate(pkgs)]
    root_id = "SPDXRef-Package-storefront"
    packages_out = [{
        "name": "storefront",
        "SPDXID": root_id,
        "versionInfo": "4.2.0",
        "supplier": "Organization: Acme Corp",
        "downloadLocation": "https://acme.example.com/storefront/4.2.0.tar.gz",
        "filesAnalyzed": False,
        "licenseConcluded": "Apache-2.0",
        "licenseDeclared": "Apache-2.0",
        "copyrightText": "Copyright 2026 Acme Corp",
        "primaryPackagePurpose": "APPLICATION",
        "externalRefs": [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:generic/acme/storefront@4.2.0",
        }],
    }]
    for p, sid in zip(pkgs, ids):
        name = f"{p['group']}/{p['name']}" if p["group"] and p["eco"] in ("npm", "golang") else p["name"]
        e = {
            "name": name,
            "SPDXID": sid,
            "versionInfo": p["version"],
            "supplier": f"Organization: {p['supplier']}",
            "downloadLocation": (f"git+{p['vcs']}.git" if p["vcs"] else "NOASSERTION"),
            "filesAnalyzed": False,
            "licenseConcluded": p["license"],
            "licenseDeclared": p["license"],
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "LIBRARY",
        }
        if p["homepage"]:
            e["homepage"] = p["homepage"]
        checksums = [{"algorithm": "SHA256", "checksumValue": p["sha256"]}]
        if p["sha512"]:
            checksums.append({"algorithm": "SHA512", "checksumValue": p["sha512"]})
        e["checksums"] = checksums
        e["externalRefs"] = [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": p["purl"],
        }]
        packages_out.append(e)

    relationships = [{
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root_id,
    }]
    for i in roots:
        relationships.append({
            "spdxElementId": root_id,
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": ids[i],
        })
    for i, p in enumerate(pkgs):
        for j in p["deps"]:
            relationships.append({
                "spdxElementId": ids[i],
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": ids[j],
            })

    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "storefront-4.2.0",
        "documentNamespace": "https://acme.example.com/spdxdocs/storefront-4.2.0-" + doc_uuid(rng),
        "creationInfo": {
            "created": CREATED,
            "creators": ["Tool: gen_sbom.py-1.0.0", "Organization: Acme Corp"],
            "licenseListVersion": "3.24",
        },
        "packages": packages_out,
        "relationships": relationships,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", choices=["cyclonedx", "spdx"], required=True)
    ap.add_argument("--components", "-n", type=int, required=True, help="number of components")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--indent", type=int, default=2,
                    help="JSON indent (default 2, like cdxgen and syft); -1 for compact")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args(argv)
    if a.components < 1:
        ap.error("--components must be at least 1")
    doc = (cyclonedx if a.format == "cyclonedx" else spdx)(a.components, a.seed)
    kw = {"indent": a.indent} if a.indent >= 0 else {"separators": (",", ":")}
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    try:
        json.dump(doc, out, ensure_ascii=False, **kw)
        out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
