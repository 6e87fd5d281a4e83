//! `sbom diff OLD NEW`: components added, removed, version/licence/hash changed — matched by
//! purl without version (fallback group/name), across formats — and the drift gate.

use super::diags as d;
use super::document::{self, Document};
use super::model::{self, Component};
use super::validate;
use crate::cli::{DriftKind, GlobalArgs, SbomDiffArgs};
use crate::commands::Context;
use crate::diags;
use crate::error::Result;
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Diagnostic, Location, Report, Severity, Subject, Table, Verdict};
use serde::Deserialize;
use serde_json::{Value, json};
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One difference between the two SBOMs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: DriftKind,
    pub key: String,
    /// `name@version` (with group), for display.
    pub name: String,
    /// The component's name alone, and `group/name` when it has a group (allow matching).
    pub component: String,
    pub group_name: Option<String>,
    pub purl: Option<String>,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    pub old_license: Option<String>,
    pub new_license: Option<String>,
    /// For hash changes: the algorithm compared.
    pub algorithm: Option<String>,
    /// Pointer in the new document (old for removals).
    pub pointer: String,
    /// Set when an allow entry covers the change: its reason.
    pub allowed: Option<String>,
}

pub fn kind_name(k: DriftKind) -> &'static str {
    match k {
        DriftKind::Added => "added",
        DriftKind::Removed => "removed",
        DriftKind::Version => "version",
        DriftKind::License => "license",
        DriftKind::Hash => "hash",
    }
}

fn norm_license(l: &Option<String>) -> Option<String> {
    l.as_ref().map(|s| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    })
}

/// The copies of one package version in one SBOM (a component listed twice, or once per
/// project of a hierarchical merge): one member of the set diff compares.
struct Copies<'c> {
    version: Option<String>,
    comps: Vec<&'c Component>,
}

impl Copies<'_> {
    /// Group components of one match key by version, in order of first appearance.
    fn group<'c>(list: &[&'c Component]) -> Vec<Copies<'c>> {
        let mut out: Vec<Copies<'c>> = Vec::new();
        for c in list {
            let version = c.diff_version();
            match out.iter_mut().find(|g| g.version == version) {
                Some(g) => g.comps.push(c),
                None => out.push(Copies {
                    version,
                    comps: vec![c],
                }),
            }
        }
        out
    }

    fn first(&self) -> &Component {
        self.comps[0]
    }

    /// The distinct licences of the copies (normalised) and their display form.
    fn licenses(&self) -> (BTreeSet<String>, Option<String>) {
        let mut seen = BTreeSet::new();
        let mut shown: Vec<&str> = Vec::new();
        for c in &self.comps {
            if let (Some(l), Some(n)) = (&c.license, norm_license(&c.license))
                && seen.insert(n)
            {
                shown.push(l);
            }
        }
        let display = (!shown.is_empty()).then(|| shown.join(" | "));
        (seen, display)
    }

    /// Algorithm → the distinct digests the copies record with it.
    fn hashes(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for c in &self.comps {
            for (alg, h) in &c.hashes {
                out.entry(alg).or_default().insert(h);
            }
        }
        out
    }
}

