//! One internal view of the components of any SBOM (CycloneDX, SPDX 2, SPDX 3), used by the
//! profile checks and by `sbom diff`. It borrows nothing: documents can be dropped afterwards.

use super::document::{Document, Family};
use super::fastjson::Json;
use foldhash::{HashSet, HashSetExt};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A package/component as far as tollgate compares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Component {
    /// JSON pointer of the component in its document.
    pub pointer: String,
    /// bom-ref (CycloneDX) or SPDXID (SPDX).
    pub reference: Option<String>,
    pub name: String,
    pub group: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub swid: bool,
    pub supplier: Option<String>,
    /// Licences as one normalised expression (`A AND B` for several CycloneDX entries).
    pub license: Option<String>,
    /// Hash algorithm (normalised: upper case, no dashes, e.g. `SHA256`) → lower-case hex.
    pub hashes: BTreeMap<String, String>,
    /// Takes part in at least one dependency relationship.
    pub in_dependency_graph: bool,
}

impl Component {
    /// The identity used to match components across SBOMs: purl without version, qualifiers
    /// and subpath; else `group/name`.
    pub fn match_key(&self) -> String {
        if let Some(key) = self.purl_key() {
            return key;
        }
        match &self.group {
            Some(g) if !g.is_empty() => format!("{}/{}", g, self.name).to_lowercase(),
            _ => self.name.to_lowercase(),
        }
    }

    /// [`Component::match_key`] as a value that cannot collide: a purl-less component named
    /// `pkg:npm/x` is not the package `pkg:npm/x`, and group `a/b` name `c` is not group `a`
    /// name `b/c`.
    pub fn match_identity(&self) -> (bool, String, String) {
        if let Some(key) = self.purl_key() {
            return (true, key, String::new());
        }
        let group = self.group.as_deref().unwrap_or("").to_lowercase();
        (false, group, self.name.to_lowercase())
    }

    /// The purl without version, qualifiers and subpath, when the component has a valid one.
    fn purl_key(&self) -> Option<String> {
        let p = self
            .purl
            .as_deref()?
            .parse::<packageurl::PackageUrl>()
            .ok()?;
        let mut key = format!("pkg:{}/", p.ty().to_ascii_lowercase());
        if let Some(ns) = p.namespace() {
            key.push_str(ns);
            key.push('/');
        }
        key.push_str(p.name());
        Some(key)
    }

    /// The version diff compares: the `version` field, else the purl's version; when both are
    /// given and disagree, both (the document contradicts itself, and a changed purl version
    /// must not pass as no change).
    pub fn diff_version(&self) -> Option<String> {
        let purl_version = self
            .purl
            .as_deref()
            .and_then(|p| p.parse::<packageurl::PackageUrl>().ok())
            .and_then(|p| p.version().map(str::to_string))
            .filter(|v| !v.is_empty());
        match (
            self.version.as_deref().filter(|v| !v.is_empty()),
            purl_version,
        ) {
            (Some(v), Some(pv)) if v != pv => Some(format!("{v} (purl {pv})")),
            (Some(v), _) => Some(v.to_string()),
            (None, pv) => pv,
        }
    }

    /// `name@version` with group, for display.
    pub fn display(&self) -> String {
        let mut s = match &self.group {
            Some(g) if !g.is_empty() => format!("{g}/{}", self.name),
            _ => self.name.clone(),
        };
        if let Some(v) = &self.version {
            s.push('@');
            s.push_str(v);
        }
        s
    }
}

/// Order two version strings: semantic-versioning precedence for semver versions (numeric
/// parts compared as numbers, a pre-release before its release, build metadata ignored), and
/// the same natural ordering for anything else (`9.0` < `10.0`, `r9` < `r10`, a leading `v`
/// ignored). A total order (ties broken by the text), so it can sort.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(v: &str) -> (&str, Option<&str>) {
        let v = v.trim();
        let v = match v.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => v,
        };
        let v = v.split_once('+').map_or(v, |(head, _build)| head);
        match v.split_once('-') {
            Some((release, pre)) => (release, Some(pre)),
            None => (v, None),
        }
    }
    let (ra, pa) = parts(a);
    let (rb, pb) = parts(b);
    natural_order(ra, rb)
        // A pre-release comes before its release.
        .then_with(|| match (pa, pb) {
            (None, None) => std::cmp::Ordering::Equal,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => natural_order(x, y),
        })
        .then_with(|| a.cmp(b))
}

