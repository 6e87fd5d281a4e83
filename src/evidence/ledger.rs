//! The decision ledger: an append-only, hash-chained JSON-lines log of gate verdicts. Each
//! record carries the previous record's hash and its own SHA-256 over its canonical encoding
//! (sorted keys, no whitespace, without the `hash` member). Appends take an exclusive file lock,
//! so concurrent gate runs never interleave or fork the chain.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// SHA-256 (hex) of the canonical encoding of `record` without its `hash` member.
pub fn record_hash(record: &Value) -> String {
    let mut r = record.clone();
    if let Value::Object(m) = &mut r {
        m.remove("hash");
    }
    let canon = serde_json::to_string(&sorted(&r)).expect("serialisable");
    crate::attest::intoto::hex(&Sha256::digest(canon.as_bytes()))
}

/// What to record about one gate decision.
#[derive(Debug, Clone)]
pub struct Decision {
    pub chain: String,
    pub time: String,
    pub command: String,
    pub verdict: String,
    pub exit_code: u8,
    /// Inputs and their verdicts (paths as given).
    pub subjects: Vec<(String, String)>,
    pub findings: usize,
}

/// The last line of a file, read from the end (ledgers grow without bound): its byte offset,
/// its text, and whether the file ends with a newline.
fn last_line(f: &mut std::fs::File) -> io::Result<Option<(u64, String, bool)>> {
    let len = f.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(None);
    }
    let mut pos = len;
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let step = pos.min(64 * 1024);
        pos -= step;
        f.seek(SeekFrom::Start(pos))?;
        let mut chunk = vec![0u8; step as usize];
        f.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        let ends_with_newline = tail.ends_with(b"\n");
        let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
        if let Some(i) = body.iter().rposition(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(&body[i + 1..]).into_owned();
            return Ok(Some((pos + i as u64 + 1, text, ends_with_newline)));
        }
        if pos == 0 {
            let text = String::from_utf8_lossy(body).into_owned();
            return Ok(Some((0, text, ends_with_newline)));
        }
    }
}

/// Why a decision could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The last record is not one tollgate wrote: appending would extend a broken chain.
    #[error("the last record (line {line}) {reason}")]
    Damaged { line: usize, reason: String },
    /// One ledger file holds one chain.
    #[error("the ledger holds chain {found:?}, not {wanted:?}")]
    OtherChain { found: String, wanted: String },
}

/// A ledger opened for one append: locked, its last record read and checked. Taken before a
/// gate's report is written, so a ledger that cannot take the decision fails the run before
/// any report claims a verdict; the lock is held until the record is appended (or dropped).
pub struct Appender {
    file: std::fs::File,
    chain: String,
    index: u64,
    prev: String,
    needs_newline: bool,
}

impl Appender {
    pub fn open(path: &Path, chain: &str) -> Result<Appender, AppendError> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        file.lock()?;
        let (index, prev, needs_newline) = match last_line(&mut file)? {
            None => (0u64, GENESIS.to_string(), false),
            Some((offset, line, ends_with_newline)) => {
                let damaged = |file: &mut std::fs::File, reason: String| {
                    let line = line_number(file, offset).unwrap_or(0);
                    AppendError::Damaged { line, reason }
                };
                let v: Value = match serde_json::from_str(&line) {
                    Ok(v) => v,
                    Err(e) => return Err(damaged(&mut file, format!("is not JSON: {e}"))),
                };
                let index = v.get("index").and_then(Value::as_u64);
                let hash = v.get("hash").and_then(Value::as_str);
                let (Some(index), Some(hash)) = (index, hash) else {
                    return Err(damaged(&mut file, "has no index or hash".into()));
                };
                let found = v.get("chain").and_then(Value::as_str).unwrap_or_default();
                if found != chain {
                    return Err(AppendError::OtherChain {
                        found: found.to_string(),
                        wanted: chain.to_string(),
                    });
                }
                (index + 1, hash.to_string(), !ends_with_newline)
            }
        };
        Ok(Appender {
            file,
            chain: chain.to_string(),
            index,
            prev,
            needs_newline,
        })
    }

    /// Append the decision (its chain is the one the ledger was opened for); returns the record.
    pub fn append(mut self, d: &Decision) -> io::Result<Value> {
        let subjects: Vec<Value> = d
            .subjects
            .iter()
            .map(|(p, v)| json!({"path": p, "verdict": v}))
            .collect();
        let mut record = json!({
            "chain": self.chain,
            "index": self.index,
            "time": d.time,
            "command": d.command,
            "verdict": d.verdict,
            "exitCode": d.exit_code,
            "findings": d.findings,
            "subjects": subjects,
            "prev": self.prev,
        });
        let hash = record_hash(&record);
        record["hash"] = Value::String(hash);
        let mut line = String::new();
        // A last record without its newline (an editor, `echo -n`) must not be glued to this one.
        if self.needs_newline {
            line.push('\n');
        }
        line.push_str(&serde_json::to_string(&sorted(&record)).expect("serialisable"));
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        Ok(record)
    }
}