/// Compare component lists. Each SBOM is a set of package versions: components with the same
/// match key and version are one (their hashes and licences pooled), so listing a component
/// twice is no change. Output order: by kind, then key, then versions.
pub fn compare(old: &[Component], new: &[Component]) -> Vec<Change> {
    type Sides<'c> = (Vec<&'c Component>, Vec<&'c Component>);
    let mut by_key: BTreeMap<(bool, String, String), Sides<'_>> = BTreeMap::new();
    for c in old {
        by_key.entry(c.match_identity()).or_default().0.push(c);
    }
    for c in new {
        by_key.entry(c.match_identity()).or_default().1.push(c);
    }
    let mut changes = Vec::new();
    for (olds, news) in by_key.into_values() {
        let key = olds
            .first()
            .or(news.first())
            .map(|c| c.match_key())
            .unwrap_or_default();
        let (mut olds, mut news) = (Copies::group(&olds), Copies::group(&news));
        let base = |g: &Copies<'_>, kind| Change {
            kind,
            key: key.clone(),
            name: g.first().display(),
            component: g.first().name.clone(),
            group_name: g
                .first()
                .group
                .as_ref()
                .filter(|gr| !gr.is_empty())
                .map(|gr| format!("{gr}/{}", g.first().name)),
            purl: g.first().purl.clone(),
            old_version: None,
            new_version: None,
            old_license: None,
            new_license: None,
            algorithm: None,
            pointer: g.first().pointer.clone(),
            allowed: None,
        };
        // Pair equal versions first, then the rest in version order.
        let mut pairs: Vec<(Copies<'_>, Copies<'_>)> = Vec::new();
        let mut unpaired = Vec::new();
        for o in olds.drain(..) {
            match news.iter().position(|n| n.version == o.version) {
                Some(i) => pairs.push((o, news.remove(i))),
                None => unpaired.push(o),
            }
        }
        let mut olds = unpaired;
        let order = |a: &Copies<'_>, b: &Copies<'_>| match (&a.version, &b.version) {
            (Some(x), Some(y)) => model::version_order(x, y),
            (x, y) => x.cmp(y),
        };
        olds.sort_by(order);
        news.sort_by(order);
        let n = olds.len().min(news.len());
        let rest_old = olds.split_off(n);
        let rest_new = news.split_off(n);
        pairs.extend(olds.into_iter().zip(news));
        for o in &rest_old {
            let mut c = base(o, DriftKind::Removed);
            c.old_version = o.version.clone();
            c.old_license = o.licenses().1;
            changes.push(c);
        }
        for nw in &rest_new {
            let mut c = base(nw, DriftKind::Added);
            c.new_version = nw.version.clone();
            c.new_license = nw.licenses().1;
            changes.push(c);
        }
        for (o, nw) in pairs {
            let (old_lic, old_shown) = o.licenses();
            let (new_lic, new_shown) = nw.licenses();
            let mut c = base(&nw, DriftKind::Version);
            c.old_version = o.version.clone();
            c.new_version = nw.version.clone();
            c.old_license = old_shown;
            c.new_license = new_shown;
            if o.version != nw.version {
                changes.push(c.clone());
            } else {
                // Same version: the content must be the same, so any differing digest counts.
                let new_hashes = nw.hashes();
                for (alg, old_digests) in o.hashes() {
                    if let Some(new_digests) = new_hashes.get(alg)
                        && *new_digests != old_digests
                    {
                        let mut h = c.clone();
                        h.kind = DriftKind::Hash;
                        h.algorithm = Some(alg.to_string());
                        changes.push(h);
                        break;
                    }
                }
            }
            if old_lic != new_lic {
                let mut l = c;
                l.kind = DriftKind::License;
                changes.push(l);
            }
        }
    }
    changes.sort_by(|a, b| {
        (a.kind, &a.key)
            .cmp(&(b.kind, &b.key))
            .then_with(|| opt_version_order(&a.old_version, &b.old_version))
            .then_with(|| opt_version_order(&a.new_version, &b.new_version))
    });
    changes
}

fn opt_version_order(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => model::version_order(x, y),
        _ => a.cmp(b),
    }
}

