//! SLSA Provenance predicates: v1.0 (`https://slsa.dev/provenance/v1`, which tollgate writes)
//! and v0.2 (`https://slsa.dev/provenance/v0.2`, still produced by many builders), their
//! validation, and [`facts`]: the policy-relevant facts (builder, build type, source repository,
//! ref and commit) read the same way from either version.

use super::intoto::{
    DigestSet, ErrorKind, ResourceDescriptor, Statement, ValidationError, validate_digest_set,
    validate_resource_descriptor,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// predicateType of SLSA Provenance v1.0.
pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// predicateType of the pre-release v1.0 draft (same field layout where it matters to us).
pub const PROVENANCE_V1_DRAFT: &str = "https://slsa.dev/provenance/v1.0?draft";
/// predicateType of SLSA Provenance v0.2.
pub const PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";

// ---- v1.0 -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceV1 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_definition: Option<BuildDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_details: Option<RunDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_dependencies: Option<Vec<ResourceDescriptor>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder: Option<Builder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BuildMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byproducts: Option<Vec<ResourceDescriptor>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Builder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_dependencies: Option<Vec<ResourceDescriptor>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

// ---- v0.2 -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceV02 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder: Option<BuilderV02>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<Invocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataV02>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<Vec<Material>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuilderV02 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_source: Option<ConfigSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<DigestSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataV02 {
    /// The spec spells it `buildInvocationId`; slsa-github-generator writes `buildInvocationID`.
    #[serde(
        default,
        alias = "buildInvocationID",
        skip_serializing_if = "Option::is_none"
    )]
    pub build_invocation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_finished_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducible: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Completeness {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Material {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<DigestSet>,
}

// ---- validation -------------------------------------------------------------------------------

fn malformed(path: &str, e: serde_json::Error) -> ValidationError {
    ValidationError::new(ErrorKind::Malformed, format!("{path}: {e}"))
}

fn nonempty(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

fn check_time(t: &Option<String>, path: &str) -> Result<(), ValidationError> {
    if let Some(t) = t
        && t.parse::<jiff::Timestamp>().is_err()
    {
        return Err(ValidationError::new(
            ErrorKind::InvalidTimestamp,
            format!("{path}: {t:?} is not an RFC 3339 timestamp"),
        ));
    }
    Ok(())
}

fn check_rds(rds: &Option<Vec<ResourceDescriptor>>, path: &str) -> Result<(), ValidationError> {
    for (i, rd) in rds.iter().flatten().enumerate() {
        validate_resource_descriptor(rd, &format!("{path}[{i}]"))?;
    }
    Ok(())
}

/// Validate a SLSA v1.0 predicate: `buildDefinition.buildType` and `.externalParameters`,
/// `runDetails.builder.id` required (an empty object counts as missing); every
/// ResourceDescriptor valid; timestamps RFC 3339.
pub fn validate_v1(p: &ProvenanceV1, path: &str) -> Result<(), ValidationError> {
    let bd = p
        .build_definition
        .as_ref()
        .filter(|b| **b != BuildDefinition::default())
        .ok_or_else(|| {
            ValidationError::new(
                ErrorKind::BuildDefinitionRequired,
                format!("{path}.buildDefinition is missing"),
            )
        })?;
    if !nonempty(&bd.build_type) {
        return Err(ValidationError::new(
            ErrorKind::BuildTypeRequired,
            format!("{path}.buildDefinition.buildType is missing"),
        ));
    }
    if bd.external_parameters.as_ref().is_none_or(Value::is_null) {
        return Err(ValidationError::new(
            ErrorKind::ExternalParamsRequired,
            format!("{path}.buildDefinition.externalParameters is missing"),
        ));
    }
    check_rds(
        &bd.resolved_dependencies,
        &format!("{path}.buildDefinition.resolvedDependencies"),
    )?;
    let rd = p
        .run_details
        .as_ref()
        .filter(|r| **r != RunDetails::default())
        .ok_or_else(|| {
            ValidationError::new(
                ErrorKind::RunDetailsRequired,
                format!("{path}.runDetails is missing"),
            )
        })?;
    let builder = rd
        .builder
        .as_ref()
        .filter(|b| **b != Builder::default())
        .ok_or_else(|| {
            ValidationError::new(
                ErrorKind::BuilderRequired,
                format!("{path}.runDetails.builder is missing"),
            )
        })?;
    if !nonempty(&builder.id) {
        return Err(ValidationError::new(
            ErrorKind::BuilderIdRequired,
            format!("{path}.runDetails.builder.id is empty"),
        ));
    }
    check_rds(
        &builder.builder_dependencies,
        &format!("{path}.runDetails.builder.builderDependencies"),
    )?;
    if let Some(m) = &rd.metadata {
        check_time(
            &m.started_on,
            &format!("{path}.runDetails.metadata.startedOn"),
        )?;
        check_time(
            &m.finished_on,
            &format!("{path}.runDetails.metadata.finishedOn"),
        )?;
    }
    check_rds(&rd.byproducts, &format!("{path}.runDetails.byproducts"))
}

/// [`validate_v1`] on JSON.
pub fn validate_v1_value(v: &Value, path: &str) -> Result<(), ValidationError> {
    let p: ProvenanceV1 = serde_json::from_value(v.clone()).map_err(|e| malformed(path, e))?;
    validate_v1(&p, path)
}

/// Validate a SLSA v0.2 predicate: `builder.id` and `buildType` required, material digests
/// valid, timestamps RFC 3339.
pub fn validate_v02(p: &ProvenanceV02, path: &str) -> Result<(), ValidationError> {
    let builder = p.builder.as_ref().ok_or_else(|| {
        ValidationError::new(
            ErrorKind::BuilderRequired,
            format!("{path}.builder is missing"),
        )
    })?;
    if !nonempty(&builder.id) {
        return Err(ValidationError::new(
            ErrorKind::BuilderIdRequired,
            format!("{path}.builder.id is empty"),
        ));
    }
    if !nonempty(&p.build_type) {
        return Err(ValidationError::new(
            ErrorKind::BuildTypeRequired,
            format!("{path}.buildType is missing"),
        ));
    }
    if let Some(cs) = p.invocation.as_ref().and_then(|i| i.config_source.as_ref())
        && let Some(d) = &cs.digest
    {
        validate_digest_set(d, &format!("{path}.invocation.configSource.digest"))?;
    }
    if let Some(m) = &p.metadata {
        check_time(
            &m.build_started_on,
            &format!("{path}.metadata.buildStartedOn"),
        )?;
        check_time(
            &m.build_finished_on,
            &format!("{path}.metadata.buildFinishedOn"),
        )?;
    }
    for (i, m) in p.materials.iter().flatten().enumerate() {
        if let Some(d) = &m.digest {
            validate_digest_set(d, &format!("{path}.materials[{i}].digest"))?;
        }
    }
    Ok(())
}

/// [`validate_v02`] on JSON.
pub fn validate_v02_value(v: &Value, path: &str) -> Result<(), ValidationError> {
    let p: ProvenanceV02 = serde_json::from_value(v.clone()).map_err(|e| malformed(path, e))?;
    validate_v02(&p, path)
}

// ---- facts ------------------------------------------------------------------------------------

/// What a policy asks of provenance, read the same way from v1.0 and v0.2 predicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceFacts {
    pub predicate_type: String,
    pub builder_id: Option<String>,
    pub build_type: Option<String>,
    /// Source repository URI as recorded, without any `@ref` suffix
    /// (e.g. `git+https://github.com/org/repo`).
    pub source_uri: Option<String>,
    /// Full git ref, e.g. `refs/heads/main` or `refs/tags/v1.2.3`.
    pub source_ref: Option<String>,
    /// Source commit (lowercase hex).
    pub source_digest: Option<String>,
    pub invocation_id: Option<String>,
    pub subjects: Vec<ResourceDescriptor>,
}

impl ProvenanceFacts {
    /// The source repository without scheme, `git+`, credentials, `.git` or trailing slash:
    /// `github.com/org/repo` (the form slsa-verifier's `--source-uri` takes).
    pub fn source_repository(&self) -> Option<String> {
        self.source_uri.as_deref().map(normalize_repository)
    }
    /// The branch when the ref is `refs/heads/…`.
    pub fn branch(&self) -> Option<&str> {
        self.source_ref.as_deref()?.strip_prefix("refs/heads/")
    }
    /// The tag when the ref is `refs/tags/…`.
    pub fn tag(&self) -> Option<&str> {
        self.source_ref.as_deref()?.strip_prefix("refs/tags/")
    }
}

/// `git+https://user@github.com/org/repo.git/` → `github.com/org/repo`.
pub fn normalize_repository(uri: &str) -> String {
    let s = uri.strip_prefix("git+").unwrap_or(uri);
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s
        .split_once('@')
        .map_or(s, |(user, rest)| if user.contains('/') { s } else { rest });
    let s = s.trim_end_matches('/');
    s.strip_suffix(".git").unwrap_or(s).to_string()
}

/// Split `git+https://host/repo@refs/heads/main` into the URI and the ref (only a suffix that
/// starts with `refs/` counts, so `git+ssh://git@host/repo` stays whole).
pub fn split_ref(uri: &str) -> (&str, Option<&str>) {
    match uri.rfind('@') {
        Some(i) if uri[i + 1..].starts_with("refs/") => (&uri[..i], Some(&uri[i + 1..])),
        _ => (uri, None),
    }
}

fn commit_of(d: &DigestSet) -> Option<String> {
    ["gitCommit", "sha1", "sha256"]
        .iter()
        .find_map(|k| d.get(*k).cloned())
}

fn str_at<'a>(v: Option<&'a Value>, path: &[&str]) -> Option<&'a str> {
    let mut cur = v?;
    for k in path {
        cur = cur.get(*k)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

fn digest_at(v: Option<&Value>, path: &[&str]) -> Option<DigestSet> {
    let mut cur = v?;
    for k in path {
        cur = cur.get(*k)?;
    }
    serde_json::from_value(cur.clone()).ok()
}

/// The policy-relevant facts of a SLSA provenance statement (v1.0, the v1.0 draft, or v0.2).
pub fn facts(st: &Statement) -> Result<ProvenanceFacts, ValidationError> {
    let predicate_type = st.predicate_type.clone().unwrap_or_default();
    let pred = st.predicate.clone().unwrap_or(Value::Null);
    let mut f = ProvenanceFacts {
        predicate_type: predicate_type.clone(),
        subjects: st.subject.clone().unwrap_or_default(),
        ..Default::default()
    };
    match predicate_type.as_str() {
        PROVENANCE_V1 | PROVENANCE_V1_DRAFT => {
            let p: ProvenanceV1 =
                serde_json::from_value(pred).map_err(|e| malformed("predicate", e))?;
            let bd = p.build_definition.unwrap_or_default();
            let rd = p.run_details.unwrap_or_default();
            f.builder_id = rd.builder.and_then(|b| b.id);
            f.build_type = bd.build_type;
            f.invocation_id = rd.metadata.and_then(|m| m.invocation_id);
            let ext = bd.external_parameters.as_ref();
            let int = bd.internal_parameters.as_ref();
            let mut digest = None;
            // GitHub's workflow build type (and tollgate's on GitHub): workflow.repository/ref.
            if let Some(repo) = str_at(ext, &["workflow", "repository"]) {
                f.source_uri = Some(repo.to_string());
                f.source_ref = str_at(ext, &["workflow", "ref"]).map(str::to_string);
            }
            // tollgate's generic type and container-based builds: source.uri (+ref, digest);
            // the v1.0 draft delegator: source.artifact.uri; or source as a plain string.
            if f.source_uri.is_none()
                && let Some(src) = ext.and_then(|e| e.get("source"))
            {
                let node = match src {
                    Value::Object(o) if !o.contains_key("uri") => o.get("artifact"),
                    _ => Some(src),
                };
                let uri = node.and_then(|n| n.as_str().or_else(|| str_at(Some(n), &["uri"])));
                if let Some(uri) = uri {
                    let (u, r) = split_ref(uri);
                    f.source_uri = Some(u.to_string());
                    f.source_ref = str_at(node, &["ref"]).or(r).map(str::to_string);
                    digest = digest_at(node, &["digest"]).as_ref().and_then(commit_of);
                }
            }
            // The source among the resolved dependencies: the first git one (matching the
            // source URI when we already have it); also where its commit is recorded.
            let deps = bd.resolved_dependencies.unwrap_or_default();
            let wanted = f.source_uri.as_deref().map(normalize_repository);
            let dep = deps.iter().find(|d| {
                d.uri.as_deref().is_some_and(|u| {
                    let (u, _) = split_ref(u);
                    match &wanted {
                        Some(w) => normalize_repository(u) == *w,
                        None => u.starts_with("git+"),
                    }
                })
            });
            if let Some(dep) = dep {
                let (u, r) = split_ref(dep.uri.as_deref().unwrap_or_default());
                if f.source_uri.is_none() {
                    f.source_uri = Some(u.to_string());
                }
                if f.source_ref.is_none() {
                    f.source_ref = r.map(str::to_string);
                }
                if digest.is_none() {
                    digest = dep.digest.as_ref().and_then(commit_of);
                }
            }
            if f.source_ref.is_none() {
                f.source_ref = str_at(int, &["GITHUB_REF"]).map(str::to_string);
            }
            f.source_digest = digest.or_else(|| str_at(int, &["GITHUB_SHA"]).map(str::to_string));
        }
        PROVENANCE_V02 => {
            let p: ProvenanceV02 =
                serde_json::from_value(pred).map_err(|e| malformed("predicate", e))?;
            f.builder_id = p.builder.and_then(|b| b.id);
            f.build_type = p.build_type;
            f.invocation_id = p.metadata.and_then(|m| m.build_invocation_id);
            let inv = p.invocation.unwrap_or_default();
            let env = inv.environment.as_ref();
            if let Some(cs) = inv.config_source {
                if let Some(uri) = cs.uri.as_deref().filter(|u| !u.is_empty()) {
                    let (u, r) = split_ref(uri);
                    f.source_uri = Some(u.to_string());
                    f.source_ref = r.map(str::to_string);
                }
                f.source_digest = cs.digest.as_ref().and_then(commit_of);
            }
            let material = p
                .materials
                .unwrap_or_default()
                .into_iter()
                .find(|m| m.uri.is_some());
            if let Some(m) = material {
                let (u, r) = split_ref(m.uri.as_deref().unwrap_or_default());
                if f.source_uri.is_none() {
                    f.source_uri = Some(u.to_string());
                }
                if f.source_ref.is_none() {
                    f.source_ref = r.map(str::to_string);
                }
                if f.source_digest.is_none() {
                    f.source_digest = m.digest.as_ref().and_then(commit_of);
                }
            }
            if f.source_ref.is_none() {
                f.source_ref = str_at(env, &["github_ref"]).map(str::to_string);
            }
            if f.source_digest.is_none() {
                f.source_digest = str_at(env, &["github_sha1"]).map(str::to_string);
            }
        }
        other => {
            return Err(ValidationError::new(
                ErrorKind::PredicateTypeRequired,
                format!(
                    "predicateType {other:?} is not SLSA provenance ({PROVENANCE_V1} or {PROVENANCE_V02})"
                ),
            ));
        }
    }
    Ok(f)
}

// ---- generation -------------------------------------------------------------------------------

/// tollgate's build type for provenance it writes itself (documented in docs/provenance.md).
pub const BUILD_TYPE_GENERIC: &str = "https://tollgate.dev/buildtypes/generic/v1";

/// Everything [`generate`] puts into a SLSA v1.0 predicate besides the subjects.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    pub builder_id: String,
    pub build_type: String,
    pub source_uri: Option<String>,
    pub source_ref: Option<String>,
    /// Source commit, lowercase hex (recorded as `gitCommit`).
    pub source_digest: Option<String>,
    pub invocation_id: Option<String>,
    pub started_on: String,
    pub finished_on: String,
    /// `externalParameters` entries besides `source` (CI `workflow`/`pipeline`, `parameters`).
    pub external: serde_json::Map<String, Value>,
    /// `internalParameters`.
    pub internal: serde_json::Map<String, Value>,
}

