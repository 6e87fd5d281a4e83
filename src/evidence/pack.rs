//! `tollgate evidence pack`: a byte-reproducible tar (gzip or zstd) with `index.json` first,
//! its DSSE signature second, then the artifacts in path order. Headers are normalised (mtime
//! from `--now`, uid/gid 0, mode 0644, no user or group names); files are hashed in parallel
//! and streamed into the archive, never held whole in memory.

use super::compress::{Codec, Compressor};
use super::index::*;
use super::merkle;
use crate::attest::dsse;
use crate::attest::keys::PrivateKey;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One file to pack: where it is, and its name in the index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub name: String,
    pub source: PathBuf,
}

pub struct PackOptions<'a> {
    pub release: ReleaseMeta,
    pub generated_at: jiff::Timestamp,
    pub codec: Codec,
    pub key: Option<&'a PrivateKey>,
    /// Name (as in `inputs`) of the Control Attestation statement, if packed.
    pub attestation: Option<String>,
}

pub struct Packed {
    pub index: Index,
    pub index_bytes: Vec<u8>,
    /// SHA-256 of the pack's bytes, computed while writing them.
    pub sha256: String,
    /// Bytes in the pack.
    pub size: u64,
}

/// Read a file once: its SHA-256, size and media type (from its name and first bytes).
fn hash_and_sniff(path: &Path, buf: &mut [u8]) -> io::Result<(String, u64, String)> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let mut head: Vec<u8> = Vec::new();
    let size = crate::attest::subjects::for_each_chunk(path, buf, |chunk| {
        if head.len() < SNIFF_BYTES {
            let take = chunk.len().min(SNIFF_BYTES - head.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    Ok((
        crate::attest::intoto::hex(&hasher.finalize()),
        size,
        media_type(&name, &head),
    ))
}

/// Hash and recognise every input, each file read once, on every core.
///
/// Files are taken largest first from one shared queue: a file's SHA-256 cannot be split across
/// cores, so a big file picked up last would leave the other cores idle while it is hashed
/// (rayon's halving of the input list does not prevent that).
fn hash_all(inputs: &[Input]) -> Vec<io::Result<(String, u64, String)>> {
    let mut order: Vec<(u64, usize)> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            // A file that cannot be stat'ed fails when it is read; its place in the queue is moot.
            let len = std::fs::metadata(&input.source).map_or(0, |m| m.len());
            (len, i)
        })
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<io::Result<(String, u64, String)>>> =
        (0..inputs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut buf = vec![0u8; 1 << 20];
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(_, i)) = order.get(k) else { break };
                        let source = &inputs[i].source;
                        let r = hash_and_sniff(source, &mut buf);
                        done.push((i, r));
                    }
                    done
                })
            })
            .collect();
        for h in handles {
            // A worker only panics on a bug; re-raise it rather than lose results.
            for (i, r) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every input is taken from the queue"))
        .collect()
}

/// An input that could not be read, or is not what it claims to be.
#[derive(Debug)]
pub struct InputFailure {
    pub path: PathBuf,
    pub error: io::Error,
}

