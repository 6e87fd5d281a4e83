//! Provenance subjects: files named directly or by glob (`dist/**/*.tar.gz`, `{a,b}.zip`),
//! hashed in parallel and streamed in 1 MiB chunks; or read from a `sha256sum`-format checksums
//! file. Subject names are paths relative to the current directory with forward slashes; the
//! list is sorted by name so output is deterministic.

use super::intoto::{DigestSet, ResourceDescriptor, hex};
use crate::diags;
use crate::error::{Error, Result};
use crate::input::InputError;
use crate::report::Location;
use globset::GlobBuilder;
use rayon::prelude::*;
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Digest algorithms tollgate computes for subjects (the SHA-2 family, by their in-toto
/// digest-set names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
}

impl Algorithm {
    /// Every algorithm tollgate computes.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Sha224,
        Algorithm::Sha256,
        Algorithm::Sha384,
        Algorithm::Sha512,
        Algorithm::Sha512_224,
        Algorithm::Sha512_256,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha224 => "sha224",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
            Algorithm::Sha512_224 => "sha512_224",
            Algorithm::Sha512_256 => "sha512_256",
        }
    }

    /// Length of the digest in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha224 | Algorithm::Sha512_224 => 56,
            Algorithm::Sha256 | Algorithm::Sha512_256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    /// The algorithm of an in-toto digest-set key (`sha384`), if tollgate computes it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    fn hasher(self) -> Hasher {
        match self {
            Algorithm::Sha224 => Hasher::Sha224(sha2::Sha224::new()),
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            Algorithm::Sha512_224 => Hasher::Sha512_224(sha2::Sha512_224::new()),
            Algorithm::Sha512_256 => Hasher::Sha512_256(sha2::Sha512_256::new()),
        }
    }
}

/// One running hash of [`hash_file`].
enum Hasher {
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    Sha512_224(sha2::Sha512_224),
    Sha512_256(sha2::Sha512_256),
}

impl Hasher {
    fn update(&mut self, chunk: &[u8]) {
        match self {
            Hasher::Sha224(h) => h.update(chunk),
            Hasher::Sha256(h) => h.update(chunk),
            Hasher::Sha384(h) => h.update(chunk),
            Hasher::Sha512(h) => h.update(chunk),
            Hasher::Sha512_224(h) => h.update(chunk),
            Hasher::Sha512_256(h) => h.update(chunk),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha224(h) => hex(&h.finalize()),
            Hasher::Sha256(h) => hex(&h.finalize()),
            Hasher::Sha384(h) => hex(&h.finalize()),
            Hasher::Sha512(h) => hex(&h.finalize()),
            Hasher::Sha512_224(h) => hex(&h.finalize()),
            Hasher::Sha512_256(h) => hex(&h.finalize()),
        }
    }
}

/// One file to attest: its subject name and where it is on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SubjectFile {
    pub name: String,
    pub path: PathBuf,
}

const GLOB_META: &[char] = &['*', '?', '[', '{'];

/// Expand `a{b,{c,d}}e` into `abe`, `ace`, `ade` (no escapes; `{x}` with no comma stays
/// literal, as in globset).
pub fn expand_braces(pattern: &str) -> Vec<String> {
    let bytes = pattern.as_bytes();
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_string()];
    };
    let mut depth = 0;
    let mut commas = Vec::new();
    let mut close = None;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_string()];
    };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let alts: Vec<&str> = if commas.is_empty() {
        vec![]
    } else {
        bounds
            .windows(2)
            .map(|w| &pattern[w[0] + 1..w[1]])
            .collect()
    };
    if alts.is_empty() {
        // `{x}`: keep the braces literally, expand what follows.
        return expand_braces(tail)
            .into_iter()
            .map(|t| format!("{}{}", &pattern[..=close], t))
            .collect();
    }
    let mut out = Vec::new();
    for alt in alts {
        for t in expand_braces(&format!("{alt}{tail}")) {
            out.extend(expand_braces(&format!("{head}{t}")));
        }
    }
    out
}

