//! Assertion types: a registry of named checks over a control's evidence files. The evaluator
//! only knows the [`Assertion`] trait; a new type (budgets, hermetic builds) is one more entry in
//! [`REGISTRY`], each declaring its parameters so catalogs are validated before anything runs.

use super::model::{AssertionResult, Status};
use crate::attest::keys::PublicKey;
use crate::attest::verify::{self, KeyVerifier, Policy, Verifier};
use crate::input::{self, Limits};
use crate::report::Location;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const HINT: &str = "see catalog/README.md for every assertion type and its parameters";

/// Parsed JSON evidence shared by the assertions of one control (several assertions often read
/// the same files).
pub type JsonCache = std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Value>>>;

/// What an assertion may use besides its files.
#[derive(Clone, Copy)]
pub struct EvalContext<'a> {
    /// The evidence directory; evidence paths are relative to it.
    pub root: &'a Path,
    /// Directory of the catalog file: relative `key:` paths in assertions resolve against it.
    pub catalog_dir: &'a Path,
    pub now: jiff::Timestamp,
    pub limits: Limits,
    /// Keys given on the command line (`--trusted-key`), trusted by every signature assertion.
    pub trusted_keys: &'a [PublicKey],
    pub json_cache: Option<&'a JsonCache>,
}

impl EvalContext<'_> {
    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

/// A configured check. `files` are the control's evidence files (relative paths, sorted).
pub trait Assertion: Send + Sync {
    fn kind(&self) -> &'static str;
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult;
    /// Configuration files the assertion reads (parameter, path relative to the catalog): they
    /// are part of the catalog, so a missing or malformed one is bad input, checked when the
    /// catalog is loaded — not evidence, whose absence would only fail the control.
    fn config_files(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
}

/// Load a configuration file an assertion names, as the assertion will; the error as one line.
pub fn check_config_file(param: &str, path: &Path, limits: Limits) -> Result<(), String> {
    let loaded = match param {
        "budgets" => crate::budget::cfg::load(path, limits).map(|_| ()),
        "rules" => crate::hermetic::rules::load(path, limits).map(|_| ()),
        _ => input::read_text(path, limits).and_then(|text| {
            PublicKey::from_pem(&text).map(|_| ()).map_err(|e| {
                input::InputError::new(
                    &crate::diags::INPUT_MALFORMED,
                    crate::report::Location::file(input::display_path(path)),
                    format!("not a public key: {e}"),
                    "name a PEM public key",
                )
            })
        }),
    };
    // The catalog's own hint (paths relative to the catalog) replaces the input error's.
    loaded.map_err(|e| format!("{}: {}", e.location.display_short(), e.message))
}

/// An assertion's parameters as written in the catalog, with where they were written.
#[derive(Debug, Clone)]
pub struct Params {
    pub map: BTreeMap<String, Value>,
    pub location: Location,
}

/// A parameter an assertion type takes.
pub struct ParamSpec {
    pub name: &'static str,
    pub required: bool,
    pub doc: &'static str,
}

/// Builds a configured assertion from its parameters, or says everything wrong with them.
pub type BuildFn = fn(&Params) -> Result<Box<dyn Assertion>, Vec<String>>;

/// A documented parameter: name, required, what it is.
pub type ParamDoc = (&'static str, bool, &'static str);

/// One registered assertion type.
pub struct AssertionType {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    pub build: BuildFn,
}

/// Parameters every assertion takes.
const COMMON: &[&str] = &["type", "evidence", "description"];

impl Params {
    pub fn new(map: BTreeMap<String, Value>, location: Location) -> Self {
        Params { map, location }
    }

    fn str(&self, name: &str, problems: &mut Vec<String>) -> Option<String> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                problems.push(format!("parameter {name} must be a string, not {other}"));
                None
            }
        }
    }

    /// A string or a list of strings.
    fn strings(&self, name: &str, problems: &mut Vec<String>) -> Vec<String> {
        match self.map.get(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    other => {
                        problems.push(format!("parameter {name}: {other} is not a string"));
                        None
                    }
                })
                .collect(),
            Some(other) => {
                problems.push(format!(
                    "parameter {name} must be a string or a list, not {other}"
                ));
                Vec::new()
            }
        }
    }

    fn uint(&self, name: &str, problems: &mut Vec<String>) -> Option<u64> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
            Some(other) => {
                problems.push(format!(
                    "parameter {name} must be a whole number, not {other}"
                ));
                None
            }
        }
    }

    fn evidence_filter(&self, problems: &mut Vec<String>) -> Option<globset::GlobMatcher> {
        let pats = self.strings("evidence", problems);
        if pats.is_empty() {
            return None;
        }
        let mut b = globset::GlobSetBuilder::new();
        for p in &pats {
            match globset::GlobBuilder::new(p).literal_separator(true).build() {
                Ok(g) => {
                    b.add(g);
                }
                Err(e) => problems.push(format!("evidence: invalid glob {p:?}: {e}")),
            }
        }
        // One matcher from the alternatives: `{a,b}` of the patterns.
        let joined = format!("{{{}}}", pats.join(","));
        globset::GlobBuilder::new(&joined)
            .literal_separator(true)
            .build()
            .ok()
            .map(|g| g.compile_matcher())
    }
}

/// Look up the type and build the assertion, collecting every problem with its parameters.
pub fn build(params: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let Some(kind) = params.map.get("type").and_then(Value::as_str) else {
        return Err(vec!["an assertion needs a `type`".into()]);
    };
    let Some(t) = REGISTRY.iter().find(|t| t.name == kind) else {
        let names: Vec<&str> = REGISTRY.iter().map(|t| t.name).collect();
        return Err(vec![format!(
            "unknown assertion type {kind:?} (known: {})",
            names.join(", ")
        )]);
    };
    let mut problems = Vec::new();
    for k in params.map.keys() {
        if !COMMON.contains(&k.as_str()) && !t.params.iter().any(|p| p.name == k) {
            let names: Vec<&str> = t.params.iter().map(|p| p.name).collect();
            problems.push(format!(
                "{kind}: unknown parameter {k:?} (it takes: {})",
                if names.is_empty() {
                    "no parameters".to_string()
                } else {
                    names.join(", ")
                }
            ));
        }
    }
    for p in t.params.iter().filter(|p| p.required) {
        if params.map.get(p.name).is_none_or(Value::is_null) {
            problems.push(format!("{kind}: missing parameter {} ({})", p.name, p.doc));
        }
    }
    match (t.build)(params) {
        Ok(a) if problems.is_empty() => Ok(a),
        Ok(_) => Err(problems),
        Err(mut more) => {
            for m in &mut more {
                if !m.starts_with(kind) {
                    *m = format!("{kind}: {m}");
                }
            }
            problems.extend(more);
            Err(problems)
        }
    }
}

