//! `sbom validate`: schema of the declared version + semantic rules + optional profile, per file,
//! files in parallel.

use super::diags as d;
use super::document::Encoding;
use super::document::{self, Document, Family};
use super::fastjson::{self, Node};
use super::fastschema;
use super::schema::{self, SchemaId};
use super::stream;
use super::{model, profile, semantic};
use crate::cli::Profile;
use crate::input::{self, InputError, Limits};
use crate::report::{Diagnostic, Location, Severity, Subject, Table, Verdict};
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    pub schema: bool,
    pub profile: Option<Profile>,
    pub strict: bool,
    pub now: jiff::Timestamp,
    pub limits: Limits,
    /// Schema violations reported per file; the rest are counted.
    pub max_schema_errors: usize,
}

/// The result for one file.
#[derive(Debug)]
pub struct FileResult {
    pub subject: Subject,
    pub diagnostics: Vec<Diagnostic>,
    pub table: Option<Table>,
    pub data: Value,
}

/// Validate many files in parallel; results keep the input order. One file is validated on
/// the calling thread (no thread pool to start).
pub fn validate_files(files: &[PathBuf], opts: &Options) -> Vec<FileResult> {
    if let [file] = files {
        return vec![validate_file(file, opts)];
    }
    files.par_iter().map(|f| validate_file(f, opts)).collect()
}

pub fn validate_file(path: &std::path::Path, opts: &Options) -> FileResult {
    let name = input::display_path(path);
    match load_and_check(path, opts) {
        Ok(r) => r,
        Err(e) => {
            let mut subject = Subject::new(name.clone());
            subject.verdict = Verdict::Error;
            FileResult {
                subject,
                data: json!({"path": name, "verdict": "error", "error": e.one_line()}),
                diagnostics: vec![e.into_diagnostic()],
                table: None,
            }
        }
    }
}

/// CycloneDX and SPDX 2 JSON are checked while they are parsed (see `stream.rs`), so large
/// SBOMs never exist as one tree in memory; everything else is parsed whole first.
fn load_and_check(path: &std::path::Path, opts: &Options) -> Result<FileResult, InputError> {
    let name = input::display_path(path);
    let bytes = input::map_or_read(path, opts.limits)?;
    if bytes.starts_with(b"\x1f\x8b")
        || bytes.starts_with(b"PK\x03\x04")
        || input::looks_binary(&bytes)
    {
        return Err(input::binary(&name));
    }
    let start = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    if bytes[start..].iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let text = input::bytes_to_text(&name, bytes.into_vec_from(start))?;
        let doc = document::parse(&name, text)?;
        return Ok(validate_document(doc, opts));
    }
    // The quick reader first; anything it does not handle (including every malformed document)
    // goes through serde_json, which also words the errors.
    match bytes.into_text_from(start) {
        Ok(text) => {
            if let Some(checked) = fast_path(&name, text.as_str(), opts, LARGE, &|offset| {
                text.release_before(offset)
            }) {
                let (doc, schema_id, checker) = checked?;
                let doc = Document {
                    text: Some(text),
                    ..doc
                };
                return Ok(finish(doc, schema_id, checker, opts));
            }
            serde_path(&name, text.into_bytes(), opts)
        }
        Err(bytes) => serde_path(&name, bytes, opts),
    }
}

/// JSON documents `fast_path` does not take: read by `serde_json`, streaming CycloneDX and
/// SPDX 2.
fn serde_path(name: &str, bytes: Vec<u8>, opts: &Options) -> Result<FileResult, InputError> {
    let json_err = |bytes: &[u8], e: &serde_json::Error| input::json_error_in(name, bytes, e);
    let markers = stream::top_level_strings(&bytes, document::MARKER_KEYS)
        .map_err(|e| json_err(&bytes, &e))?;
    // Well-formed (it has just been read whole): every object may hold each key once, as on
    // every other path (`document::parse`).
    input::check_duplicate_keys(name, &String::from_utf8_lossy(&bytes))?;
    let (family, version, encoding) =
        document::recognise(name, &Value::Object(markers), Encoding::Json)?;
    if family != Family::Spdx3 {
        let mut doc = Document::streamed(name, family, version, encoding);
        let schema_id = schema_for(&doc);
        let mut checker = Checker::new(&doc, &schema_id, opts);
        let (skeleton, _) =
            stream::parse(&bytes, semantic::streamed_keys(family), &mut |k, i, v| {
                checker.item(k, i, v)
            })
            .map_err(|e| json_err(&bytes, &e))?;
        doc.value = skeleton;
        // Kept only to turn pointers into line:column; parsing succeeded, so it is UTF-8.
        doc.text = String::from_utf8(bytes).ok().map(input::FileText::Owned);
        return Ok(finish(doc, schema_id, checker, opts));
    }
    let text = input::bytes_to_text(name, bytes)?;
    let doc = document::parse(name, text)?;
    Ok(validate_document(doc, opts))
}

/// Hash and length of an element's canonical JSON → index of its first occurrence.
type SeenItems = HashMap<(u64, usize), usize>;

/// How the elements of one streamed array are checked against the schema.
struct ItemSchema {
    key: &'static str,
    /// The quick check of the element schema, see `fastschema`.
    fast: Option<fastschema::Sub<'static>>,
    /// The full validator, compiled when first needed.
    full: Option<&'static jsonschema::Validator>,
}

