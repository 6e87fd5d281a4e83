//! `tollgate evidence verify`: one streaming pass over the archive (nothing is written to
//! disk): every entry is checked for type, path, duplicates and size while its bytes are
//! hashed; decompression is bounded in size and ratio; then the index's signature, Merkle
//! root, and the exact set of artifacts are checked.

use super::compress::{Codec, sniff};
use super::diags as d;
use super::index::*;
use super::merkle;
use crate::attest::dsse;
use crate::attest::keys::PublicKey;
use crate::report::{CodeInfo, Diagnostic, Location};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total uncompressed bytes allowed.
    pub max_unpacked: u64,
    /// Uncompressed / compressed ratio allowed (checked once 1 MiB is unpacked).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked: 16 << 30,
            max_ratio: 1000,
        }
    }
}

/// What a verification found.
#[derive(Debug, Default)]
pub struct Verification {
    pub index: Option<Index>,
    pub signed_by: Vec<String>,
    pub codec: Option<&'static str>,
    pub entries: usize,
    pub unpacked: u64,
    pub diagnostics: Vec<Diagnostic>,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.index.is_some()
            && !self
                .diagnostics
                .iter()
                .any(|d| d.severity == crate::report::Severity::Error)
    }
}

/// Counts bytes read through it, shared with the bomb check.
struct Counting<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Stops decompression beyond the limits, with an error the caller turns into EVD011.
struct Bounded<R> {
    inner: R,
    compressed: std::rc::Rc<std::cell::Cell<u64>>,
    unpacked: u64,
    limits: Limits,
}

const BOMB: &str = "tollgate: decompression limit";

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.unpacked += n as u64;
        let c = self.compressed.get().max(1);
        if self.unpacked > self.limits.max_unpacked
            || (self.unpacked > (1 << 20) && self.unpacked / c > self.limits.max_ratio)
        {
            return Err(io::Error::other(BOMB));
        }
        Ok(n)
    }
}

/// An opened pack: a tar stream over the decompressed bytes.
pub fn open(path: &Path, limits: Limits) -> io::Result<(Codec, tar::Archive<Box<dyn Read>>)> {
    let mut f = std::fs::File::open(path)?;
    let mut head = [0u8; 6];
    let mut n = 0;
    while n < head.len() {
        let k = f.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let codec = sniff(&head[..n]).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "not a gzip or zstd compressed pack",
        )
    })?;
    if codec == Codec::Zstd && head[..n] != *super::compress::zstd_frame_header() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "zstd frame header tollgate never writes ({:02x?})",
                &head[..n]
            ),
        ));
    }
    drop(f);
    if codec == Codec::Zstd
        && !super::compress::zstd_digest_ok(io::BufReader::new(std::fs::File::open(path)?))?
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the zstd stream does not match its digest trailer (the compressed bytes were changed or cut)",
        ));
    }
    let count = std::rc::Rc::new(std::cell::Cell::new(0));
    let raw = Counting {
        inner: io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?),
        count: count.clone(),
    };
    let dec: Box<dyn Read> = match codec {
        Codec::Gzip => Box::new(super::compress::StrictGzReader::new(
            io::BufReader::with_capacity(1 << 16, raw),
        )),
        Codec::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    };
    let bounded: Box<dyn Read> = Box::new(Bounded {
        inner: dec,
        compressed: count,
        unpacked: 0,
        limits,
    });
    Ok((codec, tar::Archive::new(bounded)))
}