impl Drop for Appender {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// 1-based line number of the line starting at byte `offset`.
fn line_number(f: &mut std::fs::File, offset: u64) -> io::Result<usize> {
    f.seek(SeekFrom::Start(0))?;
    let mut newlines = 0usize;
    let mut left = offset;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let n = f.read(&mut buf[..left.min(64 * 1024) as usize])?;
        if n == 0 {
            break;
        }
        newlines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        left -= n as u64;
    }
    Ok(newlines + 1)
}

/// Append a decision to the ledger (its chain is `d.chain`); returns the new record.
pub fn append(path: &Path, d: &Decision) -> Result<Value, AppendError> {
    Ok(Appender::open(path, &d.chain)?.append(d)?)
}

/// The first problem in a ledger: record index (0-based line among records) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub index: usize,
    pub line: usize,
    pub reason: String,
}

/// Check every record: JSON, consecutive indexes, one chain name, `prev` links, own hash.
pub fn verify(path: &Path) -> io::Result<(usize, Option<Break>)> {
    verify_chain(path, &mut |_| {})
}

/// A verified ledger: its record count and last record's hash (the genesis value when empty),
/// and which of the given anchors (record hashes) it does not hold.
#[derive(Debug)]
pub struct Verified {
    pub records: usize,
    pub head: String,
    pub missing_anchors: Vec<String>,
}

/// [`verify`], and the ledger's head and the anchors it lacks (only meaningful without a break).
pub fn verify_anchored(path: &Path, anchors: &[String]) -> io::Result<(Verified, Option<Break>)> {
    let wanted: std::collections::BTreeSet<String> = anchors
        .iter()
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    let mut found = std::collections::BTreeSet::new();
    let mut head = GENESIS.to_string();
    let (records, brk) = verify_chain(path, &mut |h| {
        if wanted.contains(h) {
            found.insert(h.to_string());
        }
        head = h.to_string();
    })?;
    let missing_anchors = wanted.difference(&found).cloned().collect();
    Ok((
        Verified {
            records,
            head,
            missing_anchors,
        },
        brk,
    ))
}

