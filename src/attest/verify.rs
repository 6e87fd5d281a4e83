//! Verifying signed provenance: reading DSSE envelopes, `.intoto.jsonl` files and Sigstore
//! bundles ([`parse_attestations`]), verification plugins that decide who signed
//! ([`Verifier`]; [`KeyVerifier`] here, X.509 / Sigstore / TUF ones plug in beside it), and the
//! SLSA provenance policy checked on what they verified ([`Policy`]).
//!
//! [`verify_provenance`] is the library entry point: the CLI (`tollgate verify provenance`) and
//! catalog assertions call it and get the findings back; nothing here prints.

use super::diags as att;
use super::dsse::{self, Envelope};
use super::intoto::{
    self, DigestSet, ErrorKind, PAYLOAD_TYPE, STATEMENT_V01, STATEMENT_V1, Statement,
};
use super::keys::PublicKey;
use super::slsa::{self, PROVENANCE_V1, PROVENANCE_V1_DRAFT, PROVENANCE_V02, ProvenanceFacts};
use crate::diags;
use crate::input::{InputError, json_error};
use crate::report::{CodeInfo, Diagnostic, Location};
use serde::Serialize;
use serde_json::Value;

// ---- input ------------------------------------------------------------------------------------

/// A signed attestation as read from a file: the DSSE envelope and, when it came in a Sigstore
/// bundle, the whole bundle (its verification material is for the plugins to read).
#[derive(Debug, Clone)]
pub struct SignedAttestation {
    /// The file, and the line for `.intoto.jsonl`.
    pub location: Location,
    pub envelope: Envelope,
    pub bundle: Option<Value>,
}

impl SignedAttestation {
    /// `mediaType` of the bundle it came in.
    pub fn bundle_media_type(&self) -> Option<&str> {
        self.bundle.as_ref()?.get("mediaType")?.as_str()
    }

    fn material(&self) -> Option<&Value> {
        self.bundle.as_ref()?.get("verificationMaterial")
    }

    /// Whether the bundle's verification material is an X.509 certificate (keyless signing).
    pub fn has_certificate(&self) -> bool {
        self.material().is_some_and(|m| {
            m.get("certificate").is_some() || m.get("x509CertificateChain").is_some()
        })
    }

    /// The bundle's public-key hint, when it names one.
    pub fn public_key_hint(&self) -> Option<&str> {
        self.material()?.get("publicKey")?.get("hint")?.as_str()
    }

    /// What the input was, for reports.
    pub fn kind(&self) -> String {
        match self.bundle_media_type() {
            Some(mt) => format!("Sigstore bundle ({mt})"),
            None if self.bundle.is_some() => "Sigstore bundle".to_string(),
            None => "DSSE envelope".to_string(),
        }
    }
}

/// One item of an attestation file.
#[derive(Debug, Clone)]
pub enum Attestation {
    Signed(SignedAttestation),
    /// A bare in-toto statement: readable, but nothing proves who made it.
    Unsigned(Location),
}

const BUNDLE_MEDIA_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// Read a DSSE envelope, a Sigstore bundle (v0.1–v0.3, `dsseEnvelope` content), or
/// `.intoto.jsonl` (one envelope or bundle per line). Anything else is an input error naming the
/// file, line and what was expected.
pub fn parse_attestations(name: &str, text: &str) -> Result<Vec<Attestation>, InputError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(vec![classify(v, Location::file(name), name)?]),
        Err(whole_err) => {
            // JSON Lines: several documents, one per line. A single-line document that does
            // not parse is reported as the JSON error it is.
            let Some(lines) = crate::input::json_lines(text) else {
                return Err(json_error(name, text, &whole_err));
            };
            let mut out = Vec::with_capacity(lines.len());
            for (i, line) in lines {
                let line_no = i as u32 + 1;
                let v = serde_json::from_str::<Value>(line).map_err(|e| {
                    let mut err = json_error(name, line, &e);
                    err.location.line = Some(line_no);
                    err
                })?;
                let loc = Location::file(name).with_line_col(line_no, 1);
                out.push(classify(v, loc, name)?);
            }
            Ok(out)
        }
    }
}

fn unrecognised(loc: Location, message: impl Into<String>, hint: &str) -> InputError {
    InputError::new(&diags::INPUT_UNRECOGNISED, loc, message, hint)
}

