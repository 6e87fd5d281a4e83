//! The registry of every diagnostic code tollgate emits. Codes are stable: once released a code
//! keeps its meaning forever; retired codes are never reused.
//!
//! `TG0xx` are input problems (exit 2) shared by every command; each area owns a prefix and keeps
//! its codes in its own `diags.rs` (e.g. `sbom/diags.rs` for `SBOMnnn`).

use crate::report::CodeInfo;

/// Declares one diagnostic code: `code!(IDENT, "CODE", "name", Category, Severity, score,
/// "description", "help")`. Every area's `diags.rs` uses it.
macro_rules! code {
    ($ident:ident, $code:literal, $name:literal, $cat:ident, $sev:ident, $score:literal, $desc:literal, $help:literal $(,)?) => {
        pub static $ident: $crate::report::CodeInfo = $crate::report::CodeInfo {
            code: $code,
            name: $name,
            category: $crate::report::Category::$cat,
            default_severity: $crate::report::Severity::$sev,
            description: $desc,
            help: $help,
            security_severity: $score,
        };
    };
}
pub(crate) use code;

macro_rules! input_code {
    ($ident:ident, $code:literal, $name:literal, $desc:literal, $help:literal $(,)?) => {
        code!($ident, $code, $name, Input, Error, 5.0, $desc, $help);
    };
}

input_code!(
    INPUT_NOT_FOUND,
    "TG001",
    "file-not-found",
    "An input file does not exist.",
    "check the path; relative paths are resolved from the current directory"
);
input_code!(
    INPUT_NOT_A_FILE,
    "TG002",
    "not-a-file",
    "An input path is a directory or other non-regular file.",
    "pass a regular file"
);
input_code!(
    INPUT_EMPTY,
    "TG003",
    "empty-file",
    "An input file is empty or whitespace only.",
    "regenerate the file; the producing step probably failed"
);
input_code!(
    INPUT_TOO_LARGE,
    "TG004",
    "file-too-large",
    "An input file is larger than --max-input-size (default 512MiB).",
    "raise --max-input-size if the file is expected to be this large"
);
input_code!(
    INPUT_MALFORMED,
    "TG005",
    "malformed-input",
    "An input file is not well-formed JSON, YAML, XML or SPDX tag-value, or a JSON object in it repeats a key.",
    "fix the syntax at the reported line:column"
);
input_code!(
    INPUT_BINARY,
    "TG006",
    "binary-input",
    "An input file is binary or not UTF-8 text.",
    "pass the text document, not an archive or executable"
);
input_code!(
    INPUT_UNRECOGNISED,
    "TG007",
    "unrecognised-format",
    "An input file is well-formed but not a document type this command reads.",
    "check that the right file was passed; see the command's --help for supported formats"
);
input_code!(
    INPUT_IO,
    "TG008",
    "io-error",
    "An input file could not be read (permissions, I/O error).",
    "make the file readable by the user running tollgate"
);
input_code!(
    INPUT_CONFIG,
    "TG009",
    "invalid-config",
    "A configuration or policy file given to a command is invalid.",
    "fix the field named in the message; see the command's documentation for the file format"
);

/// Every code tollgate can emit, in code order.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut v: Vec<&'static CodeInfo> = vec![
        &INPUT_NOT_FOUND,
        &INPUT_NOT_A_FILE,
        &INPUT_EMPTY,
        &INPUT_TOO_LARGE,
        &INPUT_MALFORMED,
        &INPUT_BINARY,
        &INPUT_UNRECOGNISED,
        &INPUT_IO,
        &INPUT_CONFIG,
    ];
    v.extend(crate::sbom::diags::ALL.iter().copied());
    v.extend(crate::sbom::generate::diags::ALL.iter().copied());
    v.extend(crate::attest::diags::ALL.iter().copied());
    v.extend(crate::controls::diags::ALL.iter().copied());
    v.extend(crate::evidence::diags::ALL.iter().copied());
    v.extend(crate::budget::diags::ALL.iter().copied());
    v.extend(crate::sigstore::diags::ALL.iter().copied());
    v.extend(crate::hermetic::diags::ALL.iter().copied());
    v.extend(crate::repro::diags::ALL.iter().copied());
    v.sort_by_key(|c| c.code);
    v
}

pub fn find(code: &str) -> Option<&'static CodeInfo> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

/// The diagnostic code reference (docs/diagnostics.md), generated from this registry so the
/// docs can never drift from the code.
pub fn markdown_reference() -> String {
    let mut s = String::from(
        "# Diagnostic codes\n\n\
         Generated from `src/diags.rs` and each area's `diags.rs` (`tollgate explain` prints the same).\n\
         Codes are stable: a released code never changes meaning and is never reused.\n\n\
         `TG0xx` codes mean an input could not be read (exit code 2). Every other code is a finding\n\
         about evidence that was read; findings of severity `error` deny the gate (exit code 1).\n\n\
         | code | name | category | default severity | security-severity | description | help |\n\
         |---|---|---|---|---:|---|---|\n",
    );
    for c in all() {
        s.push_str(&format!(
            "| `{}` | {} | {:?} | {} | {:.1} | {} | {} |\n",
            c.code,
            c.name,
            c.category,
            c.default_severity.as_str(),
            c.security_severity,
            c.description,
            c.help
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn docs_reference_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md");
        let want = markdown_reference();
        if std::env::var_os("TOLLGATE_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/diagnostics.md is out of date; run `TOLLGATE_BLESS=1 cargo test --lib diags`"
        );
    }

    #[test]
    fn codes_and_names_are_unique() {
        let all = all();
        let codes: BTreeSet<_> = all.iter().map(|c| c.code).collect();
        let names: BTreeSet<_> = all.iter().map(|c| c.name).collect();
        assert_eq!(codes.len(), all.len(), "duplicate diagnostic code");
        assert_eq!(names.len(), all.len(), "duplicate diagnostic name");
        for c in &all {
            assert!(c.description.ends_with('.'), "{} description", c.code);
            assert!(!c.help.is_empty(), "{} help", c.code);
            assert!((0.0..=10.0).contains(&c.security_severity));
        }
    }
}
