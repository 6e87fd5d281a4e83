//! `tollgate verify provenance`: signed SLSA provenance against trusted keys, artifacts and a
//! builder/source policy. The checks live in [`crate::attest::verify`]; this reads the inputs,
//! hashes the artifacts and turns the outcome into a report.

use super::Context;
use crate::attest::subjects::{self, Algorithm};
use crate::attest::verify::{self, Artifact, Attestation, KeyVerifier, Outcome, Policy, Verifier};
use crate::cli::{GlobalArgs, VerifyProvenanceArgs};
use crate::error::{Error, Result};
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Report, Subject, Table, Verdict};
use rayon::prelude::*;
use serde_json::json;

fn policy_from(args: &VerifyProvenanceArgs) -> Policy {
    Policy {
        builder_id: args.builder_id.clone(),
        source_uri: args.source_uri.clone(),
        source_ref: args.source_ref.clone(),
        source_tag: args.source_tag.clone(),
        source_branch: args.source_branch.clone(),
        source_versioned_tag: args.source_versioned_tag.clone(),
        build_type: args.build_type.clone(),
        predicate_types: args.predicate_type.clone(),
        any_predicate_type: false,
    }
}

/// `sha256:HEX` / `sha512:HEX` given on the command line.
fn parse_digest(s: &str) -> Result<Artifact> {
    let bad = || {
        Error::usage(
            format!("--artifact-digest {s:?} is not ALG:HEX"),
            "write it like sha256:<64 hex digits> (or sha224, sha384, sha512, sha512_224, sha512_256)",
        )
    };
    let (alg, hex) = s.split_once(':').ok_or_else(bad)?;
    let len = Algorithm::from_name(alg).ok_or_else(bad)?.hex_len();
    if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok(Artifact {
        name: s.to_string(),
        digest: [(alg.to_string(), hex.to_ascii_lowercase())].into(),
    })
}

fn hash_artifacts(paths: &[std::path::PathBuf], algs: &[Algorithm]) -> Result<Vec<Artifact>> {
    paths
        .par_iter()
        .map_init(
            || vec![0u8; 1 << 20],
            |buf, p| {
                let name = input::display_path(p);
                let meta = std::fs::metadata(p).map_err(|e| input::io_error(&name, &e))?;
                if !meta.is_file() {
                    return Err(Error::from(InputError::new(
                        &crate::diags::INPUT_NOT_A_FILE,
                        crate::report::Location::file(name),
                        "is not a regular file",
                        "pass the artifact file itself",
                    )));
                }
                let digest = subjects::hash_file(p, algs, buf)
                    .map_err(|e| Error::from(input::io_error(&name, &e)))?;
                Ok(Artifact { name, digest })
            },
        )
        .collect()
}