fn classify(v: Value, loc: Location, name: &str) -> Result<Attestation, InputError> {
    let Value::Object(obj) = &v else {
        return Err(unrecognised(
            loc,
            "not a DSSE envelope, Sigstore bundle or in-toto statement (not a JSON object)",
            "pass the signed provenance: a DSSE envelope (.intoto.json/.dsse.json), .intoto.jsonl or a Sigstore bundle",
        ));
    };
    let is_bundle = obj
        .get("mediaType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with(BUNDLE_MEDIA_PREFIX))
        || obj.contains_key("verificationMaterial");
    if is_bundle {
        let Some(env) = obj.get("dsseEnvelope") else {
            let what = if obj.contains_key("messageSignature") {
                "a Sigstore bundle over a plain file (messageSignature), not an attestation"
            } else {
                "a Sigstore bundle without a dsseEnvelope"
            };
            return Err(unrecognised(
                loc.with_pointer("/dsseEnvelope"),
                what,
                "pass the bundle that carries the provenance (its content is a dsseEnvelope)",
            ));
        };
        let envelope = envelope_from(env, loc.clone().with_pointer("/dsseEnvelope"), name)?;
        return Ok(Attestation::Signed(SignedAttestation {
            location: loc,
            envelope,
            bundle: Some(v),
        }));
    }
    if obj.contains_key("payloadType") || obj.contains_key("payload") {
        let envelope = envelope_from(&v, loc.clone(), name)?;
        return Ok(Attestation::Signed(SignedAttestation {
            location: loc,
            envelope,
            bundle: None,
        }));
    }
    if obj.contains_key("_type") {
        return Ok(Attestation::Unsigned(loc));
    }
    Err(unrecognised(
        loc,
        "not a DSSE envelope, Sigstore bundle or in-toto statement (no payload, dsseEnvelope or _type)",
        "pass the signed provenance: a DSSE envelope (.intoto.json/.dsse.json), .intoto.jsonl or a Sigstore bundle",
    ))
}

fn envelope_from(v: &Value, loc: Location, _name: &str) -> Result<Envelope, InputError> {
    let mut v = v.clone();
    // An envelope without `signatures` is well-formed but unsigned: a finding, not bad input.
    if let Value::Object(o) = &mut v
        && !o.contains_key("signatures")
    {
        o.insert("signatures".into(), Value::Array(Vec::new()));
    }
    serde_json::from_value::<Envelope>(v).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m);
        InputError::new(
            &diags::INPUT_MALFORMED,
            loc,
            format!("malformed DSSE envelope: {msg}"),
            "an envelope has string fields payload and payloadType and a signatures array of {keyid, sig}",
        )
    })
}

// ---- verification plugins ---------------------------------------------------------------------

/// What a verifier established: the payload it vouches for and who signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    pub payload_type: String,
    #[serde(skip)]
    pub payload: Vec<u8>,
    /// Signer identities (key ids for keys, certificate identities for keyless).
    pub signers: Vec<String>,
    /// Which plugin verified it and how, e.g. `key (1 of 1 trusted key)`.
    pub method: String,
}

/// A finding a verifier reports instead of a [`Verified`] payload.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub info: &'static CodeInfo,
    pub message: String,
    /// A hint specific to this finding (else the code's generic help).
    pub help: Option<String>,
}

/// A verification plugin: checks that an attestation was signed by someone its trust material
/// trusts. The policy code only sees [`Verified`], so keys, X.509 chains, Sigstore bundles and
/// TUF-distributed roots are interchangeable.
pub trait Verifier: Send + Sync {
    /// Short name for reports (`key`, `sigstore`…).
    fn name(&self) -> &'static str;
    /// Whether this plugin can judge this attestation's verification material.
    fn supports(&self, attestation: &SignedAttestation) -> bool;
    /// Check the signature(s); never panics on hostile input.
    fn verify(&self, attestation: &SignedAttestation) -> Result<Verified, Rejection>;
}

/// Trusted public keys with a threshold: at least `threshold` distinct keys must have signed.
pub struct KeyVerifier {
    keys: Vec<PublicKey>,
    threshold: usize,
}

impl KeyVerifier {
    pub fn new(keys: Vec<PublicKey>, threshold: usize) -> Self {
        KeyVerifier {
            keys,
            threshold: threshold.max(1),
        }
    }
}