// ------------------------------------------------------------------ allow file

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowFile {
    allow: Vec<RawAllow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    #[serde(default)]
    kinds: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    reason: Spanned<String>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// One expected change.
#[derive(Debug, Clone)]
pub struct AllowEntry {
    pub index: usize,
    pub pattern: String,
    /// The pattern without its `@version` (and purl qualifiers and subpath).
    matcher: globset::GlobMatcher,
    /// Empty: every kind.
    pub kinds: Vec<DriftKind>,
    /// From `version:` or the pattern's `@version`.
    pub version: Option<String>,
    pub reason: String,
    pub expires: Option<jiff::civil::Date>,
}

/// Split a `match` pattern into the component part and its `@version`: the version follows the
/// last `@` of the last path segment (so `pkg:npm/@types/node@20.1.0` is `@types/node` at
/// 20.1.0, and `@types/node` has no version); purl qualifiers and subpath are dropped.
fn split_pattern(pattern: &str) -> (&str, Option<&str>) {
    let p = strip_qualifiers(pattern.split('#').next().unwrap_or(pattern));
    let last_segment = p.rfind('/').map_or(0, |i| i + 1);
    match p[last_segment..].rfind('@') {
        Some(at) if last_segment + at > 0 => {
            let (head, version) = p.split_at(last_segment + at);
            (head, Some(&version[1..]))
        }
        _ => (p, None),
    }
}

/// The pattern without purl qualifiers: a `?` starts them only when a `key=` follows it, so
/// `?` stays the glob's one-character wildcard (`pkg:npm/lodas?`) and is not cut off into a
/// pattern that matches nothing.
fn strip_qualifiers(pattern: &str) -> &str {
    for (at, _) in pattern.match_indices('?') {
        let rest = &pattern[at + 1..];
        let key = rest.split('=').next().unwrap_or("");
        let is_key = !key.is_empty()
            && key.len() < rest.len()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if is_key {
            return &pattern[..at];
        }
    }
    pattern
}

impl AllowEntry {
    /// Whether the entry covers `c`: its kind is listed (or no kinds are), the version (when
    /// given) is the change's new version (old for removals), and the pattern matches the
    /// component's purl without version, its `group/name` or its name.
    fn matches(&self, c: &Change) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(&c.kind) {
            return false;
        }
        if let Some(v) = &self.version {
            let target = c.new_version.as_ref().or(c.old_version.as_ref());
            if target != Some(v) {
                return false;
            }
        }
        let mut candidates = vec![c.key.as_str(), c.component.as_str()];
        if let Some(g) = &c.group_name {
            candidates.push(g);
        }
        candidates
            .iter()
            .any(|s| !s.is_empty() && self.matcher.is_match(s))
    }
}

fn config_error(path: &str, line: u32, col: u32, msg: String, hint: &str) -> InputError {
    InputError::new(
        &diags::INPUT_CONFIG,
        Location::file(path).with_line_col(line.max(1), col.max(1)),
        msg,
        hint,
    )
}

const ALLOW_HINT: &str = "the allow file is `allow:` followed by entries with match and reason, and optional kinds, version and expires (see \"Allow file\" in docs/sbom.md)";

fn line_col<T>(s: &Spanned<T>) -> (u32, u32) {
    (
        s.referenced.line().max(1) as u32,
        s.referenced.column().max(1) as u32,
    )
}

/// Load and validate an allow file (YAML or JSON), collecting every error.
pub fn load_allow(
    path: &Path,
    limits: input::Limits,
) -> std::result::Result<Vec<AllowEntry>, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits)?;
    let raw: RawAllowFile = serde_saphyr::from_str(&text).map_err(|e| {
        let (line, col) = document::yaml_line_col(&e);
        let (msg, _) = document::yaml_message(&e);
        config_error(
            &name,
            line,
            col,
            format!("invalid allow file: {msg}"),
            ALLOW_HINT,
        )
    })?;
    let mut entries = Vec::new();
    // (line, column, message) of every error, reported together.
    let mut errors: Vec<(u32, u32, String)> = Vec::new();
    for (i, r) in raw.allow.into_iter().enumerate() {
        let mut err = |at: (u32, u32), msg: String| errors.push((at.0, at.1, msg));
        let mut kinds = Vec::new();
        if let Some(list) = &r.kinds {
            if list.value.is_empty() {
                err(
                    line_col(list),
                    format!(
                        "/allow/{i}/kinds: an empty list allows no change; list the kinds, or leave kinds out to allow every kind"
                    ),
                );
            }
            for k in &list.value {
                match k.value.as_str() {
                    "added" => kinds.push(DriftKind::Added),
                    "removed" => kinds.push(DriftKind::Removed),
                    "version" => kinds.push(DriftKind::Version),
                    "license" => kinds.push(DriftKind::License),
                    "hash" => kinds.push(DriftKind::Hash),
                    other => err(
                        line_col(k),
                        format!(
                            "/allow/{i}/kinds: unknown kind {other:?} (use added, removed, version, license, hash)"
                        ),
                    ),
                }
            }
        }
        if r.reason.value.trim().is_empty() {
            err(
                line_col(&r.reason),
                format!("/allow/{i}/reason: must say why the change is expected"),
            );
        }
        let expires = match &r.expires {
            None => None,
            Some(s) => match s.value.parse::<jiff::civil::Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    err(
                        line_col(s),
                        format!(
                            "/allow/{i}/expires: {:?} is not a date like 2026-12-31",
                            s.value
                        ),
                    );
                    None
                }
            },
        };
        let pattern = r.pattern.value.trim();
        let (component, at_version) = split_pattern(pattern);
        if component.is_empty() {
            err(
                line_col(&r.pattern),
                format!(
                    "/allow/{i}/match: must name a component (a purl, group/name or name; globs allowed)"
                ),
            );
        }
        let version = match (at_version, &r.version) {
            (Some(a), Some(v)) if a != v.value => {
                err(
                    line_col(v),
                    format!(
                        "/allow/{i}/version: {:?} contradicts the version in match ({a:?})",
                        v.value
                    ),
                );
                None
            }
            (_, Some(v)) => Some(v.value.clone()),
            (Some(a), None) => Some(a.to_string()),
            (None, None) => None,
        };
        let matcher = match globset::GlobBuilder::new(component)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
        {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                err(
                    line_col(&r.pattern),
                    format!(
                        "/allow/{i}/match: invalid pattern {:?}: {e}",
                        r.pattern.value
                    ),
                );
                continue;
            }
        };
        entries.push(AllowEntry {
            index: i,
            pattern: r.pattern.value.clone(),
            matcher,
            kinds,
            version,
            reason: r.reason.value,
            expires,
        });
    }
    if let Some(&(line, col, _)) = errors.first() {
        let n = errors.len();
        let list: Vec<String> = errors
            .iter()
            .enumerate()
            .map(|(k, (l, c, m))| {
                if k == 0 {
                    m.clone()
                } else {
                    format!("{m} (at {l}:{c})")
                }
            })
            .collect();
        return Err(config_error(
            &name,
            line,
            col,
            format!(
                "invalid allow file ({n} error{}): {}",
                if n == 1 { "" } else { "s" },
                list.join("; ")
            ),
            ALLOW_HINT,
        ));
    }
    Ok(entries)
}

