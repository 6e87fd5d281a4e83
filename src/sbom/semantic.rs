//! Semantic rules the JSON schemas cannot express. Each rule has its own code (see `diags.rs`)
//! and reports the JSON pointer of the offending value.

use super::diags as d;
use super::document::{Document, Family};
use super::fastjson::Json;
use crate::report::CodeInfo;
use foldhash::{HashMap, HashMapExt, HashSet};
use serde_json::Value;

/// A rule violation before it is placed in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub info: &'static CodeInfo,
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
}

fn finding(
    info: &'static CodeInfo,
    pointer: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        info,
        pointer: pointer.into(),
        message: message.into(),
        help: None,
    }
}

/// `/{key}/{i}`, formatted when needed.
#[derive(Clone, Copy)]
struct Pointer<'k> {
    key: &'k str,
    i: usize,
}

impl std::fmt::Display for Pointer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}/{}", self.key, self.i)
    }
}

/// Clock skew tolerated before a timestamp counts as "in the future".
pub const FUTURE_SKEW_SECONDS: i64 = 300;

/// The top-level arrays whose elements are checked one at a time (and may be streamed).
pub fn streamed_keys(family: Family) -> &'static [&'static str] {
    match family {
        Family::CycloneDx => &["components", "services", "dependencies"],
        Family::Spdx2 => &["packages", "files", "snippets", "relationships"],
        Family::Spdx3 => &[],
    }
}

/// Run every semantic rule over a whole parsed document.
pub fn check(doc: &Document, now: jiff::Timestamp) -> Vec<Finding> {
    let mut state = State::new(doc.family, &doc.version, now);
    for key in streamed_keys(doc.family) {
        for (i, item) in arr(&doc.value, key).iter().enumerate() {
            state.item(key, i, item);
        }
    }
    state.finish(&doc.value)
}

/// Identifiers (bom-ref, SPDXID) and the pointer of the element that defined each, kept in one
/// text buffer: a large SBOM defines tens of thousands of them, and a string (and a free at the
/// end) for each was a noticeable share of `sbom validate`'s time.
#[derive(Default)]
struct IdTable {
    text: String,
    /// (identifier, pointer) as ranges of `text`.
    table: hashbrown::HashTable<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    // Seeded per process: identifiers come from the document, which may be hostile.
    hasher: foldhash::fast::RandomState,
}

impl IdTable {
    fn hash(&self, id: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, id)
    }

    /// The pointer recorded for `id`.
    fn get(&self, id: &str) -> Option<&str> {
        let (_, pointer) = self
            .table
            .find(self.hash(id), |(k, _)| &self.text[k.clone()] == id)?;
        Some(&self.text[pointer.clone()])
    }

    fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Record `id` (not yet present) as defined at `pointer`.
    fn insert(&mut self, id: &str, pointer: &dyn std::fmt::Display) {
        use std::fmt::Write as _;
        let hash = self.hash(id);
        let start = self.text.len();
        self.text.push_str(id);
        let key = start..self.text.len();
        let _ = write!(self.text, "{pointer}");
        let at = key.end..self.text.len();
        let (text, hasher) = (&self.text, &self.hasher);
        self.table.insert_unique(hash, (key, at), |(k, _)| {
            std::hash::BuildHasher::hash_one(hasher, &text[k.clone()])
        });
    }
}

/// Incremental rule state: [`State::item`] for each element of the streamed arrays (in any
/// order), then [`State::finish`] with the rest of the document. References are resolved at the
/// end, so documents may define elements after referring to them.
pub struct State {
    family: Family,
    /// The document declares SPDX 2.2 (some 2.3 fields are then findings).
    spdx22: bool,
    now: jiff::Timestamp,
    out: Vec<Finding>,
    /// bom-ref / SPDXID → pointer of the element that defined it.
    ids: IdTable,
    /// References not resolvable when seen: (pointer, id, message prefix).
    pending: Vec<(String, String, &'static str)>,
    licenses: LicenseCache,
}

impl State {
    pub fn new(family: Family, version: &str, now: jiff::Timestamp) -> Self {
        State {
            family,
            spdx22: version == "2.2",
            now,
            out: Vec::new(),
            ids: IdTable::default(),
            pending: Vec::new(),
            licenses: LicenseCache::new(),
        }
    }

    fn define(&mut self, id: &str, pointer: &dyn std::fmt::Display, field: &str, what: &str) {
        if let Some(first) = self.ids.get(id) {
            self.out.push(finding(
                &d::DUPLICATE_REF,
                format!("{pointer}/{field}"),
                format!("{what} {id:?} is already used at {first}"),
            ));
        } else {
            self.ids.insert(id, pointer);
        }
    }

    /// `pointer` is only formatted for references not (yet) resolvable.
    fn refer(&mut self, pointer: impl FnOnce() -> String, id: &str, what: &'static str) {
        if !self.ids.contains_key(id) {
            self.pending.push((pointer(), id.to_string(), what));
        }
    }