/// Compare runs of digits as numbers (of any length) and other runs as text; a number sorts
/// before text at the same place, and a prefix before what extends it.
fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn run(s: &str) -> (&str, &str) {
        let digits = s.as_bytes()[0].is_ascii_digit();
        let end = s
            .bytes()
            .position(|c| c.is_ascii_digit() != digits)
            .unwrap_or(s.len());
        s.split_at(end)
    }
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let ((x, rest_a), (y, rest_b)) = (run(a), run(b));
        let (xn, yn) = (
            x.as_bytes()[0].is_ascii_digit(),
            y.as_bytes()[0].is_ascii_digit(),
        );
        let ord = match (xn, yn) {
            (true, true) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
        (a, b) = (rest_a, rest_b);
    }
}

/// Document-level facts the profiles need.
#[derive(Debug, Clone, Default)]
pub struct DocumentFacts {
    pub authors: Vec<String>,
    pub tools: Vec<String>,
    pub timestamp: Option<String>,
    /// CycloneDX 1.5+ `metadata.lifecycles` phases.
    pub lifecycles: Vec<String>,
}

/// Normalise an algorithm name: `SHA-256`, `sha256`, `SHA_256` → `SHA256`.
pub fn normalise_alg(alg: &str) -> String {
    alg.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn s<J: Json>(v: &J, k: &str) -> Option<String> {
    v.get(k)
        .and_then(J::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

fn spdx_value<J: Json>(v: &J, k: &str) -> Option<String> {
    s(v, k).filter(|x| x != "NOASSERTION" && x != "NONE")
}

/// Extract the components of a document in document order.
pub fn components(doc: &Document) -> Vec<Component> {
    let mut c = Collector::new(doc.family);
    for key in super::semantic::streamed_keys(doc.family) {
        if let Some(items) = doc.value.get(*key).and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                c.item(key, i, item);
            }
        }
    }
    c.finish(&doc.value)
}

/// Builds the component view incrementally from streamed array elements, then the rest of the
/// document ([`Collector::finish`]).
pub struct Collector {
    family: Family,
    comps: Vec<Component>,
    in_graph: HashSet<String>,
    /// SPDX DESCRIBES (from, to) and DESCRIBED_BY (to, from) pairs, resolved at the end.
    describes: Vec<(String, String)>,
    /// Only counting (see [`Collector::counting`]).
    counted: Option<Counted>,
}

/// What counting keeps: the number of components and the SPDXIDs of SPDX packages, all in one
/// buffer (one allocation for the document rather than one per package, and nothing to free
/// piece by piece at the end).
#[derive(Default)]
struct Counted {
    total: usize,
    ids: String,
    spans: Vec<std::ops::Range<usize>>,
}

impl Counted {
    fn push_id(&mut self, id: Option<&str>) {
        self.total += 1;
        if let Some(id) = id.map(str::trim).filter(|x| !x.is_empty()) {
            let start = self.ids.len();
            self.ids.push_str(id);
            self.spans.push(start..self.ids.len());
        }
    }
}

impl Collector {
    pub fn new(family: Family) -> Self {
        Collector {
            family,
            comps: Vec::new(),
            in_graph: HashSet::new(),
            describes: Vec::new(),
            counted: None,
        }
    }

    /// A collector that only counts the components ([`Collector::finish_count`]): what
    /// `sbom validate` needs without a profile, at a fraction of the memory.
    pub fn counting(family: Family) -> Self {
        Collector {
            counted: Some(Counted::default()),
            ..Collector::new(family)
        }
    }

    /// The number of components [`Collector::finish`] would return.
    pub fn finish_count(mut self, v: &Value) -> usize {
        let Some(counted) = self.counted.take() else {
            return self.finish(v).len();
        };
        match self.family {
            Family::CycloneDx => {
                let mut subject = 0;
                for c in subject_components(v) {
                    count_cdx(c, &mut subject);
                }
                counted.total + subject
            }
            Family::Spdx2 => {
                // Packages the document describes are the subject, not its components.
                let described = Self::described(&self.describes, v);
                let subjects = counted
                    .spans
                    .iter()
                    .filter(|span| described.contains(&counted.ids[(*span).clone()]))
                    .count();
                counted.total - subjects
            }
            Family::Spdx3 => spdx3_components(v).len(),
        }
    }

    /// Record an SPDX DESCRIBES / DESCRIBED_BY relationship.
    fn describe<J: Json>(&mut self, v: &J) {
        let ty = v.get("relationshipType").and_then(J::as_str).unwrap_or("");
        if ty == "DESCRIBES" || ty == "DESCRIBED_BY" {
            let a = s(v, "spdxElementId").unwrap_or_default();
            let b = s(v, "relatedSpdxElement").unwrap_or_default();
            if ty == "DESCRIBES" {
                self.describes.push((a, b));
            } else {
                self.describes.push((b, a));
            }
        }
    }

    /// The SPDXIDs an SPDX 2 document describes.
    fn described<'v>(describes: &'v [(String, String)], v: &'v Value) -> HashSet<&'v str> {
        let doc_id = v
            .get("SPDXID")
            .and_then(Value::as_str)
            .unwrap_or("SPDXRef-DOCUMENT");
        let mut described: HashSet<&str> = v
            .get("documentDescribes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (from, to) in describes {
            if from == doc_id {
                described.insert(to);
            }
        }
        described
    }

    pub fn item<J: Json>(&mut self, key: &str, i: usize, v: &J) {
        if let Some(counted) = &mut self.counted {
            match (self.family, key) {
                (Family::CycloneDx, "components") => count_cdx(v, &mut counted.total),
                (Family::Spdx2, "packages") => {
                    counted.push_id(v.get("SPDXID").and_then(J::as_str));
                }
                (Family::Spdx2, "relationships") => self.describe(v),
                _ => {}
            }
            return;
        }
        match (self.family, key) {
            (Family::CycloneDx, "components") => walk_cdx(
                std::slice::from_ref(v),
                &format!("/components/{i}"),
                true,
                &mut self.comps,
            ),
            (Family::CycloneDx, "dependencies") => {
                if let Some(r) = s(v, "ref") {
                    self.in_graph.insert(r);
                }
                for k in ["dependsOn", "provides"] {
                    if let Some(a) = v.get(k).and_then(J::as_array) {
                        self.in_graph
                            .extend(a.iter().filter_map(J::as_str).map(str::to_string));
                    }
                }
            }
            (Family::Spdx2, "packages") => self.comps.push(spdx2_package(v, i)),
            (Family::Spdx2, "relationships") => {
                let ty = v.get("relationshipType").and_then(J::as_str).unwrap_or("");
                let a = s(v, "spdxElementId").unwrap_or_default();
                let b = s(v, "relatedSpdxElement").unwrap_or_default();
                match ty {
                    "DESCRIBES" => self.describes.push((a, b)),
                    "DESCRIBED_BY" => self.describes.push((b, a)),
                    _ => {
                        self.in_graph.insert(a);
                        self.in_graph.insert(b);
                    }
                }
            }
            _ => {}
        }
    }

    pub fn finish(mut self, v: &Value) -> Vec<Component> {
        match self.family {
            Family::CycloneDx => {
                // Subcomponents of the subject (a monorepo's member projects, for example) are
                // components too, as SPDX lists them as packages the described root contains.
                walk_cdx(
                    subject_components(v),
                    "/metadata/component/components",
                    false,
                    &mut self.comps,
                );
            }
            Family::Spdx2 => {
                // The packages the document describes are its subject (CycloneDX
                // metadata.component), not its components; leaving them out keeps CycloneDX and
                // SPDX views comparable.
                let described = Self::described(&self.describes, v);
                self.comps.retain(|c| {
                    c.reference
                        .as_deref()
                        .is_none_or(|r| !described.contains(r))
                });
            }
            Family::Spdx3 => return spdx3_components(v),
        }
        for c in &mut self.comps {
            c.in_dependency_graph = c
                .reference
                .as_ref()
                .is_some_and(|r| self.in_graph.contains(r));
        }
        self.comps
    }
}

pub fn facts(doc: &Document) -> DocumentFacts {
    let v = &doc.value;
    let mut f = DocumentFacts::default();
    match doc.family {
        Family::CycloneDx => {
            let md = v.get("metadata").cloned().unwrap_or(Value::Null);
            f.timestamp = s(&md, "timestamp");
            if let Some(a) = md.get("authors").and_then(Value::as_array) {
                f.authors.extend(
                    a.iter()
                        .filter_map(|x| s(x, "name").or_else(|| s(x, "email"))),
                );
            }
            if let Some(m) = md.get("manufacture").or_else(|| md.get("manufacturer")) {
                f.authors.extend(s(m, "name"));
            }
            if let Some(a) = s(&md, "author") {
                f.authors.push(a);
            }
            match md.get("tools") {
                Some(Value::Array(a)) => f.tools.extend(a.iter().filter_map(|t| s(t, "name"))),
                Some(Value::Object(o)) => {
                    for key in ["components", "services"] {
                        if let Some(a) = o.get(key).and_then(Value::as_array) {
                            f.tools.extend(a.iter().filter_map(|t| s(t, "name")));
                        }
                    }
                }
                _ => {}
            }
            if let Some(a) = md.get("lifecycles").and_then(Value::as_array) {
                f.lifecycles.extend(
                    a.iter()
                        .filter_map(|l| s(l, "phase").or_else(|| s(l, "name"))),
                );
            }
        }
        Family::Spdx2 => {
            let ci = v.get("creationInfo").cloned().unwrap_or(Value::Null);
            f.timestamp = s(&ci, "created");
            if let Some(a) = ci.get("creators").and_then(Value::as_array) {
                for c in a.iter().filter_map(Value::as_str) {
                    if let Some(t) = c.strip_prefix("Tool:") {
                        f.tools.push(t.trim().to_string());
                    } else {
                        f.authors.push(c.trim().to_string());
                    }
                }
            }
        }
        Family::Spdx3 => {
            for e in graph(v) {
                if s(e, "type").as_deref() == Some("CreationInfo") {
                    f.timestamp = f.timestamp.or_else(|| s(e, "created"));
                    if let Some(a) = e.get("createdBy").and_then(Value::as_array) {
                        f.authors
                            .extend(a.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                    if let Some(a) = e.get("createdUsing").and_then(Value::as_array) {
                        f.tools
                            .extend(a.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                }
            }
        }
    }
    f
}

fn graph(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("@graph")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// One `None` per CycloneDX component, nested ones included.
/// `metadata.component.components` of a CycloneDX document.
fn subject_components(v: &Value) -> &[Value] {
    v.pointer("/metadata/component/components")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn count_cdx<J: Json>(c: &J, total: &mut usize) {
    *total += 1;
    for child in c.get("components").and_then(J::as_array).unwrap_or(&[]) {
        count_cdx(child, total);
    }
}

/// Push a component list (and nested components, depth first). `exact` means `base` already
/// is the pointer of the single element in `list`.
fn walk_cdx<J: Json>(list: &[J], base: &str, exact: bool, out: &mut Vec<Component>) {
    for (i, c) in list.iter().enumerate() {
        let pointer = if exact {
            base.to_string()
        } else {
            format!("{base}/{i}")
        };
        out.push(cdx_component(c, &pointer));
        if let Some(children) = c.get("components").and_then(J::as_array) {
            walk_cdx(children, &format!("{pointer}/components"), false, out);
        }
    }
}

fn cdx_component<J: Json>(c: &J, pointer: &str) -> Component {
    let mut hashes = BTreeMap::new();
    if let Some(a) = c.get("hashes").and_then(J::as_array) {
        for h in a {
            if let (Some(alg), Some(content)) = (s(h, "alg"), s(h, "content")) {
                hashes.insert(normalise_alg(&alg), content.to_ascii_lowercase());
            }
        }
    }
    let supplier = c
        .get("supplier")
        .and_then(|x| s(x, "name"))
        .or_else(|| c.get("manufacturer").and_then(|x| s(x, "name")))
        .or_else(|| s(c, "publisher"));
    Component {
        pointer: pointer.to_string(),
        reference: s(c, "bom-ref"),
        name: s(c, "name").unwrap_or_default(),
        group: s(c, "group"),
        version: s(c, "version"),
        purl: s(c, "purl"),
        cpe: s(c, "cpe"),
        swid: c.get("swid").is_some(),
        supplier,
        license: cdx_license(c.get("licenses")),
        hashes,
        in_dependency_graph: false,
    }
}

/// CycloneDX `licenses` (ids, names, or one expression) as one expression string.
pub fn cdx_license<J: Json>(licenses: Option<&J>) -> Option<String> {
    let list = licenses?.as_array()?;
    let mut parts: Vec<String> = Vec::new();
    for l in list {
        if let Some(e) = s(l, "expression") {
            parts.push(e);
        } else if let Some(lic) = l.get("license")
            && let Some(id) = s(lic, "id").or_else(|| s(lic, "name"))
        {
            parts.push(id);
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if p.contains(' ') {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

fn spdx2_package<J: Json>(p: &J, i: usize) -> Component {
    let mut purl = None;
    let mut cpe = None;
    let mut swid = false;
    if let Some(refs) = p.get("externalRefs").and_then(J::as_array) {
        for r in refs {
            let ty = r.get("referenceType").and_then(J::as_str).unwrap_or("");
            let loc = s(r, "referenceLocator");
            match ty {
                "purl" => purl = purl.or(loc),
                "cpe23Type" | "cpe22Type" => cpe = cpe.or(loc),
                "swid" => swid = true,
                _ => {}
            }
        }
    }
    let mut hashes = BTreeMap::new();
    if let Some(a) = p.get("checksums").and_then(J::as_array) {
        for h in a {
            if let (Some(alg), Some(val)) = (s(h, "algorithm"), s(h, "checksumValue")) {
                hashes.insert(normalise_alg(&alg), val.to_ascii_lowercase());
            }
        }
    }
    let reference = s(p, "SPDXID");
    let in_dependency_graph = false;
    let supplier = spdx_value(p, "supplier").map(|x| {
        x.split_once(':')
            .map_or(x.clone(), |(_, rest)| rest.trim().to_string())
    });
    Component {
        pointer: format!("/packages/{i}"),
        reference,
        name: s(p, "name").unwrap_or_default(),
        group: None,
        version: s(p, "versionInfo"),
        purl,
        cpe,
        swid,
        supplier,
        license: spdx_value(p, "licenseConcluded").or_else(|| spdx_value(p, "licenseDeclared")),
        hashes,
        in_dependency_graph,
    }
}

/// Element types that are documents about other elements: their `rootElement`s (and what they
/// `describes`) are the document's subject.
const SPDX3_DOCUMENTS: &[&str] = &["SpdxDocument", "software_Sbom", "Bom"];

/// The spdxIds of an SPDX 3 document's subject: the `rootElement`s of its SpdxDocument and
/// software_Sbom elements, and what those `describes`. Like the packages an SPDX 2 document
/// DESCRIBES, and CycloneDX `metadata.component`, they are not components.
fn spdx3_subjects(v: &Value) -> BTreeSet<String> {
    let strings = |e: &Value, k: &str| -> Vec<String> {
        match e.get(k) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    let documents: BTreeSet<String> = graph(v)
        .filter(|e| s(*e, "type").is_some_and(|t| SPDX3_DOCUMENTS.contains(&t.as_str())))
        .filter_map(|e| s(e, "spdxId"))
        .collect();
    let mut subjects = BTreeSet::new();
    for e in graph(v) {
        match s(e, "type").as_deref() {
            Some(t) if SPDX3_DOCUMENTS.contains(&t) => subjects.extend(strings(e, "rootElement")),
            Some("Relationship")
                if s(e, "relationshipType").as_deref() == Some("describes")
                    && s(e, "from").is_some_and(|f| documents.contains(&f)) =>
            {
                subjects.extend(strings(e, "to"));
            }
            _ => {}
        }
    }
    subjects
}

fn spdx3_components(v: &Value) -> Vec<Component> {
    let subjects = spdx3_subjects(v);
    let mut in_graph: BTreeSet<String> = BTreeSet::new();
    for e in graph(v) {
        if s(e, "type").as_deref() == Some("Relationship") {
            let ty = s(e, "relationshipType").unwrap_or_default();
            if ty == "describes" || ty.starts_with("has") && ty.ends_with("License") {
                continue;
            }
            in_graph.extend(s(e, "from"));
            if let Some(to) = e.get("to").and_then(Value::as_array) {
                in_graph.extend(to.iter().filter_map(Value::as_str).map(str::to_string));
            }
        }
    }
    let mut out = Vec::new();
    if let Some(list) = v.get("@graph").and_then(Value::as_array) {
        for (i, e) in list.iter().enumerate() {
            if s(e, "type").as_deref() != Some("software_Package")
                || s(e, "spdxId").is_some_and(|id| subjects.contains(&id))
            {
                continue;
            }
            let mut hashes = BTreeMap::new();
            if let Some(a) = e.get("verifiedUsing").and_then(Value::as_array) {
                for h in a {
                    if let (Some(alg), Some(val)) = (s(h, "algorithm"), s(h, "hashValue")) {
                        hashes.insert(normalise_alg(&alg), val.to_ascii_lowercase());
                    }
                }
            }
            let reference = s(e, "spdxId");
            out.push(Component {
                pointer: format!("/@graph/{i}"),
                in_dependency_graph: reference.as_ref().is_some_and(|r| in_graph.contains(r)),
                reference,
                name: s(e, "name").unwrap_or_default(),
                group: None,
                version: s(e, "software_packageVersion"),
                purl: s(e, "software_packageUrl"),
                cpe: None,
                swid: false,
                supplier: s(e, "suppliedBy"),
                license: None,
                hashes,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_key_drops_version_and_qualifiers() {
        let c = Component {
            purl: Some("pkg:npm/%40scope/left-pad@1.3.0?foo=bar".into()),
            name: "left-pad".into(),
            ..Default::default()
        };
        assert_eq!(c.match_key(), "pkg:npm/@scope/left-pad");
        let c = Component {
            name: "Lib".into(),
            group: Some("Org".into()),
            ..Default::default()
        };
        assert_eq!(c.match_key(), "org/lib");
    }

    /// Counting gives the number of components the full collector finds: SPDX packages the
    /// document describes (by `documentDescribes` or a DESCRIBES / DESCRIBED_BY relationship)
    /// are not components; nested CycloneDX components are.
    #[test]
    fn counting_agrees_with_collecting() {
        let docs = [
            (
                Family::Spdx2,
                serde_json::json!({
                    "SPDXID": "SPDXRef-DOCUMENT",
                    "documentDescribes": ["SPDXRef-app"],
                    "packages": [
                        {"SPDXID": "SPDXRef-app", "name": "app"},
                        {"SPDXID": " SPDXRef-lib ", "name": "lib"},
                        {"SPDXID": "SPDXRef-tool", "name": "tool"},
                        {"SPDXID": "SPDXRef-lib", "name": "lib again"},
                        {"name": "no id"},
                        {"SPDXID": "", "name": "empty id"}
                    ],
                    "relationships": [
                        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-lib"},
                        {"spdxElementId": "SPDXRef-tool", "relationshipType": "DESCRIBED_BY", "relatedSpdxElement": "SPDXRef-OTHER"}
                    ]
                }),
            ),
            (
                Family::CycloneDx,
                serde_json::json!({
                    "metadata": {"component": {"type": "application", "name": "repo", "components": [
                        {"type": "application", "name": "member", "components": [{"type": "library", "name": "vendored"}]}
                    ]}},
                    "components": [
                        {"type": "library", "name": "a", "components": [{"type": "library", "name": "b"}]},
                        {"type": "library", "name": "c"}
                    ]
                }),
            ),
        ];
        for (family, v) in docs {
            let (mut full, mut count) = (Collector::new(family), Collector::counting(family));
            for key in super::super::semantic::streamed_keys(family) {
                for (i, item) in v
                    .get(*key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    full.item(key, i, item);
                    count.item(key, i, item);
                }
            }
            let expected = full.finish(&v).len();
            assert!(expected > 0);
            if family == Family::CycloneDx {
                // a, b, c and the subject's member and its vendored library.
                assert_eq!(expected, 5);
            }
            assert_eq!(count.finish_count(&v), expected, "{family:?}");
        }
    }

    #[test]
    fn versions_order_by_precedence() {
        use std::cmp::Ordering::*;
        // The semver specification's own example, then numbers of any length, a leading
        // `v`, build metadata, and versions that are not semver.
        let sorted = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "v1.0.1",
            "1.2",
            "1.9.0",
            "1.10.0",
            "2.0.0+build.5",
            "8.0.0",
            "8.1.0",
            "9.0.0",
            "10.0.0",
            "99999999999999999999999.0",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(version_order(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(version_order("r9", "r10"), Less);
        assert_eq!(version_order("2024.1", "2023.12"), Greater);
        assert_eq!(version_order("1.0.0+a", "1.0.0+b"), Less);
        assert_eq!(version_order("1.0", "1.0"), Equal);
        // A total order on odd input too (sorting relies on it).
        let odd = [
            "b", "", "1.a", "1.1", "a1", "-", "1-", "01", "1", "v", "v1", "1+x", "+",
        ];
        for a in odd {
            for b in odd {
                assert_eq!(version_order(a, b), version_order(b, a).reverse());
                assert_eq!(version_order(a, b) == Equal, a == b, "{a:?} {b:?}");
                for c in odd {
                    if version_order(a, b) == Less && version_order(b, c) == Less {
                        assert_eq!(version_order(a, c), Less, "{a:?} {b:?} {c:?}");
                    }
                }
            }
        }
    }

    /// The subject of an SPDX 3 document (its root element, directly, through a software_Sbom,
    /// or by a `describes` relationship) is not a component, as for SPDX 2 and CycloneDX.
    #[test]
    fn spdx3_subject_is_not_a_component() {
        let pkg = |id: &str, name: &str| serde_json::json!({"type": "software_Package", "spdxId": id, "name": name, "software_packageVersion": "1"});
        let doc = |root: &str, extra: Vec<Value>| {
            let mut g = vec![
                serde_json::json!({"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": [root]}),
                pkg("urn:app", "app"),
                pkg("urn:lib", "lib"),
            ];
            g.extend(extra);
            serde_json::json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": g})
        };
        let sbom = serde_json::json!({"type": "software_Sbom", "spdxId": "urn:sbom", "rootElement": ["urn:app"]});
        let describes = serde_json::json!({"type": "Relationship", "spdxId": "urn:rel", "from": "urn:doc", "relationshipType": "describes", "to": ["urn:app"]});
        let unrelated = serde_json::json!({"type": "Relationship", "spdxId": "urn:rel2", "from": "urn:lib", "relationshipType": "describes", "to": ["urn:lib"]});
        for v in [
            doc("urn:app", vec![]),
            doc("urn:sbom", vec![sbom]),
            doc("urn:other", vec![describes, unrelated]),
        ] {
            let names: Vec<String> = spdx3_components(&v).into_iter().map(|c| c.name).collect();
            assert_eq!(names, ["lib"], "{v}");
        }
    }

    #[test]
    fn algorithms_normalise() {
        assert_eq!(normalise_alg("SHA-256"), "SHA256");
        assert_eq!(normalise_alg("sha3_512"), "SHA3512");
    }
}
