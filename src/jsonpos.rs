//! Map JSON pointers to line:column in the original text, in one pass over the bytes.
//!
//! Validators report positions as JSON pointers into the parsed value; people need line:column.
//! Re-parsing with a position-aware parser for every finding would be slow on large SBOMs, so
//! this scanner walks the text once and records the start of every requested pointer.

use std::collections::{HashMap, HashSet};

/// Find the 1-based (line, column) where the value at each pointer starts.
/// Pointers that do not exist in the text are absent from the result.
pub fn locate(text: &str, pointers: &[&str]) -> HashMap<String, (u32, u32)> {
    let wanted: HashSet<&str> = pointers.iter().copied().collect();
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return found;
    }
    // Prefixes of wanted pointers: subtrees nobody asked about are skipped cheaply.
    let mut prefixes: HashSet<String> = HashSet::new();
    for p in &wanted {
        let mut acc = String::new();
        prefixes.insert(String::new());
        for seg in p.split('/').skip(1) {
            acc.push('/');
            acc.push_str(seg);
            prefixes.insert(acc.clone());
        }
    }
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        text,
    };
    s.skip_ws();
    let mut path = String::new();
    s.value(&mut path, &wanted, &prefixes, &mut found);
    found
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
}

impl Scanner<'_> {
    fn pos(&self) -> (u32, u32) {
        let col = self
            .text
            .get(self.line_start..self.i)
            .map_or(1, |s| s.chars().count() + 1);
        (self.line, col as u32)
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                b' ' | b'\t' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    fn value(
        &mut self,
        path: &mut String,
        wanted: &HashSet<&str>,
        prefixes: &HashSet<String>,
        found: &mut HashMap<String, (u32, u32)>,
    ) {
        if wanted.contains(path.as_str()) {
            found.insert(path.clone(), self.pos());
        }
        let interesting = prefixes.contains(path.as_str());
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                loop {
                    self.skip_ws();
                    match self.b.get(self.i) {
                        Some(b'}') => {
                            self.i += 1;
                            return;
                        }
                        Some(b',') => {
                            self.i += 1;
                            continue;
                        }
                        Some(b'"') => {
                            let key = self.string();
                            self.skip_ws();
                            if self.b.get(self.i) == Some(&b':') {
                                self.i += 1;
                            }
                            self.skip_ws();
                            if interesting {
                                let len = path.len();
                                path.push('/');
                                path.push_str(&escape(&key));
                                self.value(path, wanted, prefixes, found);
                                path.truncate(len);
                            } else {
                                self.skip_value();
                            }
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut idx = 0usize;
                loop {
                    self.skip_ws();
                    match self.b.get(self.i) {
                        Some(b']') => {
                            self.i += 1;
                            return;
                        }
                        Some(b',') => {
                            self.i += 1;
                            continue;
                        }
                        None => return,
                        _ => {
                            if interesting {
                                let len = path.len();
                                path.push('/');
                                path.push_str(&idx.to_string());
                                self.value(path, wanted, prefixes, found);
                                path.truncate(len);
                            } else {
                                self.skip_value();
                            }
                            idx += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&c) = self.b.get(self.i) {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
            }
            None => {}
        }
    }

    /// Skip a value without building paths; tracks newlines for positions.
    fn skip_value(&mut self) {
        match self.b.get(self.i) {
            Some(b'"') => self.skip_string(),
            Some(b'{') | Some(b'[') => {
                let mut depth = 0usize;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b'"' => {
                            self.skip_string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return;
                            }
                        }
                        b'\n' => {
                            self.line += 1;
                            self.line_start = self.i + 1;
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while let Some(&c) = self.b.get(self.i) {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
    }

    fn skip_string(&mut self) {
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    fn string(&mut self) -> String {
        let start = self.i;
        self.skip_string();
        let raw = &self.text[start..self.i.min(self.b.len())];
        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.trim_matches('"').to_string())
    }
}

/// A key that occurs twice in one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// JSON pointer of the object holding both members (`""` for the top level).
    pub pointer: String,
    /// Byte offsets of the opening quotes of the first and the second occurrence.
    pub first: usize,
    pub second: usize,
}

/// Members of one object compared pairwise; above this many, a hash map takes over.
const LINEAR_KEYS: usize = 16;

/// The first key (in document order of the second occurrence) that an object of `text` holds
/// twice. `text` is expected to be well-formed JSON (it has parsed); on anything else the
/// result is `None` or meaningless, never a panic. One pass; keys are compared after
/// unescaping (`"a"` and `"\u0061"` are the same key).
pub fn duplicate_key(text: &str) -> Option<DuplicateKey> {
    use std::borrow::Cow;
    struct Frame<'t> {
        object: bool,
        /// Where this object's keys start in `keys`.
        keys_start: usize,
        /// Elements of an array before the current one.
        index: usize,
        /// Key → offset, once the object has more than [`LINEAR_KEYS`] members.
        set: Option<HashMap<Cow<'t, str>, usize>>,
    }
    let b = text.as_bytes();
    // The keys of the objects being read (outer ones first) and their offsets.
    let mut keys: Vec<(Cow<'_, str>, usize)> = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' | b'[' => {
                stack.push(Frame {
                    object: c == b'{',
                    keys_start: keys.len(),
                    index: 0,
                    set: None,
                });
                expect_key = c == b'{';
                i += 1;
            }
            b'}' | b']' => {
                if let Some(f) = stack.pop() {
                    keys.truncate(f.keys_start);
                }
                expect_key = false;
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(f) if f.object => expect_key = true,
                    Some(f) => f.index += 1,
                    None => {}
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                let mut j = i + 1;
                loop {
                    j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
                    if b[j] == b'"' {
                        j += 1;
                        break;
                    }
                    j += 2;
                }
                i = j;
                if !expect_key {
                    continue;
                }
                expect_key = false;
                let frame = stack.last_mut()?;
                let raw = text.get(start + 1..j - 1)?;
                let key: Cow<'_, str> = if raw.contains('\\') {
                    Cow::Owned(serde_json::from_str::<String>(&text[start..j]).ok()?)
                } else {
                    Cow::Borrowed(raw)
                };
                let mine = &keys[frame.keys_start..];
                let first = if mine.len() < LINEAR_KEYS {
                    mine.iter().find(|(k, _)| *k == key).map(|(_, at)| *at)
                } else {
                    frame
                        .set
                        .get_or_insert_with(|| mine.iter().cloned().collect())
                        .insert(key.clone(), start)
                };
                if let Some(first) = first {
                    let mut pointer = String::new();
                    for (k, f) in stack.iter().enumerate().take(stack.len() - 1) {
                        pointer.push('/');
                        if f.object {
                            pointer.push_str(&escape(&keys[stack[k + 1].keys_start - 1].0));
                        } else {
                            pointer.push_str(&f.index.to_string());
                        }
                    }
                    return Some(DuplicateKey {
                        key: key.into_owned(),
                        pointer,
                        first,
                        second: start,
                    });
                }
                keys.push((key, start));
            }
            _ => i += 1,
        }
    }
    None
}

/// RFC 6901 escaping of one reference token.
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_pointers() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": {\"e\": true}\n}";
        let got = locate(text, &["/a/1/b", "/c~1d/e", "/a/0", "", "/missing"]);
        assert_eq!(got["/a/1/b"], (2, 18));
        assert_eq!(got["/c~1d/e"], (3, 16));
        assert_eq!(got["/a/0"], (2, 9));
        assert_eq!(got[""], (1, 1));
        assert!(!got.contains_key("/missing"));
    }

    #[test]
    fn skips_uninteresting_subtrees_with_strings_and_newlines() {
        let text = "{\"skip\": {\"s\": \"}]\\\"\", \"n\": [\n1,\n2]},\n\"k\": 5}";
        let got = locate(text, &["/k"]);
        assert_eq!(got["/k"], (4, 6));
    }

    #[test]
    fn finds_duplicate_keys_with_the_object_pointer() {
        let text = r#"{"a": [1, {"b": {"x": "{\"y\":1}", "y": 2}}, {"c": 1, "c": 2}], "d": 3}"#;
        let d = duplicate_key(text).unwrap();
        assert_eq!(d.key, "c");
        assert_eq!(d.pointer, "/a/2");
        assert_eq!(&text[d.first..d.first + 3], "\"c\"");
        assert!(d.second > d.first && &text[d.second..d.second + 3] == "\"c\"");
        // At the top level, and after unescaping.
        let d = duplicate_key(r#"{"k": 1, "s~/": {}, "\u006b": 2}"#).unwrap();
        assert_eq!((d.key.as_str(), d.pointer.as_str()), ("k", ""));
        let d = duplicate_key(r#"{"s~/": {"z": 1, "z": 1}}"#).unwrap();
        assert_eq!(d.pointer, "/s~0~1");
        // The same key in sibling or nested objects is no duplicate.
        for ok in [
            r#"{"a": {"a": 1}, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#,
            r#"[{"k": 1}, {"k": 2}]"#,
            r#""just a string""#,
            r#"{"a\"b": 1, "a": 2, "b": "a"}"#,
        ] {
            assert_eq!(duplicate_key(ok), None, "{ok}");
        }
        // Big objects (compared through a hash map) too.
        let mut big: Vec<String> = (0..500).map(|i| format!(r#""k{i}": {i}"#)).collect();
        assert_eq!(duplicate_key(&format!("{{{}}}", big.join(","))), None);
        big.push(r#""k7": 0"#.to_string());
        let d = duplicate_key(&format!("{{{}}}", big.join(","))).unwrap();
        assert_eq!(d.key, "k7");
        // Malformed text never panics.
        for bad in [r#"{"a"#, r#"{"a\"#, "}}]]", r#"{"a": 1, "a"#, "{\"\\"] {
            let _ = duplicate_key(bad);
        }
    }
}