fn result(kind: &str, ok: bool, message: String, evidence: Vec<String>) -> AssertionResult {
    AssertionResult {
        kind: kind.to_string(),
        status: if ok { Status::Pass } else { Status::Fail },
        message,
        evidence,
    }
}

fn select<'a>(
    files: &'a [String],
    filter: &Option<globset::GlobMatcher>,
    default: impl Fn(&str) -> bool,
) -> Vec<&'a String> {
    files
        .iter()
        .filter(|f| match filter {
            Some(m) => m.is_match(f.as_str()),
            None => default(f),
        })
        .collect()
}

/// The evidence an assertion checks (the `files` filter, else `default`) and their names; none
/// at all is a failure (`what`, e.g. "no SARIF evidence to check"): missing evidence fails closed.
fn select_or_fail_closed<'a>(
    kind: &str,
    files: &'a [String],
    filter: &Option<globset::GlobMatcher>,
    default: impl Fn(&str) -> bool,
    what: &str,
) -> Result<(Vec<&'a String>, Vec<String>), AssertionResult> {
    let sel = select(files, filter, default);
    let names: Vec<String> = sel.iter().map(|s| s.to_string()).collect();
    if sel.is_empty() {
        return Err(result(
            kind,
            false,
            format!("{what} (missing evidence fails closed)"),
            names,
        ));
    }
    Ok((sel, names))
}

fn read_json(ctx: &EvalContext, rel: &str) -> Result<std::sync::Arc<Value>, String> {
    if let Some(cache) = ctx.json_cache
        && let Some(v) = cache.lock().ok().and_then(|c| c.get(rel).cloned())
    {
        return Ok(v);
    }
    let path = ctx.abs(rel);
    let text =
        input::read_text(&path, ctx.limits).map_err(|e| relative_error(ctx, e.one_line()))?;
    let v = std::sync::Arc::new(
        serde_json::from_str::<Value>(&text)
            .map_err(|e| relative_error(ctx, input::json_error(rel, &text, &e).one_line()))?,
    );
    // A key given twice is ambiguous evidence (readers differ on which member counts): it
    // proves nothing, so the assertion fails rather than judging one of the two.
    input::check_duplicate_keys(rel, &text).map_err(|e| relative_error(ctx, e.one_line()))?;
    if let Some(cache) = ctx.json_cache
        && let Ok(mut c) = cache.lock()
    {
        c.insert(rel.to_string(), v.clone());
    }
    Ok(v)
}

/// Messages name evidence files relative to the evidence directory.
fn relative_error(ctx: &EvalContext, msg: String) -> String {
    let root = ctx.root.display().to_string();
    let root = root.trim_end_matches('/');
    msg.replace(&format!("{root}/"), "")
}

// ---- file_exists ------------------------------------------------------------------------------

struct FileExists {
    min: usize,
    filter: Option<globset::GlobMatcher>,
}

impl Assertion for FileExists {
    fn kind(&self) -> &'static str {
        "file_exists"
    }
    fn evaluate(&self, _ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let sel: Vec<String> = select(files, &self.filter, |_| true)
            .into_iter()
            .cloned()
            .collect();
        let ok = sel.len() >= self.min;
        result(
            self.kind(),
            ok,
            format!(
                "{} evidence file(s) present, at least {} required",
                sel.len(),
                self.min
            ),
            sel,
        )
    }
}

fn build_file_exists(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let min = p.uint("min", &mut e).unwrap_or(1) as usize;
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(FileExists { min, filter }))
    } else {
        Err(e)
    }
}

// ---- sarif_no_levels --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Error,
    Warning,
    Note,
    None,
    Critical,
    High,
    Medium,
    Low,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "error" => Level::Error,
            "warning" => Level::Warning,
            "note" => Level::Note,
            "none" => Level::None,
            "critical" => Level::Critical,
            "high" => Level::High,
            "medium" => Level::Medium,
            "low" => Level::Low,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
            Level::None => "none",
            Level::Critical => "CRITICAL",
            Level::High => "HIGH",
            Level::Medium => "MEDIUM",
            Level::Low => "LOW",
        }
    }
}

struct SarifNoLevels {
    levels: Vec<Level>,
    filter: Option<globset::GlobMatcher>,
}

/// Whether a file name ends with one of `suffixes` (lower case), ignoring case.
fn has_suffix(f: &str, suffixes: &[&str]) -> bool {
    let l = f.to_ascii_lowercase();
    suffixes.iter().any(|s| l.ends_with(s))
}

fn is_sarif_name(f: &str) -> bool {
    has_suffix(f, &[".sarif", ".sarif.json"])
}

fn severity_score(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// GitHub's bands of `security-severity`: > 9.0 critical (we include 9.0, as the issue and
/// GitHub's own docs' examples do), 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn band(score: f64) -> Option<Level> {
    if score >= 9.0 {
        Some(Level::Critical)
    } else if score >= 7.0 {
        Some(Level::High)
    } else if score >= 4.0 {
        Some(Level::Medium)
    } else if score > 0.0 {
        Some(Level::Low)
    } else {
        None
    }
}

fn find_rule<'a>(run: &'a Value, result: &Value) -> Option<&'a Value> {
    let driver_rules = run.pointer("/tool/driver/rules").and_then(Value::as_array);
    let index = result
        .get("ruleIndex")
        .or_else(|| result.pointer("/rule/index"))
        .and_then(Value::as_u64);
    let in_extension = result
        .pointer("/rule/toolComponent/index")
        .and_then(Value::as_u64);
    if let (Some(i), None) = (index, in_extension)
        && let Some(r) = driver_rules.and_then(|rs| rs.get(i as usize))
    {
        return Some(r);
    }
    let id = result
        .get("ruleId")
        .or_else(|| result.pointer("/rule/id"))
        .and_then(Value::as_str)?;
    let mut all = driver_rules.into_iter().flatten().collect::<Vec<_>>();
    if let Some(exts) = run.pointer("/tool/extensions").and_then(Value::as_array) {
        for e in exts {
            all.extend(
                e.get("rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
        }
    }
    all.into_iter()
        .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
}

fn suppressed(result: &Value) -> bool {
    result
        .get("suppressions")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter().any(|x| {
                matches!(
                    x.get("status").and_then(Value::as_str),
                    None | Some("accepted")
                )
            })
        })
}

/// Levels a SARIF result counts as: its `level` (else the rule's default configuration, else
/// `warning`), and its security-severity band when the rule (or result) carries one.
fn result_levels(run: &Value, result: &Value) -> Vec<Level> {
    let rule = find_rule(run, result);
    let level = result
        .get("level")
        .and_then(Value::as_str)
        .or_else(|| rule?.pointer("/defaultConfiguration/level")?.as_str())
        .and_then(Level::parse)
        .unwrap_or(Level::Warning);
    let mut out = vec![level];
    let score = severity_score(rule.and_then(|r| r.pointer("/properties/security-severity")))
        .or_else(|| severity_score(result.pointer("/properties/security-severity")));
    if let Some(b) = score.and_then(band) {
        out.push(b);
    }
    out
}

