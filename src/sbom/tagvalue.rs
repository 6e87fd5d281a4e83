//! SPDX 2.2 / 2.3 tag-value documents, converted into the SPDX JSON document shape.
//!
//! The result is the `serde_json::Value` the SPDX 2.3 JSON serialisation of the same document
//! would be, so the JSON schema and the semantic rules apply unchanged. Alongside it,
//! [`parse_with_lines`] returns the 1-based line on which every converted element (and every
//! value inside it) was defined, keyed by JSON pointer, so diagnostics can point at the line of
//! the tag-value file.
//!
//! The parser fails closed: a line that is not blank, a `#` comment, a `Tag: value` pair or part
//! of a `<text>…</text>` block, an unknown tag, a tag outside the section it belongs to, a
//! single-valued field given twice, and a structured value (checksum, relationship, external
//! reference, range…) that does not split into its parts are all errors naming the tag. The
//! only tags accepted and dropped are the deprecated 2.2 file fields listed in [`IGNORED_TAGS`].
//!
//! Mapping decisions where tag-value and JSON differ:
//! - files that immediately follow a package (until the next package, snippet or licence section)
//!   belong to it (SPDX 2.2 §3: "All files contained in a package must immediately follow the
//!   applicable Package Information"), and are listed in the package's `hasFiles`;
//! - `Relationship` lines are kept as written, one `relationships[]` entry each: DESCRIBES from
//!   the document is not folded into `documentDescribes` and CONTAINS is not folded into
//!   `hasFiles`, both of which the JSON form allows but neither of which adds information;
//! - annotations attach to the element their `SPDXREF` names (resolved once the whole document has
//!   been read, so forward references work); the document, or an element not defined in this
//!   document, gets the document-level `annotations`;
//! - `filesAnalyzed` is emitted only when `FilesAnalyzed` is present (absent means true);
//! - external reference types are kept as written (`LocationRef-acmeforge` is not expanded into
//!   `<namespace>#LocationRef-acmeforge` as the RDF-based tools do);
//! - the deprecated review fields (`Reviewer`, `ReviewDate`, `ReviewComment`) become `revieweds`.

use crate::diags;
use crate::input::InputError;
use crate::report::Location;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Deprecated SPDX 2.2 file fields with no faithful SPDX 2.3 JSON form; accepted and dropped.
pub const IGNORED_TAGS: &[&str] = &[
    "ArtifactOfProjectName",
    "ArtifactOfProjectHomePage",
    "ArtifactOfProjectURI",
    "FileDependency",
];

/// Every tag the parser maps (plus [`IGNORED_TAGS`]); used to suggest the right spelling.
const KNOWN_TAGS: &[&str] = &[
    "SPDXVersion",
    "DataLicense",
    "SPDXID",
    "DocumentName",
    "DocumentNamespace",
    "ExternalDocumentRef",
    "DocumentComment",
    "Creator",
    "Created",
    "CreatorComment",
    "LicenseListVersion",
    "PackageName",
    "PackageVersion",
    "PackageFileName",
    "PackageSupplier",
    "PackageOriginator",
    "PackageDownloadLocation",
    "FilesAnalyzed",
    "PackageVerificationCode",
    "PackageChecksum",
    "PackageHomePage",
    "PackageSourceInfo",
    "PackageLicenseConcluded",
    "PackageLicenseInfoFromFiles",
    "PackageLicenseDeclared",
    "PackageLicenseComments",
    "PackageCopyrightText",
    "PackageSummary",
    "PackageDescription",
    "PackageComment",
    "ExternalRef",
    "ExternalRefComment",
    "PackageAttributionText",
    "PrimaryPackagePurpose",
    "ReleaseDate",
    "BuiltDate",
    "ValidUntilDate",
    "FileName",
    "FileType",
    "FileChecksum",
    "LicenseConcluded",
    "LicenseInfoInFile",
    "LicenseComments",
    "FileCopyrightText",
    "FileComment",
    "FileNotice",
    "FileContributor",
    "FileAttributionText",
    "SnippetSPDXID",
    "SnippetFromFileSPDXID",
    "SnippetByteRange",
    "SnippetLineRange",
    "SnippetLicenseConcluded",
    "LicenseInfoInSnippet",
    "SnippetLicenseComments",
    "SnippetCopyrightText",
    "SnippetComment",
    "SnippetName",
    "SnippetAttributionText",
    "LicenseID",
    "ExtractedText",
    "LicenseName",
    "LicenseCrossReference",
    "LicenseComment",
    "Relationship",
    "RelationshipComment",
    "Annotator",
    "AnnotationDate",
    "AnnotationType",
    "AnnotationComment",
    "SPDXREF",
    "Reviewer",
    "ReviewDate",
    "ReviewComment",
];

/// Parse SPDX tag-value text into the SPDX JSON document shape.
pub fn parse(text: &str, file: &str) -> Result<Value, InputError> {
    parse_with_lines(text, file).map(|(value, _)| value)
}

/// Parse SPDX tag-value text into the SPDX JSON document shape, with the 1-based line on which
/// each element (keyed by JSON pointer, e.g. `/packages/3/versionInfo`) was defined.
pub fn parse_with_lines(
    text: &str,
    file: &str,
) -> Result<(Value, HashMap<String, u32>), InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::new(file);
    let mut lines = text.lines().enumerate();
    while let Some(entry) = next_entry(&mut lines, file)? {
        builder.apply(&entry)?;
    }
    Ok(builder.finish())
}

/// One `Tag: value` pair, with a `<text>` block already unwrapped.
#[derive(Debug)]
struct Entry<'t> {
    tag: &'t str,
    value: String,
    line: u32,
    tag_col: u32,
    value_col: u32,
}

const TEXT_OPEN: &str = "<text>";
const TEXT_CLOSE: &str = "</text>";

fn error(file: &str, line: u32, col: u32, message: String, hint: &str) -> InputError {
    InputError::new(
        &diags::INPUT_MALFORMED,
        Location::file(file).with_line_col(line, col),
        message,
        hint,
    )
}

/// 1-based character column of byte offset `at` in `line`.
fn column(line: &str, at: usize) -> u32 {
    line[..at].chars().count() as u32 + 1
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// The next `Tag: value` pair, skipping blank and comment lines; `None` at the end of the text.
fn next_entry<'t>(
    lines: &mut impl Iterator<Item = (usize, &'t str)>,
    file: &str,
) -> Result<Option<Entry<'t>>, InputError> {
    for (index, raw) in lines.by_ref() {
        let line = line_no(index);
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let start = raw.len() - trimmed.len();
        let tag_col = column(raw, start);
        let Some(colon) = trimmed.find(':') else {
            return Err(error(
                file,
                line,
                tag_col,
                format!(
                    "expected a `Tag: value` line, found {:?}",
                    truncate(trimmed.trim_end())
                ),
                "every line of an SPDX tag-value document is blank, a # comment, a `Tag: value` \
                 pair, or inside a <text>...</text> block",
            ));
        };
        let tag = &trimmed[..colon];
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(error(
                file,
                line,
                tag_col,
                format!(
                    "expected a `Tag: value` line, found {:?}: {:?} is not a tag name",
                    truncate(trimmed.trim_end()),
                    truncate(tag)
                ),
                "tag names are letters and digits followed by a colon, e.g. `PackageName: glibc`; \
                 multi-line values must be wrapped in <text>...</text>",
            ));
        }
        let after_colon = start + colon + 1;
        let rest = &raw[after_colon..];
        let value_start = after_colon + (rest.len() - rest.trim_start().len());
        let value_col = column(raw, value_start);
        let rest = rest.trim_start();
        let Some(body) = rest.strip_prefix(TEXT_OPEN) else {
            return Ok(Some(Entry {
                tag,
                value: rest.trim_end().to_string(),
                line,
                tag_col,
                value_col,
            }));
        };
        let trailing_error = |line: u32, col: u32, trailing: &str| {
            error(
                file,
                line,
                col,
                format!(
                    "unexpected {:?} after </text> closing the {tag} value",
                    truncate(trailing.trim())
                ),
                "nothing may follow </text> on its line; start the next tag on a new line",
            )
        };
        if let Some(end) = body.find(TEXT_CLOSE) {
            let trailing = &body[end + TEXT_CLOSE.len()..];
            if !trailing.trim().is_empty() {
                let at = raw.len() - trailing.len();
                return Err(trailing_error(line, column(raw, at), trailing));
            }
            return Ok(Some(Entry {
                tag,
                value: body[..end].to_string(),
                line,
                tag_col,
                value_col,
            }));
        }
        let mut value = body.to_string();
        for (index, raw) in lines.by_ref() {
            value.push('\n');
            if let Some(end) = raw.find(TEXT_CLOSE) {
                let trailing = &raw[end + TEXT_CLOSE.len()..];
                if !trailing.trim().is_empty() {
                    let at = raw.len() - trailing.len();
                    return Err(trailing_error(line_no(index), column(raw, at), trailing));
                }
                value.push_str(&raw[..end]);
                return Ok(Some(Entry {
                    tag,
                    value,
                    line,
                    tag_col,
                    value_col,
                }));
            }
            value.push_str(raw);
        }
        return Err(error(
            file,
            line,
            value_col,
            format!(
                "unterminated <text> in the {tag} value: no </text> before the end of the file"
            ),
            "close the multi-line value with </text>",
        ));
    }
    Ok(None)
}