impl Verifier for KeyVerifier {
    fn name(&self) -> &'static str {
        "key"
    }

    /// Bare envelopes and key-signed bundles; a certificate in the bundle means keyless
    /// signing, which needs a trust root, not a key.
    fn supports(&self, attestation: &SignedAttestation) -> bool {
        !attestation.has_certificate()
    }

    fn verify(&self, attestation: &SignedAttestation) -> Result<Verified, Rejection> {
        match dsse::verify_envelope(&attestation.envelope, &self.keys, self.threshold) {
            Ok(v) => Ok(Verified {
                method: format!(
                    "key ({} of {} trusted key(s), threshold {})",
                    v.keyids.len(),
                    self.keys.len(),
                    self.threshold
                ),
                payload_type: v.payload_type,
                payload: v.payload,
                signers: v.keyids,
            }),
            Err(e) => {
                let mut message = e.to_string();
                if let dsse::DsseError::SignatureInvalid = e {
                    let ids: Vec<String> = self.keys.iter().map(|k| short(&k.keyid())).collect();
                    message.push_str(&format!(" (trusted key id(s): {})", ids.join(", ")));
                }
                Err(Rejection {
                    info: e.info(),
                    message,
                    help: None,
                })
            }
        }
    }
}

fn short(keyid: &str) -> String {
    keyid.chars().take(16).collect()
}

// ---- policy -----------------------------------------------------------------------------------

/// What the provenance must say, beyond being signed by a trusted party. Unset fields are not
/// checked; `predicate_types` empty means SLSA Provenance v1.0 (and its draft) or v0.2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_versioned_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub predicate_types: Vec<String>,
    /// Accept any predicate type when `predicate_types` is empty (as `cosign verify-attestation`
    /// without `--type` does); builder and source checks then find nothing to match.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub any_predicate_type: bool,
}

pub const DEFAULT_PREDICATE_TYPES: &[&str] = &[PROVENANCE_V1, PROVENANCE_V1_DRAFT, PROVENANCE_V02];

impl Policy {
    /// Problems with the policy itself (a versioned tag that is not `vMAJOR[.MINOR[.PATCH]]`).
    pub fn check(&self) -> Result<(), String> {
        if let Some(t) = &self.source_versioned_tag {
            SemverTag::parse(t).map_err(|e| format!("--source-versioned-tag {t:?}: {e}"))?;
        }
        if let Some(b) = &self.builder_id
            && parse_builder_id(b).is_none()
        {
            return Err(format!(
                "--builder-id {b:?}: a builder id is NAME or NAME@VERSION (one `@`, a non-empty version)"
            ));
        }
        Ok(())
    }

    fn accepts_predicate(&self, t: &str) -> bool {
        if self.predicate_types.is_empty() {
            self.any_predicate_type || DEFAULT_PREDICATE_TYPES.contains(&t)
        } else {
            self.predicate_types.iter().any(|p| p == t)
        }
    }
}

/// A builder id as `NAME` or `NAME@VERSION`: at most one `@`, and a non-empty version after it
/// (slsa-verifier's `ParseBuilderID`); `None` for any other form.
pub fn parse_builder_id(id: &str) -> Option<(&str, Option<&str>)> {
    let mut parts = id.split('@');
    let name = parts.next().unwrap_or_default();
    match (parts.next(), parts.next()) {
        (None, _) => Some((name, None)),
        (Some(v), None) if !v.is_empty() => Some((name, Some(v))),
        _ => None,
    }
}

/// Whether the provenance's builder id `actual` satisfies `--builder-id expected`, as
/// slsa-verifier matches them (`TrustedBuilderID.MatchesLoose` with `allowRef`): the names (the
/// part before `@`) must be equal; without a version any version of the builder matches; with
/// one, the provenance's version must be the same or `refs/tags/` followed by it (`…@v2.1.0`
/// accepts `…@refs/tags/v2.1.0`; `…@refs/tags/v2.1.0` does not accept `…@v2.1.0`). An id of
/// another form (two `@`, an empty version) matches nothing.
pub fn builder_matches(expected: &str, actual: &str) -> bool {
    let (Some((want_name, want_version)), Some((name, version))) =
        (parse_builder_id(expected), parse_builder_id(actual))
    else {
        return false;
    };
    if want_name != name {
        return false;
    }
    match want_version {
        None => true,
        Some(want) => {
            version.is_some_and(|v| v == want || v.strip_prefix("refs/tags/") == Some(want))
        }
    }
}