/// Hash and recognise every input (in parallel, each file read once) and build the index.
pub fn build_index(inputs: &[Input], o: &PackOptions) -> Result<Index, InputFailure> {
    let hashed = hash_all(inputs);
    let mut artifacts = Vec::with_capacity(inputs.len());
    for (i, h) in inputs.iter().zip(hashed) {
        let (sha256, size, media_type) = h.map_err(|error| InputFailure {
            path: i.source.clone(),
            error,
        })?;
        artifacts.push(Artifact {
            name: i.name.clone(),
            path: format!("{ARTIFACT_PREFIX}{}", i.name),
            sha256,
            size,
            media_type,
        });
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let control_attestation = match &o.attestation {
        None => None,
        Some(name) => {
            let input = inputs
                .iter()
                .find(|i| &i.name == name)
                .expect("attestation is an input");
            control_map(&input.source, &format!("{ARTIFACT_PREFIX}{name}")).map_err(|error| {
                InputFailure {
                    path: input.source.clone(),
                    error,
                }
            })?
        }
    };
    let mut index = Index {
        version: INDEX_VERSION,
        generated_at: o.generated_at.to_string(),
        release: o.release.clone(),
        artifacts,
        control_attestation,
        merkle: Merkle {
            algorithm: MERKLE_ALGORITHM.into(),
            size: 0,
            root: String::new(),
        },
    };
    let leaves = index.leaves().expect("digests computed above are hex");
    index.merkle.size = leaves.len() as u64;
    index.merkle.root = crate::attest::intoto::hex(&merkle::root(&leaves));
    Ok(index)
}

/// The control map of a Control Attestation (statement or DSSE envelope around one).
fn control_map(path: &Path, archive_path: &str) -> io::Result<Option<ControlMap>> {
    let text = std::fs::read_to_string(path)?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the control attestation is not JSON: {e}"),
        )
    })?;
    let st = crate::attest::intoto::statement_from_envelope_json(&v)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    if st.get("predicateType").and_then(|p| p.as_str())
        != Some(crate::controls::model::PREDICATE_TYPE)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a tollgate Control Attestation (predicateType)".to_string(),
        ));
    }
    let p: crate::controls::model::ControlsPredicate =
        serde_json::from_value(st["predicate"].clone()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the control attestation's predicate: {e}"),
            )
        })?;
    Ok(Some(ControlMap {
        path: archive_path.to_string(),
        verdict: p.verdict,
        controls: p
            .controls
            .into_iter()
            .map(|c| ControlEntry {
                id: c.id,
                name: c.name,
                status: c.status.as_str().to_string(),
                frameworks: c.frameworks,
            })
            .collect(),
    }))
}

fn header(size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    let _ = h.set_username("");
    let _ = h.set_groupname("");
    h
}

/// Canonical bytes of the index (sorted keys, two-space indent, final newline).
pub fn index_bytes(index: &Index) -> Vec<u8> {
    crate::controls::outputs::canonical_pretty(index).into_bytes()
}

/// Write the pack to `out` (a writer the caller makes atomic).
pub fn write_pack<W: Write + Send + 'static>(
    inputs: &[Input],
    index: &Index,
    o: &PackOptions,
    // Called with (bytes done, bytes total) after each artifact, for a progress display.
    mut progress: Option<&mut dyn FnMut(u64, u64)>,
    out: W,
) -> io::Result<(W, Packed)> {
    let idx = index_bytes(index);
    let mtime = o.generated_at.as_second().max(0) as u64;
    let mut tar = tar::Builder::new(Compressor::new(o.codec, out)?);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut h = header(idx.len() as u64, mtime);
    tar.append_data(&mut h, INDEX_PATH, &idx[..])?;
    if let Some(key) = o.key {
        let env = dsse::sign(INDEX_PAYLOAD_TYPE, &idx, key);
        let sig = crate::controls::outputs::canonical_pretty(&env).into_bytes();
        let mut h = header(sig.len() as u64, mtime);
        tar.append_data(&mut h, SIGNATURE_PATH, &sig[..])?;
    }
    let total: u64 = index.artifacts.iter().map(|a| a.size).sum();
    let mut done = 0u64;
    let by_path: std::collections::HashMap<String, &Input> = inputs
        .iter()
        .map(|i| (format!("{ARTIFACT_PREFIX}{}", i.name), i))
        .collect();
    for a in &index.artifacts {
        let input = by_path[&a.path];
        let f = std::fs::File::open(&input.source)?;
        // A file that changed size since it was hashed would make a pack that lies.
        let len = f.metadata()?.len();
        if len != a.size {
            return Err(io::Error::other(format!(
                "{} changed while packing ({} bytes hashed, {len} now)",
                input.source.display(),
                a.size
            )));
        }
        let mut h = header(a.size, mtime);
        tar.append_data(&mut h, &a.path, io::BufReader::with_capacity(1 << 20, f))?;
        done += a.size;
        if let Some(p) = progress.as_mut() {
            p(done, total);
        }
    }
    let compressor = tar.into_inner()?;
    let (out, digest, size) = compressor.finish_with_digest()?;
    Ok((
        out,
        Packed {
            index: index.clone(),
            index_bytes: idx,
            sha256: crate::attest::intoto::hex(&digest),
            size,
        },
    ))
}