    /// Check one element of a streamed top-level array.
    pub fn item<J: Json>(&mut self, key: &str, i: usize, v: &J) {
        // Formatted lazily where only findings need it (dependencies, relationships).
        let pointer = Pointer { key, i };
        match (self.family, key) {
            (Family::CycloneDx, "components") => self.cdx_component(v, pointer.to_string()),
            (Family::CycloneDx, "services") => self.cdx_service(v, pointer.to_string()),
            (Family::CycloneDx, "dependencies") => {
                if let Some(r) = str_of(v, "ref") {
                    self.refer(|| format!("{pointer}/ref"), r, "dependency ref");
                }
                for k in ["dependsOn", "provides"] {
                    for (j, t) in arr(v, k).iter().enumerate() {
                        if let Some(t) = t.as_str() {
                            let what = if k == "dependsOn" {
                                "dependsOn entry"
                            } else {
                                "provides entry"
                            };
                            self.refer(|| format!("{pointer}/{k}/{j}"), t, what);
                        }
                    }
                }
            }
            (Family::Spdx2, "packages") => self.spdx_package(v, &pointer),
            (Family::Spdx2, "files") => {
                if let Some(id) = str_of(v, "SPDXID") {
                    self.define(id, &pointer, "SPDXID", "SPDXID");
                }
                spdx_checksums_and_licenses(
                    v,
                    &pointer,
                    self.spdx22,
                    &mut self.licenses,
                    &mut self.out,
                );
            }
            (Family::Spdx2, "snippets") => {
                if let Some(id) = str_of(v, "SPDXID") {
                    self.define(id, &pointer, "SPDXID", "SPDXID");
                }
                spdx_checksums_and_licenses(
                    v,
                    &pointer,
                    self.spdx22,
                    &mut self.licenses,
                    &mut self.out,
                );
                if let Some(f) = str_of(v, "snippetFromFile") {
                    self.refer(
                        || format!("{pointer}/snippetFromFile"),
                        f,
                        "snippetFromFile",
                    );
                }
            }
            (Family::Spdx2, "relationships") => {
                for k in ["spdxElementId", "relatedSpdxElement"] {
                    if let Some(id) = str_of(v, k) {
                        let what = if k == "spdxElementId" {
                            "relationship spdxElementId"
                        } else {
                            "relationship relatedSpdxElement"
                        };
                        if id != "NOASSERTION" && id != "NONE" {
                            self.refer(|| format!("{pointer}/{k}"), id, what);
                        }
                    }
                }
                if self.spdx22
                    && let Some(t) = str_of(v, "relationshipType")
                    && SPDX23_RELATIONSHIPS.contains(&t)
                {
                    self.out
                        .push(version_field(format!("{pointer}/relationshipType"), t));
                }
            }
            _ => {}
        }
    }

    /// Check the rest of the document and resolve references; returns every finding.
    pub fn finish(mut self, v: &Value) -> Vec<Finding> {
        match self.family {
            Family::CycloneDx => self.cdx_finish(v),
            Family::Spdx2 => self.spdx_finish(v),
            Family::Spdx3 => spdx3(v, self.now, &mut self.licenses, &mut self.out),
        }
        self.out
    }

    // ------------------------------------------------------------ CycloneDX

    fn cdx_component<J: Json>(&mut self, c: &J, pointer: String) {
        if let Some(r) = str_of(c, "bom-ref") {
            self.define(r, &pointer, "bom-ref", "bom-ref");
        }
        if let Some(p) = str_of(c, "purl") {
            check_purl(p, || format!("{pointer}/purl"), &mut self.out);
        }
        if c.get("version").is_none() && str_of(c, "type") == Some("library") {
            self.out.push(finding(
                &d::MISSING_VERSION,
                pointer.clone(),
                format!(
                    "component {:?} has no version",
                    str_of(c, "name").unwrap_or("?")
                ),
            ));
        }
        cdx_hashes_and_licenses(c, &pointer, &mut self.licenses, &mut self.out);
        for (i, child) in arr(c, "components").iter().enumerate() {
            self.cdx_component(child, format!("{pointer}/components/{i}"));
        }
    }

    fn cdx_service<J: Json>(&mut self, s: &J, pointer: String) {
        if let Some(r) = str_of(s, "bom-ref") {
            self.define(r, &pointer, "bom-ref", "bom-ref");
        }
        cdx_hashes_and_licenses(s, &pointer, &mut self.licenses, &mut self.out);
        for (i, child) in arr(s, "services").iter().enumerate() {
            self.cdx_service(child, format!("{pointer}/services/{i}"));
        }
    }

