//! Loading an SBOM: read defensively, detect format and version from content, parse into a
//! JSON value (SPDX YAML and tag-value are converted to the SPDX JSON shape).

use crate::diags;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The SBOM standard a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    CycloneDx,
    Spdx2,
    Spdx3,
}

/// How the document was serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Yaml,
    TagValue,
    JsonLd,
}

/// A loaded SBOM.
#[derive(Debug)]
pub struct Document {
    /// The path as given on the command line.
    pub path: String,
    pub family: Family,
    /// Declared version: `1.6` for CycloneDX, `2.3` for SPDX (`SPDX-2.3`), `3.0.1` for SPDX 3.
    pub version: String,
    pub encoding: Encoding,
    pub value: Value,
    /// Original JSON text, kept to turn JSON pointers into line:column (JSON inputs only).
    pub text: Option<input::FileText>,
    /// Lines of converted elements (tag-value inputs).
    pub lines: HashMap<String, u32>,
}

impl Document {
    /// A document whose elements are checked as they stream past: no parsed value kept.
    pub fn streamed(path: &str, family: Family, version: String, encoding: Encoding) -> Self {
        Document {
            path: path.to_string(),
            family,
            version,
            encoding,
            value: Value::Null,
            text: None,
            lines: Default::default(),
        }
    }

    /// Human description, e.g. `CycloneDX 1.6 JSON`.
    pub fn kind(&self) -> String {
        let fam = match self.family {
            Family::CycloneDx => "CycloneDX",
            Family::Spdx2 | Family::Spdx3 => "SPDX",
        };
        let enc = match self.encoding {
            Encoding::Json => "JSON",
            Encoding::Yaml => "YAML",
            Encoding::TagValue => "tag-value",
            Encoding::JsonLd => "JSON-LD",
        };
        format!("{fam} {} {enc}", self.version)
    }

    /// A location for a JSON pointer in this document (line:column resolved in bulk by
    /// [`Document::resolve_lines`]).
    pub fn location(&self, pointer: &str) -> Location {
        let loc = Location::file(self.path.clone()).with_pointer(pointer);
        match self.lines.get(pointer) {
            Some(&line) => Location {
                line: Some(line),
                ..loc
            },
            None => loc,
        }
    }

    /// Fill in line:column for locations that only carry a pointer, in one pass over the text.
    pub fn resolve_lines(&self, locations: &mut [&mut Location]) {
        let pointers: Vec<&str> = locations
            .iter()
            .filter(|l| l.line.is_none())
            .filter_map(|l| l.pointer.as_deref())
            .collect();
        if pointers.is_empty() {
            return;
        }
        let Some(text) = self.text.as_ref().map(input::FileText::as_str) else {
            return;
        };
        let found = crate::jsonpos::locate(text, &pointers);
        for loc in locations.iter_mut() {
            if loc.line.is_some() {
                continue;
            }
            let hit = loc.pointer.as_deref().and_then(|p| {
                // A missing member (e.g. a required property) is reported at its parent.
                let mut p = p;
                loop {
                    if let Some(&lc) = found.get(p) {
                        return Some(lc);
                    }
                    if p.is_empty() {
                        return None;
                    }
                    p = p.rsplit_once('/').map_or("", |(head, _)| head);
                }
            });
            if let Some((line, col)) = hit {
                loc.line = Some(line);
                loc.column = Some(col);
            }
        }
    }
}

/// Read, detect and parse one SBOM file.
pub fn load(path: &Path, limits: Limits) -> Result<Document, InputError> {
    let name = input::display_path(path);
    let bytes = input::read_bytes(path, limits)?;
    if bytes.starts_with(b"\x1f\x8b") || bytes.starts_with(b"PK\x03\x04") {
        return Err(input::binary(&name));
    }
    let text = input::bytes_to_text(&name, bytes)?;
    parse(&name, text)
}

/// Detect and parse SBOM text.
pub fn parse(name: &str, text: String) -> Result<Document, InputError> {
    let first = text.trim_start().chars().next().unwrap_or(' ');
    match first {
        '{' | '[' => {
            let value: Value =
                serde_json::from_str(&text).map_err(|e| input::json_error(name, &text, &e))?;
            input::check_duplicate_keys(name, &text)?;
            identify(
                name,
                value,
                Encoding::Json,
                Some(input::FileText::Owned(text)),
                HashMap::new(),
            )
        }
        '<' => Err(InputError::new(
            &diags::INPUT_UNRECOGNISED,
            Location::file(name).with_line_col(1, 1),
            if text.contains("cyclonedx.org/schema/bom") {
                "CycloneDX XML is not supported yet"
            } else {
                "XML document is not an SBOM tollgate reads"
            },
            "convert CycloneDX XML to JSON first (e.g. `cyclonedx convert --output-format json`)",
        )),
        _ if is_tag_value(&text) => {
            let (value, lines) = super::tagvalue::parse_with_lines(&text, name)?;
            identify(name, value, Encoding::TagValue, None, lines)
        }
        _ if input::looks_like_yaml(&text) => {
            let value: Value = serde_saphyr::from_str(&text).map_err(|e| yaml_error(name, &e))?;
            identify(name, value, Encoding::Yaml, None, HashMap::new())
        }
        _ => Err(InputError::new(
            &diags::INPUT_MALFORMED,
            Location::file(name).with_line_col(1, 1),
            "not JSON, YAML or SPDX tag-value",
            "pass a CycloneDX JSON, SPDX JSON/YAML/tag-value or SPDX 3 JSON-LD document",
        )),
    }
}

