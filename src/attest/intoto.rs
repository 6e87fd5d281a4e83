//! in-toto attestation framework types: Statement v1 (reading v0.1 too) and ResourceDescriptor,
//! with validation that follows the spec
//! (<https://github.com/in-toto/attestation/tree/main/spec/v1>) and the reference Go bindings'
//! `Validate()`: the first rule broken is reported as a [`ValidationError`] with a stable
//! [`ErrorKind`] and a path such as `subject[0].digest`.
//!
//! The `in-toto` crate models only the pre-v1 layout, hence our own serde types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of the older Statement v0.1 (same layout for our purposes; still accepted).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// DSSE payloadType of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A set of digests: algorithm name → (usually lowercase hex) value. Sorted, so serialisation
/// is deterministic.
pub type DigestSet = BTreeMap<String, String>;

/// An in-toto ResourceDescriptor (v1). Every field is optional; see [`validate_resource_descriptor`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<DigestSet>,
    /// Base64 of the resource's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Map<String, Value>>,
}

/// An in-toto Statement (v1 layout; v0.1 reads the same).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[serde(rename = "_type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Vec<ResourceDescriptor>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Value>,
}

/// Which rule a statement, descriptor or predicate breaks. The names mirror the reference Go
/// bindings' sentinel errors (see [`ErrorKind::go_name`]) so conformance can be compared exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Not JSON of the expected shape (a field has the wrong JSON type).
    Malformed,
    InvalidStatementType,
    SubjectRequired,
    RdRequiredField,
    DigestRequired,
    InvalidDigestEncoding,
    IncorrectDigestLength,
    DigestAlgorithmName,
    PredicateTypeRequired,
    PredicateRequired,
    BuildDefinitionRequired,
    BuildTypeRequired,
    ExternalParamsRequired,
    RunDetailsRequired,
    BuilderRequired,
    BuilderIdRequired,
    InvalidTimestamp,
}

impl ErrorKind {
    /// The reference Go bindings' name for this error (`ErrSubjectRequired`…); kinds the Go
    /// bindings do not have get a name in the same style.
    pub fn go_name(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "ErrMalformed",
            ErrorKind::InvalidStatementType => "ErrInvalidStatementType",
            ErrorKind::SubjectRequired => "ErrSubjectRequired",
            ErrorKind::RdRequiredField => "ErrRDRequiredField",
            ErrorKind::DigestRequired => "ErrDigestRequired",
            ErrorKind::InvalidDigestEncoding => "ErrInvalidDigestEncoding",
            ErrorKind::IncorrectDigestLength => "ErrIncorrectDigestLength",
            ErrorKind::DigestAlgorithmName => "ErrDigestAlgorithmName",
            ErrorKind::PredicateTypeRequired => "ErrPredicateTypeRequired",
            ErrorKind::PredicateRequired => "ErrPredicateRequired",
            ErrorKind::BuildDefinitionRequired => "ErrBuildDefinitionRequired",
            ErrorKind::BuildTypeRequired => "ErrBuildTypeRequired",
            ErrorKind::ExternalParamsRequired => "ErrExternalParamsRequired",
            ErrorKind::RunDetailsRequired => "ErrRunDetailsRequired",
            ErrorKind::BuilderRequired => "ErrBuilderRequired",
            ErrorKind::BuilderIdRequired => "ErrBuilderIdRequired",
            ErrorKind::InvalidTimestamp => "ErrInvalidTimestamp",
        }
    }
}

/// The first rule a document breaks: the kind, and a message that starts with the path of the
/// offending field (`subject[0].digest is empty`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ValidationError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ValidationError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Hex lengths of the algorithms whose values the spec fixes (DigestSet "supported
/// algorithms"); `None` = hex of any length (extendable-output / parameterised hashes).
fn known_hex_lengths(alg: &str) -> Option<Option<&'static [usize]>> {
    Some(match alg {
        "sha1" | "ripemd160" => Some(&[40]),
        "md5" => Some(&[32]),
        "sha224" | "sha512_224" | "sha3_224" => Some(&[56]),
        "sha256" | "sha512_256" | "sha3_256" | "sm3" | "gost" => Some(&[64]),
        "sha384" | "sha3_384" => Some(&[96]),
        "sha512" | "sha3_512" => Some(&[128]),
        "gitCommit" | "gitTree" | "gitBlob" | "gitTag" => Some(&[40, 64]),
        "shake128" | "shake256" | "blake2b" | "blake2s" => None,
        _ => return None,
    })
}

/// Algorithm names the spec spells in camelCase; every other name must be lowercase.
const CAMEL_CASE_ALGORITHMS: &[&str] = &["gitCommit", "gitTree", "gitBlob", "gitTag", "dirHash"];