/// At most 60 characters of `s`, for quoting user input in messages.
fn truncate(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// One JSON object under construction, with the lines its values came from.
#[derive(Debug, Default)]
struct Elem {
    obj: Map<String, Value>,
    /// Line of the tag that started the element (0 while unknown).
    line: u32,
    /// `(pointer relative to this element, line)`, e.g. `("/versionInfo", 12)`.
    lines: Vec<(String, u32)>,
    /// Single-valued keys already set, with their line (for duplicate errors).
    set_at: Vec<(&'static str, u32)>,
}

impl Elem {
    fn new(line: u32) -> Self {
        Elem {
            line,
            ..Default::default()
        }
    }

    /// Set a single-valued field; a second value for it is an error.
    fn set(
        &mut self,
        key: &'static str,
        value: Value,
        e: &Entry,
        file: &str,
        what: &str,
    ) -> Result<(), InputError> {
        if let Some(first) = self.first_line(key) {
            return Err(error(
                file,
                e.line,
                e.tag_col,
                format!("{} given twice for {what} (first on line {first})", e.tag),
                "a single-valued SPDX field may appear once per element; remove the duplicate",
            ));
        }
        if self.line == 0 {
            self.line = e.line;
        }
        self.set_at.push((key, e.line));
        self.record(format!("/{key}"), &value, e.line);
        self.obj.insert(key.to_string(), value);
        Ok(())
    }

    /// Append to an array field.
    fn push(&mut self, key: &str, value: Value, line: u32) {
        if self.line == 0 {
            self.line = line;
        }
        let slot = self
            .obj
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = slot {
            if items.is_empty() {
                self.lines.push((format!("/{key}"), line));
            }
            record(
                &mut self.lines,
                format!("/{key}/{}", items.len()),
                &value,
                line,
            );
            items.push(value);
        }
    }

    /// Take over a child's lines, now under `prefix`.
    fn adopt_lines(&mut self, prefix: String, line: u32, lines: Vec<(String, u32)>) {
        self.lines.reserve(lines.len() + 1);
        for (pointer, line) in lines {
            let mut full = String::with_capacity(prefix.len() + pointer.len());
            full.push_str(&prefix);
            full.push_str(&pointer);
            self.lines.push((full, line));
        }
        self.lines.push((prefix, line));
    }

    fn record(&mut self, pointer: String, value: &Value, line: u32) {
        record(&mut self.lines, pointer, value, line);
    }

    /// Line on which a single-valued key was set.
    fn first_line(&self, key: &str) -> Option<u32> {
        self.set_at.iter().find(|(k, _)| *k == key).map(|&(_, l)| l)
    }

    /// Append a whole child element to an array field, keeping its lines.
    fn push_elem(&mut self, key: &str, child: Elem) {
        let slot = self
            .obj
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = slot {
            if items.is_empty() {
                self.lines.push((format!("/{key}"), child.line));
            }
            let prefix = format!("/{key}/{}", items.len());
            items.push(Value::Object(child.obj));
            self.adopt_lines(prefix, child.line, child.lines);
        }
    }

    /// Set a child element as an object field, keeping its lines.
    fn set_elem(&mut self, key: &str, child: Elem) {
        self.adopt_lines(format!("/{key}"), child.line, child.lines);
        self.obj.insert(key.to_string(), Value::Object(child.obj));
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.obj.get(key).and_then(Value::as_str)
    }
}

/// The section the last section-starting tag opened; section tags apply to it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Document,
    Package(usize),
    File(usize),
    Snippet(usize),
    Licence(usize),
}

/// An annotation and the element its `SPDXREF` names.
#[derive(Debug)]
struct Annotation {
    elem: Elem,
    target: Option<String>,
}

struct Builder<'f> {
    file: &'f str,
    doc: Elem,
    creation: Elem,
    packages: Vec<Elem>,
    files: Vec<Elem>,
    /// For each file, the package whose section it follows.
    file_owner: Vec<Option<usize>>,
    snippets: Vec<Elem>,
    licences: Vec<Elem>,
    relationships: Vec<Elem>,
    annotations: Vec<Annotation>,
    reviews: Vec<Elem>,
    section: Section,
    /// The package files currently being read belong to.
    owner: Option<usize>,
}

