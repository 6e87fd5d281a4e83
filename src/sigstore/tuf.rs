//! A TUF client (spec v1, §5 "detailed client workflow") over a local repository directory or
//! an HTTP(S) repository ([`super::fetch`]), writing a cache that verification then reads with
//! no network at all.
//!
//! What it checks: root rotation one version at a time, each new root signed by a threshold of
//! both the old and the new root keys; timestamp → snapshot → targets, each signed by a threshold
//! of its role's keys, with the versions, lengths and hashes the parent metadata records;
//! expiry of every role against `--now` (freeze protection); rollback against the cache (a
//! lower version than already trusted); delegated targets roles (pre-order search, terminating
//! roles, path patterns and hash prefixes); the target's length and hashes. Signatures are
//! verified over the OLPC canonical JSON of `signed` with the RustCrypto keys of
//! [`crate::attest::keys`] (ECDSA P-256/P-384, Ed25519, RSA-PSS).
//!
//! Repository layout: `N.root.json`, `timestamp.json`, `[N.]snapshot.json`, `[N.]ROLE.json`
//! under `metadata/` of a directory (or the metadata URL), `[HASH.]PATH` under `targets/` (or the
//! targets URL). Every file is read up to the length its parent metadata records, or a default
//! per role ([`ROOT_MAX`] …). The cache directory holds the trusted `root.json`, `timestamp.json`,
//! `snapshot.json`, `targets.json` (and delegated roles), `targets/PATH` and `refresh.json`.

use super::diags as sig;
use super::fetch::{FetchError, Item, Repository};
use crate::attest::keys::PublicKey;
use crate::input::InputError;
use crate::report::{CodeInfo, Location};
use serde_json::{Map, Value};
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a refresh was refused: the finding and the file it is about.
#[derive(Debug, Clone)]
pub struct TufError {
    pub info: &'static CodeInfo,
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for TufError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

type Result<T> = std::result::Result<T, TufError>;

fn err<T>(info: &'static CodeInfo, file: &str, message: impl Into<String>) -> Result<T> {
    Err(TufError {
        info,
        file: file.to_string(),
        message: message.into(),
    })
}

// ---- canonical JSON ---------------------------------------------------------------------------

/// OLPC canonical JSON as securesystemslib writes it (what TUF signs): object keys sorted, no
/// whitespace, strings escaping only `"` and `\`, integers only.
pub fn canonical_json(v: &Value) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write_canonical(v, &mut out)?;
    Ok(out)
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) -> std::result::Result<(), String> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(format!(
                    "{n} is not an integer (canonical JSON has no floats)"
                ));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(x, out)?;
            }
            out.push(b']');
        }
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(&o[k], out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

// ---- metadata ---------------------------------------------------------------------------------

/// A role's trusted keys and threshold.
#[derive(Debug, Clone)]
struct Role {
    keyids: Vec<String>,
    threshold: usize,
}

/// Signed metadata read from a file: the parsed document and where it came from.
#[derive(Debug, Clone)]
struct Metadata {
    file: String,
    raw: Vec<u8>,
    doc: Value,
}

impl Metadata {
    fn parse(file: &str, raw: Vec<u8>, role_type: &str) -> Result<Self> {
        let doc: Value = match serde_json::from_slice(&raw) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return err(&sig::TUF_INVALID, file, "not a JSON object"),
            Err(e) => return err(&sig::TUF_INVALID, file, format!("not JSON: {e}")),
        };
        let m = Metadata {
            file: file.to_string(),
            raw,
            doc,
        };
        let t = m
            .signed()
            .get("_type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if t != role_type {
            return err(
                &sig::TUF_INVALID,
                file,
                format!("_type is {t:?}, expected {role_type:?}"),
            );
        }
        let spec = m
            .signed()
            .get("spec_version")
            .and_then(Value::as_str)
            .unwrap_or("");
        if spec.split('.').next() != Some("1") {
            return err(
                &sig::TUF_INVALID,
                file,
                format!("spec_version {spec:?} is not 1.x"),
            );
        }
        m.version()?;
        m.expires()?;
        Ok(m)
    }

    fn signed(&self) -> &Value {
        self.doc.get("signed").unwrap_or(&Value::Null)
    }

    fn version(&self) -> Result<u64> {
        match self.signed().get("version").and_then(Value::as_u64) {
            Some(v) if v >= 1 => Ok(v),
            _ => err(&sig::TUF_INVALID, &self.file, "no positive integer version"),
        }
    }

    fn expires(&self) -> Result<jiff::Timestamp> {
        let s = self
            .signed()
            .get("expires")
            .and_then(Value::as_str)
            .unwrap_or("");
        s.parse::<jiff::Timestamp>().or_else(|_| {
            err(
                &sig::TUF_INVALID,
                &self.file,
                format!("expires {s:?} is not an RFC 3339 time"),
            )
        })
    }

    fn check_expiry(&self, now: jiff::Timestamp) -> Result<()> {
        let e = self.expires()?;
        if e <= now {
            return err(
                &sig::TUF_EXPIRED,
                &self.file,
                format!("expired at {e} (now {now})"),
            );
        }
        Ok(())
    }

    /// `meta` entry `name` (timestamp and snapshot): version, length, hashes.
    fn meta(&self, name: &str) -> Option<&Map<String, Value>> {
        self.signed().get("meta")?.get(name)?.as_object()
    }

    /// Count distinct keys of `role` (among `keys`) whose signature verifies; refuse below the
    /// threshold.
    fn verify_by(&self, keys: &BTreeMap<String, PublicKey>, role: &Role, who: &str) -> Result<()> {
        let msg =
            canonical_json(self.signed()).or_else(|e| err(&sig::TUF_INVALID, &self.file, e))?;
        let sigs = self
            .doc
            .get("signatures")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut good: BTreeSet<&str> = BTreeSet::new();
        for s in &sigs {
            let (Some(keyid), Some(sig_hex)) = (
                s.get("keyid").and_then(Value::as_str),
                s.get("sig").and_then(Value::as_str),
            ) else {
                continue;
            };
            if sig_hex.is_empty() || !role.keyids.iter().any(|k| k == keyid) {
                continue;
            }
            let (Some(key), Some(sig_bytes)) =
                (keys.get(keyid), super::plugin::hex_decode(sig_hex))
            else {
                continue;
            };
            if key.verify(&msg, &sig_bytes) {
                good.insert(keyid);
            }
        }
        if good.len() < role.threshold {
            return err(
                &sig::TUF_THRESHOLD,
                &self.file,
                format!(
                    "{} of the {} key(s) of {who} signed validly; the threshold is {}",
                    good.len(),
                    role.keyids.len(),
                    role.threshold
                ),
            );
        }
        Ok(())
    }
}

