//! Native answers for the string keywords the official schemas use most — `pattern`, and the
//! `date-time`, `iri-reference` and `idn-email` formats — so that typical documents never need
//! a `jsonschema` validator at all (building one runs a large part of that crate).
//!
//! Each check says [`Tri::Valid`] only for strings `jsonschema` certainly accepts; a `pattern`
//! within the [`translate`] subset also says [`Tri::Invalid`]. Anything else is
//! [`Tri::Unknown`], and the keyword goes to `jsonschema` as before. Tests compare every answer
//! with `jsonschema`'s.

use super::Tri;

/// A natively checked string keyword.
#[derive(Debug)]
pub(super) enum Native {
    DateTime,
    /// `uri`, `uri-reference`, `iri`, `iri-reference`: plain http(s) URLs.
    HttpUrl,
    /// `email`, `idn-email`: plain ASCII addresses.
    Email,
    Pattern {
        regex: regex::Regex,
        /// The pattern has a `.`, which ECMA-262 and Rust regexes read alike only on ASCII text
        /// without line breaks.
        dot: bool,
    },
}

impl Native {
    /// The native check for keyword `key` with value `value`, if there is one.
    pub(super) fn for_keyword(key: &str, value: &serde_json::Value) -> Option<Native> {
        let v = value.as_str()?;
        match key {
            "format" => match v {
                "date-time" => Some(Native::DateTime),
                "uri" | "uri-reference" | "iri" | "iri-reference" => Some(Native::HttpUrl),
                "email" | "idn-email" => Some(Native::Email),
                _ => None,
            },
            "pattern" => {
                let (rust, dot) = translate(v)?;
                let regex = regex::Regex::new(&rust).ok()?;
                Some(Native::Pattern { regex, dot })
            }
            _ => None,
        }
    }

    pub(super) fn check(&self, s: &str) -> Tri {
        let sure = |b: bool| if b { Tri::Valid } else { Tri::Unknown };
        match self {
            Native::DateTime => sure(date_time(s)),
            Native::HttpUrl => sure(http_url(s)),
            Native::Email => sure(email(s)),
            Native::Pattern { regex, dot } => {
                if *dot && !s.bytes().all(|b| b.is_ascii() && b != b'\n' && b != b'\r') {
                    Tri::Unknown
                } else {
                    regex.is_match(s).into()
                }
            }
        }
    }
}

/// A numeric bound (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, draft-07)
/// checked exactly for integer values.
#[derive(Debug)]
pub(super) struct Bound {
    limit: serde_json::Number,
    /// The value must be above (`true`) or below the limit.
    above: bool,
    exclusive: bool,
}

/// Integers and `f64` agree exactly below this magnitude.
const EXACT_F64: i128 = 1 << 53;

impl Bound {
    pub(super) fn for_keyword(key: &str, value: &serde_json::Value) -> Option<Bound> {
        let (above, exclusive) = match key {
            "minimum" => (true, false),
            "maximum" => (false, false),
            "exclusiveMinimum" => (true, true),
            "exclusiveMaximum" => (false, true),
            _ => return None,
        };
        Some(Bound {
            limit: value.as_number()?.clone(),
            above,
            exclusive,
        })
    }

    /// The answer for an integer value (anything else is unknown).
    pub(super) fn check(&self, v: &serde_json::Value) -> Tri {
        let Some(n) = v.as_i64().map(i128::from).or(v.as_u64().map(i128::from)) else {
            return Tri::Unknown;
        };
        let order = if let Some(l) = self
            .limit
            .as_i64()
            .map(i128::from)
            .or(self.limit.as_u64().map(i128::from))
        {
            n.cmp(&l)
        } else {
            match self.limit.as_f64() {
                Some(l) if n.abs() < EXACT_F64 && l.is_finite() => {
                    match (n as f64).partial_cmp(&l) {
                        Some(o) => o,
                        None => return Tri::Unknown,
                    }
                }
                _ => return Tri::Unknown,
            }
        };
        use std::cmp::Ordering::{Equal, Greater, Less};
        Tri::from(match (self.above, self.exclusive, order) {
            (_, false, Equal) => true,
            (_, true, Equal) => false,
            (true, _, o) => o == Greater,
            (false, _, o) => o == Less,
        })
    }
}