    fn cdx_finish(&mut self, v: &Value) {
        if let Some(sn) = str_of(v, "serialNumber") {
            let ok = sn
                .strip_prefix("urn:uuid:")
                .is_some_and(|u| u.len() == 36 && uuid::Uuid::parse_str(u).is_ok());
            if !ok {
                self.out.push(finding(
                    &d::SERIAL_NUMBER,
                    "/serialNumber",
                    format!("serialNumber {sn:?} is not an RFC 4122 URN (urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"),
                ));
            }
        }
        if let Some(ts) = v.pointer("/metadata/timestamp").and_then(Value::as_str) {
            check_timestamp(ts, "/metadata/timestamp".into(), self.now, &mut self.out);
        }
        if let Some(mc) = v.pointer("/metadata/component") {
            self.cdx_component(mc, "/metadata/component".into());
        }
        // Other referenceable elements (1.5+) are registered, not checked in depth.
        for key in [
            "vulnerabilities",
            "formulation",
            "annotations",
            "definitions",
        ] {
            for (i, e) in arr(v, key).iter().enumerate() {
                if let Some(r) = str_of(e, "bom-ref") {
                    self.define(r, &format!("/{key}/{i}"), "bom-ref", "bom-ref");
                }
            }
        }
        for (i, comp) in arr(v, "compositions").iter().enumerate() {
            for key in ["assemblies", "dependencies"] {
                for (j, t) in arr(comp, key).iter().enumerate() {
                    if let Some(t) = t.as_str() {
                        let what = if key == "assemblies" {
                            "composition assemblies entry"
                        } else {
                            "composition dependencies entry"
                        };
                        self.refer(|| format!("/compositions/{i}/{key}/{j}"), t, what);
                    }
                }
            }
        }
        for (pointer, id, what) in std::mem::take(&mut self.pending) {
            if !self.ids.contains_key(&id) {
                self.out.push(finding(
                    &d::DANGLING_REF,
                    pointer,
                    format!("{what} {id:?} matches no component or service bom-ref"),
                ));
            }
        }
    }

    // ------------------------------------------------------------ SPDX 2

    fn spdx_package<J: Json>(&mut self, p: &J, base: &dyn std::fmt::Display) {
        if let Some(id) = str_of(p, "SPDXID") {
            self.define(id, base, "SPDXID", "SPDXID");
        }
        for (j, f) in arr(p, "hasFiles").iter().enumerate() {
            if let Some(id) = f.as_str() {
                self.refer(|| format!("{base}/hasFiles/{j}"), id, "hasFiles entry");
            }
        }
        for (j, r) in arr(p, "externalRefs").iter().enumerate() {
            if str_of(r, "referenceType") == Some("purl")
                && let Some(loc) = str_of(r, "referenceLocator")
            {
                check_purl(
                    loc,
                    || format!("{base}/externalRefs/{j}/referenceLocator"),
                    &mut self.out,
                );
            }
        }
        spdx_checksums_and_licenses(p, base, self.spdx22, &mut self.licenses, &mut self.out);
        if let Some(code) = p
            .get("packageVerificationCode")
            .and_then(|c| str_of(c, "packageVerificationCodeValue"))
        {
            check_hash(
                "SHA1",
                code,
                || format!("{base}/packageVerificationCode/packageVerificationCodeValue"),
                &mut self.out,
            );
        }
        if self.spdx22 {
            for f in SPDX23_PACKAGE_FIELDS {
                if p.get(f).is_some() {
                    self.out.push(version_field(format!("{base}/{f}"), f));
                }
            }
        }
    }

