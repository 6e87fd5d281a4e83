//! Artifact lists for `tollgate repro compare --list-a/--list-b`: what another build produced,
//! as names and SHA-256 digests, when its files are not here.
//!
//! Two kinds of list are read, told apart by their first character (`{` is JSON):
//! - checksum files as `sha256sum`/`shasum -a 256` write them: `HEX  path` (text) or
//!   `HEX *path` (binary), the escaped form `\HEX  pa\\th`, and the BSD/`--tag` form
//!   `SHA256 (path) = HEX`; blank lines and `#` comments are skipped;
//! - in-toto statements (SLSA provenance and any other predicate): a bare statement, a DSSE
//!   envelope, a Sigstore bundle (`dsseEnvelope`) or `.intoto.jsonl` (one per line); every
//!   `subject` with a `sha256` digest is an artifact. Signatures are not checked here
//!   (`tollgate verify provenance` does that): only the subjects are read.
//!
//! Names are compared after removing leading `./`.

use crate::input::InputError;
use crate::report::Location;
use serde_json::Value;
use std::collections::BTreeMap;

/// Which kind of list a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sha256sum,
    InToto,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sha256sum => "sha256sum",
            Format::InToto => "in-toto",
        }
    }
}

/// An artifact list: name -> lowercase hex SHA-256, and the line each was listed on.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub format: Format,
    pub entries: BTreeMap<String, String>,
}

fn bad(name: &str, line: u32, column: u32, message: impl Into<String>, hint: &str) -> InputError {
    InputError::new(
        &super::diags::INVALID_LIST,
        Location::file(name).with_line_col(line, column),
        message,
        hint,
    )
}

const SUM_HINT: &str =
    "each line is `SHA256HEX  path` as sha256sum writes it (or `SHA256 (path) = HEX`)";

/// `./a/b` -> `a/b`.
pub fn normalise(name: &str) -> String {
    let mut n = name;
    while let Some(rest) = n.strip_prefix("./") {
        n = rest;
    }
    n.to_string()
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn digest_name(len: usize) -> Option<&'static str> {
    match len {
        32 => Some("MD5"),
        40 => Some("SHA-1"),
        56 => Some("SHA-224"),
        96 => Some("SHA-384"),
        128 => Some("SHA-512"),
        _ => None,
    }
}

/// Undo sha256sum's escaping of a name (`\\` and `\n`, `\r`), on lines that start with `\`.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Parse a list; every problem is an input error naming `name:line:column`.
pub fn parse(name: &str, text: &str) -> Result<List, InputError> {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('{') {
        parse_intoto(name, text)
    } else {
        parse_sums(name, text)
    }
}

fn insert(
    entries: &mut BTreeMap<String, (String, u32)>,
    file: &str,
    line: u32,
    artifact: String,
    sha: String,
) -> Result<(), InputError> {
    if artifact.is_empty() {
        return Err(bad(
            file,
            line,
            1,
            "an artifact without a name",
            "every entry names its artifact",
        ));
    }
    if let Some((prev, at)) = entries.get(&artifact) {
        if *prev != sha {
            return Err(bad(
                file,
                line,
                1,
                format!("{artifact} is listed again with another digest (first at line {at})"),
                "an artifact list names each artifact once",
            ));
        }
        return Ok(());
    }
    entries.insert(artifact, (sha, line));
    Ok(())
}

fn finish(
    name: &str,
    format: Format,
    entries: BTreeMap<String, (String, u32)>,
) -> Result<List, InputError> {
    if entries.is_empty() {
        return Err(InputError::new(
            &super::diags::INVALID_LIST,
            Location::file(name),
            match format {
                Format::Sha256sum => "lists no artifacts",
                Format::InToto => "has no subject with a sha256 digest",
            },
            "pass the list of the build's artifacts (sha256sum output or its provenance)",
        ));
    }
    Ok(List {
        format,
        entries: entries.into_iter().map(|(k, (v, _))| (k, v)).collect(),
    })
}

