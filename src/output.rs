//! The output layer: where reports, error lines and the GitHub step summary go. Commands write
//! only through [`Env`], so tests can capture everything in memory.

use crate::cli::{ColorChoice, Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::report::Report;
use crate::report::render::{self, RenderOptions};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Process environment as far as tollgate cares: streams, TTY-ness and environment variables.
pub struct Env {
    pub stdout: Box<dyn Write>,
    pub stderr: Box<dyn Write>,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    pub vars: BTreeMap<String, String>,
}

impl Env {
    /// The real process environment.
    pub fn from_process() -> Self {
        use std::io::IsTerminal;
        Env {
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            stdout_is_tty: std::io::stdout().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
            vars: std::env::vars().collect(),
        }
    }

    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// One line on stderr, prefixed `error: ` (coloured on a TTY). Control characters in it
    /// (from a file name, or bytes of a hostile archive inside a library's error) are escaped:
    /// the error stays one line and cannot drive the terminal.
    pub fn error_line(&mut self, line: &str) {
        let line = &one_line(line);
        let prefix = if self.stderr_is_tty && self.var("NO_COLOR").is_none() {
            "\x1b[1;31merror\x1b[0m: "
        } else {
            "error: "
        };
        let _ = writeln!(self.stderr, "{prefix}{line}");
    }

    pub fn warn_line(&mut self, line: &str) {
        let line = &one_line(line);
        let prefix = if self.stderr_is_tty && self.var("NO_COLOR").is_none() {
            "\x1b[1;33mwarning\x1b[0m: "
        } else {
            "warning: "
        };
        let _ = writeln!(self.stderr, "{prefix}{line}");
    }

    /// Whether human output to stdout (or to a file) should be coloured.
    pub fn use_color(&self, global: &GlobalArgs) -> bool {
        match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                global.output.is_none() && self.stdout_is_tty && self.var("NO_COLOR").is_none()
            }
        }
    }

    /// Render and emit a report: to `--output` (atomically) or stdout; input errors also go to
    /// stderr as one line each; the Markdown summary is appended to `$GITHUB_STEP_SUMMARY`.
    /// Returns the exit code.
    pub fn emit(&mut self, report: &Report, global: &GlobalArgs) -> Result<u8> {
        self.emit_to(report, global, false)
    }

    /// As [`Env::emit`]; with `to_stderr` the report goes to stderr because stdout carries the
    /// command's product (e.g. a merged SBOM).
    pub fn emit_to(&mut self, report: &Report, global: &GlobalArgs, to_stderr: bool) -> Result<u8> {
        let opts = RenderOptions {
            color: self.use_color(global),
            quiet: global.quiet,
            verbose: global.verbose,
        };
        // The ledger is opened (locked, its last record checked) before the report is written:
        // a ledger that cannot take this decision fails the run before a report claims a verdict.
        let ledger = match &global.ledger {
            Some(path) => {
                let decision = self.decision(report, global);
                let appender = crate::evidence::ledger::Appender::open(path, &decision.chain)
                    .map_err(|e| ledger_error(path, e))?;
                Some((appender, decision))
            }
            None => None,
        };
        let text = render::render(report, global.format, opts);
        match &global.output {
            Some(path) => write_atomic(path, text.as_bytes())?,
            None if to_stderr => {
                let _ = self.stderr.write_all(text.as_bytes());
            }
            None => {
                let _ = self.stdout.write_all(text.as_bytes());
                let _ = self.stdout.flush();
            }
        }
        // Input errors are always visible on stderr as one line, whatever the report format,
        // unless the human report already went to the same terminal stream.
        let human_on_stdout =
            global.format == Format::Human && global.output.is_none() || to_stderr;
        if !human_on_stdout {
            for d in report.diagnostics.iter().filter(|d| d.is_input_error()) {
                let loc = d
                    .location
                    .as_ref()
                    .map(|l| l.display_short())
                    .unwrap_or_default();
                let line = format!(
                    "{}: {}: {} (hint: {})",
                    d.info.code,
                    loc,
                    d.message,
                    d.help_text()
                );
                self.error_line(&line);
            }
        }
        if let Some(summary) = self.var("GITHUB_STEP_SUMMARY").map(str::to_string) {
            let md = render::step_summary(report);
            if let Err(e) = append(Path::new(&summary), md.as_bytes()) {
                self.warn_line(&format!(
                    "cannot append the job summary to {summary}: {e} (hint: GITHUB_STEP_SUMMARY must name a writable file)"
                ));
            }
        }
        let code = report.verdict().exit_code();
        if let Some((ledger, decision)) = ledger {
            let path = global.ledger.as_deref().expect("opened from --ledger");
            // A decision that cannot be recorded is not a decision: fail the run.
            ledger
                .append(&decision)
                .map_err(|e| ledger_error(path, crate::evidence::ledger::AppendError::Io(e)))?;
        }
        Ok(code)
    }
}

