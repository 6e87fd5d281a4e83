//! The control catalog (`schema: 1`) and the waivers file: raw YAML → validated types, collecting
//! every problem with its line:column (never stopping at the first, never skipping one).

use super::assertions::{self, Assertion, Params};
use crate::diags;
use crate::input::{self, InputError, Limits};
use crate::report::{Diagnostic, Location};
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

// ---- raw --------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    schema: Spanned<Value>,
    #[serde(default)]
    controls: Vec<Spanned<RawControl>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    frameworks: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    evidence: Vec<Spanned<Value>>,
    #[serde(default, rename = "assert")]
    asserts: Vec<Spanned<BTreeMap<String, Value>>>,
}

// ---- validated --------------------------------------------------------------------------------

/// One evidence entry: `{path: GLOB, min, max_age}` or a bare glob.
#[derive(Debug, Clone)]
pub struct EvidenceSpec {
    pub pattern: String,
    pub glob: globset::Glob,
    pub matcher: globset::GlobMatcher,
    /// At least this many files must match (default 1).
    pub min: usize,
    /// Files older than this (by modification time, against `--now`) do not count.
    pub max_age: Option<jiff::SignedDuration>,
    pub location: Location,
}

pub struct Control {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub required: bool,
    pub evidence: Vec<EvidenceSpec>,
    pub assertions: Vec<Box<dyn Assertion>>,
    pub location: Location,
}

pub struct Catalog {
    pub path: String,
    pub schema: u32,
    pub sha256: String,
    pub controls: Vec<Control>,
}

/// A catalog or waivers file that does not validate: every problem, each at its line:column.
#[derive(Debug)]
pub struct ConfigErrors {
    pub file: String,
    pub errors: Vec<InputError>,
}

impl ConfigErrors {
    /// The first error as one line, saying how many more there are.
    pub fn into_input_error(mut self) -> InputError {
        let n = self.errors.len();
        let mut first = self.errors.remove(0);
        if n > 1 {
            first.message = format!(
                "{} (and {} more problem(s) in this file)",
                first.message,
                n - 1
            );
            first.hint = format!("{}; `tollgate catalog validate` lists them all", first.hint);
        }
        first
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.errors
            .iter()
            .cloned()
            .map(InputError::into_diagnostic)
            .collect()
    }
}

fn at(file: &str, loc: &serde_saphyr::Location) -> Location {
    Location::file(file).with_line_col(loc.line().max(1) as u32, loc.column().max(1) as u32)
}

fn config(loc: Location, message: impl Into<String>, hint: impl Into<String>) -> InputError {
    InputError::new(&diags::INPUT_CONFIG, loc, message, hint)
}

/// Parse `30d`, `12h`, `90m`, `1w`, `45s` (or an ISO 8601 duration such as `P30D`).
pub fn parse_age(s: &str) -> Result<jiff::SignedDuration, String> {
    let t = s.trim();
    let err = || format!("{s:?} is not a duration like 30d, 12h, 90m, 2w or P30D");
    if t.starts_with('P') || t.starts_with('p') {
        let span: jiff::Span = t.parse().map_err(|_| err())?;
        return span
            .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .map_err(|_| err());
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().map_err(|_| err())?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(err()),
    };
    Ok(jiff::SignedDuration::from_secs(
        n.checked_mul(secs).ok_or_else(err)?,
    ))
}

fn glob(pattern: &str) -> Result<globset::Glob, String> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob {pattern:?}: {e}"))
}