/// A semver tag as slsa-verifier's `--source-versioned-tag` reads it (Go `x/mod/semver`):
/// `vMAJOR`, `vMAJOR.MINOR` or `vMAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemverTag {
    pub major: u64,
    pub minor: Option<u64>,
    pub patch: Option<u64>,
    pub prerelease: Option<String>,
    pub build: Option<String>,
}

impl SemverTag {
    pub fn parse(s: &str) -> Result<Self, String> {
        let rest = s
            .strip_prefix('v')
            .ok_or("a versioned tag starts with `v` (v1, v1.2, v1.2.3)")?;
        let (rest, build) = match rest.split_once('+') {
            Some((r, b)) => (r, Some(b.to_string())),
            None => (rest, None),
        };
        let (core, prerelease) = match rest.split_once('-') {
            Some((r, p)) => (r, Some(p.to_string())),
            None => (rest, None),
        };
        let num = |p: &str| -> Result<u64, String> {
            if p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return Err(format!("{p:?} is not a version number"));
            }
            p.parse::<u64>().map_err(|e| e.to_string())
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 3 {
            return Err("more than three version numbers".into());
        }
        let major = num(parts[0])?;
        let minor = parts.get(1).map(|p| num(p)).transpose()?;
        let patch = parts.get(2).map(|p| num(p)).transpose()?;
        if (prerelease.is_some() || build.is_some()) && patch.is_none() {
            return Err("pre-release and build suffixes need a full vMAJOR.MINOR.PATCH".into());
        }
        for part in [&prerelease, &build].into_iter().flatten() {
            if part.is_empty()
                || !part.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
            {
                return Err(format!(
                    "{part:?} is not a valid pre-release or build suffix"
                ));
            }
        }
        Ok(SemverTag {
            major,
            minor,
            patch,
            prerelease,
            build,
        })
    }

    /// Whether `actual` (the provenance's tag) satisfies this expected tag: the same major; the
    /// same minor and patch when the expected tag names them; the same pre-release and build
    /// when it names them.
    pub fn accepts(&self, actual: &SemverTag) -> bool {
        self.major == actual.major
            && self.minor.is_none_or(|m| actual.minor.unwrap_or(0) == m)
            && self.patch.is_none_or(|p| actual.patch.unwrap_or(0) == p)
            && self
                .prerelease
                .as_ref()
                .is_none_or(|p| actual.prerelease.as_ref() == Some(p))
            && self
                .build
                .as_ref()
                .is_none_or(|b| actual.build.as_ref() == Some(b))
    }
}

// ---- the whole check --------------------------------------------------------------------------

/// An artifact to find among the subjects: its name (for reports) and its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub name: String,
    pub digest: DigestSet,
}

/// One check and how it went, for the "which checks passed" table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The attestation (file or file:line) or artifact it is about.
    pub subject: String,
    pub check: &'static str,
    pub passed: bool,
    pub detail: String,
}

/// An attestation whose signature verified, with what it says.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedStatement {
    pub location: String,
    pub kind: String,
    #[serde(flatten)]
    pub verified: Verified,
    /// Statement and predicate well-formed and of an accepted type.
    pub statement_ok: bool,
    /// Every policy check passed.
    pub policy_ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<ProvenanceFacts>,
}

/// Everything [`verify_provenance`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub statements: Vec<VerifiedStatement>,
    pub checks: Vec<Check>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.severity != crate::report::Severity::Error)
    }

    fn fail(
        &mut self,
        info: &'static CodeInfo,
        loc: &Location,
        check: &'static str,
        message: String,
    ) {
        self.checks.push(Check {
            subject: loc.display_short(),
            check,
            passed: false,
            detail: message.clone(),
        });
        self.diagnostics
            .push(Diagnostic::new(info, message).at(loc.clone()));
    }

    fn pass(&mut self, loc: &Location, check: &'static str, detail: String) {
        self.checks.push(Check {
            subject: loc.display_short(),
            check,
            passed: true,
            detail,
        });
    }

    /// Every digest algorithm the statements' subjects use that tollgate computes, so each
    /// artifact is read once and compared on all of them (sha256 when none is usable).
    pub fn needed_algorithms(&self) -> Vec<super::subjects::Algorithm> {
        use super::subjects::Algorithm;
        let mut out: Vec<Algorithm> = self
            .statements
            .iter()
            .flat_map(|st| st.facts.iter().flat_map(|f| &f.subjects))
            .filter_map(|s| s.digest.as_ref())
            .flat_map(|d| d.keys())
            .filter_map(|k| Algorithm::from_name(k))
            .collect();
        out.sort();
        out.dedup();
        if out.is_empty() {
            out.push(Algorithm::Sha256);
        }
        out
    }
}