impl Env {
    /// The ledger chain this run's records belong to.
    fn ledger_chain(&self, global: &GlobalArgs) -> String {
        global
            .ledger_chain
            .clone()
            .or_else(|| self.var("GITHUB_REPOSITORY").map(str::to_string))
            .or_else(|| self.var("CI_PROJECT_PATH").map(str::to_string))
            .unwrap_or_else(|| "default".to_string())
    }

    /// Record in the ledger (with `--ledger`) a run that stopped with bad input or usage
    /// before it had a report: an exit-2 gate is a decision too. Best effort: if the ledger
    /// itself is what failed, the run's error already says so.
    pub fn record_failed_run(
        &mut self,
        global: &GlobalArgs,
        command: &str,
        error: &Error,
        now: jiff::Timestamp,
    ) {
        let Some(path) = &global.ledger else { return };
        let time = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
        let subjects = match error {
            Error::Input(e) if !e.location.file.is_empty() => {
                vec![(e.location.file.clone(), "error".to_string())]
            }
            _ => Vec::new(),
        };
        let decision = crate::evidence::ledger::Decision {
            chain: self.ledger_chain(global),
            time: time.to_string(),
            command: command.to_string(),
            verdict: "error".into(),
            exit_code: crate::EXIT_ERROR,
            subjects,
            findings: 1,
        };
        if let Ok(ledger) = crate::evidence::ledger::Appender::open(path, &decision.chain) {
            let _ = ledger.append(&decision);
        }
    }

    /// What the ledger records about this run.
    fn decision(&self, report: &Report, global: &GlobalArgs) -> crate::evidence::ledger::Decision {
        crate::evidence::ledger::Decision {
            chain: self.ledger_chain(global),
            time: report.generated_at.clone(),
            command: report.command.clone(),
            verdict: report.verdict().as_str().to_string(),
            exit_code: report.verdict().exit_code(),
            subjects: report
                .subjects
                .iter()
                .map(|s| (s.path.clone(), s.verdict.as_str().to_string()))
                .collect(),
            findings: report.diagnostics.len(),
        }
    }
}

/// A ledger that cannot take a decision, as one line with a hint that fits the cause.
fn ledger_error(path: &Path, e: crate::evidence::ledger::AppendError) -> Error {
    use crate::evidence::ledger::AppendError;
    let name = crate::input::display_path(path);
    match e {
        AppendError::Io(source) => Error::Output { path: name, source },
        AppendError::Damaged { line, reason } => Error::from(crate::input::InputError::new(
            &crate::diags::INPUT_MALFORMED,
            crate::report::Location::file(name.clone()).with_line_col(line as u32, 1),
            format!("ledger record {reason}"),
            format!(
                "the ledger was edited or damaged: `tollgate ledger verify {name}` names the first bad record; start a new ledger file rather than repairing it"
            ),
        )),
        AppendError::OtherChain { found, wanted } => Error::usage(
            format!("{name}: the ledger holds chain {found:?}, not {wanted:?}"),
            format!(
                "one ledger file holds one chain: pass --ledger-chain {found:?}, or another --ledger file for {wanted:?}"
            ),
        ),
    }
}

/// `line` with every control character but tab escaped (`\n`, `\r`, `\u{1b}`, …).
pub fn one_line(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(bytes)
}