/// An in-toto Statement v1 with a SLSA Provenance v1.0 predicate for `subjects`.
pub fn generate(subjects: Vec<ResourceDescriptor>, o: &GenerateOptions) -> Statement {
    let mut external = o.external.clone();
    let commit = o.source_digest.as_ref().map(|d| {
        let mut set = DigestSet::new();
        set.insert("gitCommit".into(), d.clone());
        set
    });
    let mut source = serde_json::Map::new();
    if let Some(u) = &o.source_uri {
        source.insert("uri".into(), Value::String(u.clone()));
    }
    if let Some(r) = &o.source_ref {
        source.insert("ref".into(), Value::String(r.clone()));
    }
    if let Some(c) = &commit {
        source.insert("digest".into(), serde_json::to_value(c).expect("map"));
    }
    if !source.is_empty() {
        external.insert("source".into(), Value::Object(source));
    }
    let resolved = o.source_uri.as_ref().map(|u| {
        vec![ResourceDescriptor {
            uri: Some(match &o.source_ref {
                Some(r) => format!("{u}@{r}"),
                None => u.clone(),
            }),
            digest: commit.clone(),
            ..Default::default()
        }]
    });
    let predicate = ProvenanceV1 {
        build_definition: Some(BuildDefinition {
            build_type: Some(o.build_type.clone()),
            external_parameters: Some(Value::Object(external)),
            internal_parameters: (!o.internal.is_empty())
                .then(|| Value::Object(o.internal.clone())),
            resolved_dependencies: resolved,
        }),
        run_details: Some(RunDetails {
            builder: Some(Builder {
                id: Some(o.builder_id.clone()),
                ..Default::default()
            }),
            metadata: Some(BuildMetadata {
                invocation_id: o.invocation_id.clone(),
                started_on: Some(o.started_on.clone()),
                finished_on: Some(o.finished_on.clone()),
            }),
            byproducts: None,
        }),
    };
    Statement {
        type_: Some(super::intoto::STATEMENT_V1.to_string()),
        subject: Some(subjects),
        predicate_type: Some(PROVENANCE_V1.to_string()),
        predicate: Some(serde_json::to_value(predicate).expect("serialisable")),
    }
}

