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

/// Where one build's copy of an artifact is known from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file here: its bytes are hashed.
    File(PathBuf),
    /// An entry of an artifact list: its SHA-256, and the file when it is also here (used for
    /// diffoscope only when its bytes have that digest).
    Listed {
        sha256: String,
        local: Option<PathBuf>,
    },
}

/// Compare builds given as maps of artifact name -> file.
pub fn compare(
    builds: &[BTreeMap<String, PathBuf>],
    use_diffoscope: bool,
) -> std::io::Result<Comparison> {
    let builds: Vec<BTreeMap<String, Source>> = builds
        .iter()
        .map(|b| {
            b.iter()
                .map(|(k, v)| (k.clone(), Source::File(v.clone())))
                .collect()
        })
        .collect();
    compare_sources(&builds, use_diffoscope)
}

/// The file of an artifact that holds exactly the bytes compared, if there is one here.
fn local_file(src: &Source, sha: &str) -> Option<PathBuf> {
    match src {
        Source::File(p) => Some(p.clone()),
        Source::Listed {
            local: Some(p),
            sha256,
        } => crate::hermetic::run::sha256_file(p)
            .ok()
            .filter(|s| s.eq_ignore_ascii_case(sha256) && s.eq_ignore_ascii_case(sha))
            .map(|_| p.clone()),
        Source::Listed { local: None, .. } => None,
    }
}

/// Compare builds given as maps of artifact name -> file or listed digest.
pub fn compare_sources(
    builds: &[BTreeMap<String, Source>],
    use_diffoscope: bool,
) -> std::io::Result<Comparison> {
    let names: BTreeSet<&String> = builds.iter().flat_map(|b| b.keys()).collect();
    let mut artifacts = Vec::new();
    for name in names {
        let mut sums = Vec::new();
        for b in builds {
            sums.push(match b.get(name) {
                Some(Source::File(p)) => Some(crate::hermetic::run::sha256_file(p)?),
                Some(Source::Listed { sha256, .. }) => Some(sha256.to_ascii_lowercase()),
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
            let first = sums[0].as_deref().unwrap_or_default();
            builds[1..]
                .iter()
                .zip(&sums[1..])
                .find(|(_, s)| *s != &sums[0])
                .and_then(|(b, s)| {
                    let a = local_file(&builds[0][name], first)?;
                    let b = local_file(&b[name], s.as_deref().unwrap_or_default())?;
                    diffoscope_summary(&a, &b)
                })
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

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Pair artifacts whose paths differ only in their directories (`dist/app.tgz` in one list,
/// `app.tgz` in the other, as provenance subjects often are): among the names each build has
/// and the first has not (and the other way round), a file name that is unique on both sides
/// is renamed to the first build's path. Returns the pairs renamed (other name, first's name).
pub fn pair_by_file_name<T>(builds: &mut [BTreeMap<String, T>]) -> Vec<(String, String)> {
    let mut renamed = Vec::new();
    if builds.len() < 2 {
        return renamed;
    }
    let (first, rest) = builds.split_at_mut(1);
    let first = &first[0];
    for other in rest {
        let only_first: Vec<&String> = first.keys().filter(|k| !other.contains_key(*k)).collect();
        let only_other: Vec<String> = other
            .keys()
            .filter(|k| !first.contains_key(*k))
            .cloned()
            .collect();
        let unique =
            |names: &[&String], n: &str| names.iter().filter(|k| file_name(k) == n).count() == 1;
        let other_refs: Vec<&String> = only_other.iter().collect();
        for o in &only_other {
            let n = file_name(o);
            if !unique(&other_refs, n) || !unique(&only_first, n) {
                continue;
            }
            let target = only_first
                .iter()
                .find(|k| file_name(k) == n)
                .map(|k| (*k).clone())
                .expect("unique");
            let v = other.remove(o).expect("listed");
            other.insert(target.clone(), v);
            renamed.push((o.clone(), target));
        }
    }
    renamed
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

    #[test]
    fn listed_digests_compare_with_files() {
        let a = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("x"), "x").unwrap();
        let sha_x = crate::hermetic::run::sha256_file(&a.path().join("x")).unwrap();
        let left: BTreeMap<String, Source> =
            [("x".to_string(), Source::File(a.path().join("x")))].into();
        let right: BTreeMap<String, Source> = [(
            "x".to_string(),
            Source::Listed {
                sha256: sha_x.to_uppercase(),
                local: None,
            },
        )]
        .into();
        let c = compare_sources(&[left, right], false).unwrap();
        assert_eq!(c.identical, 1);
    }

    #[test]
    fn pairs_by_file_name_when_unique() {
        let mut b: Vec<BTreeMap<String, u8>> = vec![
            [
                ("dist/app.tgz".into(), 1),
                ("dist/a/lib.so".into(), 1),
                ("dist/b/lib.so".into(), 1),
                ("same".into(), 1),
            ]
            .into(),
            [
                ("app.tgz".into(), 2),
                ("lib.so".into(), 2),
                ("same".into(), 2),
            ]
            .into(),
        ];
        let r = pair_by_file_name(&mut b);
        assert_eq!(r, [("app.tgz".to_string(), "dist/app.tgz".to_string())]);
        assert!(b[1].contains_key("dist/app.tgz") && b[1].contains_key("lib.so"));
    }
}
