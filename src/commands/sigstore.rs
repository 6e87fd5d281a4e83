//! `tollgate verify bundle`, and the trust-root / identity-policy options shared with
//! `tollgate verify provenance` (the checks live in [`crate::sigstore`]).

use super::Context;
use crate::cli::{GlobalArgs, SigstoreArgs, SigstoreInstance, VerifyBundleArgs};
use crate::error::{Error, Result};
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Diagnostic, Location, Report, Subject, Table, Verdict};
use crate::sigstore::bundle::explain_log_failure;
use crate::sigstore::roots::{Instance, TrustError};
use crate::sigstore::tuf;
use crate::sigstore::{
    ArtifactRef, IdentityPolicy, KeyPolicy, SigstoreVerifier, TrustRoot, TrustSource, verify_bundle,
};
use serde_json::{Value, json};

/// Compile a regex given on the command line; a bad one is one line (the option, the reason and
/// where in the pattern, a hint), exit 2.
fn regex(flag: &str, re: &Option<String>, example: &str) -> Result<Option<regex::Regex>> {
    re.as_deref()
        .map(|r| {
            regex::Regex::new(r).map_err(|e| {
                Error::usage(
                    format!(
                        "{flag} {r:?} is not a valid regular expression: {}",
                        input::regex_error(r, &e)
                    ),
                    format!(
                        "write a Rust regular expression, anchored and with literal dots escaped, e.g. {example}"
                    ),
                )
            })
        })
        .transpose()
}

/// The identity policy of the command line.
pub fn identity_policy(a: &SigstoreArgs) -> Result<IdentityPolicy> {
    Ok(IdentityPolicy {
        identity: a.certificate_identity.clone(),
        identity_regexp: regex(
            "--certificate-identity-regexp",
            &a.certificate_identity_regexp,
            r"^https://github\.com/org/repo/\.github/workflows/release\.yml@refs/tags/v",
        )?,
        issuer: a.certificate_oidc_issuer.clone(),
        issuer_regexp: regex(
            "--certificate-oidc-issuer-regexp",
            &a.certificate_oidc_issuer_regexp,
            r"^https://token\.actions\.githubusercontent\.com$",
        )?,
        github_repository: a.certificate_github_workflow_repository.clone(),
        github_ref: a.certificate_github_workflow_ref.clone(),
        github_trigger: a.certificate_github_workflow_trigger.clone(),
        github_sha: a.certificate_github_workflow_sha.clone(),
        github_name: a.certificate_github_workflow_name.clone(),
    })
}

/// Whether the command line asks for keyless verification at all.
pub fn keyless_requested(a: &SigstoreArgs) -> bool {
    a.certificate_identity.is_some()
        || a.certificate_identity_regexp.is_some()
        || a.certificate_oidc_issuer.is_some()
        || a.certificate_oidc_issuer_regexp.is_some()
}

/// Keyless verification names both who (identity) and through whom (issuer), as cosign does.
pub fn require_identity(a: &SigstoreArgs) -> Result<()> {
    let who = a.certificate_identity.is_some() || a.certificate_identity_regexp.is_some();
    let issuer = a.certificate_oidc_issuer.is_some() || a.certificate_oidc_issuer_regexp.is_some();
    if !(who && issuer) {
        return Err(Error::usage(
            "keyless verification needs the signer's identity and its OIDC issuer",
            "--certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer, e.g. --certificate-oidc-issuer https://token.actions.githubusercontent.com",
        ));
    }
    Ok(())
}

/// A value, or the report that denies the run because the selected TUF cache does not verify.
pub type OrDenied<T> = std::result::Result<T, Box<Report>>;

