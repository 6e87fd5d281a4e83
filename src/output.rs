//! The output layer: where reports, error lines and the GitHub step summary go. Commands write
//! only through [`Env`], so tests can capture everything in memory.

use crate::cli::{ColorChoice, Format, GlobalArgs};
use crate::error::{Error, Result};
use crate::report::Report;
use crate::report::render::{self, RenderOptions};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

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

    /// One line on stderr, prefixed `error: ` (coloured on a TTY).
    pub fn error_line(&mut self, line: &str) {
        let prefix = if self.stderr_is_tty && self.var("NO_COLOR").is_none() {
            "\x1b[1;31merror\x1b[0m: "
        } else {
            "error: "
        };
        let _ = writeln!(self.stderr, "{prefix}{line}");
    }

    pub fn warn_line(&mut self, line: &str) {
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
        if let Some(path) = &global.ledger {
            let chain = global
                .ledger_chain
                .clone()
                .or_else(|| self.var("GITHUB_REPOSITORY").map(str::to_string))
                .or_else(|| self.var("CI_PROJECT_PATH").map(str::to_string))
                .unwrap_or_else(|| "default".to_string());
            let decision = crate::evidence::ledger::Decision {
                chain,
                time: report.generated_at.clone(),
                command: report.command.clone(),
                verdict: report.verdict().as_str().to_string(),
                exit_code: code,
                subjects: report
                    .subjects
                    .iter()
                    .map(|s| (s.path.clone(), s.verdict.as_str().to_string()))
                    .collect(),
                findings: report.diagnostics.len(),
            };
            // A decision that cannot be recorded is not a decision: fail the run.
            crate::evidence::ledger::append(path, &decision).map_err(|source| {
                crate::error::Error::Output {
                    path: path.display().to_string(),
                    source,
                }
            })?;
        }
        Ok(code)
    }
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(bytes)
}

/// Write a file atomically: a temporary file in the same directory, then rename, so a crash or
/// a full disk never leaves a partial output behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Output {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tollgate-")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
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
