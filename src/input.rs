//! Reading evidence files defensively: size limits before reading, clear classification of
//! missing / directory / empty / binary / malformed input, and positions for parse errors.

use crate::diags;
use crate::report::{CodeInfo, Diagnostic, Location};
use std::fs;
use std::io::Read;
use std::path::Path;

/// Limits applied to every input file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 512 * 1024 * 1024,
        }
    }
}

/// Parse a size such as `512MiB`, `2GB`, `1048576`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected a number such as 512MiB"))?;
    let too_large =
        || format!("invalid size {s:?}: larger than the largest size, 18446744073709551615 bytes");
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "invalid size unit {other:?} in {s:?}: use B, KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    // Whole numbers exactly (a float cast would saturate silently); fractions through f64.
    if let Ok(whole) = num.parse::<u64>() {
        return whole.checked_mul(mult).ok_or_else(too_large);
    }
    let bytes = n * mult as f64;
    // 2^64 is the first value that does not fit (u64::MAX is not representable as f64).
    if !bytes.is_finite() || bytes >= 18_446_744_073_709_551_616.0 {
        return Err(too_large());
    }
    Ok(bytes as u64)
}

/// An input that could not be read or parsed: the file, position, what went wrong, what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub info: &'static CodeInfo,
    pub location: Location,
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.one_line())
    }
}

impl std::error::Error for InputError {}

impl InputError {
    pub fn new(
        info: &'static CodeInfo,
        location: Location,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        InputError {
            info,
            location,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// `file:line:col: message (hint: ...)` — the single line printed on stderr.
    pub fn one_line(&self) -> String {
        let mut loc = self.location.display_short();
        if self.location.line.is_none()
            && let Some(p) = &self.location.pointer
        {
            loc.push_str(&format!(" at {p}"));
        }
        let line = format!(
            "{}: {}: {} (hint: {})",
            self.info.code, loc, self.message, self.hint
        );
        crate::output::one_line(&line).into_owned()
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        Diagnostic::new(self.info, self.message)
            .at(self.location)
            .help(self.hint)
    }
}

/// Display form of a path as the user typed it.
pub fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// Read a whole file, refusing directories, missing files and anything above the limit.
pub fn read_bytes(path: &Path, limits: Limits) -> Result<Vec<u8>, InputError> {
    let name = display_path(path);
    let loc = || Location::file(name.clone());
    let meta = fs::metadata(path).map_err(|e| io_error(&name, &e))?;
    if meta.is_dir() {
        return Err(InputError::new(
            &diags::INPUT_NOT_A_FILE,
            loc(),
            "is a directory, not a file",
            "pass the file inside it, or a shell glob such as dir/*.json",
        ));
    }
    if meta.len() > limits.max_bytes {
        return Err(too_large(&name, meta.len(), limits));
    }
    let file = fs::File::open(path).map_err(|e| io_error(&name, &e))?;
    let buf = match read_halves(&file, &meta) {
        Some(buf) => buf,
        None => {
            // Read at most limit+1 bytes: a FIFO or /proc file can report a size of 0 and
            // still be huge.
            let mut buf = Vec::with_capacity(meta.len() as usize);
            file.take(limits.max_bytes.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| io_error(&name, &e))?;
            buf
        }
    };
    if buf.len() as u64 > limits.max_bytes {
        return Err(too_large(&name, buf.len() as u64, limits));
    }
    check_not_blank(&name, &buf)?;
    Ok(buf)
}

fn check_not_blank(name: &str, buf: &[u8]) -> Result<(), InputError> {
    if buf.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::new(
            &diags::INPUT_EMPTY,
            Location::file(name),
            if buf.is_empty() {
                "file is empty".to_string()
            } else {
                "file contains only whitespace".to_string()
            },
            "the tool that produced it probably failed; regenerate the file",
        ));
    }
    Ok(())
}

/// A file's content: read into memory, or, for a regular file of at least 64 KiB, mapped.
pub enum FileBytes {
    Read(Vec<u8>),
    Mapped(MappedFile),
}