/// An ECMA-262 pattern as a Rust regex with the same matches, for a subset where the two
/// dialects agree: literal ASCII letters, digits and punctuation (escaped punctuation too),
/// `.`, `^`, `$`, groups `( )`, `|`, the quantifiers `* + ?` and `{n}` `{n,}` `{n,m}`, and
/// classes of ASCII literals and ranges (no negation, no escapes such as `\d` or `\s`, whose
/// meanings differ). `None` outside the subset. Also says whether the pattern has a `.`.
pub(super) fn translate(pattern: &str) -> Option<(String, bool)> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut dot = false;
    let mut chars = pattern.chars().peekable();
    // Whether a quantifier may follow (an atom was just written).
    let mut atom = false;
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                if !e.is_ascii_punctuation() {
                    return None;
                }
                out.push_str(&regex::escape(&e.to_string()));
                atom = true;
            }
            '.' => {
                out.push_str("(?s:.)");
                dot = true;
                atom = true;
            }
            '^' | '$' => {
                out.push(c);
                atom = false;
            }
            '(' => {
                if chars.peek() == Some(&'?') {
                    return None;
                }
                depth += 1;
                out.push('(');
                atom = false;
            }
            ')' => {
                depth = depth.checked_sub(1)?;
                out.push(')');
                atom = true;
            }
            '|' => {
                out.push('|');
                atom = false;
            }
            '*' | '+' | '?' => {
                if !atom {
                    return None;
                }
                out.push(c);
                // A lazy quantifier matches the same strings.
                if chars.peek() == Some(&'?') {
                    chars.next();
                }
                atom = false;
            }
            '{' => {
                if !atom {
                    return None;
                }
                let mut body = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        d @ ('0'..='9' | ',') => body.push(d),
                        _ => return None,
                    }
                }
                let (lo, hi) = body.split_once(',').unwrap_or((&body, &body));
                let lo: u32 = lo.parse().ok()?;
                if !hi.is_empty() && hi.parse::<u32>().ok()? < lo {
                    return None;
                }
                if lo > 1000 || hi.parse::<u32>().is_ok_and(|h| h > 1000) {
                    return None;
                }
                out.push('{');
                out.push_str(&body);
                out.push('}');
                if chars.peek() == Some(&'?') {
                    chars.next();
                }
                atom = false;
            }
            '[' => {
                out.push('[');
                let mut first = true;
                loop {
                    let c = chars.next()?;
                    match c {
                        ']' if !first => break,
                        '^' if first => return None,
                        '[' | ']' => return None,
                        '\\' => {
                            let e = chars.next()?;
                            if !e.is_ascii_punctuation() {
                                return None;
                            }
                            out.push_str(&class_literal(e));
                        }
                        '-' if first || chars.peek() == Some(&']') => out.push_str("\\-"),
                        c if c.is_ascii_alphanumeric() => {
                            if chars.peek() == Some(&'-') {
                                chars.next();
                                match chars.peek().copied() {
                                    // A trailing `-` is a literal.
                                    Some(']') => {
                                        out.push(c);
                                        out.push_str("\\-");
                                    }
                                    Some(hi) if hi.is_ascii_alphanumeric() && hi >= c => {
                                        chars.next();
                                        out.push(c);
                                        out.push('-');
                                        out.push(hi);
                                    }
                                    _ => return None,
                                }
                            } else {
                                out.push(c);
                            }
                        }
                        c if c.is_ascii_punctuation() && c != '-' => {
                            out.push_str(&class_literal(c))
                        }
                        _ => return None,
                    }
                    first = false;
                }
                out.push(']');
                atom = true;
            }
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                atom = true;
            }
            c if c.is_ascii_punctuation() && !matches!(c, ']' | '}') => {
                out.push_str(&regex::escape(&c.to_string()));
                atom = true;
            }
            _ => return None,
        }
    }
    (depth == 0).then_some((out, dot))
}