fn slash(p: &Path) -> String {
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::RootDir => parts.push(String::new()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let s = parts.join("/");
    if s.is_empty() && p.has_root() {
        "/".into()
    } else {
        s
    }
}

/// The subject name of a path: relative to `cwd` when it is below it, forward slashes.
pub fn subject_name(path: &Path, cwd: &Path) -> String {
    if path.is_absolute()
        && let Ok(rel) = path.strip_prefix(cwd)
    {
        return slash(rel);
    }
    slash(path)
}

/// The directory to walk for a (brace-free) glob: its leading components without
/// metacharacters.
fn glob_base(pattern: &str) -> (String, bool) {
    let mut base = Vec::new();
    let absolute = pattern.starts_with('/');
    for comp in pattern.split('/') {
        if comp.contains(GLOB_META) {
            break;
        }
        base.push(comp);
    }
    let joined = base.join("/");
    (
        if joined.is_empty() && absolute {
            "/".into()
        } else {
            joined
        },
        absolute,
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if d == dir => return Err(e),
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
                out.push(path);
            }
        }
    }
    Ok(())
}

fn not_found(pattern: &str) -> Error {
    Error::usage(
        format!("{pattern:?} matches no file"),
        "check the pattern (quote it so the shell does not expand it); `**` matches across directories",
    )
}

/// Resolve files and globs (relative to `cwd`) to subject files, deduplicated and sorted by
/// name. Every pattern must match at least one regular file; `exclude` (the output file) is
/// never a subject.
pub fn expand(patterns: &[String], cwd: &Path, exclude: Option<&Path>) -> Result<Vec<SubjectFile>> {
    let exclude = exclude.and_then(|p| std::fs::canonicalize(cwd.join(p)).ok());
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for pattern in patterns {
        let pattern_norm = pattern.strip_prefix("./").unwrap_or(pattern);
        let mut matched = 0usize;
        if !pattern_norm.contains(GLOB_META) {
            let path = cwd.join(pattern_norm);
            let meta = std::fs::metadata(&path).map_err(|e| {
                let code = if e.kind() == std::io::ErrorKind::NotFound {
                    &diags::INPUT_NOT_FOUND
                } else {
                    &diags::INPUT_IO
                };
                Error::from(InputError::new(
                    code,
                    Location::file(pattern.clone()),
                    format!("cannot read subject: {e}"),
                    code.help,
                ))
            })?;
            if !meta.is_file() {
                return Err(Error::from(InputError::new(
                    &diags::INPUT_NOT_A_FILE,
                    Location::file(pattern.clone()),
                    "is not a regular file",
                    format!(
                        "to attest every file below it, pass a glob such as '{pattern_norm}/**'"
                    ),
                )));
            }
            found.insert(subject_name(Path::new(pattern_norm), cwd), path);
            continue;
        }
        for alt in expand_braces(pattern_norm) {
            let alt = alt.strip_prefix("./").unwrap_or(&alt).to_string();
            let glob = GlobBuilder::new(&alt)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| {
                    Error::usage(
                        format!("invalid glob {pattern:?}: {e}"),
                        "use *, **, ?, [abc] and {a,b}",
                    )
                })?
                .compile_matcher();
            let (base, _) = glob_base(&alt);
            let dir = if base.is_empty() {
                cwd.to_path_buf()
            } else {
                cwd.join(&base)
            };
            let mut files = Vec::new();
            if dir.is_dir() {
                walk(&dir, &mut files).map_err(|e| {
                    Error::usage(
                        format!("cannot list {}: {e}", dir.display()),
                        "make the directory readable",
                    )
                })?;
            } else if dir.is_file() {
                files.push(dir.clone());
            }
            for f in files {
                let rel = if base.is_empty() {
                    f.strip_prefix(cwd).unwrap_or(&f).to_path_buf()
                } else {
                    Path::new(&base).join(f.strip_prefix(&dir).unwrap_or(&f))
                };
                let rel_s = slash(&rel);
                let rel_s = if base.starts_with('/') && !rel_s.starts_with('/') {
                    format!("/{rel_s}")
                } else {
                    rel_s
                };
                if !glob.is_match(&rel_s) {
                    continue;
                }
                if let Some(x) = &exclude
                    && std::fs::canonicalize(&f).ok().as_ref() == Some(x)
                {
                    continue;
                }
                matched += 1;
                found.insert(subject_name(&rel, cwd), f);
            }
        }
        if matched == 0 {
            return Err(not_found(pattern));
        }
    }
    Ok(found
        .into_iter()
        .map(|(name, path)| SubjectFile { name, path })
        .collect())
}