fn evidence_spec(
    file: &str,
    v: &Spanned<Value>,
    errors: &mut Vec<InputError>,
) -> Option<EvidenceSpec> {
    let loc = at(file, &v.referenced);
    let hint = "an evidence entry is a glob string or {path: GLOB, min: N, max_age: 30d}";
    let (pattern, min, max_age) = match &v.value {
        Value::String(s) => (s.clone(), None, None),
        Value::Object(o) => {
            for k in o.keys() {
                if !["path", "min", "max_age"].contains(&k.as_str()) {
                    errors.push(config(
                        loc.clone(),
                        format!(
                            "unknown key {k:?} in an evidence entry (expected path, min, max_age)"
                        ),
                        hint,
                    ));
                }
            }
            let Some(p) = o.get("path").and_then(Value::as_str) else {
                errors.push(config(loc, "evidence entry without a `path` glob", hint));
                return None;
            };
            (
                p.to_string(),
                o.get("min").cloned(),
                o.get("max_age").cloned(),
            )
        }
        _ => {
            errors.push(config(
                loc,
                "an evidence entry must be a glob or a mapping",
                hint,
            ));
            return None;
        }
    };
    if pattern.trim().is_empty()
        || pattern.starts_with('/')
        || pattern.split('/').any(|c| c == "..")
    {
        errors.push(config(
            loc.clone(),
            format!(
                "evidence path {pattern:?} must be a relative glob inside the evidence directory"
            ),
            "write it relative to --evidence, e.g. sbom/*.json",
        ));
        return None;
    }
    let glob = match glob(&pattern) {
        Ok(g) => g,
        Err(e) => {
            errors.push(config(loc, e, "globs use *, **, ?, [abc] and {a,b}"));
            return None;
        }
    };
    let min = match min {
        None => 1,
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(1) as usize,
        Some(other) => {
            errors.push(config(
                loc.clone(),
                format!("min must be a whole number, not {other}"),
                hint,
            ));
            1
        }
    };
    let max_age = match max_age {
        None => None,
        Some(Value::String(s)) => match parse_age(&s) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(config(loc.clone(), format!("max_age: {e}"), hint));
                None
            }
        },
        Some(other) => {
            errors.push(config(
                loc.clone(),
                format!("max_age must be a duration string like 30d, not {other}"),
                hint,
            ));
            None
        }
    };
    Some(EvidenceSpec {
        pattern,
        matcher: glob.compile_matcher(),
        glob,
        min,
        max_age,
        location: loc,
    })
}

/// Parse and validate catalog text. `name` is used in messages.
pub fn parse_catalog(name: &str, text: &str) -> Result<Catalog, ConfigErrors> {
    parse_catalog_in(name, text, None)
}

/// [`parse_catalog`]; with `dir` (the catalog file's directory and the input limits), the
/// configuration files its assertions name are loaded and checked too.
fn parse_catalog_in(
    name: &str,
    text: &str,
    dir: Option<(&Path, Limits)>,
) -> Result<Catalog, ConfigErrors> {
    let fail = |errors| ConfigErrors {
        file: name.to_string(),
        errors,
    };
    let raw: RawCatalog = serde_saphyr::from_str(text).map_err(|e| {
        let mut ie = crate::sbom::document::yaml_error(name, &e);
        ie.info = &diags::INPUT_CONFIG;
        ie.message = ie.message.replacen("malformed YAML: ", "invalid catalog: ", 1);
        ie.hint = "a catalog is `schema: 1` and `controls:`, each control with id, name, evidence, assert (see catalog/README.md and schemas/catalog.schema.json)".into();
        fail(vec![ie])
    })?;
    let mut errors = Vec::new();
    let schema = match raw.schema.value.as_u64() {
        Some(1) => 1,
        _ => {
            errors.push(config(
                at(name, &raw.schema.referenced),
                format!("unsupported catalog schema {}", raw.schema.value),
                "this tollgate reads `schema: 1`",
            ));
            1
        }
    };
    if raw.controls.is_empty() {
        errors.push(config(
            Location::file(name).with_line_col(1, 1),
            "the catalog has no controls",
            "add controls: a list of {id, name, evidence, assert}",
        ));
    }
    let mut seen: BTreeMap<String, Location> = BTreeMap::new();
    let mut controls = Vec::new();
    for rc in raw.controls {
        let loc = at(name, &rc.referenced);
        let rc = rc.value;
        let id_loc = at(name, &rc.id.referenced);
        let id = rc.id.value.trim().to_string();
        if id.is_empty() {
            errors.push(config(
                id_loc.clone(),
                "a control id is empty",
                "give every control a unique id such as SC-01",
            ));
        } else if let Some(first) = seen.get(&id) {
            errors.push(config(
                id_loc.clone(),
                format!(
                    "duplicate control id {id:?} (first defined at line {})",
                    first.line.unwrap_or(0)
                ),
                "control ids must be unique; rename one of them",
            ));
        } else {
            seen.insert(id.clone(), id_loc.clone());
        }
        for (fw, ids) in &rc.frameworks {
            if ids.iter().any(|i| i.trim().is_empty()) {
                errors.push(config(
                    loc.clone(),
                    format!("control {id}: an empty id in frameworks.{fw}"),
                    "list framework control ids, e.g. soc2: [CC8.1]",
                ));
            }
        }
        let evidence: Vec<EvidenceSpec> = rc
            .evidence
            .iter()
            .filter_map(|e| evidence_spec(name, e, &mut errors))
            .collect();
        if rc.evidence.is_empty() && rc.asserts.is_empty() {
            errors.push(config(
                loc.clone(),
                format!("control {id} has neither evidence nor assertions: it could never fail"),
                "add the evidence files that prove it (evidence: [path/*.json]) and assertions over them",
            ));
        }
        let mut asserts = Vec::new();
        for a in &rc.asserts {
            let aloc = at(name, &a.referenced);
            match assertions::build(&Params::new(a.value.clone(), aloc.clone())) {
                Ok(x) => {
                    if let Some((dir, limits)) = dir {
                        for (param, rel) in x.config_files() {
                            if let Err(e) =
                                assertions::check_config_file(param, &dir.join(rel), limits)
                            {
                                errors.push(config(
                                    aloc.clone(),
                                    format!("control {id}: {}: {param} {rel}: {e}", x.kind()),
                                    "paths in a catalog are relative to the catalog file's directory",
                                ));
                            }
                        }
                    }
                    asserts.push(x)
                }
                Err(problems) => {
                    for p in problems {
                        errors.push(config(
                            aloc.clone(),
                            format!("control {id}: {p}"),
                            assertions::HINT,
                        ));
                    }
                }
            }
        }
        controls.push(Control {
            id,
            name: rc.name,
            description: rc.description,
            frameworks: rc.frameworks,
            required: rc.required.unwrap_or(true),
            evidence,
            assertions: asserts,
            location: loc,
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.location.line, e.location.column));
        return Err(fail(errors));
    }
    Ok(Catalog {
        path: name.to_string(),
        schema,
        sha256: crate::attest::intoto::hex(&sha2_digest(text.as_bytes())),
        controls,
    })
}