fn class_literal(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, a real calendar day, no leap second.
fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return false;
    }
    if b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        digits(&b[0..4]),
        digits(&b[5..7]),
        digits(&b[8..10]),
        digits(&b[11..13]),
        digits(&b[14..16]),
        digits(&b[17..19]),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if d == 0 || d > days || h > 23 || mi > 59 || sec > 59 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        b"Z" => true,
        [b'+' | b'-', oh @ .., b':', m1, m2] if oh.len() == 2 => {
            matches!((digits(oh), digits(&[*m1, *m2])), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

/// A host name of letters, digits and inner hyphens (never two in a row), two or more labels
/// of at most 63 characters, the last one letters only.
fn host_name(host: &str) -> bool {
    let b = host.as_bytes();
    if b.len() > 253 {
        return false;
    }
    let (mut labels, mut len, mut alpha_only, mut prev) = (1, 0usize, true, b'.');
    for &c in b {
        match c {
            b'.' => {
                if len == 0 || prev == b'-' {
                    return false;
                }
                labels += 1;
                len = 0;
                alpha_only = true;
            }
            b'-' if len > 0 && prev != b'-' => {
                len += 1;
                alpha_only = false;
            }
            c if c.is_ascii_alphanumeric() => {
                len += 1;
                alpha_only &= c.is_ascii_alphabetic();
            }
            _ => return false,
        }
        if len > 63 {
            return false;
        }
        prev = c;
    }
    labels >= 2 && len > 0 && prev != b'-' && alpha_only
}

/// RFC 3986 pchar but percent escapes: unreserved, sub-delims, ':' and '@'.
const PCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric();
        c += 1;
    }
    let extra = b"-._~!$&'()*+,;=:@";
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
};

/// `http://` or `https://`, a host name, an optional port, then path, query and fragment of
/// RFC 3986 characters (no percent escapes).
fn http_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    let b = rest.as_bytes();
    let end = b
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(b.len());
    let (authority, tail) = (&rest[..end], &b[end..]);
    let (host, port) = match authority.as_bytes().iter().position(|&c| c == b':') {
        Some(i) => (&authority[..i], Some(&authority.as_bytes()[i + 1..])),
        None => (authority, None),
    };
    if !host_name(host) || port.is_some_and(|p| p.len() > 5 || digits(p).is_none()) {
        return false;
    }
    // pchar minus percent escapes: unreserved, sub-delims, ':' and '@'; '/' anywhere, '?'
    // from the query on, one '#'.
    let mut fragment = false;
    for &c in tail {
        match c {
            b'/' | b'?' => {}
            b'#' if !fragment => fragment = true,
            c if PCHAR[usize::from(c)] => {}
            _ => return false,
        }
    }
    true
}