const CHUNK: usize = 1 << 20;

/// Stream a file through `each` in `buf`-sized chunks, never holding it whole; returns the
/// number of bytes read.
pub fn for_each_chunk(
    path: &Path,
    buf: &mut [u8],
    mut each: impl FnMut(&[u8]),
) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let mut size = 0u64;
    loop {
        let n = match f.read(buf) {
            Ok(0) => return Ok(size),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        each(&buf[..n]);
        size += n as u64;
    }
}

/// Hash one file, streaming it once through every requested algorithm in `buf`-sized chunks
/// (each chunk feeds all the hashers).
pub fn hash_file(path: &Path, algs: &[Algorithm], buf: &mut [u8]) -> std::io::Result<DigestSet> {
    let mut algs = algs.to_vec();
    algs.sort();
    algs.dedup();
    let mut hashers: Vec<(Algorithm, Hasher)> = algs.iter().map(|&a| (a, a.hasher())).collect();
    for_each_chunk(path, buf, |chunk| {
        for (_, h) in &mut hashers {
            h.update(chunk);
        }
    })?;
    Ok(hashers
        .into_iter()
        .map(|(a, h)| (a.name().to_string(), h.finish()))
        .collect())
}

/// Hash every file in parallel (one 1 MiB buffer per worker); the result keeps the input order.
pub fn hash_files(files: &[SubjectFile], algs: &[Algorithm]) -> Result<Vec<ResourceDescriptor>> {
    files
        .par_iter()
        .map_init(
            || vec![0u8; CHUNK],
            |buf, f| {
                let digest = hash_file(&f.path, algs, buf).map_err(|e| {
                    Error::from(InputError::new(
                        &diags::INPUT_IO,
                        Location::file(f.name.clone()),
                        format!("cannot read subject: {e}"),
                        diags::INPUT_IO.help,
                    ))
                })?;
                Ok(ResourceDescriptor {
                    name: Some(f.name.clone()),
                    digest: Some(digest),
                    ..Default::default()
                })
            },
        )
        .collect()
}