impl Assertion for SarifNoLevels {
    fn kind(&self) -> &'static str {
        "sarif_no_levels"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind(),
            files,
            &self.filter,
            is_sarif_name,
            "no SARIF evidence to check",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let mut hits: Vec<String> = Vec::new();
        let mut count = 0usize;
        let mut results_seen = 0usize;
        for f in &sel {
            let doc = match read_json(ctx, f) {
                Ok(v) => v,
                Err(e) => return result(self.kind(), false, e, names),
            };
            let Some(runs) = doc.get("runs").and_then(Value::as_array) else {
                return result(
                    self.kind(),
                    false,
                    format!("{f}: not SARIF (no runs array)"),
                    names,
                );
            };
            for run in runs {
                for r in run
                    .get("results")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    results_seen += 1;
                    if suppressed(r) {
                        continue;
                    }
                    let levels = result_levels(run, r);
                    if let Some(l) = levels.iter().find(|l| self.levels.contains(l)) {
                        count += 1;
                        if hits.len() < 5 {
                            let rule = r
                                .get("ruleId")
                                .or_else(|| r.pointer("/rule/id"))
                                .and_then(Value::as_str)
                                .unwrap_or("(no rule id)");
                            let at = r
                                .pointer("/locations/0/physicalLocation/artifactLocation/uri")
                                .and_then(Value::as_str)
                                .map(|u| format!(" at {u}"))
                                .unwrap_or_default();
                            hits.push(format!("{} {rule}{at} ({f})", l.name()));
                        }
                    }
                }
            }
        }
        let wanted: Vec<&str> = self.levels.iter().map(|l| l.name()).collect();
        if count == 0 {
            result(
                self.kind(),
                true,
                format!(
                    "no result at {} among {results_seen} result(s)",
                    wanted.join("/")
                ),
                names,
            )
        } else {
            let more = if count > hits.len() {
                format!(" and {} more", count - hits.len())
            } else {
                String::new()
            };
            result(
                self.kind(),
                false,
                format!(
                    "{count} result(s) at {}: {}{more}",
                    wanted.join("/"),
                    hits.join("; ")
                ),
                names,
            )
        }
    }
}

fn build_sarif(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let mut levels = Vec::new();
    for l in p.strings("levels", &mut e) {
        match Level::parse(&l) {
            Some(x) => levels.push(x),
            None => e.push(format!(
                "unknown level {l:?} (error, warning, note, none, CRITICAL, HIGH, MEDIUM, LOW)"
            )),
        }
    }
    if levels.is_empty() && p.map.contains_key("levels") {
        e.push("levels is empty".into());
    }
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(SarifNoLevels { levels, filter }))
    } else {
        Err(e)
    }
}

// ---- sbom_valid -------------------------------------------------------------------------------

struct SbomValid {
    profile: Option<crate::cli::Profile>,
    filter: Option<globset::GlobMatcher>,
}

fn looks_like_sbom_name(f: &str) -> bool {
    let l = f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase();
    !is_sarif_name(&l) && (l.contains("bom") || l.contains(".cdx") || l.contains("spdx"))
}

impl Assertion for SbomValid {
    fn kind(&self) -> &'static str {
        "sbom_valid"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind(),
            files,
            &self.filter,
            looks_like_sbom_name,
            "no SBOM evidence to check",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let opts = crate::sbom::validate::Options {
            schema: true,
            profile: self.profile,
            strict: false,
            now: ctx.now,
            limits: ctx.limits,
            max_schema_errors: 5,
        };
        let paths: Vec<PathBuf> = sel.iter().map(|f| ctx.abs(f)).collect();
        let results = crate::sbom::validate::validate_files(&paths, &opts);
        let mut problems = Vec::new();
        for (f, r) in sel.iter().zip(&results) {
            let errors: Vec<_> = r
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::report::Severity::Error)
                .collect();
            if let Some(first) = errors.first() {
                problems.push(format!(
                    "{f}: {} error(s), first {} {}",
                    errors.len(),
                    first.code(),
                    first.message
                ));
            }
        }
        let profile = self
            .profile
            .map(|p| format!(" and profile {p:?}"))
            .unwrap_or_default();
        if problems.is_empty() {
            result(
                self.kind(),
                true,
                format!(
                    "{} SBOM(s) valid (schema, semantic rules{profile})",
                    sel.len()
                ),
                names,
            )
        } else {
            result(self.kind(), false, problems.join("; "), names)
        }
    }
}

fn build_sbom_valid(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let profile = match p.str("profile", &mut e).as_deref() {
        None => None,
        Some("ntia") => Some(crate::cli::Profile::Ntia),
        Some("cisa-2025") => Some(crate::cli::Profile::Cisa2025),
        Some(other) => {
            e.push(format!("unknown profile {other:?} (ntia, cisa-2025)"));
            None
        }
    };
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(SbomValid { profile, filter }))
    } else {
        Err(e)
    }
}

// ---- signatures: provenance_verified, cosign_verify_attestation, dsse_verified ----------------

struct Signed {
    kind: &'static str,
    key_paths: Vec<String>,
    threshold: usize,
    policy: Policy,
    /// Only the signature (dsse_verified): no statement or policy checks.
    signature_only: bool,
    artifacts: Option<globset::GlobMatcher>,
    filter: Option<globset::GlobMatcher>,
}

fn is_key_name(f: &str) -> bool {
    has_suffix(f, &[".pub", ".pem", ".key"])
}

impl Signed {
    fn keys(&self, ctx: &EvalContext) -> Result<Vec<PublicKey>, String> {
        let mut keys = ctx.trusted_keys.to_vec();
        for k in &self.key_paths {
            let path = ctx.catalog_dir.join(k);
            let text = input::read_text(&path, ctx.limits).map_err(|e| e.one_line())?;
            keys.push(PublicKey::from_pem(&text).map_err(|e| format!("{k}: {e}"))?);
        }
        Ok(keys)
    }
}

impl Assertion for Signed {
    fn config_files(&self) -> Vec<(&'static str, &str)> {
        self.key_paths.iter().map(|k| ("key", k.as_str())).collect()
    }