    fn spdx_finish(&mut self, v: &Value) {
        if let Some(ns) = str_of(v, "documentNamespace") {
            let scheme_ok = ns.split_once(':').is_some_and(|(s, rest)| {
                s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                    && !rest.is_empty()
            });
            if !scheme_ok || ns.contains('#') || ns.chars().any(char::is_whitespace) {
                self.out.push(finding(
                    &d::SERIAL_NUMBER,
                    "/documentNamespace",
                    format!(
                        "documentNamespace {ns:?} must be an absolute URI without '#' or spaces"
                    ),
                ));
            }
        }
        if let Some(ts) = v.pointer("/creationInfo/created").and_then(Value::as_str) {
            check_timestamp(ts, "/creationInfo/created".into(), self.now, &mut self.out);
        }
        if let Some(id) = str_of(v, "SPDXID") {
            self.define(id, &"", "SPDXID", "SPDXID");
        }
        for (i, id) in arr(v, "documentDescribes").iter().enumerate() {
            if let Some(id) = id.as_str() {
                self.refer(
                    || format!("/documentDescribes/{i}"),
                    id,
                    "documentDescribes entry",
                );
            }
        }
        let external: HashSet<&str> = arr(v, "externalDocumentRefs")
            .iter()
            .filter_map(|r| str_of(r, "externalDocumentId"))
            .collect();
        for (pointer, id, what) in std::mem::take(&mut self.pending) {
            // DocumentRef-x:SPDXRef-y points into another document declared in externalDocumentRefs.
            let external_ok = id
                .split_once(':')
                .is_some_and(|(docref, _)| external.contains(docref));
            if !self.ids.contains_key(&id) && !external_ok {
                self.out.push(finding(
                    &d::DANGLING_REF,
                    pointer,
                    format!("{what} {id:?} matches no SPDXID in the document"),
                ));
            }
        }
    }
}

// ---------------------------------------------------------------- shared rules

/// Expected hex length of a digest; `None` for algorithms of variable length.
fn hash_len(alg: &str) -> Option<std::ops::RangeInclusive<usize>> {
    // `model::normalise_alg` without allocating: the known names are at most 10 characters.
    let mut buf = [0u8; 16];
    let mut n = 0;
    for c in alg.bytes().filter(u8::is_ascii_alphanumeric) {
        *buf.get_mut(n)? = c.to_ascii_uppercase();
        n += 1;
    }
    Some(match std::str::from_utf8(&buf[..n]).ok()? {
        "MD2" | "MD4" | "MD5" => 32..=32,
        "SHA1" => 40..=40,
        "SHA224" | "SHA3224" => 56..=56,
        "SHA256" | "SHA3256" | "BLAKE2B256" => 64..=64,
        "SHA384" | "SHA3384" | "BLAKE2B384" => 96..=96,
        "SHA512" | "SHA3512" | "BLAKE2B512" => 128..=128,
        // BLAKE3 has extendable output; 256 bits is the default and the minimum we accept.
        "BLAKE3" => 64..=1024,
        "ADLER32" => 8..=8,
        "MD6" => 1..=128,
        _ => return None,
    })
}

/// Pointers are formatted only for findings (`pointer` is called once, if at all).
fn check_hash(alg: &str, value: &str, pointer: impl FnOnce() -> String, out: &mut Vec<Finding>) {
    let Some(range) = hash_len(alg) else { return };
    // Without an early exit the check vectorises; digests are up to 128 characters.
    let hex = value.bytes().fold(true, |ok, c| {
        ok & ((c.wrapping_sub(b'0') < 10) | ((c | 0x20).wrapping_sub(b'a') < 6))
    });
    if !hex || !range.contains(&value.len()) {
        let want = if range.start() == range.end() {
            format!("{} hex characters", range.start())
        } else {
            format!("{}-{} hex characters", range.start(), range.end())
        };
        let what = if hex {
            format!("{} characters", value.len())
        } else {
            "non-hex characters".to_string()
        };
        out.push(finding(
            &d::HASH_LENGTH,
            pointer(),
            format!("{alg} digest has {what}; a {alg} digest is {want}"),
        ));
    }
}

fn check_purl(purl: &str, pointer: impl FnOnce() -> String, out: &mut Vec<Finding>) {
    if purl_certainly_valid(purl) {
        return;
    }
    if let Err(e) = purl.parse::<packageurl::PackageUrl>() {
        out.push(finding(
            &d::INVALID_PURL,
            pointer(),
            format!("invalid package URL {purl:?}: {e}"),
        ));
    }
}

/// Types whose namespace `packageurl` requires, or prohibits (its `types.rs` rules).
const PURL_NAMESPACE_REQUIRED: &[&str] = &[
    "composer",
    "cpan",
    "huggingface",
    "swift",
    "vscode-extension",
];
const PURL_NAMESPACE_PROHIBITED: &[&str] = &[
    "bitnami",
    "cargo",
    "chrome-extension",
    "cocoapods",
    "conda",
    "cran",
    "gem",
    "hackage",
    "julia",
    "mlflow",
    "nuget",
    "oci",
    "otp",
    "pub",
    "pypi",
    "vcpkg",
];
/// Types with rules beyond the namespace (required qualifiers, name or version forms).
const PURL_OTHER_RULES: &[&str] = &["chrome-extension", "cpan", "julia", "mlflow"];

/// `true` only when `packageurl` certainly parses `purl`: the common shape
/// `pkg:type/[namespace/]name[@version][?qualifiers]` without a subpath, with percent-escapes
/// only of ASCII characters other than '/', for a type whose only rule is about its namespace.
/// Anything else (valid or not) answers `false` and goes through the real parser, which also
/// words the finding. This mirrors `PackageUrl::from_str` of packageurl 0.7: a test compares
/// the two.
fn purl_certainly_valid(purl: &str) -> bool {
    let Some(rest) = purl.strip_prefix("pkg:") else {
        return false;
    };
    let b = rest.as_bytes();
    if b.first() == Some(&b'/') || memchr::memchr(b'#', b).is_some() {
        return false;
    }
    // Percent-escapes decode to ASCII other than '/', so every part stays valid UTF-8 and no
    // namespace segment gains a '/'.
    let mut escapes = memchr::memchr_iter(b'%', b);
    let escapes_ok = escapes.all(|i| {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        matches!((hex(i + 1), hex(i + 2)), (Some(h), Some(l)) if h < 8 && h * 16 + l != u32::from(b'/'))
    });
    if !escapes_ok {
        return false;
    }
    let (main, qualifiers) = match rest.split_once('?') {
        Some((main, q)) => (main, Some(q)),
        None => (rest, None),
    };
    // Qualifiers with an empty value are dropped; the others need a valid key.
    let qualifiers_ok = qualifiers.is_none_or(|q| {
        !q.contains('?')
            && q.split('&').all(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                value.is_empty()
                    || key.bytes().next().is_some_and(|c| !c.is_ascii_digit())
                        && key
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
            })
    });
    if !qualifiers_ok {
        return false;
    }
    // The last '@' starts the version unless a '/' follows it (an npm scope).
    let before_version = match memchr::memrchr(b'@', main.as_bytes()) {
        Some(i) if memchr::memchr(b'/', &main.as_bytes()[i + 1..]).is_none() => &main[..i],
        _ => main,
    };
    let Some(slash) = before_version.find('/') else {
        return false;
    };
    let ty = &before_version[..slash];
    let type_ok = ty.bytes().next().is_some_and(|c| !c.is_ascii_digit())
        && ty
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+'));
    let path = &before_version[slash + 1..];
    if !type_ok || path.ends_with('/') {
        return false;
    }
    let path = path.trim_matches('/');
    let (has_namespace, name) = match path.rfind('/') {
        Some(i) => (true, &path[i + 1..]),
        None => (false, path),
    };
    if name.is_empty() {
        return false;
    }
    // Types compare case-insensitively (without lowercasing a copy: one per component).
    let listed = |types: &[&str]| types.iter().any(|t| t.eq_ignore_ascii_case(ty));
    let namespace_ok = if has_namespace {
        !listed(PURL_NAMESPACE_PROHIBITED)
    } else {
        !listed(PURL_NAMESPACE_REQUIRED)
    };
    namespace_ok && !listed(PURL_OTHER_RULES)
}