/// A mapped file, and whether all of it is UTF-8 (checked while its pages were loaded).
pub struct MappedFile {
    map: memmap2::Mmap,
    utf8: bool,
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Read(v) => v,
            FileBytes::Mapped(m) => &m.map,
        }
    }
}

impl FileBytes {
    /// The bytes from `start` as an owned buffer (a copy only for a mapped file).
    pub fn into_vec_from(self, start: usize) -> Vec<u8> {
        match self {
            FileBytes::Read(mut v) => {
                v.drain(..start.min(v.len()));
                v
            }
            FileBytes::Mapped(m) => m.map.get(start..).unwrap_or_default().to_vec(),
        }
    }

    /// The text from `start` (past a byte order mark), or the bytes from `start` when they
    /// are not UTF-8 (a copy for a mapped file).
    pub fn into_text_from(self, start: usize) -> Result<FileText, Vec<u8>> {
        match self {
            FileBytes::Read(_) => String::from_utf8(self.into_vec_from(start))
                .map(FileText::Owned)
                .map_err(std::string::FromUtf8Error::into_bytes),
            FileBytes::Mapped(m) => {
                let boundary = m
                    .map
                    .get(..start)
                    .is_some_and(|b| std::str::from_utf8(b).is_ok());
                if m.utf8 && boundary {
                    Ok(FileText::Mapped(m.map, start))
                } else {
                    Err(FileBytes::Mapped(m).into_vec_from(start))
                }
            }
        }
    }
}

/// A document's text, kept to turn JSON pointers into line:column: an owned string, or a mapped
/// file from `start` (past a byte order mark), only ever made of a mapping checked to be UTF-8
/// ([`FileBytes::into_text_from`]).
pub enum FileText {
    Owned(String),
    Mapped(memmap2::Mmap, usize),
}

impl std::fmt::Debug for FileText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileText({} bytes)", self.len())
    }
}

impl FileText {
    #[allow(unsafe_code)]
    pub fn as_str(&self) -> &str {
        match self {
            FileText::Owned(s) => s,
            // SAFETY: the whole mapping was checked to be UTF-8 (`map_file`) and `start` is at
            // a character boundary (`into_text_from`), so the slice is UTF-8 — as long as no
            // other process changes the mapped file, the assumption `map_file` documents.
            FileText::Mapped(m, start) => unsafe {
                std::str::from_utf8_unchecked(m.get(*start..).unwrap_or_default())
            },
        }
    }

    /// Tells that the text before byte `offset` of [`as_str`](Self::as_str) will not be read
    /// again soon: a small mapped file gives its pages back (read again from the file, unchanged,
    /// should they be needed after all); anything else keeps them.
    pub fn release_before(&self, offset: usize) {
        if let FileText::Mapped(m, start) = self
            && (m.len() as u64) < RELEASE_BELOW
        {
            release(m, 0, (start + offset).min(m.len()) & !(PAGE - 1));
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.as_str().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text as an owned buffer (a copy only for a mapped file).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            FileText::Owned(s) => s.into_bytes(),
            FileText::Mapped(m, start) => m.get(start..).unwrap_or_default().to_vec(),
        }
    }
}

/// Like [`read_bytes`], but a regular file of at least 64 KiB is mapped instead of copied:
/// reading 20 MiB into a fresh buffer costs more than checking it (page faults and the copy),
/// and a small mapped file can give back the pages already read.
pub fn map_or_read(path: &Path, limits: Limits) -> Result<FileBytes, InputError> {
    let name = display_path(path);
    let meta = fs::metadata(path).map_err(|e| io_error(&name, &e))?;
    if meta.is_file() && meta.len() >= MAP_AT_LEAST && meta.len() <= limits.max_bytes {
        let file = fs::File::open(path).map_err(|e| io_error(&name, &e))?;
        if let Some(mapped) = map_file(&file, &meta) {
            // Large, so not empty; all-whitespace is still possible.
            check_not_blank(&name, &mapped.map)?;
            return Ok(FileBytes::Mapped(mapped));
        }
    }
    read_bytes(path, limits).map(FileBytes::Read)
}