fn sha2_digest(b: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(b).to_vec()
}

/// Read and validate a catalog file.
pub fn load_catalog(path: &Path, limits: Limits) -> Result<Catalog, ConfigErrors> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits).map_err(|e| ConfigErrors {
        file: name.clone(),
        errors: vec![e],
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    parse_catalog_in(&name, &text, Some((dir, limits)))
}

// ---- waivers ----------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaivers {
    #[serde(default)]
    schema: Option<u32>,
    #[serde(default)]
    waivers: Vec<Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    control: String,
    reason: String,
    #[serde(default)]
    approver: Option<String>,
    expires: Spanned<Value>,
    #[serde(default)]
    ticket: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub control: String,
    pub reason: String,
    pub approver: Option<String>,
    pub expires_text: String,
    /// End of validity: a date means the end of that day (UTC).
    pub expires: jiff::Timestamp,
    pub ticket: Option<String>,
    pub location: Location,
}

/// A waiver's expiry: a date (`2027-01-31`, valid through that day in UTC, so it expires at the
/// start of the next) or an RFC 3339 time with an offset. Nothing looser: a time without an
/// offset, or with a space, must not silently become "the end of that day".
fn parse_expiry(s: &str) -> Option<jiff::Timestamp> {
    let is_date = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if is_date {
        let d: jiff::civil::Date = s.parse().ok()?;
        return d
            .tomorrow()
            .ok()?
            .at(0, 0, 0, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    crate::input::parse_rfc3339(s).ok()
}

pub fn parse_waivers(name: &str, text: &str) -> Result<Vec<Waiver>, ConfigErrors> {
    let fail = |errors| ConfigErrors {
        file: name.to_string(),
        errors,
    };
    let raw: RawWaivers = serde_saphyr::from_str(text).map_err(|e| {
        let mut ie = crate::sbom::document::yaml_error(name, &e);
        ie.info = &diags::INPUT_CONFIG;
        ie.message = ie.message.replacen("malformed YAML: ", "invalid waivers file: ", 1);
        ie.hint = "a waivers file is `waivers:` with entries {control, reason, approver, expires, ticket}".into();
        fail(vec![ie])
    })?;
    let mut errors = Vec::new();
    if let Some(s) = raw.schema
        && s != 1
    {
        errors.push(config(
            Location::file(name).with_line_col(1, 1),
            format!("unsupported waivers schema {s}"),
            "use schema: 1",
        ));
    }
    let mut out = Vec::new();
    for w in raw.waivers {
        let loc = at(name, &w.referenced);
        let w = w.value;
        let expires_text = match &w.expires.value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let Some(expires) = parse_expiry(&expires_text) else {
            errors.push(config(
                at(name, &w.expires.referenced),
                format!("expires {expires_text:?} is not a date or an RFC 3339 time"),
                "write a date (2026-12-31, valid through that day in UTC) or a time with its offset (2026-12-31T18:00:00Z)",
            ));
            continue;
        };
        if w.reason.trim().is_empty() {
            errors.push(config(
                loc.clone(),
                "a waiver without a reason",
                "say why the control may fail until the expiry",
            ));
        }
        out.push(Waiver {
            control: w.control,
            reason: w.reason,
            approver: w.approver.filter(|a| !a.trim().is_empty()),
            expires_text,
            expires,
            ticket: w.ticket,
            location: loc,
        });
    }
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    Ok(out)
}

pub fn load_waivers(path: &Path, limits: Limits) -> Result<Vec<Waiver>, ConfigErrors> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits).map_err(|e| ConfigErrors {
        file: name.clone(),
        errors: vec![e],
    })?;
    parse_waivers(&name, &text)
}