fn license_mode() -> spdx::ParseMode {
    spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    }
}

/// Licence expression → why it does not parse (`None`: it parses). Documents repeat a few
/// dozen expressions thousands of times, so each is parsed once.
pub(crate) type LicenseCache = HashMap<String, Option<String>>;

fn check_license(
    expr: &str,
    pointer: impl FnOnce() -> String,
    cache: &mut LicenseCache,
    out: &mut Vec<Finding>,
    spdx_doc: bool,
) {
    let e = expr.trim();
    if spdx_doc && (e == "NOASSERTION" || e == "NONE") {
        return;
    }
    let reason = match cache.get(e) {
        Some(r) => r,
        None => {
            let r = spdx::Expression::parse_mode(e, license_mode())
                .err()
                .filter(|_| {
                    canonical_case(e).is_none_or(|canonical| {
                        spdx::Expression::parse_mode(&canonical, license_mode()).is_err()
                    })
                })
                .map(|err| err.reason.to_string());
            cache.entry(e.to_string()).or_insert(r)
        }
    };
    if let Some(reason) = reason {
        out.push(finding(
            &d::INVALID_LICENSE,
            pointer(),
            format!("invalid SPDX licence expression {expr:?}: {reason}"),
        ));
    }
}

/// `expr` with every licence and exception identifier in the SPDX list's spelling (`mit` →
/// `MIT`), or `None` when nothing changes. SPDX identifiers match case-insensitively (SPDX 2.3
/// annex D), while the `spdx` crate's strict mode compares them exactly.
fn canonical_case(expr: &str) -> Option<String> {
    let mut out = String::with_capacity(expr.len());
    let mut changed = false;
    let is_separator = |c: char| c.is_whitespace() || c == '(' || c == ')';
    let mut rest = expr;
    while let Some(c) = rest.chars().next() {
        if is_separator(c) {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(is_separator).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        rest = after;
        let (id, plus) = match token.strip_suffix('+') {
            Some(id) => (id, "+"),
            None => (token, ""),
        };
        let listed = spdx::identifiers::LICENSES
            .iter()
            .map(|l| l.name)
            .chain(spdx::identifiers::EXCEPTIONS.iter().map(|x| x.name))
            .find(|name| name.eq_ignore_ascii_case(id));
        match listed {
            Some(name) if name != id => {
                changed = true;
                out.push_str(name);
                out.push_str(plus);
            }
            _ => out.push_str(token),
        }
    }
    changed.then_some(out)
}

fn check_timestamp(ts: &str, pointer: String, now: jiff::Timestamp, out: &mut Vec<Finding>) {
    let Ok(t) = ts.parse::<jiff::Timestamp>() else {
        return; // malformed timestamps are the schema's `date-time` format finding
    };
    if t.as_second() > now.as_second() + FUTURE_SKEW_SECONDS {
        out.push(finding(
            &d::FUTURE_TIMESTAMP,
            pointer,
            format!("timestamp {ts} is after now ({now})"),
        ));
    }
}

fn str_of<'a, J: Json>(v: &'a J, k: &str) -> Option<&'a str> {
    v.get(k).and_then(J::as_str)
}

fn arr<'a, J: Json>(v: &'a J, k: &str) -> &'a [J] {
    v.get(k).and_then(J::as_array).unwrap_or(&[])
}

// ---------------------------------------------------------------- CycloneDX

fn cdx_hashes_and_licenses<J: Json>(
    c: &J,
    pointer: &str,
    cache: &mut LicenseCache,
    out: &mut Vec<Finding>,
) {
    for (i, h) in arr(c, "hashes").iter().enumerate() {
        if let (Some(alg), Some(content)) = (str_of(h, "alg"), str_of(h, "content")) {
            check_hash(
                alg,
                content,
                || format!("{pointer}/hashes/{i}/content"),
                out,
            );
        }
    }
    for (i, l) in arr(c, "licenses").iter().enumerate() {
        if let Some(e) = str_of(l, "expression") {
            check_license(
                e,
                || format!("{pointer}/licenses/{i}/expression"),
                cache,
                out,
                false,
            );
        }
    }
}