/// Per-element checks shared by the streaming and the whole-document paths.
struct Checker {
    schema_id: Option<SchemaId>,
    item_schemas: Vec<ItemSchema>,
    unique: Vec<(&'static str, SeenItems)>,
    violations: Vec<schema::Violation>,
    total_violations: usize,
    limit: usize,
    semantic: semantic::State,
    collector: model::Collector,
}

impl Checker {
    fn new(doc: &Document, schema_id: &Result<SchemaId, Box<Diagnostic>>, opts: &Options) -> Self {
        let mut item_schemas = Vec::new();
        let mut unique = Vec::new();
        let mut checked_id = None;
        if let (Ok(id), true) = (schema_id, opts.schema) {
            checked_id = Some(*id);
            for key in semantic::streamed_keys(doc.family) {
                if schema::has_item_schema(*id, key) {
                    let fast = schema::fast(*id)
                        .and_then(|s| s.root().property(key))
                        .and_then(fastschema::Sub::items);
                    item_schemas.push(ItemSchema {
                        key,
                        fast,
                        full: None,
                    });
                }
                if schema::unique_items(*id, key) {
                    unique.push((*key, HashMap::new()));
                }
            }
        }
        Checker {
            schema_id: checked_id,
            item_schemas,
            unique,
            violations: Vec::new(),
            total_violations: 0,
            limit: opts.max_schema_errors,
            semantic: semantic::State::new(doc.family, &doc.version, opts.now),
            collector: if opts.profile.is_some() {
                model::Collector::new(doc.family)
            } else {
                model::Collector::counting(doc.family)
            },
        }
    }

    fn item(&mut self, key: &str, i: usize, v: Value) {
        self.schema_item(key, i, &v, false);
        self.semantic.item(key, i, &v);
        self.collector.item(key, i, &v);
    }

    /// The same checks as [`Checker::item`] on an element read by `fastjson`.
    fn item_node(&mut self, key: &str, i: usize, v: &Node<'_>) {
        let known_valid = self
            .item_schemas
            .iter()
            .find(|s| s.key == key)
            .is_none_or(|s| s.fast.is_some_and(|f| f.certainly_valid(v)));
        let needs_unique = self.unique.iter().any(|(k, _)| *k == key);
        if !known_valid || needs_unique {
            self.schema_item(key, i, &v.to_value(), known_valid);
        }
        self.semantic.item(key, i, v);
        self.collector.item(key, i, v);
    }