/// Subjects from a `sha256sum`/`sha512sum`-format file: `HEX  NAME` (text mode) or
/// `HEX *NAME` (binary mode), with GNU's `\`-escaped names; the algorithm follows from the hex
/// length (40 sha1, 64 sha256, 96 sha384, 128 sha512). Blank lines are skipped.
pub fn parse_checksums(text: &str, file: &str) -> Result<Vec<ResourceDescriptor>, InputError> {
    let mut by_name: BTreeMap<String, DigestSet> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let bad = |msg: String| {
            InputError::new(
                &diags::INPUT_MALFORMED,
                Location::file(file.to_string()).with_line_col(line_no, 1),
                msg,
                "each line must be `<hex digest>  <file name>` as written by sha256sum",
            )
        };
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let Some((hash, rest)) = line.split_once(' ') else {
            return Err(bad(format!("line {line_no} has no file name")));
        };
        let name = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('*'))
            .ok_or_else(|| {
                bad(format!(
                    "line {line_no}: expected two spaces or ` *` after the digest"
                ))
            })?;
        let name = if escaped {
            name.replace("\\n", "\n")
                .replace("\\r", "\r")
                .replace("\\\\", "\\")
        } else {
            name.to_string()
        };
        if name.is_empty() {
            return Err(bad(format!("line {line_no} has no file name")));
        }
        let hash_l = hash.to_ascii_lowercase();
        if !hash_l.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!("line {line_no}: digest {hash:?} is not hex")));
        }
        let alg = match hash_l.len() {
            40 => "sha1",
            64 => "sha256",
            96 => "sha384",
            128 => "sha512",
            n => {
                return Err(bad(format!(
                    "line {line_no}: a digest of {n} hex digits is not sha1/sha256/sha384/sha512"
                )));
            }
        };
        let name = name.strip_prefix("./").unwrap_or(&name).to_string();
        let entry = by_name.entry(name.clone()).or_default();
        if let Some(prev) = entry.get(alg)
            && *prev != hash_l
        {
            return Err(bad(format!(
                "line {line_no}: {name:?} is listed again with a different {alg} digest"
            )));
        }
        entry.insert(alg.to_string(), hash_l);
    }
    Ok(by_name
        .into_iter()
        .map(|(name, digest)| ResourceDescriptor {
            name: Some(name),
            digest: Some(digest),
            ..Default::default()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand() {
        assert_eq!(expand_braces("a/{b,c}/*.txt"), ["a/b/*.txt", "a/c/*.txt"]);
        assert_eq!(expand_braces("{x,y{1,2}}z"), ["xz", "y1z", "y2z"]);
        assert_eq!(expand_braces("{a}b"), ["{a}b"]);
        assert_eq!(expand_braces("{a,b"), ["{a,b"]);
    }

    #[test]
    fn bases() {
        assert_eq!(glob_base("dist/**/*.gz").0, "dist");
        assert_eq!(glob_base("*.gz").0, "");
        assert_eq!(glob_base("/tmp/x/*").0, "/tmp/x");
    }

    #[test]
    fn globs_match_files_and_exclude_output() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("dist/sub")).unwrap();
        for f in [
            "dist/a.tgz",
            "dist/b.zip",
            "dist/sub/c.tgz",
            "dist/prov.json",
            "x.txt",
        ] {
            std::fs::write(d.join(f), f).unwrap();
        }
        let names = |pats: &[&str]| -> Vec<String> {
            let pats: Vec<String> = pats.iter().map(|s| s.to_string()).collect();
            expand(&pats, d, Some(Path::new("dist/prov.json")))
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(&["dist/*.tgz"]), ["dist/a.tgz"]);
        assert_eq!(names(&["dist/**/*.tgz"]), ["dist/a.tgz", "dist/sub/c.tgz"]);
        assert_eq!(names(&["dist/*.{tgz,zip}"]), ["dist/a.tgz", "dist/b.zip"]);
        assert_eq!(names(&["./x.txt", "dist/**"]).len(), 4);
        let err = expand(&["dist/*.rpm".to_string()], d, None).unwrap_err();
        assert!(
            err.one_line().contains("\"dist/*.rpm\" matches no file"),
            "{}",
            err.one_line()
        );
        let err = expand(&["dist".to_string()], d, None).unwrap_err();
        assert!(err.one_line().contains("TG002"), "{}", err.one_line());
    }

    #[test]
    fn hashes_stream_in_chunks() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let mut buf = vec![0u8; 4096];
        let d = hash_file(&p, &[Algorithm::Sha256, Algorithm::Sha512], &mut buf).unwrap();
        assert_eq!(d["sha256"], hex(&sha2::Sha256::digest(&data)));
        assert_eq!(d["sha512"], hex(&sha2::Sha512::digest(&data)));
        assert_eq!(d.len(), 2);
        let d = hash_file(&p, &Algorithm::ALL, &mut buf).unwrap();
        assert_eq!(d["sha224"], hex(&sha2::Sha224::digest(&data)));
        assert_eq!(d["sha384"], hex(&sha2::Sha384::digest(&data)));
        assert_eq!(d["sha512_224"], hex(&sha2::Sha512_224::digest(&data)));
        assert_eq!(d["sha512_256"], hex(&sha2::Sha512_256::digest(&data)));
        assert_eq!(d.len(), 6);
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
            assert_eq!(d[a.name()].len(), a.hex_len());
        }
        assert_eq!(Algorithm::from_name("sha3_256"), None);
    }

    #[test]
    fn checksums_files() {
        let h = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let text = format!("{h}  b.txt\n\n{h} *./a.bin\r\n\\{h}  new\\nline\n");
        let rds = parse_checksums(&text, "SUMS").unwrap();
        let names: Vec<_> = rds.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["a.bin", "b.txt", "new\nline"]);
        assert_eq!(rds[0].digest.as_ref().unwrap()["sha256"], h);
        let e = parse_checksums(&format!("{h}  a\nnot-a-hash  b\n"), "SUMS").unwrap_err();
        assert_eq!(e.location.display_short(), "SUMS:2:1");
        let e = parse_checksums(&format!("{h}\n"), "SUMS").unwrap_err();
        assert!(e.message.contains("no file name"));
        let e = parse_checksums("abc  a\n", "SUMS").unwrap_err();
        assert!(e.message.contains("3 hex digits"));
    }
}