/// How an output path is written, decided before anything is produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Destination {
    /// Write a temporary file in the directory of this path, then rename it into place: the
    /// path does not exist yet or is a regular file. For a symlink this is the file it points
    /// to, so the link survives.
    Replace(PathBuf),
    /// Write straight into it: a character device or a FIFO (`/dev/stdout`, `/dev/null`, a
    /// named pipe). Renaming over one would replace the device node or pipe with a file.
    Stream(PathBuf),
}

/// Classify an output path. Directories, sockets and block devices are refused (exit 2) rather
/// than replaced.
pub fn destination(path: &Path) -> Result<Destination> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // Nothing there yet (or a dangling symlink, which the rename replaces).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Destination::Replace(path.to_path_buf()));
        }
        Err(source) => {
            return Err(Error::Output {
                path: shown,
                source,
            });
        }
    };
    let kind = meta.file_type();
    if kind.is_file() {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let target = if is_link {
            std::fs::canonicalize(path).map_err(|source| Error::Output {
                path: shown.clone(),
                source,
            })?
        } else {
            path.to_path_buf()
        };
        return Ok(Destination::Replace(target));
    }
    if kind.is_dir() {
        return Err(Error::usage(
            format!("cannot write the output to {shown}: it is a directory"),
            format!("name a file, e.g. {}", path.join("out.json").display()),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_fifo() {
            return Ok(Destination::Stream(path.to_path_buf()));
        }
    }
    Err(Error::usage(
        format!("refusing to write the output to {shown}: it exists and is not a regular file"),
        "name a new or regular file (tollgate writes a temporary file beside it and renames it into place), or a character device or pipe such as /dev/stdout",
    ))
}

/// The identity of an existing file: device and inode on Unix, the canonical path elsewhere.
/// Taken once for an output, so each input can be compared with it (an output must never be
/// taken for one of the run's inputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

/// Whether `path` is `dir` or lies inside it, whether or not either exists yet: both are made
/// absolute, with symlinks resolved as far as they exist and `.`/`..` applied to the rest.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    resolve_loosely(path).starts_with(resolve_loosely(dir))
}

/// `path` made absolute: its longest existing ancestor canonicalised, the rest applied to it
/// component by component.
fn resolve_loosely(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let components: Vec<Component> = absolute.components().collect();
    for existing in (1..=components.len()).rev() {
        let prefix: PathBuf = components[..existing].iter().collect();
        let Ok(mut resolved) = std::fs::canonicalize(&prefix) else {
            continue;
        };
        for c in &components[existing..] {
            match c {
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::Normal(name) => resolved.push(name),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        return resolved;
    }
    absolute
}

/// Whether two output paths name the same file: the same file when both exist, else the same
/// absolute path (parent directory resolved, so `./a` and `a` agree).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (FileId::of(a), FileId::of(b)) {
        return x == y;
    }
    let resolved = |p: &Path| -> Option<PathBuf> {
        let name = p.file_name()?;
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(name))
    };
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl FileId {
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path)
                .ok()
                .map(|m| FileId((m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(FileId)
        }
    }

    /// Whether `path` is this file.
    pub fn is(&self, path: &Path) -> bool {
        FileId::of(path).as_ref() == Some(self)
    }
}

/// The directory a temporary file for `path` goes in.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Write a file atomically: a temporary file in the same directory, then rename, so a crash or
/// a full disk never leaves a partial output behind. A device or pipe (`/dev/stdout`) is
/// written in place; see [`destination`].
/// A temporary file beside `target` for an atomic replace, with the mode the result should have:
/// the replaced file's, else that of any new file (0666 less the umask) — not the 0600 of a
/// temporary file, which would leave reports and SBOMs unreadable to the rest of a CI job.
/// (Private keys are written by their own path, 0600.)
pub fn replacement_file(target: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(parent_dir(target))?;
    if let Ok(meta) = std::fs::metadata(target)
        && meta.is_file()
    {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    Ok(tmp)
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let target = match destination(path)? {
        Destination::Replace(target) => target,
        Destination::Stream(device) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&device)
                .map_err(err)?;
            f.write_all(bytes).map_err(err)?;
            return f.flush().map_err(err);
        }
    };
    let mut tmp = replacement_file(&target, ".tollgate-").map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&target).map_err(|e| err(e.error))?;
    Ok(())
}

