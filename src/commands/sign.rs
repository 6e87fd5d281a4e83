//! `tollgate sign PAYLOAD` (DSSE envelope, `.intoto.jsonl`, Sigstore bundle) and
//! `tollgate sign blob FILE` (cosign-compatible blob signature).

use super::Context;
use super::key::{key_error, password_from_env};
use crate::attest::bundle::Bundle;
use crate::attest::diags as att;
use crate::attest::dsse;
use crate::attest::keys::{PrivateKey, hex};
use crate::cli::{GlobalArgs, SignArgs, SignBlobArgs, SignCommand, SignatureOutput};
use crate::diags;
use crate::error::{Error, Result};
use crate::input::{self, InputError};
use crate::output::{Env, write_atomic};
use crate::report::{Diagnostic, Location, Report, Subject};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

pub fn cmd_sign(ctx: &Context, args: &SignArgs, global: &GlobalArgs, env: &mut Env) -> Result<u8> {
    if let Some(SignCommand::Blob(blob)) = &args.blob {
        return cmd_blob(ctx, blob, global, env);
    }
    let (Some(payload_path), Some(key_path)) = (&args.payload, &args.key) else {
        return Err(Error::usage(
            "tollgate sign needs a PAYLOAD and --key",
            "tollgate sign statement.json --key tollgate.key, or tollgate sign blob FILE --key KEY",
        ));
    };
    let (key, key_warning) = load_private_key(key_path, ctx, env)?;
    let payload = input::read_bytes(payload_path, ctx.limits)?;
    if args.payload_type == dsse::INTOTO_PAYLOAD_TYPE {
        check_statement(payload_path, &payload)?;
    }
    let envelope = dsse::sign(&args.payload_type, &payload, &key);
    let public = key.public_key();
    // Never hand out a signature that does not verify.
    dsse::verify_envelope(&envelope, std::slice::from_ref(&public), 1).map_err(|e| {
        Error::usage(
            format!("the new signature does not verify: {e}"),
            "this is a bug in tollgate; please report it",
        )
    })?;
    let keyid = public.keyid();
    let (text, kind) = match args.output_as {
        SignatureOutput::Envelope => (pretty(&envelope), "envelope"),
        SignatureOutput::Jsonl => {
            let mut s = serde_json::to_string(&envelope).expect("serialises");
            s.push('\n');
            (s, "jsonl")
        }
        SignatureOutput::Bundle => (pretty(&Bundle::for_envelope(envelope, &keyid)), "bundle"),
    };
    let to_stdout = write_product(&args.out, text.as_bytes(), env)?;

    let sha = sha256_hex(&payload);
    let algorithm = public.algorithm().as_str();
    let mut report = Report::new("sign", ctx.now_rfc3339.clone());
    let mut s = Subject::new(payload_path.display().to_string());
    s.kind = Some(format!("payload ({})", args.payload_type));
    s.facts.insert("sha256".into(), json!(sha));
    s.facts.insert("keyid".into(), json!(keyid));
    s.facts.insert("algorithm".into(), json!(algorithm));
    report.subjects.push(s);
    report.diagnostics.extend(key_warning);
    report.data = json!({
        "mode": "dsse",
        "as": kind,
        "payload": payload_path.display().to_string(),
        "payloadSha256": sha,
        "payloadType": args.payload_type,
        "keyid": keyid,
        "algorithm": algorithm,
        "output": output_name(&args.out),
    });
    env.emit_to(&report, global, to_stdout)
}