/// Pretty JSON with keys sorted at every level, plus a newline: the bytes tollgate writes.
pub fn to_canonical_pretty(st: &Statement) -> String {
    fn sorted(v: Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut entries: Vec<(String, Value)> = m.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let v = sorted(serde_json::to_value(st).expect("serialisable"));
    let mut s = serde_json::to_string_pretty(&v).expect("serialisable");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::intoto::statement_from_value;
    use serde_json::json;

    fn v1() -> Value {
        json!({
            "buildDefinition": {"buildType": "https://x/t", "externalParameters": {}},
            "runDetails": {"builder": {"id": "https://x/b"},
                           "metadata": {"startedOn": "2026-01-01T00:00:00Z"}}
        })
    }

    #[test]
    fn v1_required_fields() {
        validate_v1_value(&v1(), "predicate").unwrap();
        let mut p = v1();
        p["runDetails"]["metadata"]["startedOn"] = json!("yesterday");
        assert_eq!(
            validate_v1_value(&p, "predicate").unwrap_err().kind,
            ErrorKind::InvalidTimestamp
        );
        let mut p = v1();
        p["buildDefinition"]
            .as_object_mut()
            .unwrap()
            .remove("externalParameters");
        assert_eq!(
            validate_v1_value(&p, "predicate").unwrap_err().kind,
            ErrorKind::ExternalParamsRequired
        );
        let mut p = v1();
        p["runDetails"]["builder"]["id"] = json!("");
        let e = validate_v1_value(&p, "predicate").unwrap_err();
        assert_eq!(e.kind, ErrorKind::BuilderIdRequired);
        assert_eq!(e.message, "predicate.runDetails.builder.id is empty");
    }

    #[test]
    fn v02_requires_builder_and_build_type() {
        let p = json!({"builder": {"id": "b"}, "buildType": "t",
                       "metadata": {"buildInvocationID": "1-1"}});
        validate_v02_value(&p, "predicate").unwrap();
        let p = json!({"buildType": "t"});
        assert_eq!(
            validate_v02_value(&p, "predicate").unwrap_err().kind,
            ErrorKind::BuilderRequired
        );
    }

    #[test]
    fn generated_statement_is_valid_sorted_and_readable() {
        let mut o = GenerateOptions {
            builder_id: "https://example.com/b".into(),
            build_type: BUILD_TYPE_GENERIC.into(),
            source_uri: Some("git+https://github.com/o/r".into()),
            source_ref: Some("refs/tags/v1".into()),
            source_digest: Some("c".repeat(40)),
            started_on: "2026-01-01T00:00:00Z".into(),
            finished_on: "2026-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        o.external.insert("parameters".into(), json!({"k": "v"}));
        let subj = vec![ResourceDescriptor {
            name: Some("a".into()),
            digest: Some([("sha256".to_string(), "0".repeat(64))].into()),
            ..Default::default()
        }];
        let st = generate(subj, &o);
        crate::attest::intoto::validate_statement(&st).unwrap();
        let text = to_canonical_pretty(&st);
        assert!(text.ends_with("}\n"));
        assert!(text.find("\"_type\"").unwrap() < text.find("\"predicate\"").unwrap());
        let back = crate::attest::intoto::check_statement_json(&text).unwrap();
        let f = facts(&back).unwrap();
        assert_eq!(f.source_repository().as_deref(), Some("github.com/o/r"));
        assert_eq!(f.tag(), Some("v1"));
        assert_eq!(f.source_digest, Some("c".repeat(40)));
        assert_eq!(f.builder_id.as_deref(), Some("https://example.com/b"));
    }

    #[test]
    fn refs_and_repositories() {
        assert_eq!(
            split_ref("git+https://github.com/o/r@refs/tags/v1"),
            ("git+https://github.com/o/r", Some("refs/tags/v1"))
        );
        assert_eq!(
            split_ref("git+ssh://git@h/o/r"),
            ("git+ssh://git@h/o/r", None)
        );
        assert_eq!(
            normalize_repository("git+https://github.com/o/r.git/"),
            "github.com/o/r"
        );
        assert_eq!(
            normalize_repository("git+ssh://git@github.com/o/r"),
            "github.com/o/r"
        );
    }

    #[test]
    fn facts_from_v02_and_v1() {
        let st = statement_from_value(json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "subject": [{"name": "a", "digest": {"sha256": "0".repeat(64)}}],
            "predicateType": PROVENANCE_V02,
            "predicate": {"builder": {"id": "B"}, "buildType": "T",
                "invocation": {"configSource": {"uri": "git+https://github.com/o/r@refs/tags/v1",
                                                "digest": {"sha1": "a".repeat(40)}}}}
        }))
        .unwrap();
        let f = facts(&st).unwrap();
        assert_eq!(f.builder_id.as_deref(), Some("B"));
        assert_eq!(f.source_repository().as_deref(), Some("github.com/o/r"));
        assert_eq!(f.tag(), Some("v1"));
        assert_eq!(f.source_digest, Some("a".repeat(40)));

        let st = statement_from_value(json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "a", "digest": {"sha256": "0".repeat(64)}}],
            "predicateType": PROVENANCE_V1,
            "predicate": {
                "buildDefinition": {"buildType": "T",
                    "externalParameters": {"workflow": {"repository": "https://github.com/o/r",
                        "ref": "refs/heads/main", "path": ".github/workflows/r.yml"}},
                    "resolvedDependencies": [{"uri": "git+https://github.com/o/r@refs/heads/main",
                        "digest": {"gitCommit": "b".repeat(40)}}]},
                "runDetails": {"builder": {"id": "B1"}}}
        }))
        .unwrap();
        let f = facts(&st).unwrap();
        assert_eq!(f.builder_id.as_deref(), Some("B1"));
        assert_eq!(f.branch(), Some("main"));
        assert_eq!(f.source_repository().as_deref(), Some("github.com/o/r"));
        assert_eq!(f.source_digest, Some("b".repeat(40)));
    }
}