/// Regular files at least this large are mapped by [`map_or_read`].
const MAP_AT_LEAST: u64 = 64 << 10;

/// Mapped files smaller than this are checked in chunks, each chunk's pages given back once
/// checked, and give back the pages a reader is done with ([`FileText::release_before`]). For
/// such files the fixed footprint of the process is what weighs, and holding the whole file
/// resident would double the text's share of the peak memory. Larger files keep their pages:
/// loading each page twice would cost time that weighs more there.
const RELEASE_BELOW: u64 = 4 << 20;

/// How much of a small mapped file is loaded and checked at a time.
const CHECK_CHUNK: usize = 256 << 10;

/// Page size assumed when rounding a release down; a larger real page only releases less
/// (`madvise` rounds the start down, and a page given back too early is read again from the
/// file, unchanged).
const PAGE: usize = 4096;

/// The file mapped read-only, its pages loaded and its UTF-8 checked: a small file one chunk at
/// a time, giving each chunk's pages back once checked; a large one by two threads, each taking
/// one half; `None` if mapping fails or the length changed since `meta` was taken (the
/// caller then reads it the ordinary way).
#[allow(unsafe_code)]
fn map_file(file: &fs::File, meta: &fs::Metadata) -> Option<MappedFile> {
    // SAFETY: the mapping is read-only and private to this process, but another process could
    // still change or truncate the file while it is mapped (the compiler then assumes bytes that
    // can change under it, or the process gets SIGBUS and dies with a signal, never exit 0).
    // This is the trade ripgrep makes for the same gain; a release gate reads evidence that
    // has stopped changing, and every other input is read into memory.
    let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
    if map.len() as u64 != meta.len() {
        return None;
    }
    if (map.len() as u64) < RELEASE_BELOW {
        let utf8 = check_releasing(&map);
        return Some(MappedFile { map, utf8 });
    }
    // Split at a character boundary: both halves UTF-8 ⇔ the whole is (a continuation byte
    // cannot start a valid half, an unfinished sequence cannot end one).
    let mut mid = map.len() / 2;
    while mid < map.len() && (map[mid] & 0xC0) == 0x80 && mid < map.len() / 2 + 3 {
        mid += 1;
    }
    let check = |from: usize, to: usize| {
        populate(&map, from, to - from);
        simdutf8::basic::from_utf8(&map[from..to]).is_ok()
    };
    let utf8 = std::thread::scope(|s| {
        let second = s.spawn(|| check(mid, map.len()));
        let first = check(0, mid);
        // A panic cannot happen here; should the thread not report, the text is not trusted.
        first && second.join().unwrap_or(false)
    });
    Some(MappedFile { map, utf8 })
}

/// Whether a small mapping is UTF-8, checked one chunk at a time, each chunk's pages given back
/// once checked: only a chunk is ever resident for the check.
fn check_releasing(map: &memmap2::Mmap) -> bool {
    let mut from = 0;
    while from < map.len() {
        let to = (from + CHECK_CHUNK).min(map.len());
        populate(map, from, to - from);
        let next = match simdutf8::compat::from_utf8(&map[from..to]) {
            Ok(_) => to,
            // A character cut by the chunk's end is checked with the next chunk.
            Err(e) if e.error_len().is_none() && to < map.len() && e.valid_up_to() > 0 => {
                from + e.valid_up_to()
            }
            Err(_) => return false,
        };
        release(map, from & !(PAGE - 1), next & !(PAGE - 1));
        from = next;
    }
    true
}

/// Loads the pages of `map[from..from + len]` at once: faster than faulting them in one at a
/// time. Only advice (Linux's `MADV_POPULATE_READ`), so a failure, or another system, changes
/// nothing.
fn populate(map: &memmap2::Mmap, from: usize, len: usize) {
    #[cfg(target_os = "linux")]
    let _ = map.advise_range(memmap2::Advice::PopulateRead, from, len);
    #[cfg(not(target_os = "linux"))]
    let _ = (map, from, len);
}

/// Gives back the resident pages of `map[from..to]` (both page-aligned); on Linux only, where
/// `MADV_DONTNEED` on a private file mapping is known to drop the pages and nothing else.
#[cfg(not(target_os = "linux"))]
fn release(_map: &memmap2::Mmap, _from: usize, _to: usize) {}

