//! A small, strict JSON reader for the large SBOM arrays: elements are parsed into [`Node`]s
//! that borrow their strings from the input (no allocation for strings without escapes), and
//! the rule code reads them through the [`Json`] trait, which `serde_json::Value` implements too.
//!
//! It accepts a subset of what `serde_json` accepts (anything unusual — an error, a duplicate
//! key, deep nesting — makes the caller fall back to the `serde_json` path), so every error
//! message and position still comes from the `serde_json` path (which refuses duplicate keys,
//! see `input::check_duplicate_keys`).

use serde_json::Value;
use std::borrow::Cow;

/// Read access to a JSON value, shared by `serde_json::Value` and [`Node`].
pub trait Json: Sized {
    /// Member `k` of an object.
    fn get(&self, k: &str) -> Option<&Self>;
    fn as_str(&self) -> Option<&str>;
    fn as_array(&self) -> Option<&[Self]>;
    fn is_object(&self) -> bool;
    /// The JSON type, as far as a schema's `type` keyword tells them apart.
    fn kind(&self) -> Kind;
    /// Call `f` for each member of an object, in order, until it returns `false`; returns
    /// whether every call returned `true` (`true` for non-objects).
    fn all_members(&self, f: &mut dyn FnMut(&str, &Self) -> bool) -> bool;
}

/// A JSON value's type. `Number` is any number not known to be an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl Json for Value {
    fn get(&self, k: &str) -> Option<&Self> {
        Value::get(self, k)
    }
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn as_array(&self) -> Option<&[Self]> {
        Value::as_array(self).map(Vec::as_slice)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => Kind::Integer,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
    fn all_members(&self, f: &mut dyn FnMut(&str, &Self) -> bool) -> bool {
        match self {
            Value::Object(m) => m.iter().all(|(k, v)| f(k, v)),
            _ => true,
        }
    }
}

/// A parsed JSON value borrowing from the input text. Arrays and objects are boxed slices, not
/// vectors, so a node is 24 bytes instead of 32: fewer bytes moved per element read.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    /// The number's literal text (valid JSON number syntax).
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Box<[Node<'a>]>),
    /// Members in document order; no key repeats (the reader refuses duplicate keys).
    Obj(Box<[(Cow<'a, str>, Node<'a>)]>),
}