/// Signatures, statements and policy of every attestation. Every attestation given must pass
/// (fail closed): an extra envelope signed by an untrusted key is a finding, not ignored.
pub fn verify_attestations(
    attestations: &[Attestation],
    verifiers: &[&dyn Verifier],
    policy: &Policy,
) -> Outcome {
    let mut out = Outcome::default();
    for att in attestations {
        let signed = match att {
            Attestation::Unsigned(loc) => {
                out.fail(
                    &att::UNSIGNED_STATEMENT,
                    loc,
                    "signature",
                    "this is a bare in-toto statement, not a signed envelope".into(),
                );
                continue;
            }
            Attestation::Signed(s) => s,
        };
        let loc = &signed.location;
        let Some(verifier) = verifiers.iter().find(|v| v.supports(signed)) else {
            let what = if signed.has_certificate() {
                "a keyless (certificate-signed) Sigstore bundle"
            } else {
                "this attestation"
            };
            let names: Vec<&str> = verifiers.iter().map(|v| v.name()).collect();
            out.fail(
                &att::NO_VERIFIER,
                loc,
                "signature",
                format!(
                    "{what} cannot be checked with the configured verifier(s): {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
            continue;
        };
        let verified = match verifier.verify(signed) {
            Ok(v) => v,
            Err(r) => {
                out.fail(r.info, loc, "signature", r.message);
                if let (Some(h), Some(d)) = (r.help, out.diagnostics.last_mut()) {
                    d.help = Some(h);
                }
                continue;
            }
        };
        out.pass(
            loc,
            "signature",
            format!(
                "{} by {}",
                verified.method,
                verified
                    .signers
                    .iter()
                    .map(|s| short(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        let mut statement = VerifiedStatement {
            location: loc.display_short(),
            kind: signed.kind(),
            verified,
            statement_ok: false,
            policy_ok: false,
            facts: None,
        };
        check_statement(&mut out, &mut statement, loc, policy);
        out.statements.push(statement);
    }
    out
}

fn check_statement(out: &mut Outcome, st: &mut VerifiedStatement, loc: &Location, policy: &Policy) {
    let payload_type = &st.verified.payload_type;
    if payload_type != PAYLOAD_TYPE {
        out.fail(
            &att::PAYLOAD_TYPE,
            loc,
            "payload type",
            format!("payloadType is {payload_type:?}, expected {PAYLOAD_TYPE:?}"),
        );
        return;
    }
    out.pass(loc, "payload type", PAYLOAD_TYPE.into());

    let value: Value = match serde_json::from_slice(&st.verified.payload) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            out.fail(
                &att::STATEMENT_TYPE,
                loc,
                "statement type",
                "the signed payload is not a JSON object".into(),
            );
            return;
        }
    };
    match value.get("_type").and_then(Value::as_str) {
        Some(t @ (STATEMENT_V1 | STATEMENT_V01)) => {
            out.pass(loc, "statement type", t.to_string());
        }
        other => {
            out.fail(
                &att::STATEMENT_TYPE,
                loc,
                "statement type",
                match other {
                    Some(t) => {
                        format!("_type is {t:?}, expected {STATEMENT_V1:?} (or {STATEMENT_V01:?})")
                    }
                    None => "the payload has no _type: it is not an in-toto statement".into(),
                },
            );
            return;
        }
    }
    let predicate_type = value
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !policy.accepts_predicate(&predicate_type) {
        let expected = if policy.predicate_types.is_empty() {
            DEFAULT_PREDICATE_TYPES.join(", ")
        } else {
            policy.predicate_types.join(", ")
        };
        out.fail(
            &att::PREDICATE_TYPE,
            loc,
            "predicate type",
            format!("predicateType is {predicate_type:?}, expected one of: {expected}"),
        );
        return;
    }
    out.pass(loc, "predicate type", predicate_type.clone());

    let parsed: Result<Statement, _> = intoto::statement_from_value(value);
    let facts = parsed
        .and_then(|s| intoto::validate_statement(&s).map(|()| s))
        .and_then(|s| {
            if DEFAULT_PREDICATE_TYPES.contains(&predicate_type.as_str()) {
                slsa::facts(&s)
            } else {
                // Another predicate the policy accepts (e.g. a VSA): only its subjects matter
                // here; builder and source checks find nothing to match and fail.
                Ok(ProvenanceFacts {
                    predicate_type: predicate_type.clone(),
                    subjects: s.subject.clone().unwrap_or_default(),
                    ..Default::default()
                })
            }
        });
    let facts = match facts {
        Ok(f) => f,
        Err(e) => {
            let info = if e.kind == ErrorKind::InvalidStatementType {
                &att::STATEMENT_TYPE
            } else {
                &att::STATEMENT_INVALID
            };
            out.fail(info, loc, "statement", e.message);
            return;
        }
    };
    out.pass(
        loc,
        "statement",
        format!("well-formed, {} subject(s)", facts.subjects.len()),
    );
    st.statement_ok = true;
    let failures_before = out.diagnostics.len();
    check_policy(out, &facts, loc, policy);
    st.policy_ok = out.diagnostics.len() == failures_before;
    st.facts = Some(facts);
}

fn found(v: Option<&str>) -> String {
    v.map_or_else(|| "nothing".to_string(), |s| format!("{s:?}"))
}

fn check_policy(out: &mut Outcome, f: &ProvenanceFacts, loc: &Location, p: &Policy) {
    if let Some(want) = &p.builder_id {
        match f.builder_id.as_deref() {
            Some(have) if builder_matches(want, have) => out.pass(loc, "builder id", have.into()),
            have => out.fail(
                &att::BUILDER_MISMATCH,
                loc,
                "builder id",
                format!(
                    "builder id is {}, the policy requires {want:?}",
                    found(have)
                ),
            ),
        }
    }
    if let Some(want) = &p.source_uri {
        let want_norm = slsa::normalize_repository(want);
        let have = f.source_repository();
        match (&have, f.source_uri.as_deref()) {
            (Some(h), Some(raw)) if *h == want_norm => out.pass(loc, "source uri", raw.into()),
            (_, raw) => out.fail(
                &att::SOURCE_MISMATCH,
                loc,
                "source uri",
                format!(
                    "source repository is {}, the policy requires {want_norm:?}",
                    found(raw)
                ),
            ),
        }
    }
    let have_ref = f.source_ref.as_deref();
    if let Some(want) = &p.source_ref {
        ref_check(
            out,
            loc,
            "source ref",
            have_ref == Some(want.as_str()),
            have_ref,
            format!("ref {want:?}"),
        );
    }
    if let Some(want) = &p.source_tag {
        ref_check(
            out,
            loc,
            "source tag",
            f.tag() == Some(want.as_str()),
            have_ref,
            format!("tag {want:?}"),
        );
    }
    if let Some(want) = &p.source_branch {
        ref_check(
            out,
            loc,
            "source branch",
            f.branch() == Some(want.as_str()),
            have_ref,
            format!("branch {want:?}"),
        );
    }
    if let Some(want) = &p.source_versioned_tag {
        let ok = match (SemverTag::parse(want), f.tag().map(SemverTag::parse)) {
            (Ok(w), Some(Ok(h))) => w.accepts(&h),
            _ => false,
        };
        ref_check(
            out,
            loc,
            "source versioned tag",
            ok,
            have_ref,
            format!("a tag semver-compatible with {want:?}"),
        );
    }
    if let Some(want) = &p.build_type {
        match f.build_type.as_deref() {
            Some(have) if have == want => out.pass(loc, "build type", have.into()),
            have => out.fail(
                &att::BUILD_TYPE_MISMATCH,
                loc,
                "build type",
                format!("buildType is {}, the policy requires {want:?}", found(have)),
            ),
        }
    }
}

fn ref_check(
    out: &mut Outcome,
    loc: &Location,
    check: &'static str,
    ok: bool,
    have: Option<&str>,
    want: String,
) {
    if ok {
        out.pass(loc, check, have.unwrap_or_default().to_string());
    } else {
        out.fail(
            &att::REF_MISMATCH,
            loc,
            check,
            format!("source ref is {}, the policy requires {want}", found(have)),
        );
    }
}

/// Whether a subject's digest set describes the artifact: they share at least one algorithm and
/// agree on every algorithm they share (hex compared case-insensitively).
pub fn digest_matches(subject: &DigestSet, artifact: &DigestSet) -> bool {
    let mut common = 0;
    for (alg, value) in artifact {
        if let Some(s) = subject.get(alg) {
            if !s.eq_ignore_ascii_case(value) {
                return false;
            }
            common += 1;
        }
    }
    common > 0
}

/// Every artifact must be a subject of at least one statement whose signature verified.
pub fn check_artifacts(out: &mut Outcome, artifacts: &[Artifact]) {
    let verified: Vec<&VerifiedStatement> =
        out.statements.iter().filter(|s| s.statement_ok).collect();
    let mut results = Vec::new();
    for a in artifacts {
        let loc = Location::file(a.name.clone());
        if verified.is_empty() {
            results.push((
                loc,
                false,
                "not checked: no statement verified".to_string(),
                false,
            ));
            continue;
        }
        let hit = verified.iter().find_map(|st| {
            st.facts.as_ref()?.subjects.iter().find_map(|s| {
                let d = s.digest.as_ref()?;
                digest_matches(d, &a.digest).then(|| (st.location.clone(), s.name.clone()))
            })
        });
        match hit {
            Some((at, name)) => results.push((
                loc,
                true,
                format!(
                    "subject {} in {at}",
                    name.map_or_else(|| "(unnamed)".into(), |n| format!("{n:?}"))
                ),
                true,
            )),
            None => {
                let digests: Vec<String> =
                    a.digest.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                results.push((
                    loc,
                    false,
                    format!(
                        "digest {} is not among the subjects of the verified statement(s)",
                        digests.join(", ")
                    ),
                    true,
                ))
            }
        }
    }
    for (loc, ok, detail, report) in results {
        if ok {
            out.pass(&loc, "subject digest", detail);
        } else if report {
            out.fail(&att::SUBJECT_MISSING, &loc, "subject digest", detail);
        } else {
            out.checks.push(Check {
                subject: loc.display_short(),
                check: "subject digest",
                passed: false,
                detail,
            });
        }
    }
}

/// Verify signed provenance for artifacts against trust material and a policy: the library
/// entry point. Findings are in [`Outcome::diagnostics`]; an empty set of errors means pass.
pub fn verify_provenance(
    attestations: &[Attestation],
    artifacts: &[Artifact],
    verifiers: &[&dyn Verifier],
    policy: &Policy,
) -> Outcome {
    let mut out = verify_attestations(attestations, verifiers, policy);
    check_artifacts(&mut out, artifacts);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_id_with_and_without_ref() {
        let id = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
        let full = format!("{id}@refs/tags/v1.2.0");
        assert!(builder_matches(id, &full));
        assert!(builder_matches(&full, &full));
        assert!(builder_matches(id, id));
        assert!(!builder_matches(&format!("{id}@refs/tags/v1.3.0"), &full));
        assert!(!builder_matches(
            "https://github.com/other/builder.yml",
            &full
        ));
        assert!(!builder_matches(&id[..id.len() - 1], &full));
        // slsa-verifier's allowRef: a bare tag accepts the provenance's refs/tags/ form…
        assert!(builder_matches(&format!("{id}@v1.2.0"), &full));
        assert!(builder_matches(
            &format!("{id}@v1.2.0"),
            &format!("{id}@v1.2.0")
        ));
        assert!(!builder_matches(&format!("{id}@v1.2"), &full));
        assert!(!builder_matches(&format!("{id}@v1.3.0"), &full));
        assert!(!builder_matches(
            &format!("{id}@v1.2.0"),
            &format!("{id}@refs/heads/v1.2.0")
        ));
        // …not the other way round, and a version never matches a provenance without one.
        assert!(!builder_matches(&full, &format!("{id}@v1.2.0")));
        assert!(!builder_matches(&format!("{id}@v1.2.0"), id));
        // Malformed ids (two `@`, an empty version) match nothing.
        assert!(!builder_matches(&format!("{id}@"), &full));
        assert!(!builder_matches(id, &format!("{full}@x")));
        assert!(!builder_matches(&format!("{full}@x"), &format!("{full}@x")));
        assert_eq!(parse_builder_id("a@b"), Some(("a", Some("b"))));
        assert_eq!(parse_builder_id("a"), Some(("a", None)));
        assert_eq!(parse_builder_id("a@"), None);
        assert_eq!(parse_builder_id("a@b@c"), None);
        let bad = Policy {
            builder_id: Some(format!("{id}@")),
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().starts_with("--builder-id"));
    }

    #[test]
    fn versioned_tags_follow_slsa_verifier() {
        let t = |s: &str| SemverTag::parse(s).unwrap();
        assert!(t("v1").accepts(&t("v1.2.3")));
        assert!(t("v1.2").accepts(&t("v1.2.3")));
        assert!(!t("v1.3").accepts(&t("v1.2.3")));
        assert!(!t("v2").accepts(&t("v1.2.3")));
        assert!(t("v1.2.3").accepts(&t("v1.2.3")));
        assert!(!t("v1.2.4").accepts(&t("v1.2.3")));
        assert!(t("v1.2.3").accepts(&t("v1.2.3-rc.1")));
        assert!(t("v1.2.3-rc.1").accepts(&t("v1.2.3-rc.1")));
        assert!(!t("v1.2.3-rc.2").accepts(&t("v1.2.3-rc.1")));
        assert!(!t("v1.2.3+b1").accepts(&t("v1.2.3")));
        for bad in [
            "1.2.3", "v", "v1.2.3.4", "v01", "v1.x", "v1-rc", "v1.2.3-", "va",
        ] {
            assert!(SemverTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digests_must_agree_on_every_shared_algorithm() {
        let d = |pairs: &[(&str, &str)]| -> DigestSet {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(digest_matches(
            &d(&[("sha256", "AB")]),
            &d(&[("sha256", "ab")])
        ));
        assert!(!digest_matches(
            &d(&[("sha256", "ab")]),
            &d(&[("sha256", "ac")])
        ));
        assert!(!digest_matches(
            &d(&[("sha512", "ab")]),
            &d(&[("sha256", "ab")])
        ));
        assert!(!digest_matches(
            &d(&[("sha256", "ab"), ("sha512", "cd")]),
            &d(&[("sha256", "ab"), ("sha512", "ce")])
        ));
    }

    #[test]
    fn parses_envelopes_bundles_jsonl_and_statements() {
        let env = r#"{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"","sig":"AA=="}]}"#;
        let items = parse_attestations("a.json", env).unwrap();
        assert!(matches!(&items[..], [Attestation::Signed(s)] if s.bundle.is_none()));
        let jsonl = format!("{env}\n\n{env}\n");
        let items = parse_attestations("a.jsonl", &jsonl).unwrap();
        assert_eq!(items.len(), 2);
        let Attestation::Signed(second) = &items[1] else {
            panic!()
        };
        assert_eq!(second.location.line, Some(3));
        let bundle = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"certificate":{{"rawBytes":"AA=="}}}},"dsseEnvelope":{env}}}"#
        );
        let items = parse_attestations("b.json", &bundle).unwrap();
        let Attestation::Signed(b) = &items[0] else {
            panic!()
        };
        assert!(b.has_certificate());
        let st = r#"{"_type":"https://in-toto.io/Statement/v1"}"#;
        assert!(matches!(
            &parse_attestations("s.json", st).unwrap()[..],
            [Attestation::Unsigned(_)]
        ));
        // Bad input is an error, never a panic.
        for bad in [
            "",
            "[]",
            "{\"a\":1}",
            "{\"payload\":1,\"payloadType\":\"x\"}",
            "{",
            "{}\n{",
        ] {
            assert!(parse_attestations("x", bad).is_err(), "{bad:?}");
        }
        let msg = r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"messageSignature":{}}"#;
        let err = parse_attestations("m.json", msg).unwrap_err();
        assert!(err.message.contains("messageSignature"), "{}", err.message);
    }
}
