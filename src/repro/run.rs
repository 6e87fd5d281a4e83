//! `tollgate repro run`: build the same source N times in separate directories with deliberate
//! variation, as reprotest does, and collect the artifacts for [`super::compare`].
//!
//! Every build gets the same `SOURCE_DATE_EPOCH`; builds differ in
//! - build path (`run-1/src` vs `run-2/build/path/varied/src`, different lengths),
//! - time zone (`TZ=UTC` vs `TZ=GMT-14`), locale (`C.UTF-8` vs `fr_CH.UTF-8`),
//! - umask (`0022` vs `0002`),
//! - the clock: later builds run under `faketime +373d` when faketime is installed (and the
//!   real clock moves on between builds anyway).

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How one build was varied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Variation {
    pub run: u32,
    /// Build directory relative to the (temporary) root of all builds.
    pub build_path: String,
    pub env: BTreeMap<String, String>,
    pub umask: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faketime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

/// The variation plan for `runs` builds.
pub fn plan(runs: u32, source_date_epoch: i64, faketime: bool) -> Vec<Variation> {
    (0..runs)
        .map(|i| {
            let n = i + 1;
            let even = i % 2 == 0;
            let mut env = BTreeMap::new();
            env.insert("SOURCE_DATE_EPOCH".into(), source_date_epoch.to_string());
            env.insert("TZ".into(), if even { "UTC" } else { "GMT-14" }.into());
            let locale = if even { "C.UTF-8" } else { "fr_CH.UTF-8" };
            env.insert("LANG".into(), locale.into());
            env.insert("LC_ALL".into(), locale.into());
            Variation {
                run: n,
                build_path: if i == 0 {
                    format!("run-{n}/src")
                } else {
                    format!("run-{n}/build/path/varied-{n}/src")
                },
                env,
                umask: if even { "0022" } else { "0002" }.into(),
                faketime: (faketime && i > 0).then(|| format!("+{}d", 373 * i)),
                exit_code: None,
            }
        })
        .collect()
}

/// Is `faketime` on PATH?
pub fn faketime_installed() -> bool {
    Command::new("faketime")
        .args(["-f", "+1d", "true"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Copy a source tree (regular files, directories and symlinks; `.git` skipped).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ft = e.file_type()?;
        let dest = to.join(e.file_name());
        if ft.is_dir() {
            if e.file_name() == ".git" {
                continue;
            }
            copy_tree(&e.path(), &dest)?;
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path())?, &dest)?;
        } else if ft.is_file() {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

/// The process for one build: `sh -c 'umask U; exec "$@"'`, under faketime when planned, with
/// the varied environment, in `dir`; its stdout goes to our stderr (stdout is the report's).
pub fn command(v: &Variation, dir: &Path, argv: &[String]) -> std::io::Result<Command> {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("umask {}; exec \"$@\"", v.umask))
        .arg("tollgate-repro");
    if let Some(ft) = &v.faketime {
        c.args(["faketime", "-f", ft]);
    }
    c.args(argv).current_dir(dir).envs(&v.env);
    use std::os::fd::AsFd;
    let err = std::io::stderr().as_fd().try_clone_to_owned()?;
    c.stdout(std::process::Stdio::from(err));
    Ok(c)
}

/// The build directory of a variation under `root`.
pub fn build_dir(root: &Path, v: &Variation) -> PathBuf {
    root.join(&v.build_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_vary_everything_but_source_date_epoch() {
        let p = plan(2, 1700000000, true);
        assert_eq!(p[0].env["SOURCE_DATE_EPOCH"], p[1].env["SOURCE_DATE_EPOCH"]);
        assert_ne!(p[0].env["TZ"], p[1].env["TZ"]);
        assert_ne!(p[0].env["LC_ALL"], p[1].env["LC_ALL"]);
        assert_ne!(p[0].umask, p[1].umask);
        assert_ne!(p[0].build_path.len(), p[1].build_path.len());
        assert_eq!(
            (p[0].faketime.as_deref(), p[1].faketime.as_deref()),
            (None, Some("+373d"))
        );
        assert!(plan(3, 1, false).iter().all(|v| v.faketime.is_none()));
    }
}