// ---------------------------------------------------------------- SPDX 2

/// Fields that exist only from SPDX 2.3 on (checked when a document declares 2.2).
const SPDX23_PACKAGE_FIELDS: &[&str] = &[
    "primaryPackagePurpose",
    "releaseDate",
    "builtDate",
    "validUntilDate",
];
const SPDX23_CHECKSUMS: &[&str] = &[
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
    "ADLER32",
];
const SPDX23_RELATIONSHIPS: &[&str] = &["REQUIREMENT_DESCRIPTION_FOR", "SPECIFICATION_FOR"];

fn version_field(pointer: String, what: &str) -> Finding {
    finding(
        &d::VERSION_FIELDS,
        pointer,
        format!("{what:?} exists only from SPDX 2.3 on, but the document declares SPDX-2.2"),
    )
}

fn spdx_checksums_and_licenses<J: Json>(
    e: &J,
    base: &dyn std::fmt::Display,
    spdx22: bool,
    cache: &mut LicenseCache,
    out: &mut Vec<Finding>,
) {
    for (j, c) in arr(e, "checksums").iter().enumerate() {
        if let (Some(alg), Some(val)) = (str_of(c, "algorithm"), str_of(c, "checksumValue")) {
            check_hash(
                alg,
                val,
                || format!("{base}/checksums/{j}/checksumValue"),
                out,
            );
            if spdx22 && SPDX23_CHECKSUMS.contains(&alg) {
                out.push(version_field(
                    format!("{base}/checksums/{j}/algorithm"),
                    alg,
                ));
            }
        }
    }
    for key in ["licenseConcluded", "licenseDeclared"] {
        if let Some(l) = str_of(e, key) {
            check_license(l, || format!("{base}/{key}"), cache, out, true);
        }
    }
    for key in [
        "licenseInfoFromFiles",
        "licenseInfoInFiles",
        "licenseInfoInSnippets",
    ] {
        for (j, l) in arr(e, key).iter().enumerate() {
            if let Some(l) = l.as_str() {
                check_license(l, || format!("{base}/{key}/{j}"), cache, out, true);
            }
        }
    }
}

// ---------------------------------------------------------------- SPDX 3