    /// Schema checks of one element: its item schema (unless already known valid) and
    /// uniqueness.
    fn schema_item(&mut self, key: &str, i: usize, v: &Value, known_valid: bool) {
        if !known_valid
            && let Some(id) = self.schema_id
            && let Some(s) = self.item_schemas.iter_mut().find(|s| s.key == key)
        {
            if s.full.is_none() {
                s.full = schema::item_validator(id, s.key);
            }
            if let Some(validator) = s.full {
                let remaining = self.limit.saturating_sub(self.violations.len());
                let (found, total) = schema::validate_with(validator, v, remaining);
                self.total_violations += total;
                self.violations.extend(found.into_iter().map(|mut x| {
                    x.pointer = format!("/{key}/{i}{}", x.pointer);
                    x
                }));
            }
        }
        if let Some((_, seen)) = self.unique.iter_mut().find(|(k, _)| *k == key) {
            // uniqueItems without keeping the elements: a hash and length of the canonical
            // (sorted-key) serialisation stands in for each.
            use std::hash::{Hash, Hasher};
            let canonical = serde_json::to_vec(v).unwrap_or_default();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            canonical.hash(&mut h);
            if let Some(first) = seen.insert((h.finish(), canonical.len()), i) {
                self.total_violations += 1;
                if self.violations.len() < self.limit {
                    self.violations.push(schema::Violation {
                        pointer: format!("/{key}/{i}"),
                        message: format!(
                            "/{key}/{i} is identical to /{key}/{first}, but the schema requires unique items"
                        ),
                    });
                }
            }
        }
    }
}

/// Elements handed from the reading thread to the checking thread at a time.
const BATCH: usize = 128;

/// Elements of one streamed array (its index among the streamed keys, the element's index),
/// either read by the reading thread or only delimited by it, for the checking thread to read.
enum Batch<'a> {
    Read(Vec<(usize, usize, Node<'a>)>),
    Delimited(Vec<(usize, usize, &'a str)>),
}

/// A batch on its way to the checking thread, with the byte offset just after its last element.
type Queued<'a> = (Batch<'a>, usize);

impl Batch<'_> {
    fn len(&self) -> usize {
        match self {
            Batch::Read(v) => v.len(),
            Batch::Delimited(v) => v.len(),
        }
    }
}

/// The checking thread is about to run out of work when this few batches wait for it; the
/// reading thread then only delimits the next batch's elements, leaving their reading to the
/// checking thread. So both threads stay busy whichever is slower on a document, and the work
/// split never changes a result: elements are read the same way and checked in order.
const LOW_WATER: usize = 1;

/// What [`fast_path`] hands back: the document without its text, its schema, and the checker
/// that saw every streamed element.
type Checked = (Document, SchemaResult, Checker);
type SchemaResult = Result<SchemaId, Box<Diagnostic>>;
/// What the checking thread hands back: [`Checked`], and whether an element it read was
/// malformed.
type Worked = (Document, SchemaResult, Checker, bool);

/// CycloneDX and SPDX 2 JSON read by `fastjson` in one pass: the document is recognised from
/// the top-level members met before its first big array, whose elements are then checked on a
/// second thread while the reader goes on. `None` when the text needs the `serde_json` path
/// (malformed, duplicate keys, SPDX 3, markers after the arrays, …); every outcome returned is
/// the one that path would reach. The checking thread reads elements too only in texts of at
/// least `large` bytes.
fn fast_path<'a>(
    name: &str,
    text: &'a str,
    opts: &Options,
    large: usize,
    release_before: &(dyn Fn(usize) + Sync),
) -> Option<Result<Checked, InputError>> {
    use fastjson::Unsupported;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Batches sent to the checking thread and not yet checked.
    let waiting = AtomicUsize::new(0);
    // The end (byte offset) of the last element checked: the text before it is not read again.
    let checked_to = AtomicUsize::new(0);
    // Batches the reading thread may queue. A small document's elements are all read by the
    // reading thread, which runs ahead while the checking thread compiles its schema: a short
    // queue keeps fewer read elements in memory at once (eight batches were half of a
    // 2,000-component document). A large one keeps both threads busy with a longer queue.
    let queue = if text.len() >= large { 8 } else { 2 };
    let all_streamed: Vec<&str> = [Family::CycloneDx, Family::Spdx2]
        .iter()
        .flat_map(|f| semantic::streamed_keys(*f).iter().copied())
        .collect();
    let new_doc = |(family, version, encoding): (Family, String, Encoding)| {
        Document::streamed(name, family, version, encoding)
    };
    let result = std::thread::scope(|scope| -> Result<_, Unsupported> {
        let mut r = fastjson::Reader::new(text);
        r.expect(b'{')?;
        let mut skeleton = serde_json::Map::new();
        let mut markers = serde_json::Map::new();
        let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
        // Recognised from the markers before the first big array.
        let mut early: Option<(Family, String, Encoding)> = None;
        let mut worker: Option<(
            std::sync::mpsc::SyncSender<Queued<'_>>,
            std::thread::ScopedJoinHandle<'_, Worked>,
        )> = None;
        // Read batches go back to this thread once checked, to be freed where allocated.
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<(usize, usize, Node<'a>)>>();
        let mut back_tx = Some(back_tx);
        r.skip_ws();
        let mut done = r.peek() == Some(b'}');
        if done {
            r.i += 1;
        }
        while !done {
            let key = r.key()?;
            let std::borrow::Cow::Borrowed(key) = key else {
                return Err(Unsupported);
            };
            if !seen.insert(key) {
                return Err(Unsupported);
            }
            r.skip_ws();
            let mut streamed_as = None;
            if all_streamed.contains(&key) && r.peek() == Some(b'[') {
                if early.is_none() {
                    let got =
                        document::recognise(name, &Value::Object(markers.clone()), Encoding::Json)
                            .map_err(|_| Unsupported)?;
                    if got.0 == Family::Spdx3 {
                        return Err(Unsupported);
                    }
                    early = Some(got);
                }
                let family = early.as_ref().map_or(Family::Spdx3, |e| e.0);
                streamed_as = semantic::streamed_keys(family)
                    .iter()
                    .position(|k| *k == key);
            }
            if let Some(k) = streamed_as {
                if worker.is_none() {
                    let doc = new_doc(early.clone().ok_or(Unsupported)?);
                    let (tx, rx) = std::sync::mpsc::sync_channel::<Queued<'_>>(queue);
                    let waiting = &waiting;
                    let checked_to = &checked_to;
                    let back_tx = back_tx.take().ok_or(Unsupported)?;
                    let handle = scope.spawn(move || {
                        let schema_id = schema_for(&doc);
                        let mut checker = Checker::new(&doc, &schema_id, opts);
                        let keys = semantic::streamed_keys(doc.family);
                        let mut reader = fastjson::Reader::new("");
                        let mut failed = false;
                        for (batch, end) in rx {
                            if !failed {
                                match &batch {
                                    Batch::Read(items) => {
                                        for (k, i, node) in items {
                                            checker.item_node(keys[*k], *i, node);
                                        }
                                    }
                                    Batch::Delimited(items) => {
                                        for (k, i, text) in items {
                                            let Ok(node) = reader.whole(text) else {
                                                failed = true;
                                                break;
                                            };
                                            checker.item_node(keys[*k], *i, &node);
                                        }
                                    }
                                }
                            }
                            checked_to.store(end, Ordering::Relaxed);
                            waiting.fetch_sub(1, Ordering::Relaxed);
                            if let Batch::Read(items) = batch {
                                // Freed by the thread that allocated them: much cheaper.
                                let _ = back_tx.send(items);
                            }
                        }
                        (doc, schema_id, checker, failed)
                    });
                    worker = Some((tx, handle));
                }
                let tx = &worker.as_ref().ok_or(Unsupported)?.0;
                // `end`: the byte offset after the batch's last element.
                let send = |batch: Batch<'a>, end: usize| {
                    waiting.fetch_add(1, Ordering::Relaxed);
                    tx.send((batch, end)).map_err(|_| Unsupported)
                };
                let new_batch = || {
                    // Read batches the checking thread is done with are freed here; the last
                    // one is reused.
                    let mut spare = None;
                    while let Ok(mut done) = back_rx.try_recv() {
                        done.clear();
                        spare = Some(done);
                    }
                    release_before(checked_to.load(Ordering::Relaxed));
                    if text.len() >= large && waiting.load(Ordering::Relaxed) <= LOW_WATER {
                        Batch::Delimited(Vec::with_capacity(BATCH))
                    } else {
                        Batch::Read(spare.unwrap_or_else(|| Vec::with_capacity(BATCH)))
                    }
                };
                r.i += 1;
                let mut batch = new_batch();
                let mut i = 0usize;
                r.skip_ws();
                if r.peek() == Some(b']') {
                    r.i += 1;
                } else {
                    loop {
                        match &mut batch {
                            Batch::Read(items) => items.push((k, i, r.value()?)),
                            Batch::Delimited(items) => items.push((k, i, r.skip_value()?)),
                        }
                        i += 1;
                        if batch.len() == BATCH {
                            send(std::mem::replace(&mut batch, new_batch()), r.i)?;
                        }
                        r.skip_ws();
                        match r.peek() {
                            Some(b',') => r.i += 1,
                            Some(b']') => {
                                r.i += 1;
                                break;
                            }
                            _ => return Err(Unsupported),
                        }
                    }
                }
                if batch.len() > 0 {
                    send(batch, r.i)?;
                }
                skeleton.insert(key.to_string(), Value::Array(Vec::new()));
            } else {
                let start = r.i;
                r.value()?;
                let v: Value =
                    serde_json::from_str(r.slice(start, r.i)).map_err(|_| Unsupported)?;
                if document::MARKER_KEYS.contains(&key) {
                    markers.insert(key.to_string(), v.clone());
                }
                skeleton.insert(key.to_string(), v);
            }
            r.skip_ws();
            match r.peek() {
                Some(b',') => r.i += 1,
                Some(b'}') => {
                    r.i += 1;
                    done = true;
                }
                _ => return Err(Unsupported),
            }
        }
        if !r.at_end() {
            return Err(Unsupported);
        }
        let checked = match worker {
            Some((tx, handle)) => {
                drop(tx);
                let (doc, schema_id, checker, failed) = handle.join().map_err(|_| Unsupported)?;
                if failed {
                    return Err(Unsupported);
                }
                Some((doc, schema_id, checker))
            }
            None => None,
        };
        // Every element is checked, and the rules still to run read no more of the text (only a
        // finding's line:column does).
        release_before(text.len());
        Ok((skeleton, markers, early, checked))
    });
    let (skeleton, markers, early, checked) = result.ok()?;
    // The whole set of markers decides, as on the serde_json path.
    let recognised = match document::recognise(name, &Value::Object(markers), Encoding::Json) {
        Ok(r) => r,
        Err(e) => return early.is_none().then_some(Err(e)),
    };
    if recognised.0 == Family::Spdx3 || early.as_ref().is_some_and(|e| *e != recognised) {
        return None;
    }
    let (mut doc, schema_id, checker) = match checked {
        Some(c) => c,
        None => {
            let doc = new_doc(recognised);
            let schema_id = schema_for(&doc);
            let checker = Checker::new(&doc, &schema_id, opts);
            (doc, schema_id, checker)
        }
    };
    doc.value = Value::Object(skeleton);
    Some(Ok((doc, schema_id, checker)))
}

/// The schema for a document's declared version, or a diagnostic saying it is unsupported.
fn schema_for(doc: &Document) -> Result<SchemaId, Box<Diagnostic>> {
    let unsupported = |what: String| {
        let pointer = match doc.family {
            Family::CycloneDx => "/specVersion",
            Family::Spdx2 => "/spdxVersion",
            Family::Spdx3 => "/@context",
        };
        Err(Box::new(
            Diagnostic::new(&d::UNSUPPORTED_VERSION, what).at(doc.location(pointer)),
        ))
    };
    match doc.family {
        Family::CycloneDx => match SchemaId::cyclonedx(&doc.version) {
            Some(id) => Ok(id),
            None if doc.version.is_empty() => {
                unsupported("CycloneDX document has no specVersion".to_string())
            }
            None => unsupported(format!(
                "CycloneDX specVersion {:?} is not supported (1.2-1.7 are)",
                doc.version
            )),
        },
        Family::Spdx2 => match doc.version.as_str() {
            "2.2" => Ok(SchemaId::Spdx22),
            "2.3" => Ok(SchemaId::Spdx23),
            v => unsupported(format!(
                "spdxVersion \"SPDX-{v}\" is not a released SPDX 2 version (SPDX-2.2 and SPDX-2.3 are supported)"
            )),
        },
        Family::Spdx3 => match doc.version.as_str() {
            "3.0.1" => Ok(SchemaId::Spdx301),
            v => unsupported(format!("SPDX {v} is not supported (3.0.1 is)")),
        },
    }
}

/// The parts of a document `sbom diff` and `sbom merge` read: the components (nested ones
/// included) and their fields, the subject, the dependency graph.
fn read_structures(family: Family) -> &'static [&'static str] {
    match family {
        Family::CycloneDx => &["/components", "/metadata/component", "/dependencies"],
        Family::Spdx2 => &["/packages", "/relationships", "/documentDescribes"],
        Family::Spdx3 => &["/@graph"],
    }
}