/// Gives back the resident pages of `map[from..to]` (both page-aligned).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn release(map: &memmap2::Mmap, from: usize, to: usize) {
    if to > from {
        // SAFETY: the mapping is private, read-only and never written, so dropping its pages
        // only means the next access reads them again from the file: the bytes seen are the
        // same as before (the one assumption `map_file` documents: no other process changes
        // the file). It is only advice: a failure changes nothing.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
        };
    }
}

/// Regular files at least this large are read by two threads, each filling half the buffer
/// (the copying and the page faults of a fresh buffer dominate reading a cached file).
const READ_IN_HALVES: u64 = 4 << 20;

/// A large regular file read in two halves at once; `None` when the file is small, not regular,
/// or anything unexpected happens (an error, a changed size): the caller then reads it the
/// ordinary way, which also reports any error. The file's cursor is not moved.
#[cfg(unix)]
fn read_halves(file: &fs::File, meta: &fs::Metadata) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    if !meta.is_file() || meta.len() < READ_IN_HALVES {
        return None;
    }
    let len = usize::try_from(meta.len()).ok()?;
    let mut buf = vec![0u8; len];
    let (first, second) = buf.split_at_mut(len / 2);
    let ok = std::thread::scope(|s| {
        let other = s.spawn(|| file.read_exact_at(second, (len / 2) as u64).is_ok());
        let mine = file.read_exact_at(first, 0).is_ok();
        mine && other.join().unwrap_or(false)
    });
    // The file must end there: a further byte means it grew while being read.
    let mut probe = [0u8; 1];
    (ok && file.read_at(&mut probe, meta.len()).ok()? == 0).then_some(buf)
}

#[cfg(not(unix))]
fn read_halves(_file: &fs::File, _meta: &fs::Metadata) -> Option<Vec<u8>> {
    None
}

/// Read a file as UTF-8 text (a leading BOM is dropped), classifying binary content.
pub fn read_text(path: &Path, limits: Limits) -> Result<String, InputError> {
    let bytes = read_bytes(path, limits)?;
    bytes_to_text(&display_path(path), bytes)
}

pub fn bytes_to_text(name: &str, mut bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if looks_binary(&bytes) {
        return Err(binary(name));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, col) = line_col_at(e.as_bytes(), offset);
        InputError::new(
            &diags::INPUT_BINARY,
            Location::file(name).with_line_col(line, col),
            "file is not valid UTF-8 text",
            "SBOMs and evidence files must be UTF-8; re-export the file or convert it with iconv",
        )
    })
}

pub fn binary(name: &str) -> InputError {
    InputError::new(
        &diags::INPUT_BINARY,
        Location::file(name),
        "file is binary, not text",
        "pass the JSON/YAML/text document, not an archive or executable",
    )
}

/// NUL bytes in the first 8 KiB mean binary, the same heuristic git and ripgrep use.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col_at(bytes: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line as u32, col as u32)
}

/// The finding for an input above the size limit.
pub fn too_large(name: &str, size: u64, limits: Limits) -> InputError {
    InputError::new(
        &diags::INPUT_TOO_LARGE,
        Location::file(name),
        format!(
            "file is {} bytes, above the input limit of {} bytes",
            size, limits.max_bytes
        ),
        "raise the limit with --max-input-size (or TOLLGATE_MAX_INPUT_SIZE) if the file is expected to be this large",
    )
}

pub fn io_error(name: &str, e: &std::io::Error) -> InputError {
    let loc = Location::file(name);
    match e.kind() {
        std::io::ErrorKind::NotFound => InputError::new(
            &diags::INPUT_NOT_FOUND,
            loc,
            "no such file",
            "check the path; relative paths are resolved from the current directory",
        ),
        std::io::ErrorKind::PermissionDenied => InputError::new(
            &diags::INPUT_IO,
            loc,
            "permission denied",
            "make the file readable by the user running tollgate",
        ),
        _ => InputError::new(
            &diags::INPUT_IO,
            loc,
            format!("cannot read file: {e}"),
            "check that the path is a readable regular file",
        ),
    }
}