fn spdx3(v: &Value, now: jiff::Timestamp, cache: &mut LicenseCache, out: &mut Vec<Finding>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let graph = arr(v, "@graph");
    for (i, e) in graph.iter().enumerate() {
        let id = str_of(e, "spdxId").or_else(|| str_of(e, "@id"));
        if let Some(id) = id {
            if let Some(first) = ids.get(id) {
                out.push(finding(
                    &d::DUPLICATE_REF,
                    format!("/@graph/{i}"),
                    format!("spdxId {id:?} is already used at /@graph/{first}"),
                ));
            } else {
                ids.insert(id, i);
            }
        }
        if str_of(e, "type") == Some("CreationInfo")
            && let Some(ts) = str_of(e, "created")
        {
            check_timestamp(ts, format!("/@graph/{i}/created"), now, out);
        }
        if let Some(p) = str_of(e, "software_packageUrl") {
            check_purl(p, || format!("/@graph/{i}/software_packageUrl"), out);
        }
        for (j, h) in arr(e, "verifiedUsing").iter().enumerate() {
            if let (Some(alg), Some(val)) = (str_of(h, "algorithm"), str_of(h, "hashValue")) {
                check_hash(
                    alg,
                    val,
                    || format!("/@graph/{i}/verifiedUsing/{j}/hashValue"),
                    out,
                );
            }
        }
        if str_of(e, "type") == Some("simplelicensing_LicenseExpression")
            && let Some(l) = str_of(e, "simplelicensing_licenseExpression")
        {
            check_license(
                l,
                || format!("/@graph/{i}/simplelicensing_licenseExpression"),
                cache,
                out,
                true,
            );
        }
    }
    // Relationship endpoints must be elements of this graph, or IRIs of other documents.
    for (i, e) in graph.iter().enumerate() {
        if str_of(e, "type") != Some("Relationship") {
            continue;
        }
        let local = |id: &str| ids.contains_key(id) || id.contains("://") || id.contains(':');
        if let Some(from) = str_of(e, "from")
            && !local(from)
        {
            out.push(finding(
                &d::DANGLING_REF,
                format!("/@graph/{i}/from"),
                format!("relationship from {from:?} matches no element"),
            ));
        }
        for (j, to) in arr(e, "to").iter().enumerate() {
            if let Some(to) = to.as_str()
                && !local(to)
            {
                out.push(finding(
                    &d::DANGLING_REF,
                    format!("/@graph/{i}/to/{j}"),
                    format!("relationship to {to:?} matches no element"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::document::parse;

    fn codes(json: &str) -> Vec<&'static str> {
        let doc = parse("t.json", json.to_string()).unwrap();
        let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        check(&doc, now).iter().map(|f| f.info.code).collect()
    }

    /// Licence and exception identifiers match case-insensitively (SPDX 2.3 annex D); unknown
    /// identifiers stay invalid whatever their case.
    #[test]
    fn licence_identifiers_match_case_insensitively() {
        let findings = |expr: &str| {
            let mut out = Vec::new();
            check_license(
                expr,
                || "/x".into(),
                &mut LicenseCache::default(),
                &mut out,
                false,
            );
            out.len()
        };
        for ok in [
            "MIT",
            "mit",
            "apache-2.0 OR mit",
            "(gpl-2.0-only WITH classpath-exception-2.0) AND bsd-3-clause",
            "apache-2.0+",
            "LicenseRef-acme",
        ] {
            assert_eq!(findings(ok), 0, "{ok}");
        }
        for bad in ["not-a-licence", "mit ANDD bsd-3-clause", "mit AND", "(mit"] {
            assert_eq!(findings(bad), 1, "{bad}");
        }
        assert_eq!(
            canonical_case("mit OR apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(canonical_case("MIT OR Apache-2.0"), None);
    }

    #[test]
    fn cyclonedx_rules_fire() {
        let got = codes(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:nope",
            "metadata":{"timestamp":"2030-01-01T00:00:00Z"},
            "components":[
              {"type":"library","bom-ref":"a","name":"a","version":"1","purl":"pkg:npm/a@1",
               "hashes":[{"alg":"SHA-256","content":"abcd"}],
               "licenses":[{"expression":"MIT AND NOPE-1.0"}]},
              {"type":"library","bom-ref":"a","name":"b","purl":"not a purl"}],
            "dependencies":[{"ref":"a","dependsOn":["zzz"]}]}"#,
        );
        for c in [
            "SBOM003", "SBOM004", "SBOM005", "SBOM006", "SBOM007", "SBOM008", "SBOM009", "SBOM011",
        ] {
            assert!(got.contains(&c), "{c} missing from {got:?}");
        }
    }

    #[test]
    fn clean_cyclonedx_is_clean() {
        let got = codes(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6",
            "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "metadata":{"timestamp":"2025-01-01T00:00:00Z","component":{"type":"application","bom-ref":"app","name":"app"}},
            "components":[{"type":"library","bom-ref":"a","name":"a","version":"1","purl":"pkg:npm/a@1",
               "hashes":[{"alg":"SHA-1","content":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}],
               "licenses":[{"expression":"MIT OR Apache-2.0"}]}],
            "dependencies":[{"ref":"app","dependsOn":["a"]},{"ref":"a"}]}"#,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    /// The quick purl check accepts only what `packageurl` accepts.
    #[test]
    fn purl_pre_check_agrees_with_packageurl() {
        let mut purls: Vec<String> = [
            "pkg:npm/a@1",
            "pkg:npm/@babel/core@7.0.0",
            "pkg:npm/%40babel/core@7.0.0",
            "pkg:npm/a@",
            "pkg:npm/a@1/x",
            "pkg:npm/a/",
            "pkg:npm//a",
            "pkg:npm/",
            "pkg:npm",
            "pkg:/npm/a",
            "pkg://npm/a",
            "pkg:NPM/Left-Pad@1",
            "pkg:1npm/a",
            "pkg:n_pm/a",
            "pkg:maven/org.apache/commons@1.2",
            "pkg:maven/org.apache/./commons@1.2",
            "pkg:maven/org.apache/../commons@1.2",
            "pkg:maven/a//b@1",
            "pkg:golang/github.com/x/y@v1.2.3",
            "pkg:pypi/Django_Rest@1.0",
            "pkg:pypi/ns/django@1.0",
            "pkg:composer/laravel@1",
            "pkg:composer/vendor/laravel@1",
            "pkg:cpan/Foo::Bar@1",
            "pkg:cpan/AUTHOR/Foo-Bar@1",
            "pkg:julia/Foo@1",
            "pkg:julia/Foo@1?uuid=x",
            "pkg:chrome-extension/abcdefghijklmnopabcdefghijklmnop@1.2",
            "pkg:mlflow/model@1",
            "pkg:generic/acme/storefront@4.2.0",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386#sub",
            "pkg:gem/ruby-advisory-db-check@0.12.4",
            "pkg:cargo/serde@1.0",
            "pkg:cargo/ns/serde@1.0",
            "pkg:swift/Alamofire@5",
            "pkg:swift/github.com/Alamofire/Alamofire@5",
            "pkg:nuget/Newtonsoft.Json@13",
            "pkg:a.b+c-d/x@1",
            "pkg:npm/caf\u{e9}@1",
            "pkg:npm/a b@1",
            "pkg:npm/@1",
            "pkg:npm/a@@1",
            "pkg:npm/x/@1",
            "PKG:npm/a@1",
            "pkg:",
            "",
            "not a purl",
            "pkg:maven/org.x/y@1?type=jar",
            "pkg:maven/org.x/y@1?type=jar&classifier=sources",
            "pkg:maven/org.x/y@1?Type=jar",
            "pkg:maven/org.x/y@1?1type=jar",
            "pkg:maven/org.x/y@1?1type=",
            "pkg:maven/org.x/y@1?1type",
            "pkg:maven/org.x/y@1?",
            "pkg:maven/org.x/y@1?&",
            "pkg:maven/org.x/y@1?ty pe=jar",
            "pkg:maven/org.x/y@1?a=b?c=d",
            "pkg:maven/org.x/y@1?a=%20",
            "pkg:maven/org.x/y@1?a=@/x",
            "pkg:maven/org.x/y?a=b@1",
            "pkg:maven/org.x/y@1#sub/path",
            "pkg:maven/org.x/y@1?a=b#sub",
            "pkg:npm/%40s/x@1",
            "pkg:npm/%2Fs/x@1",
            "pkg:npm/%2fs/x@1",
            "pkg:npm/s/x%2F@1",
            "pkg:npm/%C3%A9/x@1",
            "pkg:npm/%ZZ/x@1",
            "pkg:npm/x%4",
            "pkg:npm/x%",
            "pkg:npm/x@%31",
            "pkg:np%6D/x@1",
            "pkg:julia/Foo@1?uuid=1",
            "pkg:pypi/x@1?file_name=x.whl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every type with a rule, with and without a namespace.
        for ty in PURL_NAMESPACE_REQUIRED
            .iter()
            .chain(PURL_NAMESPACE_PROHIBITED)
            .chain(PURL_OTHER_RULES)
            .chain(&[
                "apk",
                "bitbucket",
                "deb",
                "github",
                "golang",
                "hex",
                "npm",
                "qpkg",
                "rpm",
            ])
        {
            purls.push(format!("pkg:{ty}/name@1"));
            purls.push(format!("pkg:{ty}/ns/name@1"));
            purls.push(format!("pkg:{}/ns/name@1", ty.to_uppercase()));
        }
        for p in &purls {
            let real = p.parse::<packageurl::PackageUrl>().is_ok();
            if purl_certainly_valid(p) {
                assert!(
                    real,
                    "{p} accepted by the pre-check, rejected by packageurl"
                );
            }
        }
        for p in [
            "pkg:npm/a@1",
            "pkg:npm/@babel/core@7.0.0",
            "pkg:maven/org.apache/commons@1.2",
            "pkg:pypi/django@1.0",
            "pkg:golang/github.com/x/y@v1.2.3",
            "pkg:cargo/serde@1.0",
            "pkg:maven/org.x/y@1?type=jar",
            "pkg:npm/%40s/x@1",
        ] {
            assert!(purl_certainly_valid(p), "{p} should take the quick path");
        }
    }

    #[test]
    fn spdx_rules_fire() {
        let got = codes(
            r#"{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT","documentNamespace":"no-scheme#x",
            "creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: x"]},
            "packages":[{"SPDXID":"SPDXRef-a","name":"a","primaryPackagePurpose":"LIBRARY",
               "licenseConcluded":"GPL-2.0-only WITH Nothing","checksums":[{"algorithm":"SHA1","checksumValue":"zz"}]},
              {"SPDXID":"SPDXRef-a","name":"b"}],
            "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-missing"}]}"#,
        );
        for c in [
            "SBOM003", "SBOM004", "SBOM006", "SBOM007", "SBOM008", "SBOM010",
        ] {
            assert!(got.contains(&c), "{c} missing from {got:?}");
        }
    }

    /// A repeated identifier names where it was first defined; references resolve against every
    /// identifier, defined before or after them.
    #[test]
    fn duplicates_name_the_first_definition() {
        let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let findings = |json: &str| {
            let doc = parse("t.json", json.to_string()).unwrap();
            check(&doc, now)
                .into_iter()
                .map(|f| (f.info.code, f.pointer, f.message))
                .collect::<Vec<_>>()
        };
        let spdx = findings(
            r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentNamespace":"https://x/y",
            "creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: x"]},
            "relationships":[{"spdxElementId":"SPDXRef-b","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"}],
            "packages":[{"SPDXID":"SPDXRef-a","name":"a"},{"SPDXID":"SPDXRef-b","name":"b"},
              {"SPDXID":"SPDXRef-a","name":"c"},{"SPDXID":"SPDXRef-DOCUMENT","name":"d"}]}"#,
        );
        assert_eq!(
            spdx,
            vec![
                (
                    "SBOM003",
                    "/packages/2/SPDXID".to_string(),
                    r#"SPDXID "SPDXRef-a" is already used at /packages/0"#.to_string()
                ),
                (
                    "SBOM003",
                    "/SPDXID".to_string(),
                    r#"SPDXID "SPDXRef-DOCUMENT" is already used at /packages/3"#.to_string()
                ),
            ]
        );
        let cdx = findings(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
              {"type":"library","name":"a","bom-ref":"r1","components":[{"type":"library","name":"b","bom-ref":"r1"}]}]}"#,
        );
        let dup: Vec<_> = cdx.iter().filter(|f| f.0 == "SBOM003").collect();
        assert_eq!(dup.len(), 1, "{cdx:?}");
        assert_eq!(dup[0].2, r#"bom-ref "r1" is already used at /components/0"#);
    }
}