fn text(e: &Entry) -> Value {
    Value::String(e.value.clone())
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Self {
        Builder {
            file,
            doc: Elem::new(1),
            creation: Elem::new(0),
            packages: Vec::new(),
            files: Vec::new(),
            file_owner: Vec::new(),
            snippets: Vec::new(),
            licences: Vec::new(),
            relationships: Vec::new(),
            annotations: Vec::new(),
            reviews: Vec::new(),
            section: Section::Document,
            owner: None,
        }
    }

    fn section_name(&self) -> String {
        match self.section {
            Section::Document => "the document creation section".to_string(),
            Section::Package(i) => format!(
                "the package section started by PackageName on line {}",
                self.packages[i].line
            ),
            Section::File(i) => format!(
                "the file section started by FileName on line {}",
                self.files[i].line
            ),
            Section::Snippet(i) => format!(
                "the snippet section started by SnippetSPDXID on line {}",
                self.snippets[i].line
            ),
            Section::Licence(i) => format!(
                "the extracted licence section started by LicenseID on line {}",
                self.licences[i].line
            ),
        }
    }

    fn misplaced(&self, e: &Entry, expected: &str) -> InputError {
        error(
            self.file,
            e.line,
            e.tag_col,
            format!(
                "{} is not valid in {}; it belongs in {expected}",
                e.tag,
                self.section_name()
            ),
            "tag-value is order-sensitive: each field must follow the tag that starts its \
             section (PackageName, FileName, SnippetSPDXID or LicenseID)",
        )
    }

    fn package(&mut self, e: &Entry) -> Result<&mut Elem, InputError> {
        match self.section {
            Section::Package(i) => Ok(&mut self.packages[i]),
            _ => Err(self.misplaced(e, "a package section (after PackageName, before its files)")),
        }
    }

    fn file_elem(&mut self, e: &Entry) -> Result<&mut Elem, InputError> {
        match self.section {
            Section::File(i) => Ok(&mut self.files[i]),
            _ => Err(self.misplaced(e, "a file section (after FileName)")),
        }
    }

    fn snippet(&mut self, e: &Entry) -> Result<&mut Elem, InputError> {
        match self.section {
            Section::Snippet(i) => Ok(&mut self.snippets[i]),
            _ => Err(self.misplaced(e, "a snippet section (after SnippetSPDXID)")),
        }
    }

    fn licence(&mut self, e: &Entry) -> Result<&mut Elem, InputError> {
        match self.section {
            Section::Licence(i) => Ok(&mut self.licences[i]),
            _ => Err(self.misplaced(e, "an extracted licence section (after LicenseID)")),
        }
    }

    fn set_package(
        &mut self,
        key: &'static str,
        value: Value,
        e: &Entry,
    ) -> Result<(), InputError> {
        let file = self.file;
        self.package(e)?.set(key, value, e, file, "this package")
    }

    fn set_file(&mut self, key: &'static str, value: Value, e: &Entry) -> Result<(), InputError> {
        let file = self.file;
        self.file_elem(e)?.set(key, value, e, file, "this file")
    }

    fn set_snippet(
        &mut self,
        key: &'static str,
        value: Value,
        e: &Entry,
    ) -> Result<(), InputError> {
        let file = self.file;
        self.snippet(e)?.set(key, value, e, file, "this snippet")
    }

    fn set_licence(
        &mut self,
        key: &'static str,
        value: Value,
        e: &Entry,
    ) -> Result<(), InputError> {
        let file = self.file;
        self.licence(e)?
            .set(key, value, e, file, "this extracted licence")
    }

    fn set_doc(&mut self, key: &'static str, e: &Entry) -> Result<(), InputError> {
        self.doc.set(key, text(e), e, self.file, "the document")
    }

    fn set_creation(&mut self, key: &'static str, e: &Entry) -> Result<(), InputError> {
        self.creation.set(
            key,
            text(e),
            e,
            self.file,
            "the document creation information",
        )
    }

    fn apply(&mut self, e: &Entry) -> Result<(), InputError> {
        let file = self.file;
        match e.tag {
            // Document creation information (SPDX 2.3 clause 6).
            "SPDXVersion" => self.set_doc("spdxVersion", e)?,
            "DataLicense" => self.set_doc("dataLicense", e)?,
            "DocumentName" => self.set_doc("name", e)?,
            "DocumentNamespace" => self.set_doc("documentNamespace", e)?,
            "DocumentComment" => self.set_doc("comment", e)?,
            "ExternalDocumentRef" => {
                let value = external_document_ref(e, file)?;
                self.doc.push("externalDocumentRefs", value, e.line);
            }
            "Creator" => self.creation.push("creators", text(e), e.line),
            "Created" => self.set_creation("created", e)?,
            "CreatorComment" => self.set_creation("comment", e)?,
            "LicenseListVersion" => self.set_creation("licenseListVersion", e)?,
            "SPDXID" => match self.section {
                Section::Document => self.set_doc("SPDXID", e)?,
                Section::Package(_) => self.set_package("SPDXID", text(e), e)?,
                Section::File(_) => self.set_file("SPDXID", text(e), e)?,
                Section::Snippet(_) | Section::Licence(_) => {
                    return Err(self.misplaced(
                        e,
                        "the document, a package or a file section (snippets use SnippetSPDXID, \
                         extracted licences LicenseID)",
                    ));
                }
            },

            // Package information (clause 7).
            "PackageName" => {
                let mut package = Elem::new(e.line);
                package.set("name", text(e), e, file, "this package")?;
                self.packages.push(package);
                let index = self.packages.len() - 1;
                self.section = Section::Package(index);
                self.owner = Some(index);
            }
            "PackageVersion" => self.set_package("versionInfo", text(e), e)?,
            "PackageFileName" => self.set_package("packageFileName", text(e), e)?,
            "PackageSupplier" => self.set_package("supplier", text(e), e)?,
            "PackageOriginator" => self.set_package("originator", text(e), e)?,
            "PackageDownloadLocation" => self.set_package("downloadLocation", text(e), e)?,
            "FilesAnalyzed" => {
                let value = boolean(e, file)?;
                self.set_package("filesAnalyzed", value, e)?;
            }
            "PackageVerificationCode" => {
                let value = verification_code(e, file)?;
                self.set_package("packageVerificationCode", value, e)?;
            }
            "PackageChecksum" => {
                let value = checksum(e, &e.value, file)?;
                self.package(e)?.push("checksums", value, e.line);
            }
            "PackageHomePage" => self.set_package("homepage", text(e), e)?,
            "PackageSourceInfo" => self.set_package("sourceInfo", text(e), e)?,
            "PackageLicenseConcluded" => self.set_package("licenseConcluded", text(e), e)?,
            "PackageLicenseInfoFromFiles" => {
                self.package(e)?
                    .push("licenseInfoFromFiles", text(e), e.line)
            }
            "PackageLicenseDeclared" => self.set_package("licenseDeclared", text(e), e)?,
            "PackageLicenseComments" => self.set_package("licenseComments", text(e), e)?,
            "PackageCopyrightText" => self.set_package("copyrightText", text(e), e)?,
            "PackageSummary" => self.set_package("summary", text(e), e)?,
            "PackageDescription" => self.set_package("description", text(e), e)?,
            "PackageComment" => self.set_package("comment", text(e), e)?,
            "ExternalRef" => {
                let value = external_ref(e, file)?;
                self.package(e)?.push("externalRefs", value, e.line);
            }
            "ExternalRefComment" => {
                let package = self.package(e)?;
                let refs = package
                    .obj
                    .get_mut("externalRefs")
                    .and_then(Value::as_array_mut);
                let Some((index, Value::Object(last))) =
                    refs.and_then(|r| r.len().checked_sub(1).map(|i| (i, &mut r[i])))
                else {
                    return Err(error(
                        file,
                        e.line,
                        e.tag_col,
                        "ExternalRefComment without a preceding ExternalRef in this package"
                            .to_string(),
                        "put ExternalRefComment directly after the ExternalRef it describes",
                    ));
                };
                if last.contains_key("comment") {
                    return Err(error(
                        file,
                        e.line,
                        e.tag_col,
                        "ExternalRefComment given twice for the same ExternalRef".to_string(),
                        "an external reference has at most one comment",
                    ));
                }
                last.insert("comment".to_string(), text(e));
                package
                    .lines
                    .push((format!("/externalRefs/{index}/comment"), e.line));
            }
            "PackageAttributionText" => self.package(e)?.push("attributionTexts", text(e), e.line),
            "PrimaryPackagePurpose" => self.set_package("primaryPackagePurpose", text(e), e)?,
            "ReleaseDate" => self.set_package("releaseDate", text(e), e)?,
            "BuiltDate" => self.set_package("builtDate", text(e), e)?,
            "ValidUntilDate" => self.set_package("validUntilDate", text(e), e)?,

            // File information (clause 8).
            "FileName" => {
                let mut f = Elem::new(e.line);
                f.set("fileName", text(e), e, file, "this file")?;
                self.files.push(f);
                self.file_owner.push(self.owner);
                self.section = Section::File(self.files.len() - 1);
            }
            "FileType" => self.file_elem(e)?.push("fileTypes", text(e), e.line),
            "FileChecksum" => {
                let value = checksum(e, &e.value, file)?;
                self.file_elem(e)?.push("checksums", value, e.line);
            }
            "LicenseConcluded" => self.set_file("licenseConcluded", text(e), e)?,
            "LicenseInfoInFile" => self
                .file_elem(e)?
                .push("licenseInfoInFiles", text(e), e.line),
            "LicenseComments" => self.set_file("licenseComments", text(e), e)?,
            "FileCopyrightText" => self.set_file("copyrightText", text(e), e)?,
            "FileComment" => self.set_file("comment", text(e), e)?,
            "FileNotice" => self.set_file("noticeText", text(e), e)?,
            "FileContributor" => self.file_elem(e)?.push("fileContributors", text(e), e.line),
            "FileAttributionText" => self.file_elem(e)?.push("attributionTexts", text(e), e.line),
            tag if IGNORED_TAGS.contains(&tag) => {}

            // Snippet information (clause 9).
            "SnippetSPDXID" => {
                let mut snippet = Elem::new(e.line);
                snippet.set("SPDXID", text(e), e, file, "this snippet")?;
                self.snippets.push(snippet);
                self.section = Section::Snippet(self.snippets.len() - 1);
                self.owner = None;
            }
            "SnippetFromFileSPDXID" => self.set_snippet("snippetFromFile", text(e), e)?,
            "SnippetByteRange" | "SnippetLineRange" => {
                let value = range(e, file)?;
                self.snippet(e)?.push("ranges", value, e.line);
            }
            "SnippetLicenseConcluded" => self.set_snippet("licenseConcluded", text(e), e)?,
            "LicenseInfoInSnippet" => {
                self.snippet(e)?
                    .push("licenseInfoInSnippets", text(e), e.line)
            }
            "SnippetLicenseComments" => self.set_snippet("licenseComments", text(e), e)?,
            "SnippetCopyrightText" => self.set_snippet("copyrightText", text(e), e)?,
            "SnippetComment" => self.set_snippet("comment", text(e), e)?,
            "SnippetName" => self.set_snippet("name", text(e), e)?,
            "SnippetAttributionText" => self.snippet(e)?.push("attributionTexts", text(e), e.line),

            // Other licensing information detected (clause 10).
            "LicenseID" => {
                let mut licence = Elem::new(e.line);
                licence.set("licenseId", text(e), e, file, "this extracted licence")?;
                self.licences.push(licence);
                self.section = Section::Licence(self.licences.len() - 1);
                self.owner = None;
            }
            "ExtractedText" => self.set_licence("extractedText", text(e), e)?,
            "LicenseName" => self.set_licence("name", text(e), e)?,
            "LicenseCrossReference" => {
                let licence = self.licence(e)?;
                for url in e.value.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    licence.push("seeAlsos", Value::String(url.to_string()), e.line);
                }
            }
            "LicenseComment" => self.set_licence("comment", text(e), e)?,

            // Relationships (clause 11).
            "Relationship" => {
                let mut rel = Elem::new(e.line);
                for (key, value) in relationship(e, file)? {
                    rel.set(key, Value::String(value.to_string()), e, file, "")?;
                }
                self.relationships.push(rel);
            }
            "RelationshipComment" => {
                let Some(rel) = self.relationships.last_mut() else {
                    return Err(error(
                        file,
                        e.line,
                        e.tag_col,
                        "RelationshipComment without a preceding Relationship".to_string(),
                        "put RelationshipComment directly after the Relationship it describes",
                    ));
                };
                rel.set("comment", text(e), e, file, "this relationship")?;
            }

            // Annotations (clause 12).
            "Annotator" => {
                let mut elem = Elem::new(e.line);
                elem.set("annotator", text(e), e, file, "this annotation")?;
                self.annotations.push(Annotation { elem, target: None });
            }
            "AnnotationDate" | "AnnotationType" | "AnnotationComment" | "SPDXREF" => {
                let Some(annotation) = self.annotations.last_mut() else {
                    return Err(error(
                        file,
                        e.line,
                        e.tag_col,
                        format!("{} without a preceding Annotator", e.tag),
                        "each annotation starts with Annotator, followed by AnnotationDate, \
                         AnnotationType, SPDXREF and AnnotationComment",
                    ));
                };
                let key = match e.tag {
                    "AnnotationDate" => "annotationDate",
                    "AnnotationType" => "annotationType",
                    "AnnotationComment" => "comment",
                    _ => {
                        // SPDXREF names the annotated element; it is not a JSON field.
                        if let Some(first) = annotation.elem.first_line("SPDXREF") {
                            return Err(error(
                                file,
                                e.line,
                                e.tag_col,
                                format!(
                                    "SPDXREF given twice for this annotation (first on line {first})"
                                ),
                                "an annotation annotates one element; start another with Annotator",
                            ));
                        }
                        annotation.elem.set_at.push(("SPDXREF", e.line));
                        annotation.target = Some(e.value.clone());
                        return Ok(());
                    }
                };
                annotation
                    .elem
                    .set(key, text(e), e, file, "this annotation")?;
            }

            // Review information (deprecated since SPDX 2.0; `revieweds` in JSON).
            "Reviewer" => {
                let mut review = Elem::new(e.line);
                review.set("reviewer", text(e), e, file, "this review")?;
                self.reviews.push(review);
            }
            "ReviewDate" | "ReviewComment" => {
                let Some(review) = self.reviews.last_mut() else {
                    return Err(error(
                        file,
                        e.line,
                        e.tag_col,
                        format!("{} without a preceding Reviewer", e.tag),
                        "each review starts with Reviewer",
                    ));
                };
                let key = if e.tag == "ReviewDate" {
                    "reviewDate"
                } else {
                    "comment"
                };
                review.set(key, text(e), e, file, "this review")?;
            }

            tag => return Err(unknown_tag(e, tag, file)),
        }
        Ok(())
    }

    fn finish(self) -> (Value, HashMap<String, u32>) {
        let Builder {
            mut doc,
            creation,
            mut packages,
            files,
            file_owner,
            mut snippets,
            licences,
            relationships,
            annotations,
            reviews,
            ..
        } = self;

        // Files that follow a package belong to it.
        let mut listed: std::collections::HashSet<(usize, &str)> = Default::default();
        for (f, owner) in files.iter().zip(&file_owner) {
            let (Some(owner), Some(id)) = (*owner, f.str("SPDXID")) else {
                continue;
            };
            if listed.insert((owner, id)) {
                packages[owner].push("hasFiles", Value::String(id.to_string()), f.line);
            }
        }

        // Snippet ranges point into the file the snippet is from.
        for snippet in &mut snippets {
            let Some(from) = snippet.str("snippetFromFile").map(str::to_string) else {
                continue;
            };
            let Some(Value::Array(ranges)) = snippet.obj.get_mut("ranges") else {
                continue;
            };
            for (k, range) in ranges.iter_mut().enumerate() {
                let range_pointer = format!("/ranges/{k}");
                let line = snippet
                    .lines
                    .iter()
                    .find(|(p, _)| *p == range_pointer)
                    .map_or(snippet.line, |&(_, l)| l);
                let Value::Object(range) = range else {
                    continue;
                };
                for (end, pointer) in range.iter_mut() {
                    if let Value::Object(pointer) = pointer
                        && !pointer.contains_key("reference")
                    {
                        pointer.insert("reference".to_string(), Value::String(from.clone()));
                        snippet
                            .lines
                            .push((format!("{range_pointer}/{end}/reference"), line));
                    }
                }
            }
        }

        // Annotations go to the element their SPDXREF names, else to the document.
        #[derive(Clone, Copy)]
        enum Kind {
            Package,
            File,
            Snippet,
        }
        let mut index: HashMap<String, (Kind, usize)> = HashMap::new();
        for (kind, elems) in [
            (Kind::Package, &packages),
            (Kind::File, &files),
            (Kind::Snippet, &snippets),
        ] {
            for (i, elem) in elems.iter().enumerate() {
                if let Some(id) = elem.str("SPDXID") {
                    index.entry(id.to_string()).or_insert((kind, i));
                }
            }
        }
        let mut files = files;
        let mut doc_annotations = Vec::new();
        for annotation in annotations {
            match annotation.target.as_deref().and_then(|t| index.get(t)) {
                Some((Kind::Package, i)) => packages[*i].push_elem("annotations", annotation.elem),
                Some((Kind::File, i)) => files[*i].push_elem("annotations", annotation.elem),
                Some((Kind::Snippet, i)) => snippets[*i].push_elem("annotations", annotation.elem),
                None => doc_annotations.push(annotation.elem),
            }
        }

        if !creation.obj.is_empty() {
            doc.set_elem("creationInfo", creation);
        }
        for (key, elems) in [
            ("annotations", doc_annotations),
            ("revieweds", reviews),
            ("packages", packages),
            ("files", files),
            ("snippets", snippets),
            ("hasExtractedLicensingInfos", licences),
            ("relationships", relationships),
        ] {
            for elem in elems {
                doc.push_elem(key, elem);
            }
        }

        let value = Value::Object(doc.obj);
        let mut lines: HashMap<String, u32> = HashMap::with_capacity(doc.lines.len());
        for (pointer, line) in doc.lines {
            lines.entry(pointer).or_insert(line);
        }
        (value, lines)
    }
}