/// The non-empty lines of `text` with their 0-based indexes, when `text` (which did not parse
/// as one JSON document) is JSON Lines: at least two documents, the first of which parses.
/// `None` means the text should be reported as the JSON error it is.
pub fn json_lines(text: &str) -> Option<Vec<(usize, &str)>> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    (lines.len() >= 2 && serde_json::from_str::<serde::de::IgnoredAny>(lines[0].1).is_ok())
        .then_some(lines)
}

/// A regex error on one line: the reason, and the character (1-based) where the pattern went
/// wrong when the regex crate says (`unclosed group at character 1`). The crate's own message
/// spans four lines (the pattern, a caret, the reason).
pub fn regex_error(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let Some(reason) = lines.iter().rev().find_map(|l| l.strip_prefix("error: ")) else {
        // Not a syntax error (the compiled regex is too big…): already one line.
        return lines.join(" ").trim_end_matches('.').to_string();
    };
    // A one-line pattern is echoed indented by four spaces, then a caret line under it.
    let caret = (!pattern.contains('\n'))
        .then(|| lines.iter().find(|l| l.trim_start().starts_with('^')))
        .flatten()
        .and_then(|l| l.find('^'))
        .filter(|&at| at >= 4);
    match caret {
        Some(at) => format!("{reason} at character {}", at - 4 + 1),
        None => reason.to_string(),
    }
}

/// A JSON document that holds a key twice in one object is refused: readers disagree on which
/// member counts (serde_json keeps the last, others the first), so a document could say one
/// thing to one tool and another to the next. `text` must already have parsed.
pub fn check_duplicate_keys(name: &str, text: &str) -> Result<(), InputError> {
    match crate::jsonpos::duplicate_key(text) {
        None => Ok(()),
        Some(d) => Err(duplicate_key_error(name, text, &d)),
    }
}

pub fn duplicate_key_error(name: &str, text: &str, d: &crate::jsonpos::DuplicateKey) -> InputError {
    let (line, col) = line_col_at(text.as_bytes(), d.second);
    let (first_line, first_col) = line_col_at(text.as_bytes(), d.first);
    let object = if d.pointer.is_empty() {
        "the top-level object".to_string()
    } else {
        format!("the object at {}", d.pointer)
    };
    InputError::new(
        &diags::INPUT_MALFORMED,
        Location::file(name)
            .with_pointer(d.pointer.clone())
            .with_line_col(line, col),
        format!(
            "duplicate key {:?} in {object} (first at {first_line}:{first_col})",
            d.key
        ),
        "remove or rename one of the two members; tools disagree on which of them counts, so the document is refused",
    )
}

/// Turn a serde_json error into an input error at its line:column. `text` is the document (or
/// at least every line up to the error), so the column can be counted in characters.
pub fn json_error(name: &str, text: &str, e: &serde_json::Error) -> InputError {
    json_error_in(name, text.as_bytes(), e)
}

/// [`json_error`] for a document that may not be valid UTF-8.
pub fn json_error_in(name: &str, bytes: &[u8], e: &serde_json::Error) -> InputError {
    let line = e.line().max(1);
    // serde_json counts the column in bytes; people (and editors) count characters.
    let col = char_column(bytes, line, e.column());
    let loc = Location::file(name).with_line_col(line as u32, col.max(1) as u32);
    let prefix = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let text = prefix.as_ref();
    let msg = e.to_string();
    // serde_json appends " at line X column Y"; the location already says it.
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_string();
    if e.is_eof() {
        return InputError::new(
            &diags::INPUT_MALFORMED,
            loc,
            format!("truncated JSON: {msg}"),
            "the file ends in the middle of a value; it was probably cut off while being written or downloaded",
        );
    }
    let first = text.trim_start().chars().next();
    let hint = if looks_like_yaml(text) && first != Some('{') && first != Some('[') {
        "this looks like YAML; JSON was expected here (convert it, or use a format that accepts YAML)"
    } else {
        "fix the JSON syntax at this position (a validator such as `jq . FILE` shows the same error)"
    };
    InputError::new(
        &diags::INPUT_MALFORMED,
        loc,
        format!("malformed JSON: {msg}"),
        hint,
    )
}