impl Json for Node<'_> {
    fn get(&self, k: &str) -> Option<&Self> {
        match self {
            // The first bytes differ for most keys of the same length: no call to memcmp.
            Node::Obj(m) => m
                .iter()
                .rev()
                .find(|(key, _)| {
                    key.len() == k.len()
                        && key.as_bytes().first() == k.as_bytes().first()
                        && key == k
                })
                .map(|(_, v)| v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<&[Self]> {
        match self {
            Node::Arr(a) => Some(a),
            _ => None,
        }
    }
    fn is_object(&self) -> bool {
        matches!(self, Node::Obj(_))
    }
    fn kind(&self) -> Kind {
        match self {
            Node::Null => Kind::Null,
            Node::Bool(_) => Kind::Bool,
            Node::Num(n) if !n.contains(['.', 'e', 'E']) => Kind::Integer,
            Node::Num(_) => Kind::Number,
            Node::Str(_) => Kind::String,
            Node::Arr(_) => Kind::Array,
            Node::Obj(_) => Kind::Object,
        }
    }
    fn all_members(&self, f: &mut dyn FnMut(&str, &Self) -> bool) -> bool {
        match self {
            Node::Obj(m) => m.iter().all(|(k, v)| f(k, v)),
            _ => true,
        }
    }
}

impl Node<'_> {
    /// The same value as `serde_json` would build from the same text.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Num(n) => n
                .parse::<serde_json::Number>()
                .map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.to_string()),
            Node::Arr(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            Node::Obj(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// The input is not something this reader handles; use `serde_json` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported;

type R<T> = Result<T, Unsupported>;

/// Nesting deeper than this is left to `serde_json` (whose limit is 128).
const MAX_DEPTH: usize = 100;

/// Objects with up to this many members are checked for duplicate keys as they are read; larger
/// ones by sorting their keys once they are complete.
const MAX_PAIRWISE: usize = 32;

/// A bit standing for a key (its length and last byte): equal keys get the same bit.
#[inline]
fn key_bit(key: &str) -> u64 {
    let b = key.as_bytes();
    let last = b.last().copied().unwrap_or(0) as usize;
    1 << ((b.len().wrapping_mul(7) ^ last) & 63)
}

/// Whether two members share a key (for large objects: O(n log n)).
fn has_duplicate(members: &[(Cow<'_, str>, Node<'_>)]) -> bool {
    let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// Index of the first byte at or after `from` that ends a plain run inside a JSON string: a
/// quote, a backslash or a control character. Eight bytes at a time without SIMD intrinsics:
/// SBOM strings are mostly short, where `memchr` plus a separate control-character pass cost
/// more in set-up than the scan itself (a fifth of the reader's instructions on SPDX 20k).
#[inline]
fn string_stop(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_ne_bytes([0x20; 8]);
    let rest = b.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let q = x ^ QUOTES;
        let s = x ^ BACKSLASHES;
        // The high bit of each byte that is zero in `q` or `s` (a quote or backslash), or below
        // 0x20 in `x`. A borrow can only set bits above a byte that matched, so the lowest set
        // bit always marks the first stop.
        let hits = ((q.wrapping_sub(ONES) & !q)
            | (s.wrapping_sub(ONES) & !s)
            | (x.wrapping_sub(SPACES) & !x))
            & HIGH;
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| at + p)
}

/// A cursor over JSON text.
pub struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pub i: usize,
    /// Members and elements of the objects and arrays being read, moved into exactly sized
    /// vectors when each closes.
    members: Vec<(Cow<'a, str>, Node<'a>)>,
    items: Vec<Node<'a>>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            b: text.as_bytes(),
            i: 0,
            members: Vec::new(),
            items: Vec::new(),
        }
    }

    #[inline]
    pub fn skip_ws(&mut self) {
        if !matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            return;
        }
        // Indentation: eight spaces at a time.
        while let Some(chunk) = self.b.get(self.i + 1..self.i + 9) {
            if chunk != b"        " {
                break;
            }
            self.i += 8;
        }
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Consume `c` (after whitespace) or fail.
    #[inline]
    pub fn expect(&mut self, c: u8) -> R<()> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    /// Whitespace, then the end of the text.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.i == self.b.len()
    }

    /// Parse one value (leading whitespace allowed).
    pub fn value(&mut self) -> R<Node<'a>> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> R<Node<'a>> {
        self.skip_ws();
        match self.peek().ok_or(Unsupported)? {
            b'"' => Ok(Node::Str(self.string()?)),
            b'{' => {
                if depth >= MAX_DEPTH {
                    return Err(Unsupported);
                }
                self.i += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Node::Obj(Box::default()));
                }
                let start = self.members.len();
                // One bit per key hash: a key is compared with the others only when its bit is
                // already set, so the usual object costs no comparisons at all.
                let mut seen = 0u64;
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(Unsupported);
                    }
                    let key = self.string()?;
                    let n = self.members.len() - start;
                    if n < MAX_PAIRWISE {
                        let bit = key_bit(&key);
                        if seen & bit != 0 && self.members[start..].iter().any(|(k, _)| *k == key) {
                            return Err(Unsupported);
                        }
                        seen |= bit;
                    }
                    self.expect(b':')?;
                    let v = self.value_at(depth + 1)?;
                    self.members.push((key, v));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            if self.members.len() - start > MAX_PAIRWISE
                                && has_duplicate(&self.members[start..])
                            {
                                return Err(Unsupported);
                            }
                            return Ok(Node::Obj(self.members.drain(start..).collect()));
                        }
                        _ => return Err(Unsupported),
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(Unsupported);
                }
                self.i += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Node::Arr(Box::default()));
                }
                let start = self.items.len();
                loop {
                    let v = self.value_at(depth + 1)?;
                    self.items.push(v);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Node::Arr(self.items.drain(start..).collect()));
                        }
                        _ => return Err(Unsupported),
                    }
                }
            }
            b't' => self.literal(b"true", Node::Bool(true)),
            b'f' => self.literal(b"false", Node::Bool(false)),
            b'n' => self.literal(b"null", Node::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Unsupported),
        }
    }

    /// Parse `text`, which must hold exactly one value (whitespace around it allowed), reusing
    /// this reader's scratch space. `text` must come from the same input as the reader's.
    pub fn whole(&mut self, text: &'a str) -> R<Node<'a>> {
        self.text = text;
        self.b = text.as_bytes();
        self.i = 0;
        self.members.clear();
        self.items.clear();
        let v = self.value()?;
        if self.at_end() {
            Ok(v)
        } else {
            Err(Unsupported)
        }
    }

    /// The text of the value at the cursor (after whitespace), found without building it: only
    /// strings and brackets are followed, so a malformed value may give a wrong extent. Callers
    /// parse the slice with [`Reader::whole`] afterwards, which rejects anything malformed; for
    /// well-formed input the slice is exactly the value [`Reader::value`] would read.
    pub fn skip_value(&mut self) -> R<&'a str> {
        self.skip_ws();
        let start = self.i;
        let b = self.b;
        if !matches!(self.peek(), Some(b'{' | b'[')) {
            self.value()?;
            return Ok(&self.text[start..self.i]);
        }
        // In well-formed JSON the brackets of the other kind balance inside, so only this kind
        // (and strings) needs following.
        let open = b[start];
        let close = if open == b'{' { b'}' } else { b']' };
        let mut depth = 0usize;
        loop {
            let at =
                self.i + memchr::memchr3(b'"', open, close, &b[self.i..]).ok_or(Unsupported)?;
            match b.get(at) {
                Some(b'"') => {
                    // Skip the string: to the next unescaped quote.
                    let mut j = at + 1;
                    loop {
                        j += memchr::memchr2(b'"', b'\\', &b[j..]).ok_or(Unsupported)?;
                        if b[j] == b'"' {
                            break;
                        }
                        j += 2;
                        if j > b.len() {
                            return Err(Unsupported);
                        }
                    }
                    self.i = j + 1;
                }
                Some(&c) if c == open => {
                    depth += 1;
                    self.i = at + 1;
                }
                _ => {
                    depth = depth.checked_sub(1).ok_or(Unsupported)?;
                    self.i = at + 1;
                    if depth == 0 {
                        return Ok(&self.text[start..self.i]);
                    }
                }
            }
        }
    }

    fn literal(&mut self, word: &[u8], node: Node<'a>) -> R<Node<'a>> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(node)
        } else {
            Err(Unsupported)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> R<Node<'a>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Unsupported),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Unsupported);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Unsupported);
            }
        }
        let lit = &self.text[start..self.i];
        // Leave huge or odd numbers (overflow, precision) to serde_json.
        if lit.len() > 18 {
            return Err(Unsupported);
        }
        Ok(Node::Num(lit))
    }

    /// A string starting at the current `"`; borrowed unless it has escapes.
    fn string(&mut self) -> R<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        let b = self.b;
        let end = string_stop(b, start).ok_or(Unsupported)?;
        if b[end] < 0x20 {
            return Err(Unsupported);
        }
        self.i = end;
        if b[end] == b'"' {
            self.i += 1;
            return Ok(Cow::Borrowed(&self.text[start..end]));
        }
        // Escapes: unescape into an owned string.
        let mut out = String::from(&self.text[start..self.i]);
        loop {
            let c = *b.get(self.i).ok_or(Unsupported)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let e = *b.get(self.i + 1).ok_or(Unsupported)?;
                    self.i += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                if b.get(self.i) != Some(&b'\\') || b.get(self.i + 1) != Some(&b'u')
                                {
                                    return Err(Unsupported);
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(Unsupported);
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(ch.ok_or(Unsupported)?);
                        }
                        _ => return Err(Unsupported),
                    }
                }
                0..=0x1f => return Err(Unsupported),
                _ => {
                    // Copy the run up to the next quote, backslash or control character.
                    let run = self.i;
                    self.i = string_stop(b, run).ok_or(Unsupported)?;
                    out.push_str(&self.text[run..self.i]);
                }
            }
        }
    }

    fn hex4(&mut self) -> R<u32> {
        let h = self.b.get(self.i..self.i + 4).ok_or(Unsupported)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16).ok_or(Unsupported)?;
        }
        self.i += 4;
        Ok(v)
    }

    /// A top-level member key at the cursor (after whitespace).
    pub fn key(&mut self) -> R<Cow<'a, str>> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(Unsupported);
        }
        let k = self.string()?;
        self.expect(b':')?;
        Ok(k)
    }

    /// The text between two offsets.
    pub fn slice(&self, from: usize, to: usize) -> &'a str {
        &self.text[from..to]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_serde(text: &str) {
        let node = Reader::new(text).value().unwrap();
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(node.to_value(), v, "{text}");
    }

    #[test]
    fn string_stop_finds_the_first_quote_backslash_or_control_byte() {
        let naive = |b: &[u8], from: usize| {
            b[from..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map(|p| from + p)
        };
        // Every byte value at every offset of a 20-byte run, after every start, with the
        // bytes around it chosen to provoke borrows (0x00, 0x21, 0x22, 0x5c, 0x80, 0xff).
        let fillers = [b'a', 0x21, 0x23, 0x5b, 0x5d, 0x80, 0xc3, 0xff, 0x20, 0x7f];
        for filler in fillers {
            for at in 0..20 {
                for byte in 0..=255u8 {
                    let mut b = vec![filler; 20];
                    b[at] = byte;
                    if at + 1 < b.len() {
                        b[at + 1] = b'"';
                    }
                    for from in 0..b.len() {
                        assert_eq!(string_stop(&b, from), naive(&b, from), "{b:?} from {from}");
                    }
                }
            }
        }
        assert_eq!(string_stop(b"abc", 3), None);
        assert_eq!(string_stop(b"abc", 4), None);
    }

    #[test]
    fn parses_like_serde_json() {
        same_as_serde(
            r#"{"a": [1, -2.5e3, 0, true, false, null], "b": {"c": "x\"y\u00e9\ud83d\ude00\n"}}"#,
        );
        same_as_serde(r#"[]"#);
        same_as_serde(r#"{"k": "caf\u00e9 ü"}"#);
    }

    /// Duplicate keys are left to the `serde_json` path, which refuses them: in small objects,
    /// large ones, nested ones, and with escapes.
    #[test]
    fn duplicate_keys_are_unsupported() {
        let big = |extra: &str| {
            let mut m: Vec<String> = (0..100).map(|i| format!(r#""k{i}": {i}"#)).collect();
            m.push(extra.to_string());
            format!("{{{}}}", m.join(","))
        };
        for dup in [
            r#"{"a": 1, "b": 2, "a": 3}"#.to_string(),
            r#"[{"x": {"purl": "a", "name": "n", "purl": "b"}}]"#.to_string(),
            r#"{"ab": 1, "ab": 2}"#.to_string(),
            big(r#""k42": 0"#),
        ] {
            assert!(Reader::new(&dup).value().is_err(), "{dup}");
        }
        for ok in [
            r#"{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}], "ab": 1, "ba": 2, "": 3}"#.to_string(),
            big(r#""k100": 0"#),
        ] {
            same_as_serde(&ok);
        }
    }

    #[test]
    fn skipping_then_reading_a_value_is_reading_it() {
        let mut whole = Reader::new("");
        for text in [
            r#"{"a": [1, {"b": "}]{["}], "c": "\"}", "d": {}} , 1"#,
            r#"[[1, 2], {"x": [3]}, "]"]]"#,
            r#"  "str\\" ]"#,
            "-1.5e3,",
            "true ]",
            r#"{"k": "caf\u00e9 ü \\\""}"#,
        ] {
            let mut r = Reader::new(text);
            let slice = r.skip_value().unwrap();
            let mut v = Reader::new(text);
            let node = v.value().unwrap();
            assert_eq!(r.i, v.i, "{text}");
            assert_eq!(whole.whole(slice).unwrap(), node, "{text}");
        }
    }

    #[test]
    fn malformed_values_are_found_when_read_after_skipping() {
        let mut whole = Reader::new("");
        for bad in [
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
            r#"{"a" 1}"#,
            r#"{"a": "\x"}"#,
            "{\"a\": \"\u{1}\"}",
            r#"{"a": tru}"#,
            r#"{"a": 1} x"#,
        ] {
            let mut r = Reader::new(bad);
            if let Ok(slice) = r.skip_value() {
                assert!(whole.whole(slice).is_err() || !r.at_end(), "{bad}");
            }
        }
        for unterminated in [r#"{"a": "x}"#, r#"{"a": {"b": 1}"#, r#"["a\"]"#] {
            assert!(
                Reader::new(unterminated).skip_value().is_err(),
                "{unterminated}"
            );
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects_and_more() {
        for bad in [
            "{\"a\": 1,}",
            "[1,]",
            "{\"a\" 1}",
            "\"a\u{1}\"",
            "[01]",
            "1.",
            "-",
            "\"\\ud800\"",
            "\"\\x\"",
            "tru",
            "{",
        ] {
            assert!(Reader::new(bad).value().is_err(), "{bad}");
        }
    }
}