/// Record `line` for `pointer` and every value inside it (checksum parts, range pointers…).
fn record(lines: &mut Vec<(String, u32)>, pointer: String, value: &Value, line: u32) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                record(lines, format!("{pointer}/{key}"), child, line);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                record(lines, format!("{pointer}/{i}"), child, line);
            }
        }
        _ => {}
    }
    lines.push((pointer, line));
}

fn unknown_tag(e: &Entry, tag: &str, file: &str) -> InputError {
    let hint = match KNOWN_TAGS
        .iter()
        .chain(IGNORED_TAGS)
        .find(|known| known.eq_ignore_ascii_case(tag))
    {
        Some(known) => format!("did you mean {known}? SPDX tag names are case-sensitive"),
        None => "check the tag against the SPDX 2.3 specification; tollgate rejects tags it does \
                 not know rather than ignoring them"
            .to_string(),
    };
    error(
        file,
        e.line,
        e.tag_col,
        format!("unknown SPDX tag-value tag {tag}"),
        &hint,
    )
}

/// A value made of whitespace-separated words: the first `n - 1` words and the rest.
fn split_words(value: &str, n: usize) -> Option<Vec<&str>> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = value.trim();
    while parts.len() + 1 < n {
        let end = rest.find(char::is_whitespace)?;
        parts.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    if rest.is_empty() {
        return None;
    }
    parts.push(rest);
    Some(parts)
}