/// The chain check; `each` sees the hash of every good record, in order.
fn verify_chain(path: &Path, each: &mut dyn FnMut(&str)) -> io::Result<(usize, Option<Break>)> {
    let f = std::fs::File::open(path)?;
    let mut prev = GENESIS.to_string();
    let mut chain: Option<String> = None;
    let mut count = 0usize;
    for (ln, line) in io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let i = count;
        let brk = |reason: String| {
            Ok((
                i,
                Some(Break {
                    index: i,
                    line: ln + 1,
                    reason,
                }),
            ))
        };
        let v: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => return brk(format!("not JSON: {e}")),
        };
        // Records are written in canonical form; any other spelling of the same value is an
        // edit the hash cannot see (a duplicate key: readers differ on which one counts).
        if serde_json::to_string(&sorted(&v)).ok().as_deref() != Some(line.as_str()) {
            return brk(
                "is not in the canonical form tollgate writes (a duplicate or reordered key, or added whitespace): it was edited".into(),
            );
        }
        if v.get("index").and_then(Value::as_u64) != Some(i as u64) {
            return brk(format!(
                "index is {}, expected {i} (a record was deleted, inserted or reordered)",
                v.get("index")
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "missing".into())
            ));
        }
        let c = v
            .get("chain")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match &chain {
            None => chain = Some(c),
            Some(first) if *first != c => {
                return brk(format!("chain {c:?} differs from the ledger's {first:?}"));
            }
            _ => {}
        }
        if v.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            return brk("prev does not match the previous record's hash (a record before it was changed or removed)".into());
        }
        let h = v
            .get("hash")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if record_hash(&v) != h {
            return brk("the record's content does not match its hash (it was edited)".into());
        }
        each(&h);
        prev = h;
        count += 1;
    }
    Ok((count, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(n: usize) -> Decision {
        Decision {
            chain: "acme/app".into(),
            time: format!("2026-11-23T12:00:{n:02}Z"),
            command: "sbom validate".into(),
            verdict: if n.is_multiple_of(2) {
                "pass".into()
            } else {
                "deny".into()
            },
            exit_code: (n % 2) as u8,
            subjects: vec![(format!("sbom-{n}.json"), "pass".into())],
            findings: n,
        }
    }

    #[test]
    fn chain_appends_and_every_tamper_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger.jsonl");
        for n in 0..5 {
            append(&p, &decision(n)).unwrap();
        }
        assert_eq!(verify(&p).unwrap(), (5, None));
        let original = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = original.lines().collect();
        let write = |ls: &[&str]| std::fs::write(&p, ls.join("\n") + "\n").unwrap();
        // Edited record 2.
        let edited = lines[2].replace("\"verdict\":\"pass\"", "\"verdict\":\"deny\"");
        assert_ne!(edited, lines[2]);
        write(&[lines[0], lines[1], &edited, lines[3], lines[4]]);
        assert_eq!(verify(&p).unwrap().1.unwrap().index, 2);
        // Deleted record 1.
        write(&[lines[0], lines[2], lines[3], lines[4]]);
        assert_eq!(verify(&p).unwrap().1.unwrap().index, 1);
        // Reordered 3 and 4.
        write(&[lines[0], lines[1], lines[2], lines[4], lines[3]]);
        assert_eq!(verify(&p).unwrap().1.unwrap().index, 3);
        // Inserted a copy of 1 after 1.
        write(&[lines[0], lines[1], lines[1], lines[2], lines[3], lines[4]]);
        assert_eq!(verify(&p).unwrap().1.unwrap().index, 2);
        // A duplicate key in front of the real one (first-key readers see "pass"; the hash,
        // over the last-key-wins value, still matches) and re-spaced JSON are edits too.
        let deny = lines[1];
        assert!(deny.contains("\"verdict\":\"deny\""), "{deny}");
        let duplicated = deny.replacen('{', "{\"verdict\":\"pass\",", 1);
        write(&[lines[0], &duplicated, lines[2], lines[3], lines[4]]);
        let brk = verify(&p).unwrap().1.unwrap();
        assert_eq!((brk.index, brk.line), (1, 2), "{}", brk.reason);
        assert!(brk.reason.contains("canonical"), "{}", brk.reason);
        let spaced = lines[3].replace(",\"", ", \"");
        write(&[lines[0], lines[1], lines[2], &spaced, lines[4]]);
        assert_eq!(verify(&p).unwrap().1.unwrap().index, 3);
        // Any single byte flipped anywhere is detected.
        let bytes = original.as_bytes();
        for i in (0..bytes.len()).step_by(7) {
            if bytes[i] == b'\n' {
                continue;
            }
            let mut b = bytes.to_vec();
            b[i] ^= 0x01;
            std::fs::write(&p, &b).unwrap();
            let r = verify(&p);
            assert!(
                matches!(r, Ok((_, Some(_))) | Err(_)),
                "byte {i} undetected"
            );
        }
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger.jsonl");
        std::thread::scope(|s| {
            for t in 0..4 {
                let p = p.clone();
                s.spawn(move || {
                    for n in 0..25 {
                        append(&p, &decision(t * 100 + n % 50)).unwrap();
                    }
                });
            }
        });
        assert_eq!(verify(&p).unwrap(), (100, None));
    }
}
