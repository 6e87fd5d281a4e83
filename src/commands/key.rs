//! `tollgate key generate`.

use super::Context;
use crate::attest::keys::{KeyError, KeyType, PrivateKey, PublicKey};
use crate::cli::{GlobalArgs, KeyAlgorithm, KeyGenerateArgs};
use crate::error::{Error, Result};
use crate::input::{self, InputError};
use crate::output::{Env, write_atomic};
use crate::report::{Location, Report, Subject};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub fn cmd_generate(
    ctx: &Context,
    args: &KeyGenerateArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let kind = match args.algorithm {
        KeyAlgorithm::EcdsaP256 => KeyType::EcdsaP256,
        KeyAlgorithm::Ed25519 => KeyType::Ed25519,
    };
    let password = if args.encrypt {
        match password_from_env(env) {
            Some(p) if !p.is_empty() => Some(p),
            _ => {
                return Err(Error::usage(
                    "--encrypt needs a password, but neither TOLLGATE_PASSWORD nor COSIGN_PASSWORD is set",
                    "export TOLLGATE_PASSWORD from your secret store (never pass passwords as arguments), or drop --encrypt",
                ));
            }
        }
    } else {
        None
    };
    let key_path = key_path(&args.out_prefix);
    let pub_path = pub_path(&args.out_prefix);
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.symlink_metadata().is_ok() {
                return Err(refuse_overwrite(p));
            }
        }
    }

    let key = PrivateKey::generate(kind);
    let public = key.public_key();
    let private_pem = match &password {
        Some(pw) => Zeroizing::new(
            key.to_encrypted_pem(pw.as_bytes())
                .map_err(|e| key_error(&key_path, &e))?,
        ),
        None => key.to_pkcs8_pem(),
    };
    write_private(&key_path, private_pem.as_bytes(), args.force)?;
    write_atomic(&pub_path, public.to_pem().as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&pub_path, std::fs::Permissions::from_mode(0o644));
    }

    let keyid = public.keyid();
    let algorithm = public.algorithm().as_str();
    let mut report = Report::new("key generate", ctx.now_rfc3339.clone());
    let mut s = Subject::new(key_path.display().to_string());
    s.kind = Some(if password.is_some() {
        "private key (ENCRYPTED SIGSTORE PRIVATE KEY, mode 0600)".to_string()
    } else {
        "private key (PKCS#8 PEM, mode 0600)".to_string()
    });
    s.facts.insert("algorithm".into(), json!(algorithm));
    report.subjects.push(s);
    let mut s = Subject::new(pub_path.display().to_string());
    s.kind = Some("public key (PKIX PEM)".to_string());
    s.facts.insert("keyid".into(), json!(keyid));
    report.subjects.push(s);
    report.data = json!({
        "algorithm": algorithm,
        "keyid": keyid,
        "privateKey": key_path.display().to_string(),
        "publicKey": pub_path.display().to_string(),
        "encrypted": password.is_some(),
    });
    env.emit(&report, global)
}

/// `PREFIX.ext`, keeping any dots already in the prefix.
/// The private key `key generate --out-prefix PREFIX` writes.
pub(super) fn key_path(prefix: &Path) -> PathBuf {
    with_suffix(prefix, "key")
}

/// The public key `key generate --out-prefix PREFIX` writes.
pub(super) fn pub_path(prefix: &Path) -> PathBuf {
    with_suffix(prefix, "pub")
}

fn with_suffix(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn refuse_overwrite(p: &Path) -> Error {
    Error::usage(
        format!(
            "{} already exists; refusing to overwrite a key",
            p.display()
        ),
        "pass --force to replace it, or choose another --out-prefix",
    )
}

/// The key password: TOLLGATE_PASSWORD, else COSIGN_PASSWORD. A variable that is set but empty
/// counts as an empty password (cosign allows those) unless the other one is non-empty.
pub(super) fn password_from_env(env: &Env) -> Option<Zeroizing<String>> {
    let get = |k: &str| env.vars.get(k);
    let pick = env
        .var("TOLLGATE_PASSWORD")
        .or_else(|| env.var("COSIGN_PASSWORD"))
        .map(str::to_string)
        .or_else(|| get("TOLLGATE_PASSWORD").or(get("COSIGN_PASSWORD")).cloned());
    pick.map(Zeroizing::new)
}

/// A public key from a PEM file (size-limited read; errors name the file).
pub(super) fn load_public_key(path: &Path, ctx: &Context) -> Result<PublicKey> {
    let text = input::read_text(path, ctx.limits)?;
    PublicKey::from_pem(&text).map_err(|e| key_error(path, &e))
}

/// Every public key of `paths`, in order.
pub(super) fn load_public_keys(paths: &[PathBuf], ctx: &Context) -> Result<Vec<PublicKey>> {
    paths.iter().map(|p| load_public_key(p, ctx)).collect()
}

/// A key problem as a one-line input error naming the key file (never its content).
pub(super) fn key_error(path: &Path, e: &KeyError) -> Error {
    Error::from(InputError::new(
        e.info(),
        Location::file(path.display().to_string()),
        e.to_string(),
        e.hint(),
    ))
}

/// Write a private key atomically, readable only by its owner (0600 from creation on), and
/// without replacing an existing file unless `overwrite`.
fn write_private(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    // A key goes to a regular file only: never streamed into a pipe or device, never renamed
    // over a directory or a device node.
    let path = match crate::output::destination(path)? {
        crate::output::Destination::Replace(target) => target,
        crate::output::Destination::Stream(_) => {
            return Err(Error::usage(
                format!(
                    "refusing to write a private key to {}: it is a pipe or device",
                    path.display()
                ),
                "choose another --out-prefix",
            ));
        }
    };
    let path = path.as_path();
    let dir = crate::output::parent_dir(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tollgate-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    let persisted = if overwrite {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    match persisted {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(refuse_overwrite(path))
        }
        Err(e) => Err(err(e.error)),
    }
}