/// `ALGORITHM: VALUE`, e.g. `SHA1: d6a770ba38583ed4bb4525bd96e50461655d2758`.
fn checksum(e: &Entry, value: &str, file: &str) -> Result<Value, InputError> {
    let parsed = value.split_once(':').and_then(|(algorithm, digest)| {
        let (algorithm, digest) = (algorithm.trim(), digest.trim());
        let word = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        (word(algorithm) && word(digest)).then_some((algorithm, digest))
    });
    let Some((algorithm, digest)) = parsed else {
        return Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "{} value {:?} is not a checksum of the form `ALGORITHM: VALUE`",
                e.tag,
                truncate(value.trim())
            ),
            "write the algorithm, a colon and the hex digest, e.g. `SHA256: 9f86d081884c7d65...`",
        ));
    };
    Ok(json!({"algorithm": algorithm, "checksumValue": digest}))
}

/// `DocumentRef-<id> <document namespace URI> <ALGORITHM>: <VALUE>`.
fn external_document_ref(e: &Entry, file: &str) -> Result<Value, InputError> {
    let Some(parts) = split_words(&e.value, 3) else {
        return Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "ExternalDocumentRef value {:?} does not have its three parts",
                truncate(&e.value)
            ),
            "write `ExternalDocumentRef: DocumentRef-<id> <document namespace URI> SHA1: <hex>`",
        ));
    };
    let checksum = checksum(e, parts[2], file)?;
    Ok(json!({
        "externalDocumentId": parts[0],
        "spdxDocument": parts[1],
        "checksum": checksum,
    }))
}

/// `<element> <RELATIONSHIP_TYPE> <element>`: the keys and values of the relationship.
fn relationship<'e>(e: &'e Entry, file: &str) -> Result<[(&'static str, &'e str); 3], InputError> {
    let words: Vec<&str> = e.value.split_whitespace().collect();
    let [from, kind, to] = words[..] else {
        return Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "Relationship value {:?} is not `<SPDXID> <TYPE> <SPDXID>` ({} word(s) instead of 3)",
                truncate(&e.value),
                words.len()
            ),
            "write e.g. `Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package`; the related \
             element may also be NONE or NOASSERTION",
        ));
    };
    Ok([
        ("spdxElementId", from),
        ("relationshipType", kind),
        ("relatedSpdxElement", to),
    ])
}

/// `<CATEGORY> <type> <locator>`.
fn external_ref(e: &Entry, file: &str) -> Result<Value, InputError> {
    let Some(parts) = split_words(&e.value, 3) else {
        return Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "ExternalRef value {:?} is not `<CATEGORY> <type> <locator>`",
                truncate(&e.value)
            ),
            "write e.g. `ExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.3.0`",
        ));
    };
    Ok(json!({
        "referenceCategory": parts[0],
        "referenceType": parts[1],
        "referenceLocator": parts[2],
    }))
}

/// `true` or `false`.
fn boolean(e: &Entry, file: &str) -> Result<Value, InputError> {
    match e.value.to_ascii_lowercase().as_str() {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        _ => Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "{} value {:?} is not true or false",
                e.tag,
                truncate(&e.value)
            ),
            "write `FilesAnalyzed: true` or `FilesAnalyzed: false`",
        )),
    }
}

/// `<hex>` or `<hex> (excludes: <file>, <file>)`.
fn verification_code(e: &Entry, file: &str) -> Result<Value, InputError> {
    let bad = || {
        error(
            file,
            e.line,
            e.value_col,
            format!(
                "PackageVerificationCode value {:?} is not `<hex> [(excludes: <file>, ...)]`",
                truncate(&e.value)
            ),
            "write e.g. `PackageVerificationCode: d6a770ba38583ed4bb4525bd96e50461655d2758 \
             (excludes: ./package.spdx)`",
        )
    };
    let (code, excluded) = match e.value.split_once('(') {
        None => (e.value.trim(), None),
        Some((code, rest)) => {
            let inner = rest.trim_end().strip_suffix(')').ok_or_else(bad)?;
            let inner = inner.trim();
            let inner = match inner.get(..9) {
                Some(prefix) if prefix.eq_ignore_ascii_case("excludes:") => &inner[9..],
                _ => inner,
            };
            (code.trim(), Some(inner))
        }
    };
    if code.is_empty() || code.contains(char::is_whitespace) {
        return Err(bad());
    }
    let mut out = Map::new();
    out.insert(
        "packageVerificationCodeValue".to_string(),
        Value::String(code.to_string()),
    );
    let excluded: Vec<Value> = excluded
        .into_iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| Value::String(f.to_string()))
        .collect();
    if !excluded.is_empty() {
        out.insert(
            "packageVerificationCodeExcludedFiles".to_string(),
            Value::Array(excluded),
        );
    }
    Ok(Value::Object(out))
}

