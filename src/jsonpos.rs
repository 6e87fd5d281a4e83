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
}