/// Check one DigestSet: algorithm names lowercase (bar the spec's git* names), values of known
/// algorithms lowercase hex of the algorithm's length, no empty values.
pub fn validate_digest_set(digest: &DigestSet, path: &str) -> Result<(), ValidationError> {
    for (alg, value) in digest {
        let at = format!("{path}.{alg}");
        if alg.is_empty()
            || (!CAMEL_CASE_ALGORITHMS.contains(&alg.as_str())
                && alg.chars().any(|c| c.is_ascii_uppercase()))
        {
            return Err(ValidationError::new(
                ErrorKind::DigestAlgorithmName,
                format!("{path}: digest algorithm name {alg:?} is not lowercase"),
            ));
        }
        if value.is_empty() {
            return Err(ValidationError::new(
                ErrorKind::InvalidDigestEncoding,
                format!("{at}: digest value is empty"),
            ));
        }
        let Some(lengths) = known_hex_lengths(alg) else {
            continue;
        };
        if !value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ValidationError::new(
                ErrorKind::InvalidDigestEncoding,
                format!("{at}: digest value {value:?} is not lowercase hex"),
            ));
        }
        if let Some(lengths) = lengths
            && !lengths.contains(&value.len())
        {
            let want: Vec<String> = lengths.iter().map(|l| l.to_string()).collect();
            return Err(ValidationError::new(
                ErrorKind::IncorrectDigestLength,
                format!(
                    "{at}: digest value has {} hex digits; {alg} needs {}",
                    value.len(),
                    want.join(" or ")
                ),
            ));
        }
    }
    Ok(())
}

/// A ResourceDescriptor needs one of `uri`, `digest`, `content` (spec). A subject that has only
/// a `name` is reported as missing its digest by [`validate_statement`], as the Go bindings do.
pub fn validate_resource_descriptor(
    rd: &ResourceDescriptor,
    path: &str,
) -> Result<(), ValidationError> {
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
    let has_digest = rd.digest.as_ref().is_some_and(|d| !d.is_empty());
    if !has(&rd.uri) && !has_digest && !has(&rd.content) {
        return Err(ValidationError::new(
            ErrorKind::RdRequiredField,
            format!("{path}: ResourceDescriptor needs one of uri, digest, content"),
        ));
    }
    if let Some(d) = &rd.digest {
        validate_digest_set(d, &format!("{path}.digest"))?;
    }
    Ok(())
}

/// Parse JSON text as a Statement (shape only; see [`validate_statement`]).
pub fn parse_statement(text: &str) -> Result<Statement, ValidationError> {
    serde_json::from_str(text).map_err(|e| {
        ValidationError::new(
            ErrorKind::Malformed,
            format!("not an in-toto statement: {e}"),
        )
    })
}

/// Parse a JSON value as a Statement (shape only).
pub fn statement_from_value(v: Value) -> Result<Statement, ValidationError> {
    serde_json::from_value(v).map_err(|e| {
        ValidationError::new(
            ErrorKind::Malformed,
            format!("not an in-toto statement: {e}"),
        )
    })
}

/// Validate a Statement: `_type` v1 (or v0.1), subjects non-empty and each a valid descriptor
/// with a digest, `predicateType` non-empty, `predicate` present; then, for SLSA provenance
/// v1 / v0.2 predicate types, the predicate itself ([`crate::attest::slsa`]).
pub fn validate_statement(st: &Statement) -> Result<(), ValidationError> {
    match st.type_.as_deref() {
        Some(STATEMENT_V1 | STATEMENT_V01) => {}
        Some(other) => {
            return Err(ValidationError::new(
                ErrorKind::InvalidStatementType,
                format!(
                    "_type: unknown _type {other:?}; expected {STATEMENT_V1:?} (or {STATEMENT_V01:?})"
                ),
            ));
        }
        None => {
            return Err(ValidationError::new(
                ErrorKind::InvalidStatementType,
                "_type is missing".to_string(),
            ));
        }
    }
    let subjects = st.subject.as_deref().unwrap_or_default();
    if subjects.is_empty() {
        return Err(ValidationError::new(
            ErrorKind::SubjectRequired,
            "subject is empty; a statement needs at least one subject",
        ));
    }
    for (i, s) in subjects.iter().enumerate() {
        let path = format!("subject[{i}]");
        let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
        let has_digest = s.digest.as_ref().is_some_and(|d| !d.is_empty());
        if !has(&s.name) && !has(&s.uri) && !has_digest && !has(&s.content) {
            return Err(ValidationError::new(
                ErrorKind::RdRequiredField,
                format!("{path}: ResourceDescriptor needs one of uri, digest, content"),
            ));
        }
        if !has_digest {
            return Err(ValidationError::new(
                ErrorKind::DigestRequired,
                format!("{path}.digest is empty; every subject needs a digest"),
            ));
        }
        validate_resource_descriptor(s, &path)?;
    }
    match st.predicate_type.as_deref() {
        Some(t) if !t.is_empty() => {}
        _ => {
            return Err(ValidationError::new(
                ErrorKind::PredicateTypeRequired,
                "predicateType is empty",
            ));
        }
    }
    let Some(predicate) = st.predicate.as_ref().filter(|p| !p.is_null()) else {
        return Err(ValidationError::new(
            ErrorKind::PredicateRequired,
            "predicate is missing",
        ));
    };
    match st.predicate_type.as_deref() {
        Some(crate::attest::slsa::PROVENANCE_V1) => {
            crate::attest::slsa::validate_v1_value(predicate, "predicate")
        }
        Some(crate::attest::slsa::PROVENANCE_V02) => {
            crate::attest::slsa::validate_v02_value(predicate, "predicate")
        }
        _ => Ok(()),
    }
}

