//! `--artifact` files (shell-style globs expanded here with globset, so quoting works the same
//! everywhere): file components with SHA-256 and SHA-512.

use crate::input::{self, InputError, Limits};
use crate::report::Location;
use sha2::Digest;
use std::path::{Path, PathBuf};

/// One artifact file.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The file name (what the SBOM records).
    pub name: String,
    /// The path as given/matched (for messages).
    pub path: String,
    pub sha256: String,
    pub sha512: String,
    pub size: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Expand the patterns (a pattern without glob characters must name an existing file).
pub fn expand(patterns: &[String]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for pat in patterns {
        if !pat.contains(['*', '?', '[', '{']) {
            out.push(PathBuf::from(pat));
            continue;
        }
        // Walk from the longest literal directory prefix.
        let comps: Vec<&str> = pat.split('/').collect();
        let lit = comps
            .iter()
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .count();
        let base = if lit == 0 {
            ".".to_string()
        } else {
            comps[..lit].join("/")
        };
        let base = if base.is_empty() {
            "/".to_string()
        } else {
            base
        };
        let glob = globset::GlobBuilder::new(pat)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                InputError::new(
                    &crate::diags::INPUT_CONFIG,
                    Location::file(pat.clone()),
                    format!("invalid --artifact glob: {e}"),
                    "quote the pattern and use *, ?, [..] or {a,b}",
                )
            })?
            .compile_matcher();
        let mut matched = Vec::new();
        walk(Path::new(&base), &glob, &mut matched);
        if matched.is_empty() {
            return Err(InputError::new(
                &crate::diags::INPUT_NOT_FOUND,
                Location::file(pat.clone()),
                "the --artifact pattern matched no file",
                "check the pattern; it is relative to the current directory",
            ));
        }
        matched.sort();
        out.extend(matched);
    }
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, glob: &globset::GlobMatcher, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        let shown = p.strip_prefix("./").unwrap_or(&p).to_path_buf();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&p, glob, out),
            Ok(t) if t.is_file() && glob.is_match(&shown) => out.push(shown),
            _ => {}
        }
    }
}

pub fn read(path: &Path, limits: Limits) -> Result<Artifact, InputError> {
    let meta =
        std::fs::metadata(path).map_err(|e| input::io_error(&input::display_path(path), &e))?;
    let bytes = if meta.len() == 0 && meta.is_file() {
        Vec::new()
    } else {
        input::read_bytes(path, limits)?
    };
    Ok(Artifact {
        name: path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default(),
        path: input::display_path(path),
        sha256: hex(&sha2::Sha256::digest(&bytes)),
        sha512: hex(&sha2::Sha512::digest(&bytes)),
        size: bytes.len() as u64,
    })
}