/// Control ids of a catalog, for checking waivers against it.
pub fn control_ids(c: &Catalog) -> BTreeSet<&str> {
    c.controls.iter().map(|c| c.id.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAM_CATALOG: &str = "schema: 1
controls:
  - id: SC-01
    name: Supply Chain — SBOM & Scans
    evidence:
      - path: sbom/sbom-*.json
      - path: scans/trivy.sarif
    assert:
      - type: sarif_no_levels
        levels: [CRITICAL, HIGH]
  - id: SC-02
    name: Signing & Provenance
    evidence:
      - path: provenance/*.json
    assert:
      - type: cosign_verify_attestation
  - id: PL-01
    name: Policy Pack (Warrant/License/Citations)
    evidence: [ policies/conftest-results.json ]
";

    #[test]
    fn the_teams_catalog_loads_unchanged() {
        let c = parse_catalog("c.yaml", TEAM_CATALOG).unwrap_or_else(|e| panic!("{:?}", e.errors));
        assert_eq!(c.controls.len(), 3);
        assert_eq!(c.controls[0].evidence.len(), 2);
        assert_eq!(
            c.controls[2].evidence[0].pattern,
            "policies/conftest-results.json"
        );
        assert_eq!(
            c.controls[1].assertions[0].kind(),
            "cosign_verify_attestation"
        );
        assert!(c.controls.iter().all(|c| c.required));
    }

    #[test]
    fn every_problem_is_reported_with_its_position() {
        let bad = "schema: 1
controls:
  - id: A
    name: a
    evidence: [x.json]
    assert:
      - type: no_such_assertion
  - id: A
    name: dup
    evidence: [{path: y.json, min: two}]
    assert:
      - type: sarif_no_levels
  - id: B
    name: b
    evidence: [../escape.json]
";
        let e = parse_catalog("c.yaml", bad).err().unwrap();
        let msgs: Vec<String> = e.errors.iter().map(|e| e.one_line()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("c.yaml:7:") && m.contains("no_such_assertion")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("c.yaml:8:") && m.contains("duplicate control id")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("min must be a whole number")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("c.yaml:12:") && m.contains("levels")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("../escape.json")),
            "{msgs:#?}"
        );
        let unknown = "schema: 1\ncontrols:\n  - id: A\n    name: a\n    evidense: [x]\n";
        let e = parse_catalog("c.yaml", unknown).err().unwrap();
        let m = e.errors[0].one_line();
        assert!(m.contains("c.yaml:5:") && m.contains("evidense"), "{m}");
    }

    #[test]
    fn ages_and_expiries() {
        assert_eq!(parse_age("30d").unwrap().as_secs(), 30 * 86_400);
        assert_eq!(parse_age("12h").unwrap().as_secs(), 12 * 3600);
        assert_eq!(parse_age("P2D").unwrap().as_secs(), 2 * 86_400);
        assert!(parse_age("soon").is_err());
        assert!(parse_age("5y").is_err());
        // A date is valid through its whole day (UTC): it expires as the next day starts.
        assert_eq!(
            parse_expiry("2026-12-31").unwrap().to_string(),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            parse_expiry("2026-11-23T12:00:00+01:00")
                .unwrap()
                .to_string(),
            "2026-11-23T11:00:00Z"
        );
        // Anything looser is refused, never read as "the end of that day".
        for loose in [
            "31/12/2026",
            "2026-11-23 12:00:00",
            "2026-11-23T11:30:00",
            "2026-11-23T12:00",
            "2026-11-23T12",
            "2026-11-23T12Z",
            "2026-11-23T12:00:00+25:00",
            "2026-1-23",
        ] {
            assert!(parse_expiry(loose).is_none(), "{loose}");
        }
    }
}