/// `local@host`: a local part of letters, digits and `._+-` (no dot first, last or twice in a
/// row, at most 64 characters) and a [`host_name`].
fn email(s: &str) -> bool {
    let Some((local, host)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._+-".contains(&c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && host_name(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    fn validator(key: &str, value: &str) -> jsonschema::Validator {
        jsonschema::options()
            .should_validate_formats(true)
            .offline()
            .build(&json!({"$schema": super::super::DRAFT7, key: value}))
            .unwrap()
    }

    /// Every certain native answer is jsonschema's; returns how many were certain.
    fn agree(key: &str, value: &str, strings: &[String]) -> usize {
        let native = Native::for_keyword(key, &json!(value)).expect("native check");
        let full = validator(key, value);
        let mut certain = 0;
        for s in strings {
            let valid = full.is_valid(&Value::String(s.clone()));
            match native.check(s) {
                Tri::Valid => assert!(valid, "{key} {value}: said valid, is not: {s:?}"),
                Tri::Invalid => assert!(!valid, "{key} {value}: said invalid, is valid: {s:?}"),
                Tri::Unknown => continue,
            }
            certain += 1;
        }
        certain
    }

    /// Strings built from `parts`, plus each with one character changed.
    fn strings(seed: u64, parts: &[&str], n: usize) -> Vec<String> {
        let mut rng = Rng(seed);
        let noise = [
            "", "-", ".", "/", ":", "@", "#", "?", " ", "\n", "é", "%", "T", "z", "--", "0", "9",
            "60", "13", "+", "_", "~", "[", "😀",
        ];
        let mut out = Vec::new();
        for _ in 0..n {
            let k = 1 + rng.next() % 8;
            let mut s: String = (0..k).map(|_| rng.pick(parts)).collect();
            out.push(s.clone());
            if !s.is_empty() {
                let mut at = (rng.next() % s.len() as u64) as usize;
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                s.insert_str(at, rng.pick(&noise));
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn patterns_agree_with_jsonschema() {
        let patterns = [
            "^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$",
            "^([a-z]{2})(-[A-Z]{2})?$",
            "^CRE:[0-9]+-[0-9]+$",
            "^[-+a-z0-9.]+/[-+a-z0-9.]+$",
            "^[A-Z]{2}$",
            "^urn:cdx:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[1-9][0-9]*#.+$",
            "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "a.c",
            "x\\.y|^z*?$",
            "[a-]b{2,}",
        ];
        let parts = [
            "a",
            "f",
            "0",
            "9",
            "A",
            "F",
            "Z",
            "-",
            "+",
            ".",
            "/",
            "#",
            ":",
            "urn:cdx:",
            "urn:uuid:",
            "CRE:",
            "12345678",
            "1234",
            "123456789abc",
            "0123456789abcdef0123456789abcdef",
            "ab",
            "US",
            "y",
            "z",
            "x",
            "c",
            "b",
            "bb",
            "\r",
            "\u{2028}",
        ];
        for (i, p) in patterns.iter().enumerate() {
            let mut cases = strings(i as u64 + 1, &parts, 3000);
            cases.push("0".repeat(40));
            cases.push("urn:uuid:12345678-1234-1234-1234-123456789abc".into());
            cases.push("urn:cdx:12345678-1234-1234-1234-123456789abc/1#x".into());
            let certain = agree("pattern", p, &cases);
            // (A `.` is decided on ASCII text without line breaks only.)
            assert!(
                certain * 10 > cases.len() * 6,
                "{p}: {certain} of {}",
                cases.len()
            );
        }
    }

    #[test]
    fn integer_bounds_agree_with_jsonschema() {
        let limits = [
            json!(0),
            json!(1),
            json!(-3),
            json!(2.5),
            json!(-0.5),
            json!(1e300),
            json!(u64::MAX),
        ];
        let values = [
            json!(0),
            json!(1),
            json!(2),
            json!(-3),
            json!(-4),
            json!(3),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(9007199254740993_i64),
            json!(1.5),
        ];
        for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            for limit in &limits {
                let bound = Bound::for_keyword(key, limit).unwrap();
                let full = jsonschema::options()
                    .build(&json!({"$schema": super::super::DRAFT7, key: limit}))
                    .unwrap();
                for v in &values {
                    match bound.check(v) {
                        // Decided for every integer but beyond 2^53 against a fraction.
                        Tri::Unknown => assert!(
                            !(v.is_i64() || v.is_u64()) || limit.is_f64(),
                            "{key} {limit} {v}"
                        ),
                        t => assert_eq!(t == Tri::Valid, full.is_valid(v), "{key} {limit} {v}"),
                    }
                }
            }
        }
    }

    #[test]
    fn patterns_outside_the_subset_are_not_translated() {
        for p in [
            "\\d", "\\s", "\\w", "[^a]", "(?=a)", "(?:a)", "\\1", "a{2", "é", "[\\s]", "[.-z]",
            "*a", "a)", "(a", "[]", "[b-a]",
        ] {
            assert!(translate(p).is_none(), "{p}");
        }
        // The ones the vendored schemas use (but `\s` in a class) are in the subset.
        assert!(translate("^[A-Za-z0-9][A-Za-z0-9\\-/.()\\s]{0,28}[A-Za-z0-9]$").is_none());
        assert!(translate("^[-+a-z0-9.]+/[-+a-z0-9.]+$").is_some());
    }

    #[test]
    fn formats_agree_with_jsonschema() {
        let dt = [
            "2024",
            "-",
            "01",
            "02",
            "12",
            "13",
            "29",
            "30",
            "31",
            "T",
            "t",
            "00",
            "23",
            "24",
            ":",
            "59",
            "60",
            "Z",
            "z",
            ".5",
            ".",
            "+",
            "01:00",
            "2023-02-29",
            "2024-02-29",
            "1900-02-29",
            "2000-02-29",
            "T23:59:59Z",
            "T00:00:00",
            "+23:59",
            "-24:00",
        ];
        let mut cases = strings(7, &dt, 5000);
        cases.extend(
            [
                "2026-11-20T09:30:00Z",
                "2024-02-29T23:59:59.123+05:30",
                "2024-02-29T23:59:60Z",
            ]
            .map(String::from),
        );
        let mut rng = Rng(5);
        for _ in 0..5000 {
            let mut n = |m: u64| rng.next() % m;
            let (y, mo, d, h, mi, sec) = (n(2101), n(14), n(33), n(26), n(62), n(62));
            let frac = [".5", "", ".123456", "."][n(4) as usize];
            let off = ["Z", "+01:00", "-23:59", "+24:00", "z", "+0100", ""][n(7) as usize];
            cases.push(format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{frac}{off}"
            ));
        }
        let certain = agree("format", "date-time", &cases);
        assert!(certain > 1000, "{certain}");

        let url = [
            "https://", "http://", "ftp://", "www", ".", "example", "com", "npmjs", "/", "?", "#",
            "=", "&", ":8080", ":", "@", "a-b", "--", "-", "~", "%20", "%", " ", "[::1]", "é",
            "package", "_", "(x)", "'", "123", "io",
        ];
        let mut cases = strings(11, &url, 5000);
        cases.extend(
            [
                "https://www.npmjs.com/package/codec-loal-plus",
                "https://pypi.org/project/yaelfo-io-core/",
                "http://a.b:80/p?q=1&r=(2)#f/g?h",
            ]
            .map(String::from),
        );
        let mut rng = Rng(17);
        let label = [
            "www", "example", "npmjs", "a-b", "x1", "-a", "b-", "a--b", "é", "co", "9",
        ];
        let seg = [
            "p", "package", "a_b", "~x", "(1)", "a=b", "%41", "%", " ", "[", "a:b", "@", "é",
        ];
        for _ in 0..5000 {
            let scheme = rng.pick(&["https://", "http://", "HTTP://", "git+https://"]);
            let host: Vec<&str> = (0..1 + rng.next() % 3).map(|_| rng.pick(&label)).collect();
            let tld = rng.pick(&["com", "org", "io", "c0m", "1"]);
            let port = rng.pick(&["", ":8080", ":", ":99999", ":0"]);
            let path: String = (0..rng.next() % 4)
                .map(|_| format!("/{}", rng.pick(&seg)))
                .collect();
            let query = rng.pick(&["", "?q=1&r=2", "?a?b", "?x y", "?/p"]);
            let frag = rng.pick(&["", "#f", "#a#b", "#/x?y", "#é"]);
            cases.push(format!(
                "{scheme}{}.{tld}{port}{path}{query}{frag}",
                host.join(".")
            ));
        }
        for f in ["iri-reference", "iri", "uri-reference", "uri"] {
            let certain = agree("format", f, &cases);
            assert!(certain > 100, "{f}: {certain}");
        }

        let mail = [
            "release",
            "@",
            ".",
            "example",
            "com",
            "a",
            "+",
            "-",
            "_",
            "..",
            "1",
            "org",
            "x--y",
            "é",
            " ",
            "\"",
            "[127.0.0.1]",
            "ab-c",
            "-a",
            "a-",
        ];
        let mut cases = strings(13, &mail, 5000);
        cases.push("release@example.com".into());
        let mut rng = Rng(19);
        let local = [
            "release", "a.b", ".a", "a.", "a..b", "x+y", "_", "-", "é", "a b", "\"x\"",
        ];
        let label = ["example", "mail", "a-b", "-a", "b-", "a--b", "9", "é", "x"];
        for _ in 0..3000 {
            let host: Vec<&str> = (0..1 + rng.next() % 3).map(|_| rng.pick(&label)).collect();
            let tld = rng.pick(&["com", "org", "1", "c0m", ""]);
            cases.push(format!("{}@{}.{tld}", rng.pick(&local), host.join(".")));
        }
        for f in ["idn-email", "email"] {
            let certain = agree("format", f, &cases);
            assert!(certain > 100, "{f}: {certain}");
        }
    }
}