    fn kind(&self) -> &'static str {
        self.kind
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind,
            files,
            &self.filter,
            |f| !is_key_name(f),
            "no signed attestation among the evidence",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let keys = match self.keys(ctx) {
            Ok(k) if !k.is_empty() => k,
            Ok(_) => {
                return result(
                    self.kind,
                    false,
                    "no trusted key: pass --trusted-key to tollgate attest controls or set key: in the assertion".into(),
                    names,
                );
            }
            Err(e) => {
                return result(
                    self.kind,
                    false,
                    format!("trusted key unreadable: {e}"),
                    names,
                );
            }
        };
        let threshold = self.threshold.min(keys.len()).max(1);
        let verifier = KeyVerifier::new(keys, threshold);
        let mut attestations = Vec::new();
        for f in &sel {
            let text = match input::read_text(&ctx.abs(f), ctx.limits) {
                Ok(t) => t,
                Err(e) => {
                    return result(self.kind, false, relative_error(ctx, e.one_line()), names);
                }
            };
            match verify::parse_attestations(f, &text) {
                Ok(a) => attestations.extend(a),
                Err(e) => return result(self.kind, false, e.one_line(), names),
            }
        }
        if self.signature_only {
            let mut problems = Vec::new();
            for a in &attestations {
                match a {
                    verify::Attestation::Unsigned(l) => {
                        problems.push(format!("{}: unsigned statement", l.display_short()))
                    }
                    verify::Attestation::Signed(s) => match verifier.verify(s) {
                        Ok(v) => {
                            if let Some(pt) = self.policy.predicate_types.first()
                                && &v.payload_type != pt
                            {
                                problems.push(format!(
                                    "{}: payloadType {:?}, expected {pt:?}",
                                    s.location.display_short(),
                                    v.payload_type
                                ));
                            }
                        }
                        Err(r) => problems.push(format!(
                            "{}: {} {}",
                            s.location.display_short(),
                            r.info.code,
                            r.message
                        )),
                    },
                }
            }
            return if problems.is_empty() {
                result(
                    self.kind,
                    true,
                    format!(
                        "{} envelope(s) signed by trusted key(s)",
                        attestations.len()
                    ),
                    names,
                )
            } else {
                result(self.kind, false, problems.join("; "), names)
            };
        }
        let mut outcome = verify::verify_attestations(&attestations, &[&verifier], &self.policy);
        if let Some(m) = &self.artifacts {
            let algs = outcome.needed_algorithms();
            let mut buf = vec![0u8; 1 << 16];
            let mut artifacts = Vec::new();
            for f in files.iter().filter(|f| m.is_match(f.as_str())) {
                match crate::attest::subjects::hash_file(&ctx.abs(f), &algs, &mut buf) {
                    Ok(d) => artifacts.push(verify::Artifact {
                        name: f.clone(),
                        digest: d,
                    }),
                    Err(e) => return result(self.kind, false, format!("{f}: {e}"), names),
                }
            }
            if artifacts.is_empty() {
                return result(
                    self.kind,
                    false,
                    "artifacts: the glob matched no evidence file".into(),
                    names,
                );
            }
            verify::check_artifacts(&mut outcome, &artifacts);
        }
        if outcome.passed() {
            let n = outcome.statements.len();
            let passed = outcome.checks.iter().filter(|c| c.passed).count();
            result(
                self.kind,
                true,
                format!("{n} attestation(s) verified, {passed} check(s) passed"),
                names,
            )
        } else {
            let msgs: Vec<String> = outcome
                .diagnostics
                .iter()
                .map(|d| format!("{} {}: {}", d.code(), d.file().unwrap_or(""), d.message))
                .collect();
            result(self.kind, false, msgs.join("; "), names)
        }
    }
}

const SIGNED_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "key",
        required: false,
        doc: "trusted public key file(s), relative to the catalog; added to --trusted-key",
    },
    ParamSpec {
        name: "threshold",
        required: false,
        doc: "distinct trusted keys that must have signed (default 1)",
    },
    ParamSpec {
        name: "builder_id",
        required: false,
        doc: "required builder id (without @ref: any version)",
    },
    ParamSpec {
        name: "source_uri",
        required: false,
        doc: "required source repository, e.g. github.com/org/repo",
    },
    ParamSpec {
        name: "source_ref",
        required: false,
        doc: "required full source ref",
    },
    ParamSpec {
        name: "source_tag",
        required: false,
        doc: "required source tag",
    },
    ParamSpec {
        name: "source_branch",
        required: false,
        doc: "required source branch",
    },
    ParamSpec {
        name: "source_versioned_tag",
        required: false,
        doc: "required semver-compatible tag (v1, v1.2)",
    },
    ParamSpec {
        name: "build_type",
        required: false,
        doc: "required buildType",
    },
    ParamSpec {
        name: "predicate_type",
        required: false,
        doc: "accepted predicateType(s)",
    },
    ParamSpec {
        name: "artifacts",
        required: false,
        doc: "glob of evidence files whose digests must be subjects",
    },
];

fn build_signed_common(
    p: &Params,
    kind: &'static str,
    signature_only: bool,
    default_any_predicate: bool,
) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let key_paths = p.strings("key", &mut e);
    let threshold = p.uint("threshold", &mut e).unwrap_or(1).max(1) as usize;
    let mut predicate_types = p.strings("predicate_type", &mut e);
    if predicate_types.is_empty() && default_any_predicate {
        predicate_types = Vec::new();
    }
    let policy = Policy {
        builder_id: p.str("builder_id", &mut e),
        source_uri: p.str("source_uri", &mut e),
        source_ref: p.str("source_ref", &mut e),
        source_tag: p.str("source_tag", &mut e),
        source_branch: p.str("source_branch", &mut e),
        source_versioned_tag: p.str("source_versioned_tag", &mut e),
        build_type: p.str("build_type", &mut e),
        predicate_types,
        any_predicate_type: default_any_predicate,
    };
    if let Err(x) = policy.check() {
        e.push(x);
    }
    let artifacts = match p.str("artifacts", &mut e) {
        None => None,
        Some(g) => match globset::GlobBuilder::new(&g)
            .literal_separator(true)
            .build()
        {
            Ok(g) => Some(g.compile_matcher()),
            Err(x) => {
                e.push(format!("artifacts: invalid glob: {x}"));
                None
            }
        },
    };
    let filter = p.evidence_filter(&mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Box::new(Signed {
        kind,
        key_paths,
        threshold,
        policy,
        signature_only,
        artifacts,
        filter,
    }))
}

fn build_provenance(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    build_signed_common(p, "provenance_verified", false, false)
}
fn build_cosign(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    build_signed_common(p, "cosign_verify_attestation", false, true)
}
fn build_dsse(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    build_signed_common(p, "dsse_verified", true, true)
}

// ---- json_path --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Matches,
    Exists,
}

enum Query {
    Pointer(String),
    Path(serde_json_path::JsonPath),
}

impl Query {
    fn parse(s: &str) -> Result<Query, String> {
        if s.starts_with('/') || s.is_empty() {
            Ok(Query::Pointer(s.to_string()))
        } else if s.starts_with('$') {
            serde_json_path::JsonPath::parse(s)
                .map(Query::Path)
                .map_err(|e| format!("path {s:?} is not valid JSONPath (RFC 9535): {e}"))
        } else {
            Err(format!(
                "path {s:?} must be a JSONPath ($.a.b) or a JSON pointer (/a/b)"
            ))
        }
    }
    fn query<'a>(&self, v: &'a Value) -> Vec<&'a Value> {
        match self {
            Query::Pointer(p) => v.pointer(p).into_iter().collect(),
            Query::Path(p) => p.query(v).all(),
        }
    }
}

