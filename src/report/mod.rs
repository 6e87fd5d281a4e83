//! The one report model every check in tollgate produces, and the renderers that turn it into
//! human, JSON, SARIF, JUnit, GitHub and Markdown output.
//!
//! Checks build [`Diagnostic`]s keyed by a stable [`CodeInfo`] (see [`crate::diags`]); a command
//! collects them in a [`Report`] whose [`Verdict`] maps to the process exit code.

pub mod render;

use serde::Serialize;
use std::collections::BTreeMap;

/// How bad a finding is. `Error` findings deny the gate; warnings and notes inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// What a diagnostic code is about. `Input` codes mean the evidence could not be read at all
/// (exit 2), every other category is a finding about evidence that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Input,
    Schema,
    Semantic,
    Profile,
    Drift,
    Policy,
}

/// The stable description of one diagnostic code. Codes never change meaning once released.
#[derive(Debug, PartialEq)]
pub struct CodeInfo {
    /// Stable identifier, e.g. `SBOM001`.
    pub code: &'static str,
    /// Short kebab-case name, e.g. `schema-violation`.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// One-line description shown in rule listings, SARIF rule metadata and docs.
    pub description: &'static str,
    /// What to do about it, when the diagnostic itself carries no more specific hint.
    pub help: &'static str,
    /// CVSS-like 0.0–10.0 score for SARIF `security-severity` (GitHub code scanning).
    pub security_severity: f32,
}

/// Where a finding is: the file, and within it a JSON pointer and/or line:column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            ..Default::default()
        }
    }

    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn with_line_col(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// `file:line:col` (or as much of it as is known), the form editors and CI logs link.
    pub fn display_short(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{}:{}", self.file, l, c),
            (Some(l), None) => format!("{}:{}", self.file, l),
            _ => self.file.clone(),
        }
    }
}

/// One finding of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub info: &'static CodeInfo,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(info: &'static CodeInfo, message: impl Into<String>) -> Self {
        Diagnostic {
            info,
            severity: info.default_severity,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn code(&self) -> &'static str {
        self.info.code
    }

    /// The specific hint if there is one, else the code's generic help.
    pub fn help_text(&self) -> &str {
        self.help.as_deref().unwrap_or(self.info.help)
    }

    pub fn is_input_error(&self) -> bool {
        self.info.category == Category::Input
    }

    pub fn file(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.file.as_str())
    }
}

/// The outcome of a gate: the exit code is derived from it and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Deny,
    Error,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Deny => 1,
            Verdict::Error => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Deny => "deny",
            Verdict::Error => "error",
        }
    }
}

/// One input the command looked at (a file, usually) and what it concluded about it.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    pub path: String,
    /// What the input was recognised as, e.g. `CycloneDX 1.6 JSON`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub verdict: Verdict,
    /// Small facts worth showing (component count, profile shares…), sorted by key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, serde_json::Value>,
}

impl Subject {
    pub fn new(path: impl Into<String>) -> Self {
        Subject {
            path: path.into(),
            kind: None,
            verdict: Verdict::Pass,
            facts: BTreeMap::new(),
        }
    }
}

/// A table a command wants people to read (diff changes, profile coverage); rendered by the
/// human and Markdown renderers, and carried in JSON `data` by the command itself.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Everything one command run found. Renderers only read it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The subcommand path, e.g. `sbom validate`.
    pub command: String,
    /// RFC 3339 time of the run (`--now` when given, so output is reproducible).
    pub generated_at: String,
    pub subjects: Vec<Subject>,
    pub diagnostics: Vec<Diagnostic>,
    pub tables: Vec<Table>,
    /// Command-specific structured result, documented per command in docs/json-output.md.
    pub data: serde_json::Value,
    /// Set by commands whose verdict is not just "any error denies" (e.g. diff `--fail-on`).
    pub verdict_override: Option<Verdict>,
}

impl Report {
    pub fn new(command: impl Into<String>, generated_at: impl Into<String>) -> Self {
        Report {
            command: command.into(),
            generated_at: generated_at.into(),
            subjects: Vec::new(),
            diagnostics: Vec::new(),
            tables: Vec::new(),
            data: serde_json::Value::Null,
            verdict_override: None,
        }
    }

    /// Input errors win (exit 2), then any error-severity finding denies (exit 1).
    pub fn verdict(&self) -> Verdict {
        if self.diagnostics.iter().any(Diagnostic::is_input_error) {
            return Verdict::Error;
        }
        if let Some(v) = self.verdict_override {
            return v;
        }
        if self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            Verdict::Deny
        } else {
            Verdict::Pass
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Deterministic order: by file, then line, column, code, message.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                let loc = d.location.clone().unwrap_or_default();
                (
                    loc.file,
                    loc.line.unwrap_or(0),
                    loc.column.unwrap_or(0),
                    loc.pointer.unwrap_or_default(),
                    d.info.code,
                    d.message.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
    }

    /// The distinct codes used in this report, in code order (for SARIF rules).
    pub fn codes(&self) -> Vec<&'static CodeInfo> {
        let mut seen: BTreeMap<&'static str, &'static CodeInfo> = BTreeMap::new();
        for d in &self.diagnostics {
            seen.entry(d.info.code).or_insert(d.info);
        }
        seen.into_values().collect()
    }
}
