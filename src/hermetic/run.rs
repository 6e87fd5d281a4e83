//! `tollgate hermetic run`: run a command in a new network namespace that has only loopback,
//! and (with `--attest`) sign an in-toto statement saying so.
//!
//! Isolation is set up by `unshare --net` (as root) or `unshare --user --map-root-user --net`
//! (unprivileged, via a user namespace), or by bubblewrap (`bwrap --unshare-net`). Before the
//! command runs, a probe in a namespace set up the same way must show exactly one interface,
//! `lo`; if anything fails the command is not run (fail closed) and the caller exits 2.

use crate::attest::intoto::{self, ResourceDescriptor, Statement};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Which isolation to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Unshare,
    Bwrap,
}

/// Isolation that was set up and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Isolation {
    /// The wrapper, as it is invoked: `unshare --net`, `unshare --user --map-root-user --net`
    /// or `bwrap --dev-bind / / --unshare-net`.
    pub method: String,
    /// Interfaces the probe saw in the namespace (always `["lo"]` when isolation is accepted).
    pub interfaces: Vec<String>,
    /// Whether loopback could be brought up (needs `ip`; bubblewrap does it itself).
    pub loopback_up: bool,
    #[serde(skip)]
    prefix: Vec<String>,
}

const LO_UP: &str = "ip link set lo up 2>/dev/null || :";

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn candidates(choice: Choice) -> Vec<Vec<String>> {
    let unshare: Vec<String> = if is_root() {
        vec!["unshare".into(), "--net".into()]
    } else {
        ["unshare", "--user", "--map-root-user", "--net"]
            .map(String::from)
            .to_vec()
    };
    let bwrap: Vec<String> = [
        "bwrap",
        "--dev-bind",
        "/",
        "/",
        "--unshare-net",
        "--die-with-parent",
    ]
    .map(String::from)
    .to_vec();
    match choice {
        Choice::Auto => vec![unshare, bwrap],
        Choice::Unshare => vec![unshare],
        Choice::Bwrap => vec![bwrap],
    }
}

fn probe_one(prefix: &[String]) -> Result<Isolation, String> {
    let script = format!(
        "{LO_UP}; echo '--interfaces'; tail -n +3 /proc/net/dev | cut -d: -f1; echo '--lo'; ip -o link show lo 2>/dev/null || :"
    );
    let out = Command::new(&prefix[0])
        .args(&prefix[1..])
        .args(["--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{} is not installed (not on PATH)", prefix[0])
            } else {
                format!("cannot start {}: {e}", prefix[0])
            }
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        return Err(format!(
            "`{}` failed ({}){}",
            prefix.join(" "),
            out.status,
            if err.is_empty() {
                String::new()
            } else {
                format!(": {err}")
            }
        ));
    }
    let mut interfaces = Vec::new();
    let mut lo = String::new();
    let mut section = "";
    for l in stdout.lines() {
        match l {
            "--interfaces" | "--lo" => section = l,
            _ if section == "--interfaces" => {
                let name = l.trim();
                if !name.is_empty() {
                    interfaces.push(name.to_string());
                }
            }
            _ if section == "--lo" => lo.push_str(l),
            _ => {}
        }
    }
    if interfaces != ["lo"] {
        return Err(format!(
            "`{}` left network interfaces other than loopback: {}",
            prefix.join(" "),
            interfaces.join(", ")
        ));
    }
    let loopback_up = prefix[0] == "bwrap" || lo.contains(",UP") || lo.contains("<UP");
    Ok(Isolation {
        method: prefix.join(" "),
        interfaces,
        loopback_up,
        prefix: prefix.to_vec(),
    })
}

/// Set up isolation once as a probe and check it; the error says why it is unavailable.
pub fn probe(choice: Choice) -> Result<Isolation, String> {
    let mut why = Vec::new();
    for prefix in candidates(choice) {
        match probe_one(&prefix) {
            Ok(iso) => return Ok(iso),
            Err(e) => why.push(e),
        }
    }
    Err(why.join("; "))
}

impl Isolation {
    /// The process that runs `argv` isolated (loopback brought up first when `ip` exists).
    pub fn command(&self, argv: &[String]) -> Command {
        let mut c = Command::new(&self.prefix[0]);
        c.args(&self.prefix[1..]);
        if self.prefix[0] == "bwrap" {
            c.arg("--").args(argv);
        } else {
            c.args([
                "--",
                "sh",
                "-c",
                &format!("{LO_UP}; exec \"$@\""),
                "tollgate-hermetic",
            ])
            .args(argv);
        }
        c
    }
}

/// An exit status as a shell reports it: the code, or 128 + the signal.
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(255)
}