struct JsonPathAssert {
    path: String,
    query: Query,
    op: Op,
    value: Value,
    regex: Option<regex::Regex>,
    any: bool,
    filter: Option<globset::GlobMatcher>,
}

fn compare(op: Op, have: &Value, want: &Value, re: Option<&regex::Regex>) -> bool {
    use std::cmp::Ordering;
    let ord = || -> Option<Ordering> {
        match (have, want) {
            (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            _ => None,
        }
    };
    let eq = || match (have, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => have == want,
    };
    match op {
        Op::Eq => eq(),
        Op::Ne => !eq(),
        Op::Lt => ord() == Some(Ordering::Less),
        Op::Le => matches!(ord(), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord() == Some(Ordering::Greater),
        Op::Ge => matches!(ord(), Some(Ordering::Greater | Ordering::Equal)),
        Op::In => want
            .as_array()
            .is_some_and(|a| a.iter().any(|w| compare(Op::Eq, have, w, None))),
        Op::Matches => match (have, re) {
            (Value::String(s), Some(re)) => re.is_match(s),
            (other, Some(re)) if !other.is_string() => re.is_match(&other.to_string()),
            _ => false,
        },
        Op::Exists => true,
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::In => "in",
        Op::Matches => "matches",
        Op::Exists => "exists",
    }
}

impl Assertion for JsonPathAssert {
    fn kind(&self) -> &'static str {
        "json_path"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind(),
            files,
            &self.filter,
            |f| has_suffix(f, &[".json", ".sarif"]),
            "no JSON evidence to check",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let want = if self.op == Op::Exists {
            String::new()
        } else {
            format!(" {}", self.value)
        };
        for f in &sel {
            let doc = match read_json(ctx, f) {
                Ok(v) => v,
                Err(e) => return result(self.kind(), false, e, names),
            };
            let found = self.query.query(&doc);
            if found.is_empty() {
                return result(
                    self.kind(),
                    false,
                    format!("{f}: {} matched nothing", self.path),
                    names,
                );
            }
            let ok = |v: &&Value| compare(self.op, v, &self.value, self.regex.as_ref());
            let pass = if self.any {
                found.iter().any(ok)
            } else {
                found.iter().all(ok)
            };
            if !pass {
                let bad = found
                    .iter()
                    .find(|v| !ok(v))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let shown: String = bad.chars().take(120).collect();
                return result(
                    self.kind(),
                    false,
                    format!(
                        "{f}: {} is {shown}, expected {}{want}",
                        self.path,
                        op_name(self.op)
                    ),
                    names,
                );
            }
        }
        result(
            self.kind(),
            true,
            format!(
                "{} {}{want} in {} file(s)",
                self.path,
                op_name(self.op),
                sel.len()
            ),
            names,
        )
    }
}

fn build_json_path(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let path = p.str("path", &mut e).unwrap_or_default();
    let query = match Query::parse(&path) {
        Ok(q) => Some(q),
        Err(x) => {
            if p.map.contains_key("path") {
                e.push(x);
            }
            None
        }
    };
    let op = match p.str("op", &mut e).as_deref().unwrap_or("==") {
        "==" | "eq" => Op::Eq,
        "!=" | "ne" => Op::Ne,
        "<" | "lt" => Op::Lt,
        "<=" | "le" => Op::Le,
        ">" | "gt" => Op::Gt,
        ">=" | "ge" => Op::Ge,
        "in" => Op::In,
        "matches" => Op::Matches,
        "exists" => Op::Exists,
        other => {
            e.push(format!(
                "unknown op {other:?} (==, !=, <, <=, >, >=, in, matches, exists)"
            ));
            Op::Eq
        }
    };
    let value = p.map.get("value").cloned().unwrap_or(Value::Null);
    if op != Op::Exists && !p.map.contains_key("value") {
        e.push(format!(
            "missing parameter value (what {} compares with)",
            op_name(op)
        ));
    }
    if op == Op::In && !value.is_array() {
        e.push("value must be a list for op: in".into());
    }
    let regex = if op == Op::Matches {
        match value.as_str().map(|v| (v, regex::Regex::new(v))) {
            Some((_, Ok(r))) => Some(r),
            Some((v, Err(x))) => {
                e.push(format!(
                    "value is not a valid regular expression: {}",
                    crate::input::regex_error(v, &x)
                ));
                None
            }
            None => {
                e.push("value must be a regular expression string for op: matches".into());
                None
            }
        }
    } else {
        None
    };
    let any = match p.str("quantifier", &mut e).as_deref() {
        None | Some("all") => false,
        Some("any") => true,
        Some(other) => {
            e.push(format!("quantifier {other:?} must be all or any"));
            false
        }
    };
    let filter = p.evidence_filter(&mut e);
    match (query, e.is_empty()) {
        (Some(query), true) => Ok(Box::new(JsonPathAssert {
            path,
            query,
            op,
            value,
            regex,
            any,
            filter,
        })),
        _ => Err(e),
    }
}

// ---- max_age ----------------------------------------------------------------------------------

struct MaxAge {
    max_age: jiff::SignedDuration,
    text: String,
    field: Option<Query>,
    filter: Option<globset::GlobMatcher>,
}

impl Assertion for MaxAge {
    fn kind(&self) -> &'static str {
        "max_age"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind(),
            files,
            &self.filter,
            |_| true,
            "no evidence to date",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let mut oldest: Option<(jiff::SignedDuration, String)> = None;
        for f in &sel {
            let when = match &self.field {
                Some(q) => {
                    let doc = match read_json(ctx, f) {
                        Ok(v) => v,
                        Err(e) => return result(self.kind(), false, e, names),
                    };
                    let Some(s) = q.query(&doc).first().and_then(|v| v.as_str()) else {
                        return result(
                            self.kind(),
                            false,
                            format!("{f}: no timestamp at the field"),
                            names,
                        );
                    };
                    match s.parse::<jiff::Timestamp>() {
                        Ok(t) => t,
                        Err(_) => {
                            return result(
                                self.kind(),
                                false,
                                format!("{f}: {s:?} is not an RFC 3339 time"),
                                names,
                            );
                        }
                    }
                }
                None => {
                    let mtime = std::fs::metadata(ctx.abs(f)).and_then(|m| m.modified());
                    match mtime.ok().and_then(|t| jiff::Timestamp::try_from(t).ok()) {
                        Some(t) => t,
                        None => {
                            return result(
                                self.kind(),
                                false,
                                format!("{f}: modification time unreadable"),
                                names,
                            );
                        }
                    }
                }
            };
            let age = ctx.now.duration_since(when);
            if oldest.as_ref().is_none_or(|(a, _)| age > *a) {
                oldest = Some((age, f.to_string()));
            }
        }
        let (age, f) = oldest.expect("at least one file");
        let days = age.as_secs() as f64 / 86_400.0;
        if age <= self.max_age {
            result(
                self.kind(),
                true,
                format!(
                    "oldest evidence {f} is {days:.1} day(s) old (max {})",
                    self.text
                ),
                names,
            )
        } else {
            result(
                self.kind(),
                false,
                format!(
                    "{f} is {days:.1} day(s) old, older than max_age {}",
                    self.text
                ),
                names,
            )
        }
    }
}