/// Whether a path from the archive is safe and normal: relative, no `..`, no empty or `.`
/// components, no backslashes or NULs.
pub fn safe_path(p: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(p) else {
        return false;
    };
    !s.is_empty()
        && !s.starts_with('/')
        && !s.contains('\\')
        && !s.contains('\0')
        && s.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

fn finding(out: &mut Verification, info: &'static CodeInfo, file: &str, msg: String) {
    out.diagnostics
        .push(Diagnostic::new(info, msg).at(Location::file(file)));
}

/// Verify a pack. `keys` empty: the signature is not checked (the caller decides whether
/// that is allowed). I/O errors that mean a damaged archive (truncated, corrupt compression)
/// are returned as `Err` for the caller to report as bad input.
pub fn verify(path: &Path, keys: &[PublicKey], limits: Limits) -> io::Result<Verification> {
    let name = path.display().to_string();
    let mut out = Verification::default();
    let (codec, mut archive) = open(path, limits)?;
    out.codec = Some(match codec {
        Codec::Gzip => "gzip",
        Codec::Zstd => "zstd",
    });
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut hashes: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut index_bytes: Option<Vec<u8>> = None;
    let mut signature: Option<Vec<u8>> = None;
    let mut buf = vec![0u8; 1 << 20];
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => return Err(bomb_or(e)),
    };
    for (i, entry) in entries.enumerate() {
        let mut entry = entry.map_err(bomb_or)?;
        out.entries += 1;
        let raw_path = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw_path).into_owned();
        let at = format!("{name}!{shown}");
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            finding(
                &mut out,
                &d::LINK_ENTRY,
                &at,
                format!("{shown} is a link to {target:?}"),
            );
            continue;
        }
        if kind.is_dir() {
            // tollgate writes no directory entries; one was added after packing, and one
            // outside the archive is the classic traversal.
            let dir_path = raw_path.strip_suffix(b"/").unwrap_or(&raw_path);
            let (info, what) = if safe_path(dir_path) {
                (
                    &d::UNEXPECTED_ENTRY,
                    "a directory entry the index does not list",
                )
            } else {
                (
                    &d::UNSAFE_PATH,
                    "a directory entry whose path is absolute or leaves the archive",
                )
            };
            finding(&mut out, info, &at, format!("{shown} is {what}"));
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            finding(
                &mut out,
                &d::SPECIAL_ENTRY,
                &at,
                format!("{shown} is a {kind:?} entry, not a regular file"),
            );
            continue;
        }
        if !safe_path(&raw_path) {
            finding(
                &mut out,
                &d::UNSAFE_PATH,
                &at,
                format!("entry path {shown:?} is absolute or leaves the archive"),
            );
            continue;
        }
        if !seen.insert(shown.clone()) {
            finding(
                &mut out,
                &d::DUPLICATE_ENTRY,
                &at,
                format!("{shown} appears more than once"),
            );
            continue;
        }
        let declared = entry.header().size().unwrap_or(0);
        let is_meta = shown == INDEX_PATH || shown == SIGNATURE_PATH;
        if shown == INDEX_PATH && i != 0 {
            finding(
                &mut out,
                &d::INDEX_INVALID,
                &at,
                "index.json is not the first entry of the archive".into(),
            );
        }
        if is_meta {
            if declared > 64 << 20 {
                finding(
                    &mut out,
                    &d::INDEX_INVALID,
                    &at,
                    format!("{shown} is {declared} bytes; an index is never this large"),
                );
                continue;
            }
            let mut v = Vec::with_capacity(declared as usize);
            entry.read_to_end(&mut v).map_err(bomb_or)?;
            if shown == INDEX_PATH {
                index_bytes = Some(v);
            } else {
                signature = Some(v);
            }
            continue;
        }
        let mut h = Sha256::new();
        let mut size = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(bomb_or)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            size += n as u64;
        }
        if size != declared {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{shown}: entry truncated"),
            ));
        }
        hashes.insert(shown, (crate::attest::intoto::hex(&h.finalize()), size));
    }
    out.unpacked = hashes.values().map(|(_, s)| *s).sum();
    // Read to the very end: the compression's own checks (gzip CRC-32 and length, zstd
    // checksum) only run there, and nothing may hide after the tar end-of-archive marker.
    let mut rest = archive.into_inner();
    let mut trailing_nonzero = 0u64;
    loop {
        let n = rest.read(&mut buf).map_err(bomb_or)?;
        if n == 0 {
            break;
        }
        trailing_nonzero += buf[..n].iter().filter(|&&b| b != 0).count() as u64;
    }
    if trailing_nonzero > 0 {
        finding(
            &mut out,
            &d::UNEXPECTED_ENTRY,
            &name,
            format!("{trailing_nonzero} non-zero byte(s) after the end of the archive"),
        );
    }

    let Some(idx_bytes) = index_bytes else {
        finding(
            &mut out,
            &d::INDEX_INVALID,
            &name,
            "the archive has no index.json".into(),
        );
        return Ok(out);
    };
    let index: Index = match serde_json::from_slice(&idx_bytes) {
        Ok(i) => i,
        Err(e) => {
            finding(
                &mut out,
                &d::INDEX_INVALID,
                &format!("{name}!{INDEX_PATH}"),
                format!("index.json is not a valid index: {e}"),
            );
            return Ok(out);
        }
    };
    if index.version != INDEX_VERSION || index.merkle.algorithm != MERKLE_ALGORITHM {
        finding(
            &mut out,
            &d::INDEX_INVALID,
            &format!("{name}!{INDEX_PATH}"),
            format!(
                "unsupported index version {} / Merkle algorithm {:?}",
                index.version, index.merkle.algorithm
            ),
        );
    }

    // Signature over the exact index bytes.
    if !keys.is_empty() {
        match &signature {
            None => finding(
                &mut out,
                &d::UNSIGNED,
                &name,
                "the pack has no index.dsse.json".into(),
            ),
            Some(sig) => match serde_json::from_slice::<dsse::Envelope>(sig) {
                Err(e) => finding(
                    &mut out,
                    &d::SIGNATURE_INVALID,
                    &format!("{name}!{SIGNATURE_PATH}"),
                    format!("not a DSSE envelope: {e}"),
                ),
                Ok(env) => match dsse::verify_envelope(&env, keys, 1) {
                    Err(e) => finding(
                        &mut out,
                        &d::SIGNATURE_INVALID,
                        &format!("{name}!{SIGNATURE_PATH}"),
                        e.to_string(),
                    ),
                    Ok(v) if v.payload != idx_bytes || v.payload_type != INDEX_PAYLOAD_TYPE => {
                        finding(
                            &mut out,
                            &d::SIGNATURE_INVALID,
                            &format!("{name}!{SIGNATURE_PATH}"),
                            "the signature is valid but signs other bytes than this index.json"
                                .into(),
                        )
                    }
                    Ok(v) => out.signed_by = v.keyids,
                },
            },
        }
    }

    // Merkle root over the index's digests.
    match index.leaves() {
        Some(leaves) => {
            let root = crate::attest::intoto::hex(&merkle::root(&leaves));
            if root != index.merkle.root || index.merkle.size != leaves.len() as u64 {
                finding(
                    &mut out,
                    &d::MERKLE_MISMATCH,
                    &format!("{name}!{INDEX_PATH}"),
                    format!(
                        "Merkle root is {root} over {} artifacts; the index says {} over {}",
                        leaves.len(),
                        index.merkle.root,
                        index.merkle.size
                    ),
                );
            }
        }
        None => finding(
            &mut out,
            &d::INDEX_INVALID,
            &format!("{name}!{INDEX_PATH}"),
            "an artifact digest is not hex".into(),
        ),
    }

    // Exactly the listed artifacts, each with its size and digest.
    let mut listed = BTreeSet::new();
    for a in &index.artifacts {
        listed.insert(a.path.clone());
        let at = format!("{name}!{}", a.path);
        match hashes.get(&a.path) {
            None => finding(
                &mut out,
                &d::ARTIFACT_MISSING,
                &at,
                format!("{} is listed in the index but not in the archive", a.path),
            ),
            Some((sha, size)) => {
                if *size != a.size {
                    finding(
                        &mut out,
                        &d::SIZE_MISMATCH,
                        &at,
                        format!("{} is {size} bytes; the index declares {}", a.path, a.size),
                    );
                } else if *sha != a.sha256 {
                    finding(
                        &mut out,
                        &d::DIGEST_MISMATCH,
                        &at,
                        format!(
                            "{} has sha256 {sha}; the index records {}",
                            a.path, a.sha256
                        ),
                    );
                }
            }
        }
    }
    for p in hashes.keys() {
        if !listed.contains(p) {
            finding(
                &mut out,
                &d::UNEXPECTED_ENTRY,
                &format!("{name}!{p}"),
                format!("{p} is in the archive but not in the index"),
            );
        }
    }
    out.index = Some(index);
    Ok(out)
}