/// The report of `command` denied because the TUF cache `dir` does not verify as `trust refresh`
/// left it (the finding names the cache file and says to refresh again).
fn cache_denied(ctx: &Context, command: &str, dir: &str, error: &tuf::TufError) -> Report {
    let mut report = Report::new(command, ctx.now_rfc3339.clone());
    let mut s = Subject::new(dir.to_string());
    s.kind = Some("TUF cache".into());
    s.verdict = Verdict::Deny;
    report.subjects.push(s);
    report.diagnostics.push(
        Diagnostic::new(error.info, error.message.clone())
            .at(Location::file(error.file.clone()))
            .help(TrustError::cache_hint(error)),
    );
    report.data = json!({ "tufCache": dir, "trustedRoot": null });
    report
}

/// The trusted root the options select, for `command` (`verify bundle`, `verify provenance`):
/// bad input is an error (exit 2); a TUF cache that does not verify is a denial report.
pub fn trust_root(ctx: &Context, a: &SigstoreArgs, command: &str) -> Result<OrDenied<TrustRoot>> {
    let source = if let Some(p) = &a.trusted_root {
        TrustSource::File(p.clone())
    } else if let Some(d) = &a.tuf_cache {
        TrustSource::TufCache(d.clone())
    } else {
        TrustSource::Builtin(match a.sigstore_instance {
            SigstoreInstance::Production => Instance::Production,
            SigstoreInstance::Staging => Instance::Staging,
        })
    };
    match source.load(ctx.limits, ctx.now) {
        Ok(root) => Ok(Ok(root)),
        Err(TrustError::Input(e)) => Err(e.into()),
        Err(TrustError::Cache { dir, error }) => {
            Ok(Err(Box::new(cache_denied(ctx, command, &dir, &error))))
        }
    }
}

/// The keyless plugin, the trusted root's description and (TUF cache) its refresh time and age.
pub type KeylessPlugin = (SigstoreVerifier, String, Option<(String, i64)>);

/// The keyless plugin for `verify provenance`, and the root's description and refresh time (or
/// the denial report of a TUF cache that does not verify).
pub fn keyless_plugin(ctx: &Context, a: &SigstoreArgs) -> Result<OrDenied<KeylessPlugin>> {
    require_identity(a)?;
    let policy = identity_policy(a)?;
    let TrustRoot {
        verifier,
        description,
        refreshed,
        not_yet_valid,
        tlog_ids,
    } = match trust_root(ctx, a, "verify provenance")? {
        Ok(root) => root,
        Err(denied) => return Ok(Err(denied)),
    };
    Ok(Ok((
        SigstoreVerifier::new(verifier, policy, description.clone(), ctx.now)
            .with_root_logs(not_yet_valid, tlog_ids),
        description,
        refreshed,
    )))
}

/// The X.509 plugin for `verify provenance --ca-roots`.
pub fn x509_plugin(
    ctx: &Context,
    ca_roots: &std::path::Path,
    a: &SigstoreArgs,
) -> Result<crate::sigstore::x509::X509Verifier> {
    let name = input::display_path(ca_roots);
    let text = input::read_text(ca_roots, ctx.limits)?;
    Ok(crate::sigstore::x509::X509Verifier::from_pem(
        &name,
        &text,
        a.certificate_identity.clone(),
        ctx.now,
    )?)
}

fn parse_digest(s: &str) -> Option<(&'static str, Vec<u8>)> {
    let (alg, hex) = s.split_once(':')?;
    let (alg, len) = match alg {
        "sha256" => ("sha256", 32),
        "sha512" => ("sha512", 64),
        _ => return None,
    };
    crate::sigstore::plugin::hex_decode(hex)
        .filter(|b| b.len() == len)
        .map(|b| (alg, b))
}

/// Trust-root facts for a report subject: which root, and for a TUF cache how old it is.
pub fn root_facts(s: &mut Subject, root: &TrustRoot) {
    s.facts
        .insert("trustedRoot".into(), json!(root.description));
    if let Some((at, hours)) = &root.refreshed {
        s.facts.insert("trustedRootRefreshedAt".into(), json!(at));
        s.facts.insert("trustedRootAgeHours".into(), json!(hours));
    }
}