pub fn cmd_provenance(
    ctx: &Context,
    args: &VerifyProvenanceArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    if args.artifacts.is_empty() && args.artifact_digests.is_empty() {
        return Err(Error::usage(
            "no artifact to verify: name the artifact file(s) or pass --artifact-digest",
            "tollgate verify provenance app.tar.gz --provenance app.intoto.jsonl --key signer.pub",
        ));
    }
    // With --ca-roots, --certificate-identity alone is the X.509 SAN requirement; keyless
    // (Sigstore) verification is asked for by an issuer, or by an identity without --ca-roots.
    let keyless = super::sigstore::keyless_requested(&args.sigstore)
        && (args.ca_roots.is_none()
            || args.sigstore.certificate_oidc_issuer.is_some()
            || args.sigstore.certificate_oidc_issuer_regexp.is_some());
    if args.key.is_empty() && !keyless && args.ca_roots.is_none() {
        return Err(Error::usage(
            "no trust material: pass the signer's public key with --key, or a keyless identity policy",
            "--key signer.pub (repeat --key for several trusted keys, with --threshold N), or --certificate-identity … --certificate-oidc-issuer … for Sigstore bundles",
        ));
    }
    if !args.key.is_empty() && (args.threshold == 0 || args.threshold > args.key.len()) {
        return Err(Error::usage(
            format!(
                "--threshold {} needs between 1 and the number of --key files ({})",
                args.threshold,
                args.key.len()
            ),
            "pass as many --key files as the threshold requires",
        ));
    }
    let policy = policy_from(args);
    policy.check().map_err(|e| {
        let hint = if e.starts_with("--builder-id") {
            "e.g. --builder-id https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0 (or without @VERSION for any version)"
        } else {
            "e.g. --source-versioned-tag v1.2"
        };
        Error::usage(e, hint)
    })?;
    let mut digests = Vec::new();
    for d in &args.artifact_digests {
        digests.push(parse_digest(d)?);
    }
    if args.key_id.len() > args.key.len() {
        return Err(Error::usage(
            format!(
                "{} --key-id for {} --key: each --key-id names the --key at the same position",
                args.key_id.len(),
                args.key.len()
            ),
            "pass one --key per --key-id, in the same order",
        ));
    }
    let mut keys = args
        .key
        .iter()
        .map(|k| super::key::load_public_key(k, ctx))
        .collect::<Result<Vec<_>>>()?;
    for (key, id) in keys.iter_mut().zip(&args.key_id) {
        *key = key.clone().with_keyid(id.clone());
    }
    // Signers are counted by public key: the same key given twice (under two --key-id) is one.
    let mut distinct: Vec<usize> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if !distinct.iter().any(|&j| keys[j] == *k) {
            distinct.push(i);
        }
    }
    if !keys.is_empty() && args.threshold > distinct.len() {
        let same: Vec<String> = (0..keys.len())
            .filter(|i| !distinct.contains(i))
            .map(|i| {
                let first = keys.iter().position(|k| *k == keys[i]).expect("itself");
                format!(
                    "{} is the same key as {}",
                    input::display_path(&args.key[i]),
                    input::display_path(&args.key[first])
                )
            })
            .collect();
        return Err(Error::usage(
            format!(
                "--threshold {} needs {} distinct public keys; the --key files hold {} ({})",
                args.threshold,
                args.threshold,
                distinct.len(),
                same.join("; ")
            ),
            "pass a different signer's public key for each --key; a key counts once whatever its --key-id",
        ));
    }

    let mut attestations: Vec<Attestation> = Vec::new();
    for p in &args.provenance {
        let name = input::display_path(p);
        let text = input::read_text(p, ctx.limits)?;
        attestations.extend(verify::parse_attestations(&name, &text)?);
    }

    let key_verifier = KeyVerifier::new(keys, args.threshold);
    let mut verifiers: Vec<&dyn Verifier> = Vec::new();
    if !args.key.is_empty() {
        verifiers.push(&key_verifier);
    }
    let keyless_plugin = if keyless {
        match super::sigstore::keyless_plugin(ctx, &args.sigstore)? {
            Ok(p) => Some(p),
            Err(denied) => return env.emit(&denied, global),
        }
    } else {
        None
    };
    if let Some((p, _, _)) = &keyless_plugin {
        verifiers.push(p);
    }
    let x509_plugin = args
        .ca_roots
        .as_ref()
        .map(|p| super::sigstore::x509_plugin(ctx, p, &args.sigstore))
        .transpose()?;
    if let Some(p) = &x509_plugin {
        verifiers.push(p);
    }
    let mut outcome = verify::verify_attestations(&attestations, &verifiers, &policy);
    let mut artifacts = hash_artifacts(&args.artifacts, &outcome.needed_algorithms())?;
    artifacts.extend(digests);
    verify::check_artifacts(&mut outcome, &artifacts);

    let mut report = build_report(ctx, &outcome, &artifacts, &policy, &attestations);
    if let Some((_, root, refreshed)) = &keyless_plugin {
        // Which trusted root vouched for keyless signatures, and how old a TUF cache is.
        report.data["trustedRoot"] = json!({
            "source": root,
            "refreshedAt": refreshed.as_ref().map(|r| &r.0),
            "ageHours": refreshed.as_ref().map(|r| r.1),
        });
    }
    env.emit(&report, global)
}

fn build_report(
    ctx: &Context,
    outcome: &Outcome,
    artifacts: &[Artifact],
    policy: &Policy,
    attestations: &[Attestation],
) -> Report {
    let mut report = Report::new("verify provenance", ctx.now_rfc3339.clone());
    let failed = |subject: &str| {
        outcome
            .checks
            .iter()
            .any(|c| !c.passed && c.subject == subject)
    };
    for att in attestations {
        let (loc, kind) = match att {
            Attestation::Signed(s) => (s.location.display_short(), s.kind()),
            Attestation::Unsigned(l) => (l.display_short(), "in-toto statement (unsigned)".into()),
        };
        let mut s = Subject::new(loc.clone());
        s.kind = Some(kind);
        if let Some(st) = outcome.statements.iter().find(|st| st.location == loc) {
            s.facts.insert("signers".into(), json!(st.verified.signers));
            if let Some(f) = &st.facts {
                s.facts
                    .insert("predicateType".into(), json!(f.predicate_type));
                s.facts.insert("subjects".into(), json!(f.subjects.len()));
                for (k, v) in [
                    ("builderId", &f.builder_id),
                    ("buildType", &f.build_type),
                    ("sourceUri", &f.source_uri),
                    ("sourceRef", &f.source_ref),
                    ("sourceDigest", &f.source_digest),
                ] {
                    if let Some(v) = v {
                        s.facts.insert(k.into(), json!(v));
                    }
                }
            }
        }
        if failed(&loc) {
            s.verdict = Verdict::Deny;
        }
        report.subjects.push(s);
    }
    for a in artifacts {
        let mut s = Subject::new(a.name.clone());
        s.kind = Some("artifact".into());
        for (alg, v) in &a.digest {
            s.facts.insert(alg.clone(), json!(v));
        }
        if failed(&a.name) {
            s.verdict = Verdict::Deny;
        }
        report.subjects.push(s);
    }
    report.diagnostics = outcome.diagnostics.clone();
    report.sort();
    report.tables.push(Table {
        title: "Checks".into(),
        headers: vec![
            "Subject".into(),
            "Check".into(),
            "Result".into(),
            "Detail".into(),
        ],
        rows: outcome
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.subject.clone(),
                    c.check.to_string(),
                    if c.passed { "pass" } else { "FAIL" }.to_string(),
                    c.detail.clone(),
                ]
            })
            .collect(),
    });
    report.data = json!({
        "policy": policy,
        "statements": outcome.statements,
        "artifacts": artifacts,
        "checks": outcome.checks,
    });
    report
}