fn cmd_blob(ctx: &Context, args: &SignBlobArgs, global: &GlobalArgs, env: &mut Env) -> Result<u8> {
    let (key, key_warning) = load_private_key(&args.key, ctx, env)?;
    let data = input::read_bytes(&args.file, ctx.limits)?;
    let sig = key.sign_blob(&data);
    let public = key.public_key();
    if !public.verify_blob(&data, &sig) {
        return Err(Error::usage(
            "the new signature does not verify",
            "this is a bug in tollgate; please report it",
        ));
    }
    let b64 = STANDARD.encode(&sig);
    let to_stdout = if args.out.as_os_str() == "-" {
        write_product(&args.out, format!("{b64}\n").as_bytes(), env)?
    } else {
        // Exactly the bytes `cosign sign-blob --output-signature` writes.
        write_product(&args.out, b64.as_bytes(), env)?
    };

    let sha = sha256_hex(&data);
    let keyid = public.keyid();
    let algorithm = public.algorithm().as_str();
    let mut report = Report::new("sign", ctx.now_rfc3339.clone());
    let mut s = Subject::new(args.file.display().to_string());
    s.kind = Some("blob".to_string());
    s.facts.insert("sha256".into(), json!(sha));
    s.facts.insert("keyid".into(), json!(keyid));
    s.facts.insert("algorithm".into(), json!(algorithm));
    report.subjects.push(s);
    report.diagnostics.extend(key_warning);
    report.data = json!({
        "mode": "blob",
        "payload": args.file.display().to_string(),
        "payloadSha256": sha,
        "keyid": keyid,
        "algorithm": algorithm,
        "signatureScheme": if algorithm == "ed25519" { "ed25519ph" } else { algorithm },
        "output": output_name(&args.out),
    });
    env.emit_to(&report, global, to_stdout)
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("serialises");
    s.push('\n');
    s
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn output_name(out: &Path) -> String {
    if out.as_os_str() == "-" {
        "<stdout>".to_string()
    } else {
        out.display().to_string()
    }
}

/// Write the signed product to `out` (atomically) or stdout; returns whether it went to stdout.
fn write_product(out: &Path, bytes: &[u8], env: &mut Env) -> Result<bool> {
    if out.as_os_str() == "-" {
        let _ = env.stdout.write_all(bytes);
        let _ = env.stdout.flush();
        Ok(true)
    } else {
        write_atomic(out, bytes)?;
        Ok(false)
    }
}

/// Read a private key, and the `ATT007` warning for the command's report when the file is
/// readable by every user. The password comes from the environment only; neither it nor the
/// key ever reaches an error message.
pub(super) fn load_private_key(
    path: &Path,
    ctx: &Context,
    env: &mut Env,
) -> Result<(PrivateKey, Option<Diagnostic>)> {
    let warning = world_readable(path);
    let text = Zeroizing::new(input::read_text(path, ctx.limits)?);
    let password = password_from_env(env);
    let key = PrivateKey::from_pem(&text, password.as_ref().map(|p| p.as_bytes()))
        .map_err(|e| key_error(path, &e))?;
    Ok((key, warning))
}

/// `ATT007` when a private key file can be read by every user of the machine.
fn world_readable(path: &Path) -> Option<Diagnostic> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok()?;
        let mode = meta.permissions().mode() & 0o777;
        (meta.is_file() && mode & 0o004 != 0).then(|| {
            let name = input::display_path(path);
            Diagnostic::new(
                &att::KEY_WORLD_READABLE,
                format!("private key file is readable by every user (mode {mode:03o})"),
            )
            .at(Location::file(name.clone()))
            .help(format!("restrict it to its owner: chmod 600 {name}"))
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// With the in-toto payload type, the payload must be an in-toto Statement.
fn check_statement(path: &Path, payload: &[u8]) -> Result<()> {
    let name = path.display().to_string();
    let text = input::bytes_to_text(&name, payload.to_vec())?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| input::json_error(&name, &text, &e))?;
    let ok = v
        .get("_type")
        .and_then(|t| t.as_str())
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement/"));
    if ok {
        Ok(())
    } else {
        Err(Error::from(InputError::new(
            &diags::INPUT_UNRECOGNISED,
            Location::file(name).with_pointer("/_type"),
            "is not an in-toto Statement (no \"_type\": \"https://in-toto.io/Statement/v1\")",
            "generate one with `tollgate provenance generate`, or sign other payloads with --payload-type TYPE",
        )))
    }
}