/// Keys of a root or delegating targets metadata. Keys of unsupported types are left out (a
/// role can still reach its threshold with the others).
fn parse_keys(keys: Option<&Value>) -> BTreeMap<String, PublicKey> {
    let mut out = BTreeMap::new();
    for (id, k) in keys.and_then(Value::as_object).into_iter().flatten() {
        let public = k
            .get("keyval")
            .and_then(|v| v.get("public"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let keytype = k.get("keytype").and_then(Value::as_str).unwrap_or("");
        let key = if keytype == "ed25519" {
            super::plugin::hex_decode(public)
                .filter(|b| b.len() == 32)
                .and_then(|raw| {
                    let mut der = vec![
                        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
                    ];
                    der.extend_from_slice(&raw);
                    PublicKey::from_der(&der).ok()
                })
        } else if public.starts_with("-----") {
            PublicKey::from_pem(public).ok()
        } else {
            // Early securesystemslib ECDSA keys: the hex SEC1 point.
            super::plugin::hex_decode(public).and_then(|point| sec1_to_key(&point))
        };
        if let Some(key) = key {
            out.insert(id.clone(), key);
        }
    }
    out
}

fn sec1_to_key(point: &[u8]) -> Option<PublicKey> {
    use p256::pkcs8::EncodePublicKey;
    let der = if let Ok(k) = p256::PublicKey::from_sec1_bytes(point) {
        k.to_public_key_der().ok()?
    } else {
        p384::PublicKey::from_sec1_bytes(point)
            .ok()?
            .to_public_key_der()
            .ok()?
    };
    PublicKey::from_der(der.as_bytes()).ok()
}

fn parse_role(v: Option<&Value>, file: &str, name: &str) -> Result<Role> {
    let keyids = v
        .and_then(|r| r.get("keyids"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
    let threshold = v
        .and_then(|r| r.get("threshold"))
        .and_then(Value::as_u64)
        .filter(|t| *t >= 1);
    match (keyids, threshold) {
        (Some(keyids), Some(t)) => Ok(Role {
            keyids,
            threshold: t as usize,
        }),
        _ => err(
            &sig::TUF_INVALID,
            file,
            format!("role {name} lacks keyids or a threshold ≥ 1"),
        ),
    }
}

struct Root {
    meta: Metadata,
    keys: BTreeMap<String, PublicKey>,
}

impl Root {
    fn new(meta: Metadata) -> Result<Self> {
        let keys = parse_keys(meta.signed().get("keys"));
        Ok(Root { meta, keys })
    }

    fn role(&self, name: &str) -> Result<Role> {
        parse_role(
            self.meta.signed().get("roles").and_then(|r| r.get(name)),
            &self.meta.file,
            name,
        )
    }

    fn consistent(&self) -> bool {
        self.meta
            .signed()
            .get("consistent_snapshot")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Verify `m` as role `name` of this root.
    fn verify(&self, m: &Metadata, name: &str) -> Result<()> {
        m.verify_by(&self.keys, &self.role(name)?, &format!("the {name} role"))
    }

    fn role_keys(&self, name: &str) -> Option<Vec<String>> {
        let role = self.role(name).ok()?;
        let mut ids: Vec<String> = role
            .keyids
            .iter()
            .map(|id| {
                self.keys
                    .get(id)
                    .map_or_else(|| id.clone(), |k| crate::attest::keys::hex(k.der()))
            })
            .collect();
        ids.sort();
        Some(ids)
    }
}

/// Check the trust anchor given as `--tuf-root` (JSON text `text`, named `name`) before
/// anything is fetched: it must be JSON and TUF root metadata (`signed._type` "root", spec 1.x,
/// a version and an expiry). Anything else is bad input — one line naming the file (and the
/// line:column of malformed JSON) — not a refusal of the repository. Its signatures are checked
/// by [`refresh`].
pub fn check_initial_root(name: &str, text: &str) -> std::result::Result<(), InputError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| crate::input::json_error(name, text, &e))?;
    let not_root = |why: String| {
        InputError::new(
            &crate::diags::INPUT_UNRECOGNISED,
            Location::file(name),
            format!("is not TUF root metadata: {why}"),
            "pass the repository's trusted root metadata (JSON with \"signed\": {\"_type\": \"root\", …} and \"signatures\"), e.g. the root.json shipped with your client or metadata/1.root.json of a trusted copy of the repository",
        )
    };
    if !doc.get("signed").is_some_and(Value::is_object) {
        return Err(not_root("it has no \"signed\" object".into()));
    }
    Metadata::parse(name, text.as_bytes().to_vec(), "root").map_err(|e| not_root(e.message))?;
    Ok(())
}

// ---- the client -------------------------------------------------------------------------------

/// Where to read the repository from, where to keep trusted state, and what to fetch.
#[derive(Debug, Clone)]
pub struct RefreshRequest {
    /// The trust anchor used when the cache holds no root yet.
    pub initial_root: Vec<u8>,
    pub initial_root_name: String,
    pub cache: PathBuf,
    pub target: String,
    pub now: jiff::Timestamp,
}

/// What a refresh established.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    pub root_version: u64,
    pub root_versions_applied: Vec<u64>,
    pub timestamp_version: u64,
    pub snapshot_version: u64,
    pub targets_version: u64,
    /// The role that listed the target (`targets` or a delegated role).
    pub target_role: String,
    pub target: String,
    pub target_sha256: String,
    pub target_length: u64,
    /// The earliest expiry among the metadata used.
    pub expires: String,
    /// Files to write into the cache: relative path → bytes.
    #[serde(skip)]
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

fn read_file(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// The most bytes read of metadata whose length no parent metadata records (python-tuf's
/// defaults): root, timestamp, snapshot and targets roles.
pub const ROOT_MAX: u64 = 512_000;
pub const TIMESTAMP_MAX: u64 = 16_384;
pub const SNAPSHOT_MAX: u64 = 2_000_000;
pub const TARGETS_MAX: u64 = 5_000_000;
/// The most bytes read of a target file whose length its targets metadata does not record.
pub const TARGET_MAX: u64 = 64 << 20;

/// Read `item` from the repository, at most `limit` bytes; `recorded` says whether the limit is
/// a length the parent metadata records (exceeding it is then a length mismatch).
fn get(repo: &dyn Repository, item: Item<'_>, limit: u64, recorded: bool) -> Result<Vec<u8>> {
    repo.fetch(item, limit)
        .map_err(|e| fetch_error(e, recorded))
}

fn fetch_error(e: FetchError, recorded: bool) -> TufError {
    match e {
        FetchError::NotFound(e) | FetchError::Failed(e) => e,
        FetchError::TooLarge { name, limit } if recorded => TufError {
            info: &sig::TUF_HASH_MISMATCH,
            file: name,
            message: format!(
                "is longer than the {limit} bytes its parent metadata records (reading stopped there)"
            ),
        },
        FetchError::TooLarge { name, limit } => TufError {
            info: &sig::TUF_INVALID,
            file: name,
            message: format!(
                "is longer than {limit} bytes, the most read of metadata whose length no parent metadata records"
            ),
        },
    }
}

/// The recorded `length` of a meta/targets entry.
fn recorded_length(entry: &Map<String, Value>) -> Option<u64> {
    entry.get("length").and_then(Value::as_u64)
}

fn rel(p: &Path) -> String {
    crate::input::display_path(p)
}

/// Check `bytes` against a `meta`/`targets` entry's length and hashes.
fn check_hashes(file: &str, bytes: &[u8], entry: &Map<String, Value>) -> Result<()> {
    if let Some(len) = entry.get("length").and_then(Value::as_u64)
        && len != bytes.len() as u64
    {
        return err(
            &sig::TUF_HASH_MISMATCH,
            file,
            format!("is {} bytes, its parent metadata says {len}", bytes.len()),
        );
    }
    if let Some(h) = entry.get("hashes").and_then(Value::as_object) {
        let mut checked = 0;
        for (alg, want) in h {
            let have = match alg.as_str() {
                "sha256" => crate::attest::keys::hex(&sha2::Sha256::digest(bytes)),
                "sha512" => crate::attest::keys::hex(&sha2::Sha512::digest(bytes)),
                _ => continue,
            };
            checked += 1;
            if Some(have.as_str()) != want.as_str() {
                return err(
                    &sig::TUF_HASH_MISMATCH,
                    file,
                    format!(
                        "{alg} is {have}, its parent metadata says {}",
                        want.as_str().unwrap_or("?")
                    ),
                );
            }
        }
        if checked == 0 && !h.is_empty() {
            return err(
                &sig::TUF_HASH_MISMATCH,
                file,
                "none of its recorded hash algorithms is supported (sha256, sha512)",
            );
        }
    }
    Ok(())
}

fn load_cached(cache: &Path, name: &str, role_type: &str) -> Option<Metadata> {
    let p = cache.join(name);
    let raw = read_file(&p)?;
    Metadata::parse(&rel(&p), raw, role_type).ok()
}

/// Refresh: update the root, then timestamp, snapshot and targets, then find and check the
/// target. Nothing is written here; the caller writes [`Refreshed::files`] to the cache.
pub fn refresh(req: &RefreshRequest, repo: &dyn Repository) -> Result<Refreshed> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    // 5.2: the trusted root — the cache's, else the initial one. It must sign itself.
    let (root_meta, from_cache) = match load_cached(&req.cache, "root.json", "root") {
        Some(m) => (m, true),
        None => (
            Metadata::parse(&req.initial_root_name, req.initial_root.clone(), "root")?,
            false,
        ),
    };
    let mut root = Root::new(root_meta)?;
    root.verify(&root.meta, "root")?;
    let start_version = root.meta.version()?;
    let _ = from_cache;
    // 5.3: root rotation, one version at a time.
    let mut applied = Vec::new();
    let old_ts_keys = root.role_keys("timestamp");
    let old_sn_keys = root.role_keys("snapshot");
    let mut no_newer = None;
    for _ in 0..1024 {
        let next = root.meta.version()? + 1;
        let name = format!("{next}.root.json");
        let item = Item::Metadata(&name);
        let raw = match repo.fetch(item, ROOT_MAX) {
            Ok(raw) => raw,
            Err(FetchError::NotFound(e)) => {
                no_newer = Some(e);
                break;
            }
            Err(e) => return Err(fetch_error(e, false)),
        };
        let m = Metadata::parse(&repo.name(item), raw, "root")?;
        root.verify(&m, "root")?;
        let new = Root::new(m)?;
        new.verify(&new.meta, "root")?;
        let v = new.meta.version()?;
        if v != next {
            return err(
                &sig::TUF_ROLLBACK,
                &new.meta.file,
                format!("version is {v}, expected {next}"),
            );
        }
        applied.push(v);
        root = new;
    }
    if let Err(mut e) = root.meta.check_expiry(req.now) {
        // An expired root with no newer one: say where the newer one was looked for (a wrong
        // repository URL or directory shows up here first).
        if let Some(nf) = no_newer {
            e.message
                .push_str(&format!("; no newer root: {} ({})", nf.message, nf.file));
        }
        return Err(e);
    }
    let rotated = root.meta.version()? != start_version;
    files.push(("root.json".into(), root.meta.raw.clone()));
    let keys_rotated = rotated
        && (root.role_keys("timestamp") != old_ts_keys
            || root.role_keys("snapshot") != old_sn_keys);
    let cached_ts = if keys_rotated {
        None
    } else {
        load_cached(&req.cache, "timestamp.json", "timestamp")
    };
    let cached_sn = if keys_rotated {
        None
    } else {
        load_cached(&req.cache, "snapshot.json", "snapshot")
    };

    // 5.4: timestamp.
    let item = Item::Metadata("timestamp.json");
    let raw = get(repo, item, TIMESTAMP_MAX, false)?;
    let ts = Metadata::parse(&repo.name(item), raw, "timestamp")?;
    root.verify(&ts, "timestamp")?;
    let Some(sn_meta) = ts.meta("snapshot.json").cloned() else {
        return err(&sig::TUF_INVALID, &ts.file, "meta has no snapshot.json");
    };
    let sn_version = sn_meta.get("version").and_then(Value::as_u64).unwrap_or(0);
    if let Some(old) = &cached_ts {
        let (ov, nv) = (old.version()?, ts.version()?);
        if nv < ov {
            return err(
                &sig::TUF_ROLLBACK,
                &ts.file,
                format!("version {nv} is lower than the trusted version {ov}"),
            );
        }
        let old_sn = old
            .meta("snapshot.json")
            .and_then(|m| m.get("version"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if sn_version < old_sn {
            return err(
                &sig::TUF_ROLLBACK,
                &ts.file,
                format!("names snapshot version {sn_version}, lower than the trusted {old_sn}"),
            );
        }
    }
    ts.check_expiry(req.now)?;
    files.push(("timestamp.json".into(), ts.raw.clone()));

    // 5.5: snapshot.
    let name = if root.consistent() {
        format!("{sn_version}.snapshot.json")
    } else {
        "snapshot.json".to_string()
    };
    let item = Item::Metadata(&name);
    let raw = match recorded_length(&sn_meta) {
        Some(n) => get(repo, item, n, true)?,
        None => get(repo, item, SNAPSHOT_MAX, false)?,
    };
    check_hashes(&repo.name(item), &raw, &sn_meta)?;
    let sn = Metadata::parse(&repo.name(item), raw, "snapshot")?;
    root.verify(&sn, "snapshot")?;
    if sn.version()? != sn_version {
        return err(
            &sig::TUF_ROLLBACK,
            &sn.file,
            format!(
                "version is {}, the timestamp names {sn_version}",
                sn.version()?
            ),
        );
    }
    if let Some(old) = &cached_sn {
        for (role, m) in old
            .signed()
            .get("meta")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let ov = m.get("version").and_then(Value::as_u64).unwrap_or(0);
            let nv = sn
                .meta(role)
                .and_then(|m| m.get("version"))
                .and_then(Value::as_u64);
            match nv {
                None => {
                    return err(
                        &sig::TUF_ROLLBACK,
                        &sn.file,
                        format!("no longer lists {role}, which the trusted snapshot did"),
                    );
                }
                Some(nv) if nv < ov => {
                    return err(
                        &sig::TUF_ROLLBACK,
                        &sn.file,
                        format!("names {role} version {nv}, lower than the trusted {ov}"),
                    );
                }
                _ => {}
            }
        }
    }
    sn.check_expiry(req.now)?;
    files.push(("snapshot.json".into(), sn.raw.clone()));

    // 5.6: targets, then the target search through delegations (5.6.7).
    let load_role =
        |role: &str, delegator_keys: &BTreeMap<String, PublicKey>, r: &Role| -> Result<Metadata> {
            let Some(entry) = sn.meta(&format!("{role}.json")) else {
                return err(
                    &sig::TUF_INVALID,
                    &sn.file,
                    format!("meta has no {role}.json"),
                );
            };
            let v = entry.get("version").and_then(Value::as_u64).unwrap_or(0);
            let name = if root.consistent() {
                format!("{v}.{role}.json")
            } else {
                format!("{role}.json")
            };
            let item = Item::Metadata(&name);
            let file = repo.name(item);
            let raw = match recorded_length(entry) {
                Some(n) => get(repo, item, n, true)?,
                None => get(repo, item, TARGETS_MAX, false)?,
            };
            check_hashes(&file, &raw, entry)?;
            let m = Metadata::parse(&file, raw, "targets")?;
            m.verify_by(delegator_keys, r, &format!("the {role} role"))?;
            if m.version()? != v {
                return err(
                    &sig::TUF_ROLLBACK,
                    &file,
                    format!("version is {}, the snapshot names {v}", m.version()?),
                );
            }
            m.check_expiry(req.now)?;
            Ok(m)
        };
    let targets = load_role("targets", &root.keys, &root.role("targets")?)?;
    files.push(("targets.json".into(), targets.raw.clone()));

    // Pre-order depth-first search, at most 32 roles.
    let mut stack: Vec<(String, Metadata)> = vec![("targets".into(), targets.clone())];
    let mut visited = 0;
    let mut found: Option<(String, Map<String, Value>)> = None;
    'search: while let Some((role, m)) = stack.pop() {
        visited += 1;
        if visited > 32 {
            break;
        }
        if let Some(t) = m
            .signed()
            .get("targets")
            .and_then(|t| t.get(&req.target))
            .and_then(Value::as_object)
        {
            found = Some((role, t.clone()));
            break;
        }
        let Some(del) = m.signed().get("delegations") else {
            continue;
        };
        let keys = parse_keys(del.get("keys"));
        let mut children = Vec::new();
        for d in del
            .get("roles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = d.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() || !delegation_matches(d, &req.target) {
                continue;
            }
            let r = parse_role(Some(d), &m.file, name)?;
            let child = load_role(name, &keys, &r)?;
            files.push((format!("{name}.json").into(), child.raw.clone()));
            let terminating = d
                .get("terminating")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            children.push((name.to_string(), child));
            if terminating {
                stack.clear();
                stack.extend(children.drain(..).rev());
                continue 'search;
            }
        }
        stack.extend(children.into_iter().rev());
    }
    let Some((target_role, entry)) = found else {
        return err(
            &sig::TUF_TARGET_MISSING,
            &targets.file,
            format!(
                "target {:?} is not listed by targets or its delegations",
                req.target
            ),
        );
    };

    // 5.7: the target file itself.
    let sha256 = entry
        .get("hashes")
        .and_then(|h| h.get("sha256"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let candidates: Vec<String> = {
        let (dir, base) = match req.target.rsplit_once('/') {
            Some((d, b)) => (Some(d), b),
            None => (None, req.target.as_str()),
        };
        let mut c = Vec::new();
        if root.consistent() {
            for h in entry
                .get("hashes")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(_, v)| v.as_str())
            {
                c.push(match dir {
                    Some(d) => format!("{d}/{h}.{base}"),
                    None => format!("{h}.{base}"),
                });
            }
        }
        c.push(req.target.clone());
        c
    };
    let (limit, recorded) = match recorded_length(&entry) {
        Some(n) => (n, true),
        None => (TARGET_MAX, false),
    };
    let mut first_missing = None;
    let mut got = None;
    for c in &candidates {
        match repo.fetch(Item::Target(c), limit) {
            Ok(b) => {
                got = Some((repo.name(Item::Target(c)), b));
                break;
            }
            Err(FetchError::NotFound(e)) => {
                first_missing.get_or_insert(e);
            }
            Err(e) => return Err(fetch_error(e, recorded)),
        }
    }
    let Some((path, bytes)) = got else {
        let e = first_missing.expect("at least one candidate");
        return Err(TufError {
            message: format!("{} (the file of target {:?})", e.message, req.target),
            ..e
        });
    };
    check_hashes(&path, &bytes, &entry)?;
    files.push((Path::new("targets").join(&req.target), bytes.clone()));

    let expires = [&root.meta, &ts, &sn, &targets]
        .iter()
        .filter_map(|m| m.expires().ok())
        .min()
        .map(|t| t.to_string())
        .unwrap_or_default();
    Ok(Refreshed {
        root_version: root.meta.version()?,
        root_versions_applied: applied,
        timestamp_version: ts.version()?,
        snapshot_version: sn.version()?,
        targets_version: targets.version()?,
        target_role,
        target: req.target.clone(),
        target_sha256: sha256
            .unwrap_or_else(|| crate::attest::keys::hex(&sha2::Sha256::digest(&bytes))),
        target_length: bytes.len() as u64,
        expires,
        files,
    })
}

/// Whether a delegation (`paths` glob patterns or `path_hash_prefixes`) covers `target`.
fn delegation_matches(d: &Value, target: &str) -> bool {
    if let Some(paths) = d.get("paths").and_then(Value::as_array) {
        return paths
            .iter()
            .filter_map(Value::as_str)
            .any(|p| glob_match(p, target));
    }
    if let Some(prefixes) = d.get("path_hash_prefixes").and_then(Value::as_array) {
        let h = crate::attest::keys::hex(&sha2::Sha256::digest(target.as_bytes()));
        return prefixes
            .iter()
            .filter_map(Value::as_str)
            .any(|p| h.starts_with(p));
    }
    false
}

/// TUF path patterns: shell-style `*` and `?` that do not cross `/`, and the same number of
/// path segments.
fn glob_match(pattern: &str, target: &str) -> bool {
    let ps: Vec<&str> = pattern.split('/').collect();
    let ts: Vec<&str> = target.split('/').collect();
    ps.len() == ts.len()
        && ps.iter().zip(&ts).all(|(p, t)| {
            globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .is_ok_and(|g| g.compile_matcher().is_match(t))
        })
}

// ---- the cache --------------------------------------------------------------------------------

/// `refresh.json` in a TUF cache: what was fetched and when.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheState {
    pub refreshed_at: String,
    /// The `--tuf-repo` refreshed from (a directory or a URL); absent in older caches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub target: String,
    pub root_version: u64,
    pub expires: String,
}

impl CacheState {
    pub fn read(dir: &Path) -> std::result::Result<Self, InputError> {
        let p = dir.join("refresh.json");
        let name = crate::input::display_path(&p);
        let text = std::fs::read_to_string(&p).map_err(|_| {
            InputError::new(
                &crate::diags::INPUT_NOT_FOUND,
                Location::file(name.clone()),
                "is not a TUF cache written by `tollgate trust refresh` (no refresh.json)",
                "run `tollgate trust refresh --tuf-root initial_root.json --tuf-repo DIR --cache DIR` first",
            )
        })?;
        serde_json::from_str(&text).map_err(|e| crate::input::json_error(&name, &text, &e))
    }
}

/// Re-verify a cache written by [`refresh`], offline, at `now` — what every use of
/// `--tuf-cache` does before trusting it: the cached root (signed by a threshold of its own keys,
/// not expired), then timestamp, snapshot, targets and the delegated roles on the way to
/// `target`, each signed by a threshold of its role's keys with the version, length and hashes
/// its parent records and not expired at `now`, and finally the target file's length and hashes
/// as its targets role records them. Returns what the refresh established and the target's
/// verified bytes (use those, not a second read of the file).
pub fn verify_cache(
    dir: &Path,
    target: &str,
    now: jiff::Timestamp,
) -> Result<(Refreshed, Vec<u8>)> {
    let root_path = dir.join("root.json");
    let name = rel(&root_path);
    let raw = match std::fs::read(&root_path) {
        Ok(raw) if raw.len() as u64 <= ROOT_MAX => raw,
        Ok(_) => {
            return err(
                &sig::TUF_INVALID,
                &name,
                format!("is longer than {ROOT_MAX} bytes, the most read of a root"),
            );
        }
        Err(_) => return err(&sig::TUF_INVALID, &name, "is missing from the TUF cache"),
    };
    let root = Root::new(Metadata::parse(&name, raw.clone(), "root")?)?;
    root.verify(&root.meta, "root")?;
    root.meta.check_expiry(now)?;
    let repo = super::fetch::CacheRepository {
        dir: dir.to_path_buf(),
        consistent: root.consistent(),
    };
    let req = RefreshRequest {
        initial_root: raw,
        initial_root_name: name,
        cache: dir.to_path_buf(),
        target: target.to_string(),
        now,
    };
    let r = refresh(&req, &repo)?;
    let wanted = Path::new("targets").join(target);
    let bytes = r
        .files
        .iter()
        .find(|(p, _)| *p == wanted)
        .map(|(_, b)| b.clone())
        .unwrap_or_default();
    Ok((r, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_vectors() {
        // securesystemslib's encode_canonical test vectors.
        let v = json!({"b": [1, true, null, "x\"y\\z"], "a": {"d": -5, "c": "ü\n"}});
        assert_eq!(
            String::from_utf8(canonical_json(&v).unwrap()).unwrap(),
            "{\"a\":{\"c\":\"ü\n\",\"d\":-5},\"b\":[1,true,null,\"x\\\"y\\\\z\"]}"
        );
        assert_eq!(canonical_json(&json!("")).unwrap(), b"\"\"");
        assert_eq!(canonical_json(&json!([])).unwrap(), b"[]");
        assert_eq!(canonical_json(&json!({})).unwrap(), b"{}");
        assert!(canonical_json(&json!(1.5)).is_err());
    }

    #[test]
    fn hashes_and_lengths() {
        let mut e = Map::new();
        e.insert("length".into(), json!(3));
        e.insert(
            "hashes".into(),
            json!({"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}),
        );
        assert!(check_hashes("f", b"abc", &e).is_ok());
        assert_eq!(
            check_hashes("f", b"abd", &e).unwrap_err().info.code,
            "SIG023"
        );
        assert_eq!(
            check_hashes("f", b"abcd", &e).unwrap_err().info.code,
            "SIG023"
        );
        e.insert("hashes".into(), json!({"md5": "00"}));
        assert!(
            check_hashes("f", b"abc", &e).is_err(),
            "no supported hash is a failure"
        );
    }

    #[test]
    fn initial_root_must_be_tuf_root_metadata() {
        let ok = r#"{"signed": {"_type": "root", "spec_version": "1.0", "version": 1, "expires": "2030-01-01T00:00:00Z"}, "signatures": []}"#;
        assert!(check_initial_root("r.json", ok).is_ok());
        let e = check_initial_root("r.json", "{\"signed\": ").unwrap_err();
        assert_eq!(e.info.code, "TG005");
        assert!(e.location.line.is_some(), "position of malformed JSON");
        for (text, why) in [
            (
                r#"{"_type": "https://in-toto.io/Statement/v1"}"#,
                "no \"signed\"",
            ),
            (
                r#"{"signed": {"_type": "targets"}}"#,
                "_type is \"targets\"",
            ),
            (
                r#"{"signed": {"_type": "root", "spec_version": "1.0", "expires": "2030-01-01T00:00:00Z"}}"#,
                "version",
            ),
            ("[]", "no \"signed\""),
        ] {
            let e = check_initial_root("r.json", text).unwrap_err();
            assert_eq!(e.info.code, "TG007", "{text}");
            assert!(e.message.contains(why), "{text}: {}", e.message);
        }
    }

    #[test]
    fn delegation_paths_and_prefixes() {
        assert!(delegation_matches(&json!({"paths": ["a/*"]}), "a/b"));
        assert!(!delegation_matches(&json!({"paths": ["a/*"]}), "b/a"));
        let h = crate::attest::keys::hex(&sha2::Sha256::digest(b"a/b"));
        assert!(delegation_matches(
            &json!({"path_hash_prefixes": [&h[..4]]}),
            "a/b"
        ));
        assert!(!delegation_matches(
            &json!({"path_hash_prefixes": ["zz"]}),
            "a/b"
        ));
        assert!(!delegation_matches(&json!({}), "a/b"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("delegatedrole/*", "delegatedrole/artifact"));
        assert!(!glob_match("delegatedrole/*", "delegatedrole/a/b"));
        assert!(glob_match("*.json", "trusted_root.json"));
        assert!(!glob_match("*", "a/b"));
        assert!(glob_match("a/?", "a/b"));
    }
}