/// Files under `base` matching any of the globs (relative, `/`-separated, `**` crosses
/// directories), sorted. Only the globs' literal leading directories are walked.
pub fn glob_files(base: &Path, patterns: &[String]) -> Result<Vec<(String, PathBuf)>, String> {
    let mut b = globset::GlobSetBuilder::new();
    let mut roots = Vec::new();
    for p in patterns {
        let p = p.trim_start_matches("./");
        let g = globset::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("--artifact {p:?} is not a valid glob: {e}"))?;
        b.add(g);
        let lit: Vec<&str> = p
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .collect();
        // A pattern without glob characters names a file: walk its directory.
        let lit = if lit.len() == p.split('/').count() {
            &lit[..lit.len().saturating_sub(1)]
        } else {
            &lit[..]
        };
        roots.push(lit.join("/"));
    }
    let set = b.build().map_err(|e| e.to_string())?;
    roots.sort();
    roots.dedup();
    let mut out = std::collections::BTreeMap::new();
    for r in roots {
        let dir = if r.is_empty() {
            base.to_path_buf()
        } else {
            base.join(&r)
        };
        walk(base, &dir, &mut |rel, abs| {
            if set.is_match(rel) {
                out.insert(rel.to_string(), abs.to_path_buf());
            }
        });
    }
    Ok(out.into_iter().collect())
}

/// Every regular file below `dir` (not following symlinked directories), as `base`-relative
/// `/`-separated paths. `.git` directories are skipped.
pub fn walk(base: &Path, dir: &Path, f: &mut dyn FnMut(&str, &Path)) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if e.file_name() == ".git" {
                continue;
            }
            walk(base, &path, f);
        } else if ft.is_file() {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            f(&rel, &path);
        }
    }
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(intoto::hex(&h.finalize()))
}

/// What happened in one isolated run, for the statement.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub command: Vec<String>,
    pub cwd: String,
    pub env: Vec<(String, Option<String>)>,
    pub started_on: String,
    pub finished_on: String,
    pub exit_code: i32,
    pub isolation: Isolation,
    /// (name, sha256) of each `--output` artifact.
    pub outputs: Vec<(String, String)>,
}

/// The in-toto statement of a hermetic run.
pub fn statement(r: &RunRecord) -> Statement {
    let env: serde_json::Map<String, Value> = r
        .env
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.clone().map(Value::String).unwrap_or(Value::Null),
            )
        })
        .collect();
    Statement {
        type_: Some(intoto::STATEMENT_V1.to_string()),
        subject: Some(
            r.outputs
                .iter()
                .map(|(name, sha)| ResourceDescriptor {
                    name: Some(name.clone()),
                    digest: Some([("sha256".to_string(), sha.clone())].into_iter().collect()),
                    ..Default::default()
                })
                .collect(),
        ),
        predicate_type: Some(super::RUN_PREDICATE_TYPE.to_string()),
        predicate: Some(json!({
            "command": r.command,
            "cwd": r.cwd,
            "environment": env,
            "startedOn": r.started_on,
            "finishedOn": r.finished_on,
            "exitCode": r.exit_code,
            "isolation": {
                "method": r.isolation.method,
                "network": "none (new network namespace, loopback only)",
                "interfaces": r.isolation.interfaces,
                "loopbackUp": r.isolation.loopback_up,
            },
            "runner": {"id": "https://tollgate.dev/hermetic-run", "version": crate::VERSION},
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_walk_only_their_roots() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("out/sub")).unwrap();
        std::fs::create_dir_all(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("out/a.bin"), "a").unwrap();
        std::fs::write(d.path().join("out/sub/b.bin"), "b").unwrap();
        std::fs::write(d.path().join("src/c.bin"), "c").unwrap();
        std::fs::write(d.path().join("top.txt"), "t").unwrap();
        let names = |p: &[&str]| {
            glob_files(
                d.path(),
                &p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
        };
        assert_eq!(names(&["out/**"]), ["out/a.bin", "out/sub/b.bin"]);
        assert_eq!(names(&["out/*.bin"]), ["out/a.bin"]);
        assert_eq!(
            names(&["**/*.bin"]),
            ["out/a.bin", "out/sub/b.bin", "src/c.bin"]
        );
        assert_eq!(names(&["top.txt", "./src/c.bin"]), ["src/c.bin", "top.txt"]);
        assert!(glob_files(d.path(), &["a[".into()]).is_err());
    }

    #[test]
    fn a_missing_wrapper_is_a_reason_not_a_panic() {
        let e = probe_one(&["/nonexistent/unshare".to_string(), "--net".to_string()]).unwrap_err();
        assert!(e.contains("not installed"), "{e}");
    }
}