fn build_max_age(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let text = p.str("max_age", &mut e).unwrap_or_default();
    let max_age = match super::cfg::parse_age(&text) {
        Ok(d) => Some(d),
        Err(x) => {
            if p.map.contains_key("max_age") {
                e.push(x);
            }
            None
        }
    };
    let field = match p.str("field", &mut e) {
        None => None,
        Some(f) => match Query::parse(&f) {
            Ok(q) => Some(q),
            Err(x) => {
                e.push(x);
                None
            }
        },
    };
    let filter = p.evidence_filter(&mut e);
    match (max_age, e.is_empty()) {
        (Some(max_age), true) => Ok(Box::new(MaxAge {
            max_age,
            text,
            field,
            filter,
        })),
        _ => Err(e),
    }
}

// ---- k6_budget, cost_budget (tollgate budget perf / cost) ------------------------------------

struct Budget {
    perf: bool,
    budgets: String,
    baseline: Option<String>,
    ignore_k6_thresholds: bool,
    filter: Option<globset::GlobMatcher>,
}

impl Assertion for Budget {
    fn config_files(&self) -> Vec<(&'static str, &str)> {
        vec![("budgets", self.budgets.as_str())]
    }

    fn kind(&self) -> &'static str {
        if self.perf {
            "k6_budget"
        } else {
            "cost_budget"
        }
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let baseline = self.baseline.as_deref();
        let sel = select(files, &self.filter, |f| {
            has_suffix(f, &[".json"]) && Some(f) != baseline
        });
        let mut names: Vec<String> = sel.iter().map(|s| s.to_string()).collect();
        if sel.is_empty() {
            return result(
                self.kind(),
                false,
                "no summary to check (missing evidence fails closed)".into(),
                names,
            );
        }
        let budgets =
            match crate::budget::cfg::load(&ctx.catalog_dir.join(&self.budgets), ctx.limits) {
                Ok(b) => b,
                Err(e) => return result(self.kind(), false, e.one_line(), names),
            };
        let mut problems = Vec::new();
        let mut rows = 0;
        for f in &sel {
            let ev = if self.perf {
                let current = match crate::budget::k6::load(&ctx.abs(f), ctx.limits) {
                    Ok((s, _)) => s,
                    Err(e) => {
                        return result(
                            self.kind(),
                            false,
                            relative_error(ctx, e.one_line()),
                            names,
                        );
                    }
                };
                let base = match baseline {
                    None => None,
                    Some(b) => match crate::budget::k6::load(&ctx.abs(b), ctx.limits) {
                        Ok((s, _)) => Some(s),
                        Err(e) => {
                            return result(
                                self.kind(),
                                false,
                                relative_error(ctx, e.one_line()),
                                names,
                            );
                        }
                    },
                };
                let opts = crate::budget::perf::Options {
                    ignore_k6_thresholds: self.ignore_k6_thresholds,
                };
                crate::budget::perf::evaluate(&current, base.as_ref(), &budgets, opts)
            } else {
                match crate::budget::infracost::load(&ctx.abs(f), ctx.limits) {
                    Ok(out) => crate::budget::cost::evaluate(&out, &budgets),
                    Err(e) => {
                        return result(
                            self.kind(),
                            false,
                            relative_error(ctx, e.one_line()),
                            names,
                        );
                    }
                }
            };
            match ev {
                Err(e) => {
                    return result(self.kind(), false, relative_error(ctx, e.one_line()), names);
                }
                Ok(ev) => {
                    rows += ev.rows.len();
                    for d in ev
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == crate::report::Severity::Error)
                    {
                        problems.push(format!("{f}: {} {}", d.code(), d.message));
                    }
                }
            }
        }
        if let Some(b) = baseline {
            names.push(b.to_string());
        }
        if problems.is_empty() {
            result(
                self.kind(),
                true,
                format!("{rows} budget(s) met in {} file(s)", sel.len()),
                names,
            )
        } else {
            result(self.kind(), false, problems.join("; "), names)
        }
    }
}

fn build_budget(p: &Params, perf: bool) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let budgets = p.str("budgets", &mut e).unwrap_or_default();
    let baseline = if perf {
        p.str("baseline", &mut e)
    } else {
        None
    };
    let ignore_k6_thresholds = match p.map.get("ignore_k6_thresholds") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            e.push(format!(
                "ignore_k6_thresholds must be true or false, not {other}"
            ));
            false
        }
    };
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(Budget {
            perf,
            budgets,
            baseline,
            ignore_k6_thresholds,
            filter,
        }))
    } else {
        Err(e)
    }
}

fn build_k6(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    build_budget(p, true)
}
fn build_cost(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    build_budget(p, false)
}

// ---- hermetic_clean, reproducible (tollgate hermetic check / repro) ---------------------------

struct HermeticClean {
    allow_hosts: Vec<String>,
    rules: Option<String>,
    filter: Option<globset::GlobMatcher>,
}

impl Assertion for HermeticClean {
    fn config_files(&self) -> Vec<(&'static str, &str)> {
        self.rules.iter().map(|r| ("rules", r.as_str())).collect()
    }

    fn kind(&self) -> &'static str {
        "hermetic_clean"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let (sel, names) = match select_or_fail_closed(
            self.kind(),
            files,
            &self.filter,
            |f| has_suffix(f, &[".log", ".txt"]),
            "no build log to check",
        ) {
            Ok(found) => found,
            Err(missing) => return missing,
        };
        let extra = match &self.rules {
            None => Vec::new(),
            Some(r) => match crate::hermetic::rules::load(&ctx.catalog_dir.join(r), ctx.limits) {
                Ok(r) => r,
                Err(e) => return result(self.kind(), false, e.one_line(), names),
            },
        };
        let opts = match crate::hermetic::check::Options::new(extra, &self.allow_hosts) {
            Ok(o) => o,
            Err(e) => return result(self.kind(), false, e, names),
        };
        let mut problems = Vec::new();
        for f in &sel {
            let text = match input::read_text(&ctx.abs(f), ctx.limits) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(relative_error(ctx, e.one_line()));
                    continue;
                }
            };
            let r = crate::hermetic::check::check_text(f, &text, &opts);
            if !r.recognised() {
                problems.push(format!(
                    "{f}: HRM003 no known build tool output; no verdict"
                ));
            }
            for x in r.findings.iter().filter(|x| !x.allowed) {
                problems.push(format!(
                    "{f}:{}: {} {}",
                    x.line,
                    x.diagnostic().code(),
                    x.host.as_deref().unwrap_or(&x.tool)
                ));
            }
        }
        if problems.is_empty() {
            result(
                self.kind(),
                true,
                format!("{} build log(s) show no network access", sel.len()),
                names,
            )
        } else {
            let n = problems.len();
            problems.truncate(10);
            let more = if n > 10 {
                format!("; and {} more", n - 10)
            } else {
                String::new()
            };
            result(
                self.kind(),
                false,
                format!("{}{more}", problems.join("; ")),
                names,
            )
        }
    }
}