fn is_tag_value(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(20)
        .any(|l| l.starts_with("SPDXVersion:"))
}

pub fn yaml_error(name: &str, e: &serde_saphyr::Error) -> InputError {
    let (message, hint) = yaml_message(e);
    InputError::new(
        &diags::INPUT_MALFORMED,
        Location::file(name).with_line_col(yaml_line_col(e).0, yaml_line_col(e).1),
        format!("malformed YAML: {message}"),
        hint,
    )
}

/// The line:column of a serde-saphyr error (1:1 when it has none).
pub fn yaml_line_col(e: &serde_saphyr::Error) -> (u32, u32) {
    e.location()
        .filter(|l| l.line() > 0)
        .map(|l| (l.line() as u32, l.column().max(1) as u32))
        .or_else(|| yaml_position(&e.to_string()))
        .unwrap_or((1, 1))
}

/// What went wrong, in the user's terms (no position: the location has it), and what to do.
/// serde-saphyr's own messages speak to programmers (`set DuplicateKeyPolicy in Options`,
/// `Nodes { nodes: 250001 }`).
pub fn yaml_message(e: &serde_saphyr::Error) -> (String, &'static str) {
    use serde_saphyr::budget::BudgetBreach as B;
    use serde_saphyr::{Error, MessageFormatter};
    let mut inner = e;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = inner {
        inner = error;
    }
    match inner {
        Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("duplicate key {k:?} in one mapping"),
                None => "duplicate key in one mapping".to_string(),
            },
            "remove or rename one of the two keys; each key may appear once per mapping",
        ),
        Error::Budget { breach, .. } => {
            let what = match breach {
                B::Nodes { nodes } => format!("it expands to more than {} nodes", nodes - 1),
                B::Aliases { aliases } => format!("it uses more than {} aliases", aliases - 1),
                B::Anchors { anchors } => format!("it defines more than {} anchors", anchors - 1),
                B::Depth { depth } => format!("it nests deeper than {} levels", depth - 1),
                B::Events { .. } | B::ScalarBytes { .. } | B::InputBytes { .. } => {
                    "it is too large".to_string()
                }
                B::AliasAnchorRatio { .. } => "it uses far more aliases than anchors".to_string(),
                _ => "it exceeds the parser's limits".to_string(),
            };
            (
                format!("YAML document too large or too complex: {what}"),
                "anchors and aliases that expand exponentially (a \"billion laughs\" document) are refused; write the values out, without aliases",
            )
        }
        other => {
            let msg = serde_saphyr::UserMessageFormatter.format_message(other);
            let first = strip_yaml_position(msg.lines().next().unwrap_or("").trim());
            let first = match first {
                "expected sequence start" => "expected a list (`- item` lines or `[a, b]`) here",
                "expected mapping start" => "expected a mapping (`key: value` lines) here",
                other => other,
            };
            (
                first.to_string(),
                "fix the YAML syntax at this position (indentation and `key: value` pairs)",
            )
        }
    }
}

/// `error: line 3 column 5: unknown field` → `unknown field`.
fn strip_yaml_position(msg: &str) -> &str {
    let rest = msg.strip_prefix("error: ").unwrap_or(msg);
    match rest.strip_prefix("line ") {
        Some(after) => after
            .split_once(": ")
            .filter(|(pos, _)| pos.contains("column"))
            .map_or(rest, |(_, m)| m),
        None => rest,
    }
}