fn parse_sums(name: &str, text: &str) -> Result<List, InputError> {
    if text.contains('\0') {
        return Err(crate::input::binary(name));
    }
    let mut entries = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.trim_end_matches('\r');
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (escaped, body) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (artifact, hex) = if let Some(rest) = body.strip_prefix("SHA256 (") {
            // BSD / --tag form: SHA256 (path) = HEX
            let Some((path, hex)) = rest.rsplit_once(") = ") else {
                return Err(bad(
                    name,
                    line_no,
                    1,
                    "malformed `SHA256 (path) = HEX` line",
                    SUM_HINT,
                ));
            };
            (path.to_string(), hex.trim().to_string())
        } else if let Some((algo, _)) = body.split_once(" (").filter(|(a, _)| {
            !a.is_empty()
                && a.len() <= 10
                && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }) {
            return Err(bad(
                name,
                line_no,
                1,
                format!("a {algo} checksum line; only SHA-256 is compared"),
                "make the list with sha256sum (or shasum -a 256)",
            ));
        } else {
            let hex_len = body.bytes().take_while(u8::is_ascii_hexdigit).count();
            let (hex, rest) = body.split_at(hex_len);
            if hex.is_empty() {
                let word: String = body
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(70)
                    .collect();
                return Err(bad(
                    name,
                    line_no,
                    1,
                    format!("{word:?} is not a hex digest"),
                    SUM_HINT,
                ));
            }
            // After the digest: a space and ' ' (text) or '*' (binary), then the path.
            let path = match (rest.as_bytes().first(), rest.as_bytes().get(1)) {
                (Some(b' '), Some(b' ' | b'*')) => &rest[2..],
                (Some(b' '), None) | (None, _) => "",
                _ => {
                    return Err(bad(
                        name,
                        line_no,
                        hex_len as u32 + 1 + escaped as u32,
                        "expected two spaces (or ` *`) between the digest and the path",
                        SUM_HINT,
                    ));
                }
            };
            (path.to_string(), hex.to_string())
        };
        if !is_hex(&hex) || hex.len() != 64 {
            let what = if is_hex(&hex) {
                match digest_name(hex.len()) {
                    Some(d) => format!(
                        "a {d} digest ({} hex digits); only SHA-256 is compared",
                        hex.len()
                    ),
                    None => format!("a digest of {} hex digits, not 64 (SHA-256)", hex.len()),
                }
            } else {
                format!("{hex:?} is not a hex digest")
            };
            return Err(bad(
                name,
                line_no,
                1,
                what,
                "make the list with sha256sum (or shasum -a 256)",
            ));
        }
        let artifact = if escaped {
            unescape(&artifact).ok_or_else(|| {
                bad(
                    name,
                    line_no,
                    1,
                    "bad escape in the path (only \\\\, \\n and \\r)",
                    SUM_HINT,
                )
            })?
        } else {
            artifact
        };
        if artifact.is_empty() {
            return Err(bad(name, line_no, 1, "no path after the digest", SUM_HINT));
        }
        insert(
            &mut entries,
            name,
            line_no,
            normalise(&artifact),
            hex.to_ascii_lowercase(),
        )?;
    }
    finish(name, Format::Sha256sum, entries)
}

const INTOTO_HINT: &str = "pass an in-toto statement, DSSE envelope, .intoto.jsonl or Sigstore bundle whose subjects are the artifacts";

/// The in-toto statement a JSON document carries (bare, in a DSSE envelope or a bundle).
fn statement_of(name: &str, line: u32, doc: Value) -> Result<Value, InputError> {
    let env = doc
        .get("dsseEnvelope")
        .cloned()
        .or_else(|| doc.get("payload").is_some().then(|| doc.clone()));
    let Some(env) = env else {
        return Ok(doc);
    };
    let payload = env
        .get("payload")
        .and_then(Value::as_str)
        .and_then(crate::attest::dsse::decode_base64)
        .ok_or_else(|| bad(name, line, 1, "the DSSE payload is not base64", INTOTO_HINT))?;
    serde_json::from_slice(&payload).map_err(|e| {
        bad(
            name,
            line,
            1,
            format!("the DSSE payload is not JSON: {e}"),
            INTOTO_HINT,
        )
    })
}