fn build_hermetic_clean(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let allow_hosts = p.strings("allow_hosts", &mut e);
    let rules = p.str("rules", &mut e);
    if let Err(msg) = crate::hermetic::check::Options::new(Vec::new(), &allow_hosts) {
        e.push(msg.replace("--allow-host", "allow_hosts"));
    }
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(HermeticClean {
            allow_hosts,
            rules,
            filter,
        }))
    } else {
        Err(e)
    }
}

struct Reproducible {
    min_ratio: f64,
    filter: Option<globset::GlobMatcher>,
}

impl Assertion for Reproducible {
    fn kind(&self) -> &'static str {
        "reproducible"
    }
    fn evaluate(&self, ctx: &EvalContext, files: &[String]) -> AssertionResult {
        let sel = select(files, &self.filter, |f| has_suffix(f, &[".json"]));
        let names: Vec<String> = sel.iter().map(|s| s.to_string()).collect();
        let mut reports = 0;
        let mut problems = Vec::new();
        let mut ratios = Vec::new();
        for f in &sel {
            let v = match read_json(ctx, f) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            if v.get("schema").and_then(Value::as_str) != Some(crate::repro::REPORT_SCHEMA) {
                if self.filter.is_some() {
                    problems.push(format!(
                        "{f}: not a reproducibility report (schema {})",
                        crate::repro::REPORT_SCHEMA
                    ));
                }
                continue;
            }
            reports += 1;
            let ratio = v.get("ratio").and_then(Value::as_f64);
            let total = v.get("total").and_then(Value::as_u64).unwrap_or(0);
            match ratio {
                Some(r) if total > 0 && r + 1e-12 >= self.min_ratio => {
                    ratios.push(format!("{f}: {r:.4}"))
                }
                Some(r) if total > 0 => {
                    problems.push(format!("{f}: ratio {r:.4} is below {}", self.min_ratio))
                }
                _ => problems.push(format!("{f}: no artifacts were compared")),
            }
        }
        if reports == 0 && problems.is_empty() {
            problems.push("no reproducibility report (tollgate repro --report) in the evidence (missing evidence fails closed)".into());
        }
        if problems.is_empty() {
            result(
                self.kind(),
                true,
                format!("ratio at least {} ({})", self.min_ratio, ratios.join(", ")),
                names,
            )
        } else {
            result(self.kind(), false, problems.join("; "), names)
        }
    }
}

fn build_reproducible(p: &Params) -> Result<Box<dyn Assertion>, Vec<String>> {
    let mut e = Vec::new();
    let min_ratio = match p.map.get("min_ratio") {
        None | Some(Value::Null) => 1.0,
        Some(Value::Number(n)) if n.as_f64().is_some_and(|r| (0.0..=1.0).contains(&r)) => {
            n.as_f64().unwrap_or(1.0)
        }
        Some(other) => {
            e.push(format!(
                "min_ratio must be a number from 0 to 1, not {other}"
            ));
            1.0
        }
    };
    let filter = p.evidence_filter(&mut e);
    if e.is_empty() {
        Ok(Box::new(Reproducible { min_ratio, filter }))
    } else {
        Err(e)
    }
}

// ---- the registry -----------------------------------------------------------------------------

/// Every assertion type, by name. Add a type here; the evaluator needs no change.
pub static REGISTRY: &[AssertionType] = &[
    AssertionType {
        name: "file_exists",
        summary: "At least `min` evidence files are present.",
        params: &[ParamSpec {
            name: "min",
            required: false,
            doc: "minimum number of files (default 1)",
        }],
        build: build_file_exists,
    },
    AssertionType {
        name: "sarif_no_levels",
        summary: "No unsuppressed SARIF result at the given levels: SARIF levels (error, warning, note, none; a result without a level takes its rule's defaultConfiguration, then warning) or GitHub security-severity bands (CRITICAL >= 9.0, HIGH >= 7.0, MEDIUM >= 4.0, LOW > 0).",
        params: &[ParamSpec {
            name: "levels",
            required: true,
            doc: "levels that fail, e.g. [CRITICAL, HIGH] or [error]",
        }],
        build: build_sarif,
    },
    AssertionType {
        name: "sbom_valid",
        summary: "Every SBOM passes `tollgate sbom validate` (schema and semantic rules, optionally a minimum-elements profile).",
        params: &[ParamSpec {
            name: "profile",
            required: false,
            doc: "ntia or cisa-2025",
        }],
        build: build_sbom_valid,
    },
    AssertionType {
        name: "provenance_verified",
        summary: "Every attestation is SLSA provenance signed by trusted key(s) and meets the policy (as `tollgate verify provenance`).",
        params: SIGNED_PARAMS,
        build: build_provenance,
    },
    AssertionType {
        name: "cosign_verify_attestation",
        summary: "Every attestation (any predicate type unless predicate_type is set) is an in-toto statement signed by trusted key(s) and meets the policy, as `cosign verify-attestation --key` checks it.",
        params: SIGNED_PARAMS,
        build: build_cosign,
    },
    AssertionType {
        name: "dsse_verified",
        summary: "Every DSSE envelope is signed by trusted key(s) (signature only; predicate_type checks the payloadType).",
        params: SIGNED_PARAMS,
        build: build_dsse,
    },
    AssertionType {
        name: "json_path",
        summary: "A JSONPath (RFC 9535) or JSON pointer value in every selected JSON file compares true with `value`.",
        params: &[
            ParamSpec {
                name: "path",
                required: true,
                doc: "JSONPath ($.a.b[*].c) or JSON pointer (/a/b)",
            },
            ParamSpec {
                name: "op",
                required: false,
                doc: "==, !=, <, <=, >, >=, in, matches, exists (default ==)",
            },
            ParamSpec {
                name: "value",
                required: false,
                doc: "what to compare with (a list for in, a regex for matches)",
            },
            ParamSpec {
                name: "quantifier",
                required: false,
                doc: "all (default) or any of the matched values",
            },
        ],
        build: build_json_path,
    },
    AssertionType {
        name: "max_age",
        summary: "The oldest selected evidence is at most `max_age` old against --now (by a JSON timestamp field, else file modification time).",
        params: &[
            ParamSpec {
                name: "max_age",
                required: true,
                doc: "e.g. 7d, 12h, P30D",
            },
            ParamSpec {
                name: "field",
                required: false,
                doc: "JSONPath or pointer of an RFC 3339 timestamp in the file",
            },
        ],
        build: build_max_age,
    },
    AssertionType {
        name: "k6_budget",
        summary: "Every k6 summary (legacy export, handleSummary data or machine-readable) meets the perf budgets, relative to a baseline summary when given (as `tollgate budget perf`).",
        params: &[
            ParamSpec {
                name: "budgets",
                required: true,
                doc: "budgets file, relative to the catalog",
            },
            ParamSpec {
                name: "baseline",
                required: false,
                doc: "baseline summary, relative to the evidence directory",
            },
            ParamSpec {
                name: "ignore_k6_thresholds",
                required: false,
                doc: "true: k6's own failed thresholds do not fail",
            },
        ],
        build: build_k6,
    },
    AssertionType {
        name: "cost_budget",
        summary: "Every Infracost JSON (breakdown or diff) meets the cost budgets (as `tollgate budget cost`).",
        params: &[ParamSpec {
            name: "budgets",
            required: true,
            doc: "budgets file, relative to the catalog",
        }],
        build: build_cost,
    },
    AssertionType {
        name: "hermetic_clean",
        summary: "Every build log (`*.log`, `*.txt`) is recognised and shows no network access and no build invocation that allows it (as `tollgate hermetic check`).",
        params: &[
            ParamSpec {
                name: "allow_hosts",
                required: false,
                doc: "hosts (globs) builds may use, e.g. an internal mirror",
            },
            ParamSpec {
                name: "rules",
                required: false,
                doc: "extra log patterns (YAML, docs/hermetic.md), relative to the catalog",
            },
        ],
        build: build_hermetic_clean,
    },
    AssertionType {
        name: "reproducible",
        summary: "Every reproducibility report (`tollgate repro run|compare --report`) compared artifacts and has a ratio of at least min_ratio.",
        params: &[ParamSpec {
            name: "min_ratio",
            required: false,
            doc: "lowest identical/all ratio that passes, 0 to 1 (default 1)",
        }],
        build: build_reproducible,
    },
];