/// serde-saphyr messages carry "line X column Y" (or "at line X, column Y").
fn yaml_position(msg: &str) -> Option<(u32, u32)> {
    let l = msg.find("line ")?;
    let rest = &msg[l + 5..];
    let line: u32 = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let c = rest.find("column ")?;
    let col: u32 = rest[c + 7..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((line, col))
}

/// Recognise family, version and effective encoding from a document's top-level members.
pub fn recognise(
    name: &str,
    value: &Value,
    encoding: Encoding,
) -> Result<(Family, String, Encoding), InputError> {
    let str_at = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
    let (family, version, encoding) = if let Some(v) = str_at("spdxVersion") {
        (
            Family::Spdx2,
            v.strip_prefix("SPDX-").unwrap_or(&v).to_string(),
            encoding,
        )
    } else if value.get("specVersion").is_some()
        && (value.get("bomFormat").is_some()
            || str_at("$schema").is_some_and(|s| s.contains("cyclonedx")))
    {
        let v = match value.get("specVersion") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        (Family::CycloneDx, v, encoding)
    } else if let Some(v) = spdx3_version(value) {
        let enc = if encoding == Encoding::Json {
            Encoding::JsonLd
        } else {
            encoding
        };
        (Family::Spdx3, v, enc)
    } else if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        (Family::CycloneDx, String::new(), encoding)
    } else {
        let hint = match encoding {
            Encoding::Yaml => {
                "this is YAML but not an SPDX document; tollgate reads CycloneDX as JSON"
            }
            _ => {
                "an SBOM needs bomFormat/specVersion (CycloneDX), spdxVersion (SPDX 2) or an SPDX 3 @context"
            }
        };
        return Err(InputError::new(
            &diags::INPUT_UNRECOGNISED,
            Location::file(name).with_line_col(1, 1),
            "not an SBOM: no CycloneDX, SPDX 2 or SPDX 3 markers found",
            hint,
        ));
    };
    if family != Family::Spdx2 && encoding == Encoding::Yaml {
        return Err(InputError::new(
            &diags::INPUT_MALFORMED,
            Location::file(name).with_line_col(1, 1),
            "this is YAML; JSON was expected (CycloneDX and SPDX 3 have no YAML encoding)",
            "export the SBOM as JSON (only SPDX 2 documents may be YAML)",
        ));
    }
    Ok((family, version, encoding))
}

/// The top-level members [`recognise`] looks at.
pub const MARKER_KEYS: &[&str] = &[
    "bomFormat",
    "specVersion",
    "spdxVersion",
    "$schema",
    "@context",
];

fn identify(
    name: &str,
    value: Value,
    encoding: Encoding,
    text: Option<input::FileText>,
    lines: HashMap<String, u32>,
) -> Result<Document, InputError> {
    let (family, version, encoding) = recognise(name, &value, encoding)?;
    Ok(Document {
        path: name.to_string(),
        family,
        version,
        encoding,
        value,
        text,
        lines,
    })
}

/// SPDX 3 documents carry `@context: https://spdx.org/rdf/3.0.1/spdx-context.jsonld`.
fn spdx3_version(value: &Value) -> Option<String> {
    let ctx = value.get("@context")?;
    let mut urls: Vec<&str> = Vec::new();
    match ctx {
        Value::String(s) => urls.push(s),
        Value::Array(a) => urls.extend(a.iter().filter_map(Value::as_str)),
        _ => {}
    }
    urls.iter().find_map(|u| {
        let rest = u.split("spdx.org/rdf/").nth(1)?;
        Some(rest.split('/').next()?.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Document, InputError> {
        parse("t.json", text.to_string())
    }

    #[test]
    fn detects_families_and_versions() {
        let d = p(r#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#).unwrap();
        assert_eq!((d.family, d.version.as_str()), (Family::CycloneDx, "1.6"));
        let d = p(r#"{"spdxVersion":"SPDX-2.3"}"#).unwrap();
        assert_eq!((d.family, d.version.as_str()), (Family::Spdx2, "2.3"));
        let d = p(r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}"#)
            .unwrap();
        assert_eq!((d.family, d.version.as_str()), (Family::Spdx3, "3.0.1"));
        let d = p("spdxVersion: SPDX-2.3\nname: x\n").unwrap();
        assert_eq!((d.family, d.encoding), (Family::Spdx2, Encoding::Yaml));
    }

    #[test]
    fn rejects_non_sboms_with_hints() {
        let e = p(r#"{"hello": 1}"#).unwrap_err();
        assert_eq!(e.info.code, "TG007");
        let e = p("foo: bar\n").unwrap_err();
        assert!(e.hint.contains("YAML"), "{e}");
        let e = p(r#"{"bomFormat": "CycloneDX", "#).unwrap_err();
        assert!(e.message.starts_with("truncated JSON"), "{e}");
        let e = p("\u{1}\u{2}garbage").unwrap_err();
        assert_eq!(e.info.code, "TG005");
    }

    /// YAML errors speak to users: no parser options, no debug output, no doubled position.
    #[test]
    fn yaml_errors_are_worded_for_users() {
        let e = p("spdxVersion: SPDX-2.3\nname: x\nname: y\n").unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(3), Some(1)));
        assert_eq!(
            e.message,
            "malformed YAML: duplicate key \"name\" in one mapping"
        );
        assert!(!e.hint.contains("Options"), "{e}");
        let mut laughs =
            String::from("spdxVersion: SPDX-2.3\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, n) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            laughs.push_str(&format!("{n}: &{n} [{refs}]\n"));
        }
        let e = p(&laughs).unwrap_err();
        assert!(
            e.message.starts_with(
                "malformed YAML: YAML document too large or too complex: it expands to more than"
            ),
            "{e}"
        );
        assert!(
            !e.message.contains('{') && e.hint.contains("billion laughs"),
            "{e}"
        );
        let e = p("spdxVersion: SPDX-2.3\nname: [x\n").unwrap_err();
        assert!(!e.message.contains("line "), "{e}");
    }
}
