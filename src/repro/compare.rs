//! Compare the artifacts of two or more builds: per artifact identical, different or missing
//! (SHA-256 of the bytes; file modes and times are not compared), and the reproducibility
//! ratio `identical / all`. When `diffoscope` is installed it summarises each difference.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Identical,
    Different,
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Identical => "identical",
            Status::Different => "different",
            Status::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artifact {
    pub name: String,
    pub status: Status,
    /// SHA-256 per build (`null` where the build has no such file).
    pub sha256: Vec<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diffoscope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub artifacts: Vec<Artifact>,
    pub total: usize,
    pub identical: usize,
    pub different: usize,
    pub missing: usize,
    /// identical / total (0 when there is nothing to compare).
    pub ratio: f64,
    /// Whether diffoscope summarised the differences.
    pub diffoscope: bool,
}

/// Is `diffoscope` on PATH?
pub fn diffoscope_installed() -> bool {
    Command::new("diffoscope")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The first lines of diffoscope's text report on two files.
fn diffoscope_summary(a: &Path, b: &Path) -> Option<String> {
    let out = Command::new("diffoscope")
        .args([
            "--no-progress",
            "--text",
            "-",
            "--max-text-report-size",
            "8192",
        ])
        .arg(a)
        .arg(b)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().take(20).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Compare builds given as maps of artifact name -> file.
pub fn compare(
    builds: &[BTreeMap<String, PathBuf>],
    use_diffoscope: bool,
) -> std::io::Result<Comparison> {
    let names: BTreeSet<&String> = builds.iter().flat_map(|b| b.keys()).collect();
    let mut artifacts = Vec::new();
    for name in names {
        let mut sums = Vec::new();
        for b in builds {
            sums.push(match b.get(name) {
                Some(p) => Some(crate::hermetic::run::sha256_file(p)?),
                None => None,
            });
        }
        let status = if sums.iter().any(Option::is_none) {
            Status::Missing
        } else if sums.windows(2).all(|w| w[0] == w[1]) {
            Status::Identical
        } else {
            Status::Different
        };
        let diffoscope = if status == Status::Different && use_diffoscope {
            let first = &builds[0][name];
            builds[1..]
                .iter()
                .zip(&sums[1..])
                .find(|(_, s)| *s != &sums[0])
                .and_then(|(b, _)| diffoscope_summary(first, &b[name]))
        } else {
            None
        };
        artifacts.push(Artifact {
            name: name.clone(),
            status,
            sha256: sums,
            diffoscope,
        });
    }
    let count = |s| artifacts.iter().filter(|a| a.status == s).count();
    let (identical, different, missing) = (
        count(Status::Identical),
        count(Status::Different),
        count(Status::Missing),
    );
    let total = artifacts.len();
    Ok(Comparison {
        ratio: if total == 0 {
            0.0
        } else {
            identical as f64 / total as f64
        },
        artifacts,
        total,
        identical,
        different,
        missing,
        diffoscope: use_diffoscope,
    })
}

/// Every file below a directory, by relative path.
pub fn tree(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    crate::hermetic::run::walk(dir, dir, &mut |rel, abs| {
        out.insert(rel.to_string(), abs.to_path_buf());
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_ratio() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for (d, stamp) in [(&a, "1"), (&b, "2")] {
            std::fs::create_dir_all(d.path().join("sub")).unwrap();
            std::fs::write(d.path().join("same.txt"), "x").unwrap();
            std::fs::write(d.path().join("sub/stamp.txt"), stamp).unwrap();
        }
        std::fs::write(a.path().join("only-a"), "").unwrap();
        let c = compare(&[tree(a.path()), tree(b.path())], false).unwrap();
        let st: Vec<_> = c
            .artifacts
            .iter()
            .map(|a| (a.name.as_str(), a.status))
            .collect();
        assert_eq!(
            st,
            [
                ("only-a", Status::Missing),
                ("same.txt", Status::Identical),
                ("sub/stamp.txt", Status::Different)
            ]
        );
        assert!((c.ratio - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(c.artifacts[0].sha256[1], None);
    }
}