/// A writer for large outputs that starts flushing written data to disk while writing goes on
/// (a background `fdatasync` after every [`WriteBehind::STEP`] bytes), so the final `fsync`
/// before the atomic rename has little left to wait for.
pub struct WriteBehind {
    file: std::fs::File,
    since_sync: u64,
    tx: Option<std::sync::mpsc::SyncSender<()>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl WriteBehind {
    pub const STEP: u64 = 64 << 20;

    pub fn new(file: std::fs::File) -> std::io::Result<Self> {
        let syncer = file.try_clone()?;
        // Capacity 1: a request made while a sync runs is kept, further ones are dropped.
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let worker = std::thread::Builder::new()
            .name("write-behind".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    // Errors surface in the final sync, which the caller checks.
                    let _ = syncer.sync_data();
                }
            })?;
        Ok(WriteBehind {
            file,
            since_sync: 0,
            tx: Some(tx),
            worker: Some(worker),
        })
    }

    /// Stop the background syncs, then sync everything.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.stop();
        self.file.sync_all()
    }

    fn stop(&mut self) {
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Write for WriteBehind {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since_sync += n as u64;
        if self.since_sync >= Self::STEP {
            self.since_sync = 0;
            if let Some(tx) = &self.tx {
                let _ = tx.try_send(());
            }
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs get a new file's mode (umask applied), or keep the mode of the file they replace.
    #[cfg(unix)]
    #[test]
    fn outputs_are_not_left_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let new_file_mode = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let out = dir.path().join("report.json");
        write_atomic(&out, b"1").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), new_file_mode);
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&out, b"2").unwrap();
        assert_eq!(mode(&out), 0o640);
        assert_eq!(std::fs::read(&out).unwrap(), b"2");
    }

    #[test]
    fn error_lines_stay_one_line() {
        assert_eq!(
            one_line("bad \"x\"\n\"y\"\r\x1b[2J\tend"),
            "bad \"x\"\\n\"y\"\\r\\u{1b}[2J\tend"
        );
        assert!(matches!(one_line("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn new_and_regular_files_are_replaced_by_rename() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.json");
        assert_eq!(
            destination(&new).unwrap(),
            Destination::Replace(new.clone())
        );
        write_atomic(&new, b"one").unwrap();
        assert_eq!(
            destination(&new).unwrap(),
            Destination::Replace(new.clone())
        );
        write_atomic(&new, b"two").unwrap();
        assert_eq!(std::fs::read(&new).unwrap(), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_at_the_rewritten_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_directory_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(matches!(err, Error::Usage { .. }));
        assert!(
            err.one_line().contains("it is a directory"),
            "{}",
            err.one_line()
        );
        assert!(dir.path().is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            destination(&fifo).unwrap(),
            Destination::Stream(fifo.clone())
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let err = destination(&sock).unwrap_err();
        assert!(matches!(err, Error::Usage { .. }));
        assert!(
            err.one_line().contains("not a regular file"),
            "{}",
            err.one_line()
        );
    }

    /// A report inside a directory a command fills is found whether or not the directory
    /// exists yet, however the paths are spelled.
    #[test]
    fn is_within_follows_symlinks_and_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("real")).unwrap();
        assert!(is_within(
            &root.join("out/controls/report.md"),
            &root.join("out/controls")
        ));
        assert!(is_within(
            &root.join("out/x/../controls/a"),
            &root.join("out/controls")
        ));
        assert!(is_within(
            &root.join("out/controls"),
            &root.join("out/controls")
        ));
        assert!(!is_within(
            &root.join("out/report.md"),
            &root.join("out/controls")
        ));
        assert!(!is_within(
            &root.join("out/controls-old/a"),
            &root.join("out/controls")
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
            assert!(is_within(
                &root.join("link/new/file"),
                &root.join("real/new")
            ));
            assert!(is_within(&root.join("real/file"), &root.join("link")));
        }
    }
}