/// Parse and validate statement JSON in one step.
pub fn check_statement_json(text: &str) -> Result<Statement, ValidationError> {
    let st = parse_statement(text)?;
    validate_statement(&st)?;
    Ok(st)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The in-toto statement carried by a Sigstore bundle (`dsseEnvelope.payload`) or a bare DSSE
/// envelope (`payload`), or the statement itself when `doc` is one. Signatures are NOT checked:
/// this only reads what the envelope claims.
pub fn statement_from_envelope_json(doc: &Value) -> Result<Value, ValidationError> {
    use base64::Engine as _;
    if doc.get("_type").is_some() {
        return Ok(doc.clone());
    }
    let env = doc.get("dsseEnvelope").unwrap_or(doc);
    let Some(payload) = env.get("payload").and_then(Value::as_str) else {
        return Err(ValidationError::new(
            ErrorKind::Malformed,
            "neither an in-toto statement, a DSSE envelope nor a Sigstore bundle with one",
        ));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(payload.trim()))
        .map_err(|e| {
            ValidationError::new(ErrorKind::Malformed, format!("payload is not base64: {e}"))
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ValidationError::new(ErrorKind::Malformed, format!("payload is not JSON: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn st(v: Value) -> Result<(), ValidationError> {
        validate_statement(&statement_from_value(v).unwrap())
    }

    fn good() -> Value {
        json!({
            "_type": STATEMENT_V1,
            "subject": [{"name": "a", "digest": {"sha256": "a".repeat(64)}}],
            "predicateType": "https://example.com/p/v1",
            "predicate": {}
        })
    }

    #[test]
    fn accepts_v1_and_v01() {
        st(good()).unwrap();
        let mut v = good();
        v["_type"] = json!(STATEMENT_V01);
        st(v).unwrap();
    }

    #[test]
    fn classifies_statement_errors() {
        let cases: Vec<(Value, ErrorKind, &str)> = vec![
            (
                json!({"_type": "https://in-toto.io/Statement/v2"}),
                ErrorKind::InvalidStatementType,
                "unknown _type",
            ),
            (json!([]), ErrorKind::SubjectRequired, "subject is empty"),
            (
                json!([{"name": "x"}]),
                ErrorKind::DigestRequired,
                "subject[0].digest is empty",
            ),
            (
                json!([{"downloadLocation": "https://x"}]),
                ErrorKind::RdRequiredField,
                "needs one of uri, digest, content",
            ),
            (
                json!([{"name": "x", "digest": {"sha256": "ABC"}}]),
                ErrorKind::InvalidDigestEncoding,
                "not lowercase hex",
            ),
            (
                json!([{"name": "x", "digest": {"sha256": "abc"}}]),
                ErrorKind::IncorrectDigestLength,
                "needs 64",
            ),
            (
                json!([{"name": "x", "digest": {"SHA256": "abc"}}]),
                ErrorKind::DigestAlgorithmName,
                "not lowercase",
            ),
        ];
        for (i, (patch, kind, msg)) in cases.into_iter().enumerate() {
            let mut v = good();
            if patch.is_array() {
                v["subject"] = patch;
            } else {
                v["_type"] = patch["_type"].clone();
            }
            let e = st(v).unwrap_err();
            assert_eq!(e.kind, kind, "case {i}: {e}");
            assert!(e.message.contains(msg), "case {i}: {e}");
        }
        let mut v = good();
        v["predicateType"] = json!("");
        assert_eq!(st(v).unwrap_err().kind, ErrorKind::PredicateTypeRequired);
        let mut v = good();
        v.as_object_mut().unwrap().remove("predicate");
        assert_eq!(st(v).unwrap_err().kind, ErrorKind::PredicateRequired);
    }

    #[test]
    fn unknown_algorithms_are_not_hex_checked_but_git_ones_are() {
        let mut d = DigestSet::new();
        d.insert("gce_image_id".into(), "8970095005306000053".into());
        d.insert("gitCommit".into(), "a".repeat(40));
        validate_digest_set(&d, "x").unwrap();
        d.insert("gitCommit".into(), "abc".into());
        assert_eq!(
            validate_digest_set(&d, "x").unwrap_err().kind,
            ErrorKind::IncorrectDigestLength
        );
    }

    #[test]
    fn reads_bundles_and_envelopes() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD.encode(good().to_string());
        let bundle = json!({"dsseEnvelope": {"payload": payload, "payloadType": PAYLOAD_TYPE}});
        assert_eq!(statement_from_envelope_json(&bundle).unwrap(), good());
        let envelope = json!({"payload": payload, "payloadType": PAYLOAD_TYPE});
        assert_eq!(statement_from_envelope_json(&envelope).unwrap(), good());
        assert_eq!(statement_from_envelope_json(&good()).unwrap(), good());
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
    }
}