pub fn cmd_bundle(
    ctx: &Context,
    args: &VerifyBundleArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    // The artifact: --digest, a positional ALG:HEX that is not a file, or the file.
    let mut digest: Option<(&'static str, Vec<u8>, String)> = None;
    let mut bytes: Option<(Vec<u8>, String)> = None;
    let bad_digest = |s: &str| {
        Error::usage(
            format!("{s:?} is not ALG:HEX"),
            "write it like sha256:<64 hex digits> or sha512:<128 hex digits>",
        )
    };
    if let Some(d) = &args.digest {
        let (alg, b) = parse_digest(d).ok_or_else(|| bad_digest(d))?;
        digest = Some((alg, b, d.clone()));
    } else if let Some(p) = &args.artifact {
        let s = p.to_string_lossy();
        if !p.exists() && (s.starts_with("sha256:") || s.starts_with("sha512:")) {
            let (alg, b) = parse_digest(&s).ok_or_else(|| bad_digest(&s))?;
            digest = Some((alg, b, s.to_string()));
        } else {
            let name = input::display_path(p);
            let meta = std::fs::metadata(p).map_err(|e| input::io_error(&name, &e))?;
            if !meta.is_file() {
                return Err(InputError::new(
                    &crate::diags::INPUT_NOT_A_FILE,
                    Location::file(name),
                    "is not a regular file",
                    "pass the artifact file itself, or its digest with --digest",
                )
                .into());
            }
            let b = std::fs::read(p).map_err(|e| input::io_error(&name, &e))?;
            bytes = Some((b, name));
        }
    } else {
        return Err(Error::usage(
            "no artifact: name the artifact file or pass --digest",
            "tollgate verify bundle app.tar.gz --bundle app.sigstore.json --certificate-identity … --certificate-oidc-issuer …",
        ));
    }

    // Who may have signed: an enterprise CA (X.509), a managed key, or a keyless identity.
    let a = &args.sigstore;
    let x509 = match &args.ca_roots {
        Some(ca) => {
            if a.certificate_identity_regexp.is_some()
                || a.certificate_oidc_issuer.is_some()
                || a.certificate_oidc_issuer_regexp.is_some()
                || a.certificate_github_workflow_repository.is_some()
                || a.certificate_github_workflow_ref.is_some()
                || a.certificate_github_workflow_trigger.is_some()
                || a.certificate_github_workflow_sha.is_some()
                || a.certificate_github_workflow_name.is_some()
                || a.trusted_root.is_some()
                || a.tuf_cache.is_some()
            {
                return Err(Error::usage(
                    "--ca-roots verifies an X.509 (enterprise PKI) signature: the keyless options (issuer, identity regexp, GitHub workflow claims, trusted root, TUF cache) do not apply",
                    "with --ca-roots pass only --certificate-identity (a SAN the certificate must carry); for Fulcio certificates drop --ca-roots",
                ));
            }
            Some(x509_plugin(ctx, ca, a)?)
        }
        None => None,
    };
    let policy = if x509.is_some() {
        None
    } else if let Some(k) = &args.key {
        let key = super::key::load_public_key(k, ctx)?;
        Some(KeyPolicy::Key(key.der().to_vec()))
    } else {
        require_identity(a)?;
        Some(KeyPolicy::Keyless(Box::new(identity_policy(a)?)))
    };

    let bundle_name = input::display_path(&args.bundle);
    let text = input::read_text(&args.bundle, ctx.limits)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| input::json_error(&bundle_name, &text, &e))?;
    let root = match &x509 {
        Some(_) => None,
        None => match trust_root(ctx, a, "verify bundle")? {
            Ok(root) => Some(root),
            Err(denied) => return env.emit(&denied, global),
        },
    };

    let artifact = match (&digest, &bytes) {
        (Some((alg, b, _)), _) => ArtifactRef::Digest(alg, b),
        (None, Some((b, _))) => ArtifactRef::Bytes(b),
        (None, None) => unreachable!("artifact or digest chosen above"),
    };
    let artifact_name = digest
        .as_ref()
        .map(|d| d.2.clone())
        .or_else(|| bytes.as_ref().map(|b| b.1.clone()))
        .unwrap_or_default();
    let (result, root_description) = match (&x509, &root, &policy) {
        (Some(x), _, _) => (
            x.verify_bundle(&value, artifact),
            args.ca_roots
                .as_deref()
                .map(input::display_path)
                .unwrap_or_default(),
        ),
        (None, Some(root), Some(policy)) => (
            verify_bundle(&root.verifier, &value, artifact, policy, ctx.now).map_err(|r| {
                explain_log_failure(r, &value, &root.not_yet_valid, &root.tlog_ids, ctx.now)
            }),
            root.description.clone(),
        ),
        _ => unreachable!("a trust root and policy, or --ca-roots, chosen above"),
    };

    let mut report = Report::new("verify bundle", ctx.now_rfc3339.clone());
    let mut s = Subject::new(bundle_name.clone());
    s.kind = Some(format!(
        "Sigstore bundle ({})",
        value
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or("no mediaType")
    ));
    s.facts.insert("artifact".into(), json!(artifact_name));
    match &root {
        Some(root) => root_facts(&mut s, root),
        None => {
            s.facts.insert("caRoots".into(), json!(root_description));
        }
    }
    let mut rows = Vec::new();
    match &result {
        Ok(v) => {
            s.facts.insert("signer".into(), json!(v.signer));
            if let Some(i) = &v.issuer {
                s.facts.insert("issuer".into(), json!(i));
            }
            if let Some(t) = &v.integrated_time {
                s.facts.insert("integratedTime".into(), json!(t));
            }
            s.facts
                .insert("tlogVerified".into(), json!(v.tlog_verified));
            rows.push(vec![
                "signature".into(),
                "pass".into(),
                format!("{} signature over {artifact_name}", v.method),
            ]);
            if v.method == "x509" {
                rows.push(vec![
                    "certificate".into(),
                    "pass".into(),
                    format!(
                        "chains to {root_description} at {}; digitalSignature, code-signing EKU",
                        ctx.now_rfc3339
                    ),
                ]);
                rows.push(vec!["identity".into(), "pass".into(), v.policy.clone()]);
            }
            if v.method == "keyless" {
                rows.push(vec![
                    "certificate".into(),
                    "pass".into(),
                    format!(
                        "chains to {}; SCT {}",
                        root_description,
                        if v.sct_verified {
                            "verified"
                        } else {
                            "not required"
                        }
                    ),
                ]);
                rows.push(vec!["identity".into(), "pass".into(), v.policy.clone()]);
            }
            rows.push(vec![
                "transparency log".into(),
                if v.tlog_verified { "pass" } else { "n/a" }.into(),
                match &v.integrated_time {
                    Some(t) => {
                        format!("inclusion proof, checkpoint and promise verified; integrated {t}")
                    }
                    None if v.tlog_verified => "inclusion proof and checkpoint verified".into(),
                    None => "no log entry checked".into(),
                },
            ]);
            if !v.verified_times.is_empty() {
                rows.push(vec![
                    "signing time".into(),
                    "pass".into(),
                    v.verified_times.join(", "),
                ]);
            }
        }
        Err(r) => {
            s.verdict = Verdict::Deny;
            rows.push(vec!["bundle".into(), "FAIL".into(), r.message.clone()]);
            let mut d =
                Diagnostic::new(r.info, r.message.clone()).at(Location::file(bundle_name.clone()));
            if let Some(h) = &r.help {
                d = d.help(h.clone());
            }
            report.diagnostics.push(d);
        }
    }
    report.subjects.push(s);
    report.tables.push(Table {
        title: "Checks".into(),
        headers: vec!["Check".into(), "Result".into(), "Detail".into()],
        rows,
    });
    report.data = json!({
        "bundle": bundle_name,
        "artifact": artifact_name,
        "trustedRoot": root.as_ref().map(|r| r.description.clone()),
        "caRoots": args.ca_roots.as_deref().map(input::display_path),
        "verified": result.as_ref().ok(),
    });
    env.emit(&report, global)
}