fn parse_intoto(name: &str, text: &str) -> Result<List, InputError> {
    let docs: Vec<(u32, Value)> = match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![(1, v)],
        Err(whole) => {
            let Some(lines) = crate::input::json_lines(text) else {
                let mut e = crate::input::json_error(name, text, &whole);
                e.info = &super::diags::INVALID_LIST;
                return Err(e);
            };
            let mut out = Vec::new();
            for (i, l) in lines {
                let v = serde_json::from_str::<Value>(l).map_err(|e| {
                    bad(
                        name,
                        i as u32 + 1,
                        crate::input::json_column(l, &e),
                        format!("not JSON: {e}"),
                        INTOTO_HINT,
                    )
                })?;
                out.push((i as u32 + 1, v));
            }
            out
        }
    };
    let mut entries = BTreeMap::new();
    for (line, doc) in docs {
        let st = statement_of(name, line, doc)?;
        let Some(subjects) = st.get("subject").and_then(Value::as_array) else {
            return Err(bad(
                name,
                line,
                1,
                "not an in-toto statement: no subject array",
                INTOTO_HINT,
            ));
        };
        for (j, s) in subjects.iter().enumerate() {
            let artifact = s.get("name").and_then(Value::as_str).unwrap_or_default();
            let Some(sha) = s.pointer("/digest/sha256").and_then(Value::as_str) else {
                return Err(bad(
                    name,
                    line,
                    1,
                    format!("subject {j} ({artifact}) has no digest.sha256"),
                    "only SHA-256 digests are compared; generate the provenance with sha256 subjects",
                ));
            };
            if !is_hex(sha) || sha.len() != 64 {
                return Err(bad(
                    name,
                    line,
                    1,
                    format!("subject {j} ({artifact}): digest.sha256 {sha:?} is not 64 hex digits"),
                    INTOTO_HINT,
                ));
            }
            insert(
                &mut entries,
                name,
                line,
                normalise(artifact),
                sha.to_ascii_lowercase(),
            )?;
        }
    }
    finish(name, Format::InToto, entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const B: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[test]
    fn sha256sum_forms() {
        let text = format!(
            "# release 1\n{A}  ./dist/app.tgz\n{} *bin/tool\n\\{A}  we\\\\ird\\nname\nSHA256 (doc.pdf) = {B}\n\n",
            B.to_uppercase()
        );
        let l = parse("SUMS", &text).unwrap();
        assert_eq!(l.format, Format::Sha256sum);
        let got: Vec<(&str, &str)> = l
            .entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("bin/tool", B),
                ("dist/app.tgz", A),
                ("doc.pdf", B),
                ("we\\ird\nname", A)
            ]
        );
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let cases = [
            (
                format!("{A}  a\nnot a digest line\n"),
                2,
                "not a hex digest",
            ),
            (format!("{A}  a\n{}  b\n", &A[..40]), 2, "SHA-1"),
            (format!("{A}\tb\n"), 1, "two spaces"),
            (format!("MD5 (a) = {}\n", &A[..32]), 1, "only SHA-256"),
            (format!("{A}  a\n{B}  ./a\n"), 2, "first at line 1"),
            (format!("{A}  \n"), 1, "no path"),
            ("# nothing\n".to_string(), 0, "lists no artifacts"),
        ];
        for (text, line, msg) in cases {
            let e = parse("SUMS", &text).unwrap_err();
            assert_eq!(e.location.line, (line > 0).then_some(line), "{text}: {e}");
            assert!(e.one_line().contains(msg), "{text}: {e}");
            assert_eq!(e.info.code, "REP006");
        }
    }

    #[test]
    fn intoto_statements_envelopes_and_jsonl() {
        let st = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "./app.tgz", "digest": {"sha256": A}}, {"name": "lib.so", "digest": {"sha256": B, "sha512": "00"}}],
            "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}
        });
        let l = parse("p.json", &st.to_string()).unwrap();
        assert_eq!(l.format, Format::InToto);
        assert_eq!(l.entries["app.tgz"], A);
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD.encode(st.to_string());
        let env = serde_json::json!({"payloadType": "application/vnd.in-toto+json", "payload": payload, "signatures": []});
        let bundle = serde_json::json!({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "dsseEnvelope": env});
        assert_eq!(parse("e.json", &env.to_string()).unwrap(), l);
        let jsonl = format!("{}\n{}\n", bundle, env);
        assert_eq!(parse("m.intoto.jsonl", &jsonl).unwrap(), l);
        let no_sha = serde_json::json!({"subject": [{"name": "x", "digest": {"sha1": "00"}}]});
        let e = parse("p.json", &no_sha.to_string()).unwrap_err();
        assert!(e.one_line().contains("no digest.sha256"), "{e}");
        let e = parse("p.json", "{\"subject\": [}").unwrap_err();
        assert_eq!(e.info.code, "REP006");
        assert_eq!(e.location.line, Some(1));
        let e = parse("m.jsonl", &format!("{env}\n{{oops\n")).unwrap_err();
        assert_eq!(e.location.line, Some(2), "{e}");
    }
}