/// `type:` names and parameters, for `tollgate catalog validate --list-assertions` and docs.
pub fn describe() -> Vec<(&'static str, &'static str, Vec<ParamDoc>)> {
    REGISTRY
        .iter()
        .map(|t| {
            (
                t.name,
                t.summary,
                t.params
                    .iter()
                    .map(|p| (p.name, p.required, p.doc))
                    .collect(),
            )
        })
        .collect()
}

#[allow(dead_code)]
fn unused(_: Map<String, Value>) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sarif(rules: Value, results: Value) -> Value {
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": rules}}, "results": results}]})
    }

    #[test]
    fn sarif_levels_fall_back_to_rule_then_warning_and_bands_use_security_severity() {
        let doc = sarif(
            serde_json::json!([
                {"id": "R1", "defaultConfiguration": {"level": "error"}, "properties": {"security-severity": "9.8"}},
                {"id": "R2", "properties": {"security-severity": 7.5}},
                {"id": "R3", "properties": {"security-severity": "5.0"}}
            ]),
            serde_json::json!([]),
        );
        let run = &doc["runs"][0];
        let r = |v: Value| result_levels(run, &v);
        assert_eq!(
            r(serde_json::json!({"ruleId": "R1"})),
            vec![Level::Error, Level::Critical]
        );
        assert_eq!(
            r(serde_json::json!({"ruleIndex": 1})),
            vec![Level::Warning, Level::High]
        );
        assert_eq!(
            r(serde_json::json!({"ruleId": "R3", "level": "note"})),
            vec![Level::Note, Level::Medium]
        );
        assert_eq!(
            r(serde_json::json!({"ruleId": "nope"})),
            vec![Level::Warning]
        );
        assert!(suppressed(
            &serde_json::json!({"suppressions": [{"kind": "external"}]})
        ));
        assert!(!suppressed(
            &serde_json::json!({"suppressions": [{"kind": "external", "status": "rejected"}]})
        ));
    }

    #[test]
    fn json_evidence_with_a_duplicate_key_fails() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("r.json"),
            r#"{"critical": 3, "critical": 0}"#,
        )
        .unwrap();
        let a = build(&Params::new(
            serde_json::from_str(r#"{"type":"json_path","path":"$.critical","op":"==","value":0}"#)
                .unwrap(),
            Location::file("c"),
        ))
        .unwrap();
        let ctx = EvalContext {
            root: dir.path(),
            catalog_dir: dir.path(),
            now: jiff::Timestamp::UNIX_EPOCH,
            limits: Limits::default(),
            trusted_keys: &[],
            json_cache: None,
        };
        let r = a.evaluate(&ctx, &["r.json".to_string()]);
        assert_ne!(
            r.status,
            crate::controls::model::Status::Pass,
            "{}",
            r.message
        );
        assert!(r.message.contains("duplicate key"), "{}", r.message);
    }

    #[test]
    fn json_path_comparisons() {
        let v = serde_json::json!(3);
        assert!(compare(Op::Lt, &v, &serde_json::json!(4.5), None));
        assert!(compare(Op::In, &v, &serde_json::json!([1, 3]), None));
        assert!(!compare(
            Op::Gt,
            &serde_json::json!("a"),
            &serde_json::json!(1),
            None
        ));
        let re = regex::Regex::new("^v[0-9]+").unwrap();
        assert!(compare(
            Op::Matches,
            &serde_json::json!("v12"),
            &Value::Null,
            Some(&re)
        ));
        let q = Query::parse("$.items[*].ok").unwrap();
        let doc = serde_json::json!({"items": [{"ok": true}, {"ok": false}]});
        assert_eq!(q.query(&doc).len(), 2);
        assert!(Query::parse("items").is_err());
    }

    #[test]
    fn unknown_and_missing_parameters_are_errors() {
        let p = |y: &str| {
            let map: BTreeMap<String, Value> = serde_saphyr::from_str(y).unwrap();
            build(&Params::new(map, Location::file("c")))
        };
        let e = p("type: sarif_no_levels\nlevel: [HIGH]").err().unwrap();
        assert!(
            e.iter().any(|m| m.contains("unknown parameter \"level\"")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("missing parameter levels")),
            "{e:?}"
        );
        let e = p("type: json_path\npath: $.a\nop: \"<\"").err().unwrap();
        assert!(
            e.iter().any(|m| m.contains("missing parameter value")),
            "{e:?}"
        );
        assert!(p("type: cosign_verify_attestation").is_ok());
        let e = p("type: nope").err().unwrap();
        assert!(e[0].contains("unknown assertion type"), "{e:?}");
    }
}