// ------------------------------------------------------------------ command

/// Load an SBOM whose components can be read exactly (see [`validate::check_readable`]).
fn load(path: &Path, ctx: &Context) -> Result<Document> {
    let doc = document::load(path, ctx.limits)?;
    validate::check_readable(&doc)?;
    Ok(doc)
}

fn info_for(kind: DriftKind) -> &'static crate::report::CodeInfo {
    match kind {
        DriftKind::Added => &d::DRIFT_ADDED,
        DriftKind::Removed => &d::DRIFT_REMOVED,
        DriftKind::Version => &d::DRIFT_VERSION,
        DriftKind::License => &d::DRIFT_LICENSE,
        DriftKind::Hash => &d::DRIFT_HASH,
    }
}

fn or_dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".to_string())
}

pub fn cmd(ctx: &Context, args: &SbomDiffArgs, global: &GlobalArgs, env: &mut Env) -> Result<u8> {
    let old = load(&args.old, ctx)?;
    let new = load(&args.new, ctx)?;
    let allow = match &args.allow {
        Some(p) => load_allow(p, ctx.limits)?,
        None => Vec::new(),
    };
    let allow_path = args
        .allow
        .as_ref()
        .map(|p| input::display_path(p))
        .unwrap_or_default();
    let old_comps = model::components(&old);
    let new_comps = model::components(&new);
    let mut changes = compare(&old_comps, &new_comps);

    let today = ctx.now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let mut report = Report::new("sbom diff", ctx.now_rfc3339.clone());
    let mut used = vec![false; allow.len()];
    for e in &allow {
        if let Some(exp) = e.expires
            && exp < today
        {
            report.diagnostics.push(
                    Diagnostic::new(
                        &d::ALLOW_EXPIRED,
                        format!(
                            "allow entry {:?} expired on {exp}; the changes it covered are no longer allowed",
                            e.pattern
                        ),
                    )
                    .at(Location::file(allow_path.clone()).with_pointer(format!("/allow/{}", e.index))),
                );
        }
    }
    for c in &mut changes {
        for (i, e) in allow.iter().enumerate() {
            let expired = e.expires.is_some_and(|d| d < today);
            if !expired && e.matches(c) {
                c.allowed = Some(e.reason.clone());
                used[i] = true;
                break;
            }
        }
    }
    for (i, e) in allow.iter().enumerate() {
        let expired = e.expires.is_some_and(|d| d < today);
        if !used[i] && !expired {
            report.diagnostics.push(
                Diagnostic::new(
                    &d::ALLOW_UNUSED,
                    format!("allow entry {:?} matched no change", e.pattern),
                )
                .at(Location::file(allow_path.clone()).with_pointer(format!("/allow/{}", e.index))),
            );
        }
    }

    let mut denied = 0usize;
    for c in &changes {
        let failing = args.fail_on.contains(&c.kind) && c.allowed.is_none();
        if failing {
            denied += 1;
        }
        let msg = match c.kind {
            DriftKind::Added => format!("{} added", c.name),
            DriftKind::Removed => format!("{} removed", c.name),
            DriftKind::Version => format!(
                "{} version changed {} → {}",
                c.key,
                or_dash(&c.old_version),
                or_dash(&c.new_version)
            ),
            DriftKind::License => format!(
                "{} licence changed {} → {}",
                c.name,
                or_dash(&c.old_license),
                or_dash(&c.new_license)
            ),
            DriftKind::Hash => format!(
                "{} has the same version but a different {} digest",
                c.name,
                c.algorithm.as_deref().unwrap_or("")
            ),
        };
        let file = if c.kind == DriftKind::Removed {
            &old
        } else {
            &new
        };
        let mut diag = Diagnostic::new(info_for(c.kind), msg).at(file.location(&c.pointer));
        diag.severity = if failing {
            Severity::Error
        } else {
            Severity::Note
        };
        if let Some(reason) = &c.allowed {
            diag = diag.help(format!("allowed: {reason}"));
        }
        report.diagnostics.push(diag);
    }
    {
        let (mut old_locs, mut new_locs): (Vec<&mut Location>, Vec<&mut Location>) = report
            .diagnostics
            .iter_mut()
            .filter_map(|d| d.location.as_mut())
            .partition(|l| l.file == old.path);
        old.resolve_lines(&mut old_locs);
        new_locs.retain(|l| l.file == new.path);
        new.resolve_lines(&mut new_locs);
    }

    let mut counts = BTreeMap::new();
    for k in [
        DriftKind::Added,
        DriftKind::Removed,
        DriftKind::Version,
        DriftKind::License,
        DriftKind::Hash,
    ] {
        counts.insert(kind_name(k), changes.iter().filter(|c| c.kind == k).count());
    }
    for (doc, comps) in [(&old, &old_comps), (&new, &new_comps)] {
        let mut s = Subject::new(doc.path.clone());
        s.kind = Some(doc.kind());
        s.facts.insert("components".into(), json!(comps.len()));
        // A file carrying a finding that denies (a change listed in --fail-on and not
        // allowed) is denied, as the report is.
        if report.diagnostics.iter().any(|d| {
            d.severity == Severity::Error && d.location.as_ref().is_some_and(|l| l.file == doc.path)
        }) {
            s.verdict = Verdict::Deny;
        }
        report.subjects.push(s);
    }
    let status = |c: &Change| -> String {
        match (&c.allowed, args.fail_on.contains(&c.kind)) {
            (Some(_), _) => "allowed".into(),
            (None, true) => "denied".into(),
            (None, false) => "".into(),
        }
    };
    let table =
        |title: &str, kind: DriftKind, headers: &[&str], row: &dyn Fn(&Change) -> Vec<String>| {
            let rows: Vec<Vec<String>> = changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| {
                    let mut r = row(c);
                    r.push(status(c));
                    r
                })
                .collect();
            (!rows.is_empty()).then(|| Table {
                title: format!("{title} ({})", rows.len()),
                headers: headers
                    .iter()
                    .map(|h| h.to_string())
                    .chain(["status".to_string()])
                    .collect(),
                rows,
            })
        };
    let purl = |c: &Change| c.purl.clone().unwrap_or_default();
    report.tables.extend(table(
        "Added",
        DriftKind::Added,
        &["component", "version", "licence", "purl"],
        &|c| {
            vec![
                c.name.clone(),
                or_dash(&c.new_version),
                or_dash(&c.new_license),
                purl(c),
            ]
        },
    ));
    report.tables.extend(table(
        "Removed",
        DriftKind::Removed,
        &["component", "version", "licence", "purl"],
        &|c| {
            vec![
                c.name.clone(),
                or_dash(&c.old_version),
                or_dash(&c.old_license),
                purl(c),
            ]
        },
    ));
    report.tables.extend(table(
        "Version changed",
        DriftKind::Version,
        &["component", "old", "new"],
        &|c| {
            vec![
                c.key.clone(),
                or_dash(&c.old_version),
                or_dash(&c.new_version),
            ]
        },
    ));
    report.tables.extend(table(
        "Licence changed",
        DriftKind::License,
        &["component", "old", "new"],
        &|c| {
            vec![
                c.name.clone(),
                or_dash(&c.old_license),
                or_dash(&c.new_license),
            ]
        },
    ));
    report.tables.extend(table(
        "Hash changed",
        DriftKind::Hash,
        &["component", "algorithm"],
        &|c| vec![c.name.clone(), c.algorithm.clone().unwrap_or_default()],
    ));

    let change_json = |c: &Change| {
        json!({
            "kind": kind_name(c.kind), "key": c.key, "name": c.name, "purl": c.purl,
            "oldVersion": c.old_version, "newVersion": c.new_version,
            "oldLicense": c.old_license, "newLicense": c.new_license,
            "algorithm": c.algorithm, "allowed": c.allowed.is_some(), "allowReason": c.allowed,
            "denied": args.fail_on.contains(&c.kind) && c.allowed.is_none(),
        })
    };
    report.data = json!({
        "old": {"path": old.path, "kind": old.kind(), "components": old_comps.len()},
        "new": {"path": new.path, "kind": new.kind(), "components": new_comps.len()},
        "failOn": args.fail_on.iter().map(|k| kind_name(*k)).collect::<Vec<_>>(),
        "counts": counts,
        "denied": denied,
        "changes": changes.iter().map(change_json).collect::<Vec<Value>>(),
    });
    if denied == 0
        && !report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        report.verdict_override = Some(Verdict::Pass);
    }
    report.sort();
    env.emit(&report, global)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(name: &str, version: &str, license: Option<&str>, hash: Option<&str>) -> Component {
        Component {
            name: name.into(),
            version: Some(version.into()),
            purl: Some(format!("pkg:npm/{name}@{version}")),
            license: license.map(str::to_string),
            hashes: hash
                .map(|h| BTreeMap::from([("SHA256".to_string(), h.to_string())]))
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    #[test]
    fn classifies_every_kind() {
        let old = vec![
            comp("a", "1.0.0", Some("MIT"), None),
            comp("b", "1.0.0", Some("MIT"), Some("aa")),
            comp("gone", "1.0.0", None, None),
        ];
        let new = vec![
            comp("a", "1.1.0", Some("Apache-2.0"), None),
            comp("b", "1.0.0", Some("MIT"), Some("bb")),
            comp("fresh", "2.0.0", None, None),
        ];
        let kinds: Vec<_> = compare(&old, &new)
            .iter()
            .map(|c| (c.kind, c.key.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (DriftKind::Added, "pkg:npm/fresh".into()),
                (DriftKind::Removed, "pkg:npm/gone".into()),
                (DriftKind::Version, "pkg:npm/a".into()),
                (DriftKind::License, "pkg:npm/a".into()),
                (DriftKind::Hash, "pkg:npm/b".into()),
            ]
        );
    }

    /// The version inside the purl counts: a purl that moved to another version is a version
    /// change whether or not the `version` field says so.
    #[test]
    fn purl_versions_are_compared() {
        let only_purl = |v: &str| Component {
            name: "x".into(),
            purl: Some(format!("pkg:npm/x@{v}")),
            ..Default::default()
        };
        let changes = compare(&[only_purl("1.0.0")], &[only_purl("6.6.6")]);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind, DriftKind::Version);
        assert_eq!(changes[0].old_version.as_deref(), Some("1.0.0"));
        assert_eq!(changes[0].new_version.as_deref(), Some("6.6.6"));
        // `version` unchanged, the purl's version changed: reported, with both shown.
        let mut contradicting = comp("x", "1.0.0", None, None);
        contradicting.purl = Some("pkg:npm/x@6.6.6".into());
        let changes = compare(&[comp("x", "1.0.0", None, None)], &[contradicting]);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind, DriftKind::Version);
        assert_eq!(
            changes[0].new_version.as_deref(),
            Some("1.0.0 (purl 6.6.6)")
        );
        // The same version in both places is no change.
        assert!(compare(&[comp("x", "1.0.0", None, None)], &[only_purl("1.0.0")]).is_empty());
    }

    /// A component without a purl never matches a package by a name that spells its purl, and
    /// group and name are kept apart.
    #[test]
    fn name_fallback_never_matches_purls_or_other_splits() {
        let named = |group: Option<&str>, name: &str| Component {
            name: name.into(),
            group: group.map(str::to_string),
            version: Some("1.0.0".into()),
            ..Default::default()
        };
        let kinds = |old: &[Component], new: &[Component]| -> Vec<DriftKind> {
            compare(old, new).iter().map(|c| c.kind).collect()
        };
        assert_eq!(
            kinds(
                &[comp("x", "1.0.0", None, None)],
                &[named(None, "pkg:npm/x")]
            ),
            vec![DriftKind::Added, DriftKind::Removed]
        );
        assert_eq!(
            kinds(&[named(Some("a/b"), "c")], &[named(Some("a"), "b/c")]),
            vec![DriftKind::Added, DriftKind::Removed]
        );
        assert!(kinds(&[named(Some("Org"), "Lib")], &[named(Some("org"), "lib")]).is_empty());
    }

    #[test]
    fn multiple_versions_of_one_package_pair_up() {
        let old = vec![
            comp("x", "1.0.0", None, None),
            comp("x", "2.0.0", None, None),
        ];
        let new = vec![
            comp("x", "2.0.0", None, None),
            comp("x", "3.0.0", None, None),
        ];
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, DriftKind::Version);
        assert_eq!(changes[0].old_version.as_deref(), Some("1.0.0"));
        assert_eq!(changes[0].new_version.as_deref(), Some("3.0.0"));
    }

    fn allow(yaml: &str) -> std::result::Result<Vec<AllowEntry>, InputError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("allow.yaml");
        std::fs::write(&p, yaml).unwrap();
        load_allow(&p, input::Limits::default())
    }

    fn covered(pattern: &str, c: &Component, kind: DriftKind) -> bool {
        let entries = allow(&format!("allow:\n  - match: {pattern:?}\n    reason: r\n")).unwrap();
        let old = comp("other", "0.0.1", None, None);
        let changes = match kind {
            DriftKind::Added => compare(&[old], std::slice::from_ref(c)),
            _ => unreachable!(),
        };
        let change = changes.iter().find(|x| x.kind == kind).unwrap();
        entries[0].matches(change)
    }

    /// `match` is a purl without (or with) version, `group/name` or the bare name, globs
    /// allowed, case-insensitive: as docs/sbom.md says.
    #[test]
    fn allow_patterns_match_purl_group_name_and_name() {
        let express = comp("express", "4.19.2", None, None);
        let widget = Component {
            name: "widget".into(),
            group: Some("acme".into()),
            version: Some("2.0.0".into()),
            ..Default::default()
        };
        let types = Component {
            name: "node".into(),
            version: Some("20.1.0".into()),
            purl: Some("pkg:npm/%40types/node@20.1.0".into()),
            ..Default::default()
        };
        let added = DriftKind::Added;
        for (pattern, c, want) in [
            ("express", &express, true),
            ("EXPRESS", &express, true),
            ("pkg:npm/express", &express, true),
            ("pkg:npm/express@4.19.2", &express, true),
            ("pkg:npm/express@4.19.2?foo=bar", &express, true),
            ("pkg:npm/express@4.18.0", &express, false),
            ("express@4.19.2", &express, true),
            ("pkg:npm/expr*", &express, true),
            ("pkg:npm/expres?", &express, true),
            ("expres?@4.19.2", &express, true),
            ("pkg:npm/expres?@4.19.2?vcs_url=x#sub", &express, true),
            ("pkg:npm/expre?", &express, false),
            ("pkg:pypi/express", &express, false),
            ("widget", &widget, true),
            ("acme/widget", &widget, true),
            ("acme/*", &widget, true),
            ("other/widget", &widget, false),
            ("pkg:npm/@types/*", &types, true),
            ("pkg:npm/@types/node@20.1.0", &types, true),
            ("@types/node", &types, false),
            ("node", &types, true),
        ] {
            assert_eq!(covered(pattern, c, added), want, "{pattern}");
        }
    }

    /// Mistakes in an allow file are exit-2 errors at the line:column of the field, never
    /// entries that allow more (or less) than they say.
    #[test]
    fn allow_file_errors_point_at_the_field() {
        for (yaml, at, what) in [
            (
                "allow:\n  - match: x\n    kinds: []\n    reason: r\n",
                (3, 12),
                "/allow/0/kinds: an empty list",
            ),
            (
                "allow:\n  - match: x\n    kinds: [added, verson]\n    reason: r\n",
                (3, 20),
                "unknown kind \"verson\"",
            ),
            (
                "allow:\n  - match: x\n    reason: r\n    expires: 2026-13-01\n",
                (4, 14),
                "/allow/0/expires",
            ),
            (
                "allow:\n  - match: ''\n    reason: r\n",
                (2, 12),
                "/allow/0/match",
            ),
            (
                "allow:\n  - match: x@1\n    version: '2'\n    reason: r\n",
                (3, 14),
                "/allow/0/version",
            ),
            (
                "allow:\n  - match: x\n    reason: r\n    reason: s\n",
                (4, 5),
                "duplicate key \"reason\"",
            ),
        ] {
            let e = allow(yaml).unwrap_err();
            assert_eq!(e.info.code, "TG009", "{yaml}");
            assert_eq!(
                (e.location.line, e.location.column),
                (Some(at.0), Some(at.1)),
                "{yaml}: {e}"
            );
            assert!(e.message.contains(what), "{e}");
            assert!(
                !e.message.contains("error:") && !e.message.contains("line "),
                "{e}"
            );
            assert!(e.hint.contains("docs/sbom.md"), "{e}");
        }
        let e = allow("allow:\n  - match: x\n    kinds: [nope]\n    reason: ''\n").unwrap_err();
        assert!(
            e.message.contains("2 errors") && e.message.contains("(at 4:13)"),
            "{e}"
        );
    }

    /// Versions pair in version order, not string order: 8.0.0, 9.0.0 → 8.1.0, 10.0.0 is two
    /// minor/major updates, not 9.0.0 → 8.1.0 (a downgrade) and 8.0.0 → 10.0.0.
    #[test]
    fn unmatched_versions_pair_in_version_order() {
        let old = vec![
            comp("p", "9.0.0", None, None),
            comp("p", "8.0.0", None, None),
        ];
        let new = vec![
            comp("p", "10.0.0", None, None),
            comp("p", "8.1.0", None, None),
        ];
        let changes = compare(&old, &new);
        let pairs: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| {
                assert_eq!(c.kind, DriftKind::Version);
                (
                    c.old_version.as_deref().unwrap(),
                    c.new_version.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(pairs, [("8.0.0", "8.1.0"), ("9.0.0", "10.0.0")]);
    }

    /// Each SBOM is a set of package versions: a component listed twice (or once per project
    /// of a hierarchical merge) is one, in either document; their details are pooled.
    #[test]
    fn repeated_components_are_one_package_version() {
        let once = vec![comp("x", "1.0.0", Some("MIT"), Some("aa"))];
        let twice = vec![once[0].clone(), once[0].clone()];
        assert_eq!(compare(&once, &twice), []);
        assert_eq!(compare(&twice, &once), []);
        // Copies with another licence spelling count as the same licence.
        let mut spaced = once[0].clone();
        spaced.license = Some("mit".into());
        assert_eq!(compare(&once, &[once[0].clone(), spaced]), []);
        // A copy with a different digest is a different content for that version.
        let other = comp("x", "1.0.0", Some("MIT"), Some("bb"));
        let kinds: Vec<DriftKind> = compare(&once, &[once[0].clone(), other])
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, [DriftKind::Hash]);
        // A new version beside a repeated old one is still added.
        let more = vec![
            once[0].clone(),
            comp("x", "2.0.0", None, None),
            once[0].clone(),
        ];
        let changes = compare(&twice, &more);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, DriftKind::Added);
        assert_eq!(changes[0].new_version.as_deref(), Some("2.0.0"));
    }
}