fn bomb_or(e: io::Error) -> io::Error {
    e
}

/// Whether an error is the decompression limit.
pub fn is_bomb(e: &io::Error) -> bool {
    e.to_string().contains(BOMB)
}

/// Extract a verified pack's artifacts under `dest` (which must not exist or be empty),
/// through a temporary directory beside it, so a failure leaves nothing behind.
pub fn extract(path: &Path, dest: &Path, limits: Limits) -> io::Result<usize> {
    if dest.exists() && std::fs::read_dir(dest)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} is not empty", dest.display()),
        ));
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tollgate-extract-")
        .tempdir_in(parent)?;
    let (_, mut archive) = open(path, limits)?;
    let mut n = 0;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path_bytes().into_owned();
        if !entry.header().entry_type().is_file() || !safe_path(&raw) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "unexpected entry during extraction",
            ));
        }
        let rel = String::from_utf8_lossy(&raw).into_owned();
        let target = tmp.path().join(&rel);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)?;
        io::copy(&mut entry, &mut f)?;
        n += 1;
    }
    let staged = tmp.keep();
    if dest.exists() {
        std::fs::remove_dir(dest)?;
    }
    std::fs::rename(&staged, dest)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_safety() {
        for ok in ["index.json", "artifacts/a/b.json"] {
            assert!(safe_path(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a/.",
        ] {
            assert!(!safe_path(bad.as_bytes()), "{bad}");
        }
    }
}