/// Refuse a document whose components `sbom diff` / `sbom merge` could not read exactly: one
/// whose declared version has no schema, or that violates the schema anywhere in the parts
/// those commands read (a `components` that is an object rather than an array, a number where
/// a version string belongs…). Read anyway, such parts would be taken as empty or absent: a
/// component could pass the drift gate unseen. Violations elsewhere (a timestamp's format, say)
/// are left to `sbom validate`.
pub fn check_readable(doc: &Document) -> Result<(), InputError> {
    check_parts_readable(doc, &[])
}

/// [`check_readable`] over the components plus `more_parts` (JSON pointers of further sections
/// a command reads, such as `/services` for `sbom merge`).
pub fn check_parts_readable(doc: &Document, more_parts: &[&str]) -> Result<(), InputError> {
    let hint = format!(
        "run `tollgate sbom validate {}` and fix the document; diff and merge read only the parts of an SBOM (components, and the sections merge carries) that match the schema of its declared version",
        doc.path
    );
    let id = match schema_for(doc) {
        Ok(id) => id,
        Err(diag) => {
            let mut location = diag.location.unwrap_or_else(|| Location::file(&doc.path));
            doc.resolve_lines(&mut [&mut location]);
            return Err(InputError::new(
                &d::UNSUPPORTED_VERSION,
                location,
                diag.message,
                hint,
            ));
        }
    };
    let (found, _) = schema::validate(id, &doc.value, usize::MAX);
    let read = read_structures(doc.family);
    let within = |pointer: &str, part: &str| {
        pointer
            .strip_prefix(part)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let mut relevant = found.into_iter().filter(|v| {
        read.iter()
            .chain(more_parts)
            .any(|part| within(&v.pointer, part))
    });
    let Some(first) = relevant.next() else {
        return Ok(());
    };
    let more = relevant.count();
    let mut location = doc.location(&first.pointer);
    doc.resolve_lines(&mut [&mut location]);
    let what = match more_parts.iter().find(|part| within(&first.pointer, part)) {
        Some(part) => format!("the {}", part.trim_start_matches('/')),
        None => "the components".to_string(),
    };
    let mut message = format!(
        "cannot read {what}: {}: {} ({})",
        first.pointer,
        first.message,
        id.file_name()
    );
    if more > 0 {
        message.push_str(&format!(
            "; {more} more schema violation{} in what is read",
            if more == 1 { "" } else { "s" }
        ));
    }
    Err(InputError::new(&d::SCHEMA, location, message, hint))
}

pub fn validate_document(mut doc: Document, opts: &Options) -> FileResult {
    let schema_id = schema_for(&doc);
    let mut checker = Checker::new(&doc, &schema_id, opts);
    for key in semantic::streamed_keys(doc.family) {
        if let Some(Value::Array(items)) = doc.value.get_mut(*key) {
            for (i, item) in std::mem::take(items).into_iter().enumerate() {
                checker.item(key, i, item);
            }
        }
    }
    finish(doc, schema_id, checker, opts)
}

/// Documents at least this large (in bytes of text) have the checking thread read elements
/// too, and finish their rules and components on two threads. Below it the time saved is small
/// and the second thread's allocations would raise the peak memory of small documents.
const LARGE: usize = 4 << 20;

/// Whole-schema check of the skeleton (streamed arrays emptied), semantic rules on the rest,
/// profile, and the file's result.
fn finish(
    doc: Document,
    schema_id: Result<SchemaId, Box<Diagnostic>>,
    checker: Checker,
    opts: &Options,
) -> FileResult {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut schema_valid = None;
    let Checker {
        mut violations,
        mut total_violations,
        semantic: sem_state,
        collector,
        ..
    } = checker;
    match &schema_id {
        Ok(id) if opts.schema => {
            let remaining = opts.max_schema_errors.saturating_sub(violations.len());
            let (found, total) = schema::validate(*id, &doc.value, remaining);
            violations.extend(found);
            total_violations += total;
            schema_valid = Some(total_violations == 0);
            for v in violations {
                let at = if v.pointer.is_empty() {
                    "/"
                } else {
                    &v.pointer
                };
                let help = format!("fix the value at {at} to match {}", id.file_name());
                diags.push(
                    Diagnostic::new(&d::SCHEMA, v.message)
                        .at(doc.location(&v.pointer))
                        .help(help),
                );
            }
            if total_violations > opts.max_schema_errors {
                diags.push(
                    Diagnostic::new(
                        &d::SCHEMA,
                        format!(
                            "{} more schema violations not shown",
                            total_violations - opts.max_schema_errors
                        ),
                    )
                    .at(Location::file(doc.path.clone())),
                );
            }
        }
        Ok(_) => {}
        Err(diag) => diags.push((**diag).clone()),
    }

    // The rules' last checks (and dropping their state) and the components are independent: on
    // a large document they run at once.
    let finish_components = || {
        // Without a profile only the number of components is reported.
        if opts.profile.is_some() {
            let comps = collector.finish(&doc.value);
            (comps.len(), comps)
        } else {
            (collector.finish_count(&doc.value), Vec::new())
        }
    };
    let (findings, (component_count, comps)) =
        if doc.text.as_ref().is_some_and(|t| t.len() >= LARGE) {
            std::thread::scope(|s| {
                let findings = s.spawn(|| sem_state.finish(&doc.value));
                let components = finish_components();
                let findings = findings
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (findings, components)
            })
        } else {
            (sem_state.finish(&doc.value), finish_components())
        };
    for f in findings {
        let mut diag = Diagnostic::new(f.info, f.message).at(doc.location(&f.pointer));
        if let Some(h) = f.help {
            diag = diag.help(h);
        }
        diags.push(diag);
    }

    let mut subject = Subject::new(doc.path.clone());
    subject.kind = Some(doc.kind());
    subject
        .facts
        .insert("components".into(), json!(component_count));
    if let Ok(id) = &schema_id {
        subject.facts.insert("schema".into(), json!(id.file_name()));
    }

    let mut table = None;
    let mut profile_data = Value::Null;
    if let Some(p) = opts.profile {
        let facts = model::facts(&doc);
        let coverage = profile::evaluate(p, &doc, &comps, &facts);
        let mut rows = Vec::new();
        let mut elements = Vec::new();
        for c in &coverage {
            rows.push(vec![
                c.element.to_string(),
                c.scope.to_string(),
                format!("{}/{}", c.met, c.total),
                format!("{:.1}%", c.percent()),
            ]);
            elements.push(json!({
                "element": c.element, "scope": c.scope, "met": c.met, "total": c.total,
                "percent": (c.percent() * 10.0).round() / 10.0,
            }));
            if !c.complete() {
                let msg = if c.scope == "document" {
                    format!("{}: {} is missing", profile::profile_name(p), c.element)
                } else {
                    let mut m = format!(
                        "{}: {} of {} components lack {} ({:.1}% coverage)",
                        profile::profile_name(p),
                        c.total - c.met,
                        c.total,
                        c.element,
                        c.percent()
                    );
                    if !c.examples.is_empty() {
                        m.push_str(&format!(", e.g. {}", c.examples.join(", ")));
                    }
                    m
                };
                diags.push(
                    Diagnostic::new(&d::PROFILE_ELEMENT, msg).at(Location::file(doc.path.clone())),
                );
            }
        }
        let met_all = coverage.iter().all(profile::ElementCoverage::complete);
        subject.facts.insert(
            "profile".into(),
            json!(format!(
                "{} {}",
                profile::profile_name(p),
                if met_all { "met" } else { "not met" }
            )),
        );
        table = Some(Table {
            title: format!("{} — {}", profile::profile_name(p), doc.path),
            headers: vec![
                "element".into(),
                "scope".into(),
                "met".into(),
                "coverage".into(),
            ],
            rows,
        });
        profile_data =
            json!({"name": profile::profile_name(p), "met": met_all, "elements": elements});
    }

    if opts.strict {
        for diag in &mut diags {
            if diag.severity == Severity::Warning {
                diag.severity = Severity::Error;
            }
        }
    }
    // Positions for every pointer in one pass over the text.
    {
        let mut locs: Vec<&mut Location> = diags
            .iter_mut()
            .filter_map(|d| d.location.as_mut())
            .collect();
        doc.resolve_lines(&mut locs);
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    subject.verdict = if errors > 0 {
        Verdict::Deny
    } else {
        Verdict::Pass
    };
    let data = json!({
        "path": doc.path,
        "format": match doc.family { Family::CycloneDx => "cyclonedx", Family::Spdx2 | Family::Spdx3 => "spdx" },
        "specVersion": doc.version,
        "kind": doc.kind(),
        "schema": schema_id.as_ref().ok().map(|id| id.file_name()),
        "schemaValid": schema_valid,
        "components": component_count,
        "errors": errors,
        "warnings": warnings,
        "verdict": subject.verdict,
        "profile": profile_data,
    });
    if doc.text.as_ref().is_some_and(|t| t.len() >= LARGE) {
        // Unmapping a large file and freeing its skeleton take a millisecond or two that the
        // result does not wait for. Should no thread start, the closure drops it here.
        let _ = std::thread::Builder::new().spawn(move || drop(doc));
    }
    FileResult {
        subject,
        diagnostics: diags,
        table,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            schema: true,
            profile: Some(Profile::Cisa2025),
            strict: false,
            now: "2026-11-23T00:00:00Z".parse().unwrap(),
            limits: Limits::default(),
            max_schema_errors: 100,
        }
    }

    fn summary(r: &FileResult) -> Vec<String> {
        let mut v: Vec<String> = r
            .diagnostics
            .iter()
            .map(|d| format!("{} {:?} {}", d.code(), d.location, d.message))
            .collect();
        v.sort();
        v.push(serde_json::to_string(&r.data).unwrap());
        v
    }

    /// The streaming path (JSON files) and the whole-document path (everything else) must
    /// reach the same findings for the same document.
    #[test]
    fn streaming_and_whole_document_paths_agree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sbom");
        for rel in [
            "invalid/mixed-errors.cdx.json",
            "diff/new.cdx.json",
            "diff/new.spdx.json",
            "merge/api.cdx.json",
        ] {
            let path = root.join(rel);
            let streamed = validate_file(&path, &opts());
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = document::parse(&path.display().to_string(), text).unwrap();
            let whole = validate_document(doc, &opts());
            assert_eq!(summary(&streamed), summary(&whole), "{rel}");
        }
    }

    /// Documents the quick reader hands back to serde_json, or reads with escapes, duplicate
    /// keys and schema violations: both paths still agree.
    #[test]
    fn quick_reader_edge_cases_agree_with_whole_document_path() {
        let dir = tempfile::tempdir().unwrap();
        let spdx_head = r#""spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"https://x.example/y","creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: x"]}"#;
        let docs = [
            // Markers after the big arrays.
            r#"{"components":[{"type":"library","bom-ref":"a","name":"a","version":"1"}],"bomFormat":"CycloneDX","specVersion":"1.6","version":1}"#.to_string(),
            // A duplicate key inside an element (refused on both paths), an escaped string,
            // a schema violation and a bad checksum.
            format!(
                r#"{{{spdx_head},"packages":[{{"SPDXID":"SPDXRef-a","name":"x","name":"caf\u00e9 \"q\"","downloadLocation":"NONE","checksums":[{{"algorithm":"SHA0","checksumValue":"zz"}}],"licenseConcluded":"MIT AND Nope"}},{{"SPDXID":"SPDXRef-b","name":"b","downloadLocation":"NONE","filesAnalyzed":1.0}}],"relationships":[{{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}},{{"spdxElementId":"SPDXRef-a","relationshipType":"NOPE","relatedSpdxElement":"SPDXRef-zz"}}]}}"#
            ),
            // The same without the duplicate key: read by the quick reader.
            format!(
                r#"{{{spdx_head},"packages":[{{"SPDXID":"SPDXRef-a","name":"caf\u00e9 \"q\"","downloadLocation":"NONE","checksums":[{{"algorithm":"SHA0","checksumValue":"zz"}}],"licenseConcluded":"MIT AND Nope"}},{{"SPDXID":"SPDXRef-b","name":"b","downloadLocation":"NONE","filesAnalyzed":1.0}}],"relationships":[{{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}},{{"spdxElementId":"SPDXRef-a","relationshipType":"NOPE","relatedSpdxElement":"SPDXRef-zz"}}]}}"#
            ),
            // A duplicate top-level key.
            format!(r#"{{{spdx_head},"name":"again","packages":[]}}"#),
            // Not an SBOM, and an SBOM with an unsupported version.
            r#"{"hello":[1,2,3]}"#.to_string(),
            r#"{"bomFormat":"CycloneDX","specVersion":"9.9","components":[{"name":"a"}]}"#
                .to_string(),
        ];
        for (n, text) in docs.iter().enumerate() {
            let path = dir.path().join(format!("doc{n}.json"));
            std::fs::write(&path, text).unwrap();
            let streamed = validate_file(&path, &opts());
            match document::parse(&path.display().to_string(), text.clone()) {
                Ok(doc) => {
                    let whole = validate_document(doc, &opts());
                    assert_eq!(summary(&streamed), summary(&whole), "doc{n}");
                }
                Err(e) => assert_eq!(streamed.diagnostics, vec![e.into_diagnostic()], "doc{n}"),
            }
        }
    }

    /// Malformed documents (here in elements the reading thread only delimits and the checking
    /// thread reads) get exactly the `serde_json` path's error.
    #[test]
    fn malformed_elements_get_the_serde_json_error() {
        let dir = tempfile::tempdir().unwrap();
        let cdx = r#""bomFormat":"CycloneDX","specVersion":"1.6""#;
        let spdx = r#""spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT""#;
        let docs = [
            format!(r#"{{{cdx},"components":[{{"name":"a",}}]}}"#),
            format!(r#"{{{cdx},"components":[{{"name":"a\q"}}]}}"#),
            format!(r#"{{{cdx},"components":[{{"name":"a"}} {{}}]}}"#),
            format!(r#"{{{cdx},"components":[{{"name":"a]"}}"#),
            format!(r#"{{{cdx},"components":[{{"name":"a"}}],}}"#),
            format!("{{{cdx},\"components\":[{{\"name\":\"a\u{1}\"}}]}}"),
            format!(r#"{{{spdx},"packages":[{{"SPDXID":"SPDXRef-a","name":"a" "x"}}]}}"#),
            format!(r#"{{{spdx},"packages":[{{"SPDXID":"SPDXRef-a","name":01}}]}}"#),
            format!(r#"{{{spdx},"relationships":[{{}},[}}]}}"#),
        ];
        for (n, text) in docs.iter().enumerate() {
            let path = dir.path().join(format!("bad{n}.json"));
            std::fs::write(&path, text).unwrap();
            let name = input::display_path(&path);
            let quick = validate_file(&path, &opts());
            match serde_path(&name, text.clone().into_bytes(), &opts()) {
                Ok(r) => assert_eq!(summary(&quick), summary(&r), "bad{n}"),
                Err(e) => assert_eq!(quick.diagnostics, vec![e.into_diagnostic()], "bad{n}"),
            }
            // With every element left to the checking thread to read, too.
            assert!(
                fast_path(&name, text, &opts(), 0, &|_| {}).is_none(),
                "bad{n}"
            );
        }
    }

    /// Many batches, some read by the reading thread and some only delimited by it (the split
    /// depends on timing), with findings spread over them: all paths agree.
    #[test]
    fn large_documents_agree_with_whole_document_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut packages = Vec::new();
        let mut rels = Vec::new();
        for i in 0..3000 {
            let purl = match i % 7 {
                0 => format!("pkg:pypi/ns/p{i}@1"),
                1 => format!("pkg:npm/%40s/p{i}@1"),
                _ => format!("pkg:npm/p{i}@1.0.{i}"),
            };
            let id = if i % 1000 == 999 { 5 } else { i };
            packages.push(format!(
                r#"{{"SPDXID":"SPDXRef-p{id}","name":"p{i}","downloadLocation":"NONE","licenseConcluded":"{}","checksums":[{{"algorithm":"SHA256","checksumValue":"{}"}}],"externalRefs":[{{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"{purl}"}}]}}"#,
                if i % 500 == 3 { "MIT AND" } else { "MIT" },
                if i % 800 == 7 { "abc" } else { "0000000000000000000000000000000000000000000000000000000000000000" },
            ));
            rels.push(format!(
                r#"{{"spdxElementId":"SPDXRef-p{i}","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-p{}"}}"#,
                if i % 900 == 11 { i + 100_000 } else { (i + 1) % 3000 }
            ));
        }
        let text = format!(
            r#"{{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"https://x.example/y","creationInfo":{{"created":"2025-01-01T00:00:00Z","creators":["Tool: x"]}},"packages":[{}],"relationships":[{}]}}"#,
            packages.join(",\n  "),
            rels.join(",\n  ")
        );
        let path = dir.path().join("large.spdx.json");
        std::fs::write(&path, &text).unwrap();
        let name = input::display_path(&path);
        let doc = document::parse(&name, text.clone()).unwrap();
        let whole = summary(&validate_document(doc, &opts()));
        assert!(whole.len() > 20, "{whole:?}");
        for _ in 0..5 {
            assert_eq!(summary(&validate_file(&path, &opts())), whole);
            // The checking thread reading elements as soon as it would otherwise wait.
            let Some(Ok((doc, schema_id, checker))) = fast_path(&name, &text, &opts(), 0, &|_| {})
            else {
                panic!("the quick path takes this document");
            };
            let doc = Document {
                text: Some(input::FileText::Owned(text.clone())),
                ..doc
            };
            assert_eq!(summary(&finish(doc, schema_id, checker, &opts())), whole);
        }
    }

    /// A key twice in one object is bad input wherever it is, on the quick path, the
    /// `serde_json` path and in `document::parse` alike, at the second occurrence.
    #[test]
    fn duplicate_keys_are_bad_input_on_every_path() {
        let dir = tempfile::tempdir().unwrap();
        let cdx = r#""bomFormat":"CycloneDX","specVersion":"1.6","version":1"#;
        let c = |name: &str| {
            format!(
                r#"{{"type":"library","name":"{name}","version":"1","purl":"pkg:npm/{name}@1"}}"#
            )
        };
        let spdx3 = r#""@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld""#;
        let docs = [
            // A second component list hiding the first.
            (
                format!(
                    r#"{{{cdx},"components":[{}],"components":[{}]}}"#,
                    c("evil"),
                    c("good")
                ),
                "\"components\" in the top-level object",
                "",
            ),
            // Inside one component.
            (
                format!(
                    r#"{{{cdx},"components":[{},{{"type":"library","name":"a","purl":"x","purl":"pkg:npm/a@1"}}]}}"#,
                    c("b")
                ),
                "\"purl\" in the object at /components/1",
                "/components/1",
            ),
            // In the metadata, a marker, and in SPDX 3 (parsed whole).
            (
                format!(
                    r#"{{{cdx},"metadata":{{"timestamp":"2025-01-01T00:00:00Z","timestamp":"x"}}}}"#
                ),
                "/metadata",
                "/metadata",
            ),
            (
                format!(r#"{{{cdx},"specVersion":"1.2"}}"#),
                "\"specVersion\"",
                "",
            ),
            (
                format!(r#"{{{spdx3},"@graph":[{{"type":"x","type":"y"}}]}}"#),
                "/@graph/0",
                "/@graph/0",
            ),
        ];
        for (n, (text, what, pointer)) in docs.iter().enumerate() {
            let path = dir.path().join(format!("dup{n}.json"));
            std::fs::write(&path, text).unwrap();
            let name = input::display_path(&path);
            let r = validate_file(&path, &opts());
            assert_eq!(r.subject.verdict, Verdict::Error, "dup{n}");
            let [diag] = r.diagnostics.as_slice() else {
                panic!("dup{n}: {:?}", r.diagnostics)
            };
            assert_eq!(diag.code(), "TG005", "dup{n}");
            assert!(diag.message.contains(what), "dup{n}: {}", diag.message);
            let loc = diag.location.as_ref().unwrap();
            assert_eq!(loc.pointer.as_deref(), Some(*pointer), "dup{n}");
            // The column of the second occurrence's opening quote.
            let second = text
                .rfind(
                    &diag
                        .message
                        .split('"')
                        .nth(1)
                        .map(|k| format!("\"{k}\""))
                        .unwrap(),
                )
                .unwrap();
            assert_eq!(
                (loc.line, loc.column),
                (Some(1), Some(second as u32 + 1)),
                "dup{n}"
            );
            let e = document::parse(&name, text.clone()).unwrap_err();
            assert_eq!(vec![e.clone().into_diagnostic()], r.diagnostics, "dup{n}");
            let e2 = serde_path(&name, text.clone().into_bytes(), &opts()).unwrap_err();
            assert_eq!(e, e2, "dup{n}");
            assert!(
                fast_path(&name, text, &opts(), 0, &|_| {}).is_none(),
                "dup{n}"
            );
            assert!(
                fast_path(&name, text, &opts(), usize::MAX, &|_| {}).is_none(),
                "dup{n}"
            );
        }
    }

    /// Diff and merge refuse documents whose components they could not read exactly; schema
    /// violations elsewhere are left to `sbom validate`.
    #[test]
    fn unreadable_component_structures_are_refused() {
        let cdx = |rest: &str| {
            let text =
                format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1{rest}}}"#);
            document::parse("t.json", text).unwrap()
        };
        let good = r#"{"type":"library","name":"good","version":"1"}"#;
        for (rest, pointer) in [
            (
                r#","components":{"type":"library","name":"evil"}"#.to_string(),
                "/components",
            ),
            (
                format!(
                    r#","components":[{good},{{"type":"library","name":"a","components":{good}}}]"#
                ),
                "/components/1/components",
            ),
            (
                r#","components":[{"type":"library","name":"a","version":1}]"#.to_string(),
                "/components/0/version",
            ),
            (
                r#","metadata":{"component":{"type":"application","name":"r","components":{}}}"#
                    .to_string(),
                "/metadata/component/components",
            ),
            (
                r#","dependencies":{"ref":"a"}"#.to_string(),
                "/dependencies",
            ),
        ] {
            let e = check_readable(&cdx(&rest)).unwrap_err();
            assert_eq!(e.info.code, "SBOM001", "{rest}");
            assert_eq!(e.location.pointer.as_deref(), Some(pointer), "{rest}");
            assert!(e.location.line.is_some(), "{rest}");
        }
        check_readable(&cdx(&format!(
            r#","components":[{good}],"metadata":{{"timestamp":"yesterday"}}"#
        )))
        .unwrap();
        let spdx = document::parse(
            "t.spdx.json",
            r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":{"SPDXID":"SPDXRef-a"}}"#.to_string(),
        )
        .unwrap();
        assert_eq!(
            check_readable(&spdx)
                .unwrap_err()
                .location
                .pointer
                .as_deref(),
            Some("/packages")
        );
        let unknown = document::parse(
            "t.json",
            r#"{"bomFormat":"CycloneDX","specVersion":"9.9","components":[]}"#.to_string(),
        )
        .unwrap();
        assert_eq!(check_readable(&unknown).unwrap_err().info.code, "SBOM002");
    }

    #[test]
    fn duplicate_elements_violate_unique_items() {
        let dir = tempfile::tempdir().unwrap();
        let c = r#"{"type":"library","bom-ref":"a","name":"a","version":"1"}"#;
        let doc = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{c},{c}]}}"#
        );
        let p = dir.path().join("dup.json");
        std::fs::write(&p, doc).unwrap();
        let r = validate_file(&p, &opts());
        let msgs: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("requires unique items")),
            "{msgs:?}"
        );
    }
}