/// The column (in characters, 1-based) of a serde_json error in `text`.
pub fn json_column(text: &str, e: &serde_json::Error) -> u32 {
    char_column(text.as_bytes(), e.line().max(1), e.column()).max(1) as u32
}

/// The column, in characters, of the `byte_col`-th byte of 1-based line `line` (the byte
/// itself counted, as serde_json counts it). Unchanged when the line is not in `bytes`.
fn char_column(bytes: &[u8], line: usize, byte_col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(n) => start += n + 1,
            None => return byte_col,
        }
    }
    let end = (start + byte_col).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..end]).chars().count() + (start + byte_col - end)
}

/// Cheap YAML sniff: a `key: value` or `- item` line near the top, or a `---` document start.
pub fn looks_like_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| {
            l == "---"
                || l.starts_with("- ")
                || l.split_once(':').is_some_and(|(k, _)| {
                    !k.is_empty()
                        && k.chars().all(|c| {
                            c.is_alphanumeric()
                                || matches!(c, '_' | '-' | '"' | '\'' | '.' | '$' | '@')
                        })
                })
        })
}

/// Parse an RFC 3339 time strictly: `YYYY-MM-DDTHH:MM:SS`, optional fraction, and an offset (`Z`
/// or `±HH:MM` with hours below 24). jiff alone is more lenient (a space for `T`, hour-only
/// times, offsets up to 25:59), which must not turn a typo into a different instant.
pub fn parse_rfc3339(s: &str) -> Result<jiff::Timestamp, String> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape_ok = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape_ok {
        return Err("expected YYYY-MM-DDTHH:MM:SS with an offset (Z or ±HH:MM)".into());
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err("a decimal point needs digits after it".into());
        }
    }
    let offset_ok = match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let (h, m) = ([*h1, *h2], [*m1, *m2]);
            h.iter().chain(&m).all(u8::is_ascii_digit)
                && (h[0] - b'0') * 10 + (h[1] - b'0') < 24
                && (m[0] - b'0') * 10 + (m[1] - b'0') < 60
        }
        _ => false,
    };
    if !offset_ok {
        return Err("the offset must be Z or ±HH:MM (hours 00-23)".into());
    }
    s.parse::<jiff::Timestamp>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn regex_errors_are_one_line() {
        let one_line = |p: &str| regex_error(p, &regex::Regex::new(p).unwrap_err());
        assert_eq!(one_line("("), "unclosed group at character 1");
        let m = one_line("ab[z-a]");
        assert!(m.ends_with("at character 4") && !m.contains('\n'), "{m}");
        // A pattern over several lines: the reason only.
        assert_eq!(one_line("a\n("), "unclosed group");
        let e = regex::RegexBuilder::new("a{1000}{1000}")
            .size_limit(1000)
            .build()
            .unwrap_err();
        let m = regex_error("a{1000}{1000}", &e);
        assert!(m.contains("size limit") && !m.contains('\n'), "{m}");
    }

    use super::*;

    #[test]
    fn rfc3339_is_strict() {
        for ok in [
            "2026-01-31T12:00:00Z",
            "2026-01-31t12:00:00z",
            "2026-01-31T12:00:00.123Z",
            "2026-01-31T12:00:00+23:59",
            "2026-01-31T12:00:00-05:00",
        ] {
            assert!(parse_rfc3339(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2026-01-31 12:00:00Z",
            "2026-01-31T12:00:00",
            "2026-01-31T12:00Z",
            "2026-01-31T12Z",
            "2026-01-31T12:00:00+25:00",
            "2026-01-31T12:00:00+0100",
            "2026-01-31T12:00:00.Z",
            "2026-01-31",
            "",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn small_mapped_files_are_checked_in_chunks_and_give_pages_back() {
        let dir = tempfile::tempdir().unwrap();
        // Two-, three- and four-byte characters, so that chunk ends cut characters.
        let unit = "aé€𝄞";
        let text: String = unit.repeat((CHECK_CHUNK * 3 + 1234) / unit.len());
        assert!((text.len() as u64) < RELEASE_BELOW && (text.len() as u64) >= MAP_AT_LEAST);
        let path = dir.path().join("small.json");
        fs::write(&path, &text).unwrap();
        let bytes = map_or_read(&path, Limits::default()).unwrap();
        assert!(matches!(bytes, FileBytes::Mapped(_)));
        let mapped = bytes.into_text_from(0).unwrap();
        // Given back (partly, then all): the text reads the same.
        mapped.release_before(CHECK_CHUNK + 5);
        assert_eq!(mapped.as_str(), text);
        mapped.release_before(mapped.len());
        assert_eq!(mapped.as_str(), text);
        // Not UTF-8 in the last chunk, and a character cut at the very end.
        for tail in [&b"\xff"[..], "€".as_bytes().split_at(2).0] {
            let mut bad = text.clone().into_bytes();
            bad.extend_from_slice(tail);
            fs::write(&path, &bad).unwrap();
            let bytes = map_or_read(&path, Limits::default()).unwrap();
            assert!(matches!(bytes, FileBytes::Mapped(_)));
            assert_eq!(bytes.into_text_from(0).unwrap_err(), bad);
        }
    }

    /// Large files are read in two halves; the bytes are the file's, odd lengths included.
    #[test]
    fn large_files_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for len in [READ_IN_HALVES as usize, READ_IN_HALVES as usize + 12_345] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let path = dir.path().join(format!("big{len}"));
            fs::write(&path, &data).unwrap();
            assert!(
                read_bytes(&path, Limits::default()).unwrap() == data,
                "{len}"
            );
        }
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512MiB").unwrap(), 512 * 1024 * 1024);
        assert_eq!(parse_size("10").unwrap(), 10);
        assert_eq!(parse_size("2GB").unwrap(), 2_000_000_000);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5XB").is_err());
        assert_eq!(parse_size("1.5KiB").unwrap(), 1536);
        // The largest size is u64::MAX bytes; anything larger is an error, not a wrap-around
        // or a silent saturation.
        assert_eq!(parse_size("18446744073709551615").unwrap(), u64::MAX);
        for big in [
            "18446744073709551616",
            "17179869184GiB",
            "18446744073.8GB",
            "99999999999999999999999",
        ] {
            let e = parse_size(big).unwrap_err();
            assert!(e.contains("larger than"), "{big}: {e}");
        }
        assert_eq!(parse_size("17179869183GiB").unwrap(), 17179869183 << 30);
    }

    /// The largest limit reads files normally (limit + 1 must not wrap to 0).
    #[test]
    fn the_largest_limit_reads_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        fs::write(&path, "{}").unwrap();
        let limits = Limits {
            max_bytes: u64::MAX,
        };
        assert_eq!(read_bytes(&path, limits).unwrap(), b"{}");
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\nçd\n".as_bytes();
        assert_eq!(line_col_at(t, 0), (1, 1));
        assert_eq!(line_col_at(t, 3), (2, 1));
        assert_eq!(line_col_at(t, 5), (2, 2));
    }

    /// serde_json counts columns in bytes; locations count characters, on any line.
    #[test]
    fn json_error_columns_count_characters() {
        for (text, want) in [
            ("{\"é\": 1,,}", (1, 9)),
            ("{\n  \"😀😀\": tru}", (2, 12)),
            ("[\"ab\"\n", (2, 0)),
        ] {
            let e = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            let err = json_error("t.json", text, &e);
            let want = (Some(want.0), Some(want.1.max(1)));
            assert_eq!((err.location.line, err.location.column), want, "{text:?}");
        }
    }

    #[test]
    fn yaml_sniffing() {
        assert!(looks_like_yaml("spdxVersion: SPDX-2.3\n"));
        assert!(looks_like_yaml("---\nfoo: 1"));
        assert!(!looks_like_yaml("{\"a\": 1}"));
        assert!(!looks_like_yaml("garbage text here"));
    }
}