/// `SnippetByteRange: <start>:<end>` / `SnippetLineRange: <start>:<end>`. The pointers'
/// `reference` (the snippet's file) is filled in once the whole snippet has been read.
fn range(e: &Entry, file: &str) -> Result<Value, InputError> {
    let key = if e.tag == "SnippetByteRange" {
        "offset"
    } else {
        "lineNumber"
    };
    let parsed = e.value.split_once(':').and_then(|(start, end)| {
        Some((
            start.trim().parse::<u64>().ok()?,
            end.trim().parse::<u64>().ok()?,
        ))
    });
    let Some((start, end)) = parsed else {
        return Err(error(
            file,
            e.line,
            e.value_col,
            format!(
                "{} value {:?} is not `<start>:<end>` with non-negative whole numbers",
                e.tag,
                truncate(&e.value)
            ),
            "write e.g. `SnippetByteRange: 310:420`",
        ));
    };
    Ok(json!({"startPointer": {key: start}, "endPointer": {key: end}}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::schema::{SchemaId, validate};

    fn conformance_dir() -> String {
        std::env::var("TOLLGATE_CONFORMANCE").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance").into()
        })
    }

    fn err(text: &str) -> InputError {
        parse(text, "t.spdx").expect_err("should be rejected")
    }

    const HEAD: &str = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
                        DocumentName: t\nDocumentNamespace: https://example.com/t\n\
                        Creator: Tool: test\nCreated: 2024-01-01T00:00:00Z\n";

    fn ids(v: &Value, key: &str) -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x["SPDXID"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn by_id<'v>(v: &'v Value, key: &str, id: &str) -> &'v Value {
        v[key]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["SPDXID"] == id))
            .unwrap_or_else(|| panic!("{key} has no {id}"))
    }

    #[test]
    fn official_example_converts_like_the_official_json() {
        let dir = conformance_dir();
        let tag_path = format!("{dir}/spdx-spec/SPDXTagExample-v2.3.spdx");
        let json_path = format!("{dir}/spdx-spec/SPDXJSONExample-v2.3.spdx.json");
        let (Ok(text), Ok(json_text)) = (
            std::fs::read_to_string(&tag_path),
            std::fs::read_to_string(&json_path),
        ) else {
            eprintln!("skipping: {tag_path} or {json_path} not found");
            return;
        };
        let (tv, lines) = parse_with_lines(&text, &tag_path).expect("official example parses");
        let official: Value = serde_json::from_str(&json_text).expect("official JSON parses");

        let (violations, total) = validate(SchemaId::Spdx23, &tv, 50);
        assert_eq!(total, 0, "{violations:#?}");

        for key in [
            "spdxVersion",
            "SPDXID",
            "name",
            "documentNamespace",
            "dataLicense",
            "comment",
            "creationInfo",
            "externalDocumentRefs",
            "annotations",
            "hasExtractedLicensingInfos",
        ] {
            assert_eq!(tv[key], official[key], "document field {key}");
        }
        for key in ["packages", "files", "snippets"] {
            let mut got = ids(&tv, key);
            let mut want = ids(&official, key);
            got.sort();
            want.sort();
            assert_eq!(got, want, "{key} SPDXIDs");
        }
        // Element by element, apart from what the official (tools-java) JSON adds: a default
        // `filesAnalyzed: true`, `hasFiles` with duplicates, and OTHER reference types expanded
        // into `<namespace>#<type>`.
        let namespace = official["documentNamespace"].as_str().unwrap_or_default();
        for id in ids(&official, "packages") {
            let mut want = by_id(&official, "packages", &id).clone();
            let mut got = by_id(&tv, "packages", &id).clone();
            let want_files = want.as_object_mut().and_then(|o| o.remove("hasFiles"));
            let got_files = got.as_object_mut().and_then(|o| o.remove("hasFiles"));
            let set = |v: Option<Value>| {
                let mut ids: Vec<String> = v
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            };
            assert_eq!(set(got_files), set(want_files), "hasFiles of {id}");
            if got.get("filesAnalyzed").is_none() && want["filesAnalyzed"] == true {
                want.as_object_mut().map(|o| o.remove("filesAnalyzed"));
            }
            if let Some(refs) = want.get_mut("externalRefs").and_then(Value::as_array_mut) {
                for r in refs {
                    let t = r["referenceType"].as_str().unwrap_or_default().to_string();
                    if let Some(short) = t.strip_prefix(&format!("{namespace}#")) {
                        r["referenceType"] = Value::String(short.to_string());
                    }
                }
            }
            assert_eq!(got, want, "package {id}");
        }
        for key in ["files", "snippets"] {
            for id in ids(&official, key) {
                assert_eq!(
                    by_id(&tv, key, &id),
                    by_id(&official, key, &id),
                    "{key} {id}"
                );
            }
        }

        // Relationships: the official JSON moved the document's DESCRIBES into
        // `documentDescribes` and a package's CONTAINS of its own file into `hasFiles`.
        let got = tv["relationships"].as_array().expect("relationships");
        let want = official["relationships"].as_array().expect("relationships");
        let describes = official["documentDescribes"].as_array().expect("describes");
        for r in want {
            assert!(got.contains(r), "missing relationship {r}");
        }
        let mut folded = 0;
        for r in got.iter().filter(|r| !want.contains(r)) {
            let target = &r["relatedSpdxElement"];
            let is_describes = r["spdxElementId"] == "SPDXRef-DOCUMENT"
                && r["relationshipType"] == "DESCRIBES"
                && describes.contains(target);
            let is_has_file = r["relationshipType"] == "CONTAINS"
                && official["packages"].as_array().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        p["SPDXID"] == r["spdxElementId"]
                            && p["hasFiles"].as_array().is_some_and(|f| f.contains(target))
                    })
                });
            assert!(is_describes || is_has_file, "unexpected relationship {r}");
            folded += 1;
        }
        assert_eq!(got.len(), want.len() + folded);
        assert_eq!(folded, describes.len() + 1);

        // Every relationship refers to an element of the document, an external document, or
        // NONE / NOASSERTION.
        let mut known: Vec<String> = ["packages", "files", "snippets"]
            .iter()
            .flat_map(|k| ids(&tv, k))
            .collect();
        known.push("SPDXRef-DOCUMENT".to_string());
        let external: Vec<&str> = tv["externalDocumentRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["externalDocumentId"].as_str())
            .collect();
        for r in got {
            for end in ["spdxElementId", "relatedSpdxElement"] {
                let id = r[end].as_str().unwrap_or_default();
                let ok = known.iter().any(|k| k == id)
                    || id == "NONE"
                    || id == "NOASSERTION"
                    || id
                        .split_once(':')
                        .is_some_and(|(doc, _)| external.contains(&doc));
                assert!(ok, "relationship {r} refers to unknown {id}");
            }
        }

        // Line numbers point at the defining tags.
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l == needle)
                .map(|i| i as u32 + 1)
                .unwrap_or_else(|| panic!("{needle} not in the example"))
        };
        let glibc = tv["packages"]
            .as_array()
            .and_then(|ps| ps.iter().position(|p| p["SPDXID"] == "SPDXRef-Package"))
            .expect("glibc");
        assert_eq!(
            lines[&format!("/packages/{glibc}")],
            line_of("PackageName: glibc")
        );
        assert_eq!(
            lines[&format!("/packages/{glibc}/versionInfo")],
            line_of("PackageVersion: 2.11.1")
        );
        assert_eq!(
            lines[&format!("/packages/{glibc}/checksums/3/algorithm")],
            line_of(
                "PackageChecksum: BLAKE2b-384: aaabd89c926ab525c242e6621f2f5fa73aa4afe3d9e24aed727faaadd6af38b620bdb623dd2b4788b1c8086984af8706"
            )
        );
        assert_eq!(
            lines["/files/0/checksums/1"],
            line_of("FileChecksum: MD5: 624c1abb3664f4b35547e7c73864ad24")
        );
        assert_eq!(
            lines["/relationships/4"],
            line_of("Relationship: SPDXRef-File GENERATED_FROM SPDXRef-fromDoap-0")
        );
        assert_eq!(
            lines["/files/0/annotations/0"],
            line_of("Annotator: Person: File Commenter")
        );
        assert_eq!(
            lines["/hasExtractedLicensingInfos/3/seeAlsos/0"],
            line_of("LicenseCrossReference:  http://people.freebsd.org/~phk/")
        );
    }

    #[test]
    fn every_known_tag_is_dispatched() {
        let sections = [
            "",
            "PackageName: p\n",
            "FileName: f\n",
            "SnippetSPDXID: SPDXRef-s\n",
            "LicenseID: LicenseRef-x\n",
            "Relationship: SPDXRef-a DEPENDS_ON SPDXRef-b\nAnnotator: Person: a\nReviewer: r\n",
        ];
        for tag in KNOWN_TAGS.iter().chain(IGNORED_TAGS) {
            for section in sections {
                if let Err(e) = parse(&format!("{section}{tag}: x\n"), "t.spdx") {
                    assert!(!e.message.contains("unknown"), "{tag}: {}", e.message);
                }
            }
        }
    }

    #[test]
    fn text_blocks_are_unwrapped() {
        let text = format!(
            "{HEAD}DocumentComment: <text>one line</text>\n\
             CreatorComment: <text>first\n\
             # not a comment\n\
             PackageName: not a tag\n\
             \n\
             last</text>   \n\
             PackageName: p\n\
             SPDXID: SPDXRef-p\n\
             PackageDownloadLocation: NONE\n\
             PackageDescription: <text></text>\n"
        );
        let v = parse(&text, "t.spdx").expect("parses");
        assert_eq!(v["comment"], "one line");
        assert_eq!(
            v["creationInfo"]["comment"],
            "first\n# not a comment\nPackageName: not a tag\n\nlast"
        );
        assert_eq!(v["packages"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["packages"][0]["description"], "");
        assert_eq!(validate(SchemaId::Spdx23, &v, 10).1, 0);
    }

    #[test]
    fn crlf_and_comments_are_tolerated() {
        let text = format!("# leading comment\r\n{}", HEAD.replace('\n', "\r\n"));
        let v = parse(&text, "t.spdx").expect("parses");
        assert_eq!(v["name"], "t");
        assert_eq!(v["creationInfo"]["creators"][0], "Tool: test");
    }

    #[test]
    fn unterminated_text_is_an_error_at_its_tag() {
        let text = format!("{HEAD}DocumentComment: <text>never\nclosed\n");
        let e = err(&text);
        assert_eq!(e.info.code, diags::INPUT_MALFORMED.code);
        assert_eq!(e.location.line, Some(8));
        assert_eq!(e.location.column, Some(18));
        assert!(e.message.contains("unterminated <text>"), "{}", e.message);
        assert!(e.message.contains("DocumentComment"), "{}", e.message);
        assert_eq!(e.location.file, "t.spdx");
    }

    #[test]
    fn text_after_closing_tag_is_an_error() {
        let e = err(&format!(
            "{HEAD}DocumentComment: <text>a\nb</text> PackageName: x\n"
        ));
        assert_eq!((e.location.line, e.location.column), (Some(9), Some(9)));
        assert!(e.message.contains("after </text>"), "{}", e.message);
    }

    #[test]
    fn unknown_tags_and_non_tag_lines_are_errors() {
        let e = err(&format!("{HEAD}PackageFrobnicator: yes\n"));
        assert_eq!(e.info.code, diags::INPUT_MALFORMED.code);
        assert_eq!((e.location.line, e.location.column), (Some(8), Some(1)));
        assert!(e.message.contains("PackageFrobnicator"), "{}", e.message);

        let e = err(&format!("{HEAD}packagename: x\n"));
        assert!(e.hint.contains("did you mean PackageName"), "{}", e.hint);

        let e = err(&format!("{HEAD}  just some words\n"));
        assert_eq!((e.location.line, e.location.column), (Some(8), Some(3)));
        assert!(
            e.message.contains("expected a `Tag: value` line"),
            "{}",
            e.message
        );

        let e = err(&format!("{HEAD}Package Name: x\n"));
        assert!(e.message.contains("not a tag name"), "{}", e.message);
    }

    #[test]
    fn deprecated_file_tags_are_tolerated() {
        let text = format!(
            "{HEAD}FileName: ./a\nSPDXID: SPDXRef-a\nFileChecksum: SHA1: 00\n\
             ArtifactOfProjectName: x\nArtifactOfProjectHomePage: http://x\n\
             ArtifactOfProjectURI: http://x\nFileDependency: ./b\n"
        );
        let v = parse(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["files"][0],
            json!({"fileName": "./a", "SPDXID": "SPDXRef-a",
                   "checksums": [{"algorithm": "SHA1", "checksumValue": "00"}]})
        );
    }

    #[test]
    fn relationships_parse_and_bad_ones_are_errors() {
        let text = format!(
            "{HEAD}Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-p\n\
             RelationshipComment: <text>why</text>\n\
             Relationship:   SPDXRef-p  DEPENDS_ON   NOASSERTION  \n"
        );
        let (v, lines) = parse_with_lines(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["relationships"],
            json!([
                {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                 "relatedSpdxElement": "SPDXRef-p", "comment": "why"},
                {"spdxElementId": "SPDXRef-p", "relationshipType": "DEPENDS_ON",
                 "relatedSpdxElement": "NOASSERTION"},
            ])
        );
        assert_eq!(lines["/relationships/0"], 8);
        assert_eq!(lines["/relationships/0/comment"], 9);
        assert_eq!(lines["/relationships/1/relationshipType"], 10);

        for bad in [
            "Relationship: SPDXRef-a DEPENDS_ON",
            "Relationship: SPDXRef-a DEPENDS_ON SPDXRef-b SPDXRef-c",
            "Relationship:",
        ] {
            let e = err(&format!("{HEAD}{bad}\n"));
            assert_eq!(e.location.line, Some(8), "{bad}");
            assert!(e.message.starts_with("Relationship value"), "{}", e.message);
        }
        let e = err(&format!("{HEAD}RelationshipComment: orphan\n"));
        assert!(e.message.contains("without a preceding Relationship"));
    }

    #[test]
    fn checksums_parse_and_bad_ones_are_errors() {
        let text = format!(
            "{HEAD}ExternalDocumentRef: DocumentRef-x http://example.com/x SHA1:abc\n\
             PackageName: p\nSPDXID: SPDXRef-p\nPackageDownloadLocation: NONE\n\
             PackageChecksum: SHA256:   9f86d081  \nPackageChecksum: BLAKE2b-384: aa\n\
             FileName: ./f\nSPDXID: SPDXRef-f\nFileChecksum: MD5: 62\n"
        );
        let (v, lines) = parse_with_lines(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["externalDocumentRefs"][0],
            json!({"externalDocumentId": "DocumentRef-x", "spdxDocument": "http://example.com/x",
                   "checksum": {"algorithm": "SHA1", "checksumValue": "abc"}})
        );
        assert_eq!(
            v["packages"][0]["checksums"],
            json!([{"algorithm": "SHA256", "checksumValue": "9f86d081"},
                   {"algorithm": "BLAKE2b-384", "checksumValue": "aa"}])
        );
        assert_eq!(
            v["files"][0]["checksums"][0],
            json!({"algorithm": "MD5", "checksumValue": "62"})
        );
        assert_eq!(lines["/packages/0/checksums/1"], 13);
        assert_eq!(lines["/files/0/checksums/0/checksumValue"], 16);

        for bad in ["SHA1", "SHA1:", ": abc", "SHA 1: abc", "SHA1: ab cd"] {
            let text = format!("{HEAD}FileName: ./f\nFileChecksum: {bad}\n");
            let e = err(&text);
            assert_eq!(
                (e.location.line, e.location.column),
                (Some(9), Some(15)),
                "{bad}"
            );
            assert!(e.message.contains("FileChecksum"), "{}", e.message);
        }
        let e = err(&format!(
            "{HEAD}ExternalDocumentRef: DocumentRef-x SHA1: abc\n"
        ));
        assert!(e.message.contains("checksum"), "{}", e.message);
        let e = err(&format!("{HEAD}ExternalDocumentRef: DocumentRef-x\n"));
        assert!(e.message.contains("ExternalDocumentRef"), "{}", e.message);
    }

    #[test]
    fn external_refs_parse_with_comments() {
        let text = format!(
            "{HEAD}PackageName: p\nSPDXID: SPDXRef-p\nPackageDownloadLocation: NONE\n\
             ExternalRef: PACKAGE-MANAGER purl pkg:npm/%40scope/left-pad@1.3.0\n\
             ExternalRefComment: <text>from the lockfile</text>\n\
             ExternalRef: SECURITY  cpe23Type  cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*\n"
        );
        let (v, lines) = parse_with_lines(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["packages"][0]["externalRefs"],
            json!([
                {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                 "referenceLocator": "pkg:npm/%40scope/left-pad@1.3.0",
                 "comment": "from the lockfile"},
                {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
                 "referenceLocator": "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*"},
            ])
        );
        assert_eq!(lines["/packages/0/externalRefs/0/comment"], 12);
        assert_eq!(lines["/packages/0/externalRefs/1/referenceLocator"], 13);
        assert_eq!(validate(SchemaId::Spdx23, &v, 10).1, 0);

        let e = err(&format!(
            "{HEAD}PackageName: p\nExternalRef: SECURITY cpe23Type\n"
        ));
        assert_eq!((e.location.line, e.location.column), (Some(9), Some(14)));
        assert!(e.message.starts_with("ExternalRef value"), "{}", e.message);
        let e = err(&format!("{HEAD}PackageName: p\nExternalRefComment: x\n"));
        assert!(e.message.contains("without a preceding ExternalRef"));
    }

    #[test]
    fn files_after_a_package_are_its_files_and_lines_are_recorded() {
        let text = format!(
            "{HEAD}FileName: ./loose\nSPDXID: SPDXRef-loose\nFileChecksum: SHA1: 01\n\
             PackageName: p\nSPDXID: SPDXRef-p\nPackageVersion: 1.0\n\
             PackageDownloadLocation: NONE\nFilesAnalyzed: false\n\
             PackageVerificationCode: abc (excludes: ./a.spdx, ./b.spdx)\n\
             Relationship: SPDXRef-p CONTAINS SPDXRef-f\n\
             FileName: ./f\nSPDXID: SPDXRef-f\nFileChecksum: SHA1: 02\n\
             FileName: ./g\nSPDXID: SPDXRef-g\nFileChecksum: SHA1: 03\n\
             PackageName: q\nSPDXID: SPDXRef-q\nPackageDownloadLocation: NONE\n\
             LicenseID: LicenseRef-x\nExtractedText: x\n\
             FileName: ./after-licence\nSPDXID: SPDXRef-h\nFileChecksum: SHA1: 04\n"
        );
        let (v, lines) = parse_with_lines(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["packages"][0]["hasFiles"],
            json!(["SPDXRef-f", "SPDXRef-g"])
        );
        assert!(v["packages"][1].get("hasFiles").is_none());
        assert_eq!(v["packages"][0]["filesAnalyzed"], false);
        assert_eq!(
            v["packages"][0]["packageVerificationCode"],
            json!({"packageVerificationCodeValue": "abc",
                   "packageVerificationCodeExcludedFiles": ["./a.spdx", "./b.spdx"]})
        );
        assert_eq!(
            ids(&v, "files"),
            ["SPDXRef-loose", "SPDXRef-f", "SPDXRef-g", "SPDXRef-h"]
        );
        assert_eq!(lines["/spdxVersion"], 1);
        assert_eq!(lines["/creationInfo"], 6);
        assert_eq!(lines["/creationInfo/creators/0"], 6);
        assert_eq!(lines["/files/0"], 8);
        assert_eq!(lines["/packages/0"], 11);
        assert_eq!(lines["/packages/0/versionInfo"], 13);
        assert_eq!(
            lines["/packages/0/packageVerificationCode/packageVerificationCodeExcludedFiles/1"],
            16
        );
        assert_eq!(lines["/packages/0/hasFiles/1"], 21);
        assert_eq!(lines["/relationships/0"], 17);
        assert_eq!(lines["/files"], 8);
        assert_eq!(lines["/files/1/checksums"], 20);
        assert_eq!(lines["/packages/0/hasFiles"], 18);
        assert_eq!(lines["/hasExtractedLicensingInfos/0/extractedText"], 28);
        assert_eq!(validate(SchemaId::Spdx23, &v, 10).1, 0);
    }

    #[test]
    fn annotations_attach_to_the_named_element() {
        let text = format!(
            "{HEAD}Annotator: Person: A\nAnnotationDate: 2024-01-01T00:00:00Z\n\
             AnnotationType: REVIEW\nSPDXREF: SPDXRef-f\nAnnotationComment: forward\n\
             Annotator: Person: B\nAnnotationDate: 2024-01-01T00:00:00Z\n\
             AnnotationType: OTHER\nSPDXREF: SPDXRef-DOCUMENT\nAnnotationComment: doc\n\
             Annotator: Person: C\nAnnotationDate: 2024-01-01T00:00:00Z\n\
             AnnotationType: OTHER\nSPDXREF: SPDXRef-elsewhere\nAnnotationComment: unknown\n\
             FileName: ./f\nSPDXID: SPDXRef-f\nFileChecksum: SHA1: 02\n\
             SnippetSPDXID: SPDXRef-s\nSnippetFromFileSPDXID: SPDXRef-f\nSnippetName: s\n\
             SnippetByteRange: 1:20\nSnippetLineRange: 2 : 3\n\
             Annotator: Tool: t\nAnnotationDate: 2024-01-01T00:00:00Z\n\
             AnnotationType: OTHER\nSPDXREF: SPDXRef-s\nAnnotationComment: <text>on\nsnippet</text>\n"
        );
        let (v, lines) = parse_with_lines(&text, "t.spdx").expect("parses");
        assert_eq!(v["files"][0]["annotations"][0]["comment"], "forward");
        assert_eq!(v["annotations"][0]["comment"], "doc");
        assert_eq!(v["annotations"][1]["comment"], "unknown");
        assert_eq!(v["snippets"][0]["annotations"][0]["comment"], "on\nsnippet");
        assert_eq!(
            v["snippets"][0]["ranges"],
            json!([
                {"startPointer": {"offset": 1, "reference": "SPDXRef-f"},
                 "endPointer": {"offset": 20, "reference": "SPDXRef-f"}},
                {"startPointer": {"lineNumber": 2, "reference": "SPDXRef-f"},
                 "endPointer": {"lineNumber": 3, "reference": "SPDXRef-f"}},
            ])
        );
        assert_eq!(lines["/files/0/annotations/0"], 8);
        assert_eq!(lines["/files/0/annotations/0/comment"], 12);
        assert_eq!(lines["/annotations/1"], 18);
        assert_eq!(lines["/snippets/0/ranges/1/endPointer/reference"], 30);
        assert_eq!(lines["/snippets/0/annotations/0/comment"], 35);
        assert_eq!(validate(SchemaId::Spdx23, &v, 10).1, 0);

        let e = err(&format!("{HEAD}AnnotationDate: 2024-01-01T00:00:00Z\n"));
        assert!(
            e.message.contains("without a preceding Annotator"),
            "{}",
            e.message
        );
    }

    #[test]
    fn misplaced_and_duplicate_fields_are_errors() {
        let e = err(&format!(
            "{HEAD}PackageName: p\nFileName: ./f\nPackageVersion: 1\n"
        ));
        assert_eq!(e.location.line, Some(10));
        assert!(
            e.message.contains(
                "PackageVersion is not valid in the file section started by FileName on line 9"
            ),
            "{}",
            e.message
        );
        let e = err(&format!("{HEAD}PackageName: p\nLicenseConcluded: MIT\n"));
        assert!(
            e.message.contains("belongs in a file section"),
            "{}",
            e.message
        );
        let e = err(&format!(
            "{HEAD}PackageName: p\nPackageVersion: 1\nPackageVersion: 2\n"
        ));
        assert_eq!(e.location.line, Some(10));
        assert!(
            e.message
                .contains("given twice for this package (first on line 9)"),
            "{}",
            e.message
        );
        let e = err(&format!("{HEAD}DocumentName: again\n"));
        assert!(
            e.message.contains("DocumentName given twice"),
            "{}",
            e.message
        );
        let e = err(&format!(
            "{HEAD}SnippetSPDXID: SPDXRef-s\nSPDXID: SPDXRef-x\n"
        ));
        assert!(
            e.message
                .contains("SPDXID is not valid in the snippet section"),
            "{}",
            e.message
        );
        let e = err(&format!("{HEAD}PackageName: p\nFilesAnalyzed: maybe\n"));
        assert!(e.message.contains("not true or false"), "{}", e.message);
        let e = err(&format!(
            "{HEAD}SnippetSPDXID: SPDXRef-s\nSnippetByteRange: 1-2\n"
        ));
        assert!(
            e.message.starts_with("SnippetByteRange value"),
            "{}",
            e.message
        );
        let e = err(&format!(
            "{HEAD}PackageName: p\nPackageVerificationCode: abc (excludes: x\n"
        ));
        assert!(
            e.message.starts_with("PackageVerificationCode value"),
            "{}",
            e.message
        );
    }

    #[test]
    fn licences_and_reviews_map() {
        let text = format!(
            "{HEAD}Reviewer: Person: R\nReviewDate: 2024-01-02T00:00:00Z\nReviewComment: ok\n\
             LicenseID: LicenseRef-a\nExtractedText: <text>a\nb</text>\nLicenseName: A\n\
             LicenseCrossReference: http://a, http://b\nLicenseCrossReference: http://c\n\
             LicenseComment: c\n"
        );
        let v = parse(&text, "t.spdx").expect("parses");
        assert_eq!(
            v["revieweds"],
            json!([{"reviewer": "Person: R", "reviewDate": "2024-01-02T00:00:00Z", "comment": "ok"}])
        );
        assert_eq!(
            v["hasExtractedLicensingInfos"],
            json!([{"licenseId": "LicenseRef-a", "extractedText": "a\nb", "name": "A",
                    "seeAlsos": ["http://a", "http://b", "http://c"], "comment": "c"}])
        );
        assert_eq!(validate(SchemaId::Spdx23, &v, 10).1, 0);
    }
}
