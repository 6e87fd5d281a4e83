//! What a build log looks like: per tool, the lines that recognise it and the lines that show
//! network access. Built-in rules cover BuildKit and the legacy docker builder, Bazel, cargo,
//! npm/yarn/pnpm, pip/uv/poetry, Go, Maven/Gradle, apt and apk; `--rules FILE` adds more:
//!
//! ```yaml
//! version: 1
//! tools:
//!   - name: sbt
//!     recognise:
//!       - '^\[info\] welcome to sbt'
//!     network:
//!       - pattern: '^\[info\] downloading (?P<url>https?://\S+)'
//!       - pattern: '^\[info\] resolving '
//!         host: repo1.maven.org
//! ```
//!
//! Patterns are Rust regular expressions matched against each log line after ANSI colours, CI
//! timestamps and BuildKit step prefixes are removed. A named group `url` gives the host (from
//! the URL), a group `host` gives it directly; otherwise the rule's `host`, if any.

use super::diags as d;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::Path;

/// One pattern for a network-access line.
#[derive(Debug, Clone)]
pub struct NetRule {
    pub re: Regex,
    /// Host to report when the pattern captures none.
    pub host: Option<String>,
    /// Lines that match `re` but also this are not network access (e.g. npm's "(cache hit)").
    pub unless: Option<Regex>,
}

/// The rules of one build tool.
#[derive(Debug, Clone)]
pub struct ToolRules {
    pub name: String,
    pub recognise: Vec<Regex>,
    pub network: Vec<NetRule>,
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("built-in pattern compiles")
}

fn net(pattern: &str, host: Option<&str>) -> NetRule {
    NetRule {
        re: re(pattern),
        host: host.map(str::to_string),
        unless: None,
    }
}

fn tool(name: &str, recognise: &[&str], network: Vec<NetRule>) -> ToolRules {
    ToolRules {
        name: name.to_string(),
        recognise: recognise.iter().map(|s| re(s)).collect(),
        network,
    }
}

/// The built-in tools, in the order they are reported.
pub fn builtin() -> Vec<ToolRules> {
    let mut npm_fetch = net(r"^npm http fetch \S+ \d+ (?P<url>https?://\S+)", None);
    npm_fetch.unless = Some(re(r"\(cache hit\)"));
    vec![
        tool(
            "docker",
            &[
                r"^#\d+ \[[^\]]*\] ",
                r"^#\d+ (DONE|CACHED|ERROR)\b",
                r"^#\d+ (resolve|load build definition|transferring|naming to|writing image|exporting)",
                r"^Step \d+/\d+ : ",
                r"^Sending build context to Docker daemon",
                r"^Successfully built [0-9a-f]+",
            ],
            vec![
                net(
                    r"^#\d+ \[[^\]]*\] ADD (?:--\S+ )*(?P<url>https?://\S+)",
                    None,
                ),
                net(
                    r"^Step \d+/\d+ : ADD (?:--\S+ )*(?P<url>https?://\S+)",
                    None,
                ),
            ],
        ),
        tool(
            "bazel",
            &[
                r"^(INFO|WARNING|ERROR|DEBUG): (Invocation ID|Analyzed|Build completed|Found \d+ (test )?targets?|Elapsed time|Running command line|Streaming build results|Repository )",
                r"^(Loading|Analyzing|Computing main repo mapping): ",
                r"^Target //\S+ up-to-date",
            ],
            vec![
                net(r"\bDownloading (?P<url>https?://[^\s;,]+)", None),
                net(r"\bDownload from (?P<url>https?://\S+) failed", None),
                net(r"\bFetching (?P<url>https?://[^\s;,]+)", None),
                net(r"\bFetching @@?[\w~.+-]+[;: ]", None),
                net(
                    r"^(INFO|DEBUG|WARNING|ERROR): .*Repository rule (http_archive|http_file|http_jar|git_repository|new_git_repository|maven_install|go_repository|pip_parse|npm_translate_lock) defined at",
                    None,
                ),
            ],
        ),
        tool(
            "cargo",
            &[
                r"^\s*Compiling \S+ v\d",
                r"^\s*Finished .*target\(s\) in ",
                r"^\s*Updating crates\.io index",
                r"^\s*Downloaded \S+ v\d",
                r"^\s*Locking \d+ packages?",
            ],
            vec![
                net(r"^\s*Updating crates\.io index", Some("index.crates.io")),
                net(r"^\s*Updating `(?P<url>[^`]+)` index", None),
                net(
                    r"^\s*Updating git (repository|submodule) `(?P<url>[^`]+)`",
                    None,
                ),
                net(r"^\s*Downloading crates \.\.\.", Some("static.crates.io")),
                net(
                    r"^\s*Downloaded \S+ v\S+ \(registry `(?P<host>[^`]+)`\)",
                    None,
                ),
                net(r"^\s*Downloaded \S+ v\S+$", Some("static.crates.io")),
                net(r"^warning: spurious network error", None),
            ],
        ),
        tool(
            "npm",
            &[
                r"^npm (http|info|warn|WARN|ERR!|error|notice|verb|sill|timing) ",
                r"^added \d+ packages?",
                r"^up to date, audited \d+ packages?",
                r"^(removed|changed) \d+ packages?",
            ],
            vec![
                npm_fetch,
                net(
                    r"^npm (ERR!|error) (code|errno) (ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN)",
                    None,
                ),
            ],
        ),
        tool(
            "yarn",
            &[
                r"^yarn (install )?v\d",
                r"^\[\d/\d\] (Resolving|Fetching|Linking|Building)",
                r"^➤ YN\d{4}:",
                r"^success Saved lockfile",
            ],
            vec![
                net(
                    r#"Performing "(GET|HEAD)" request to "(?P<url>https?://[^"]+)""#,
                    None,
                ),
                net(
                    r"YN0013: .* can't be found in the cache and will be fetched from",
                    Some("registry.yarnpkg.com"),
                ),
            ],
        ),
        tool(
            "pnpm",
            &[
                r"^Progress: resolved \d+, reused \d+, downloaded \d+",
                r"^Packages: [+-]\d+",
                r"^Lockfile is up to date",
            ],
            vec![
                net(
                    r"^Progress: resolved \d+, reused \d+, downloaded [1-9]\d*",
                    None,
                ),
                net(
                    r"^\s*Downloading (?P<host>[a-z0-9.-]+\.[a-z]{2,})/\S+: ",
                    None,
                ),
            ],
        ),
        tool(
            "pip",
            &[
                r"^Collecting \S",
                r"^Requirement already satisfied: ",
                r"^Successfully installed ",
                r"^Installing collected packages: ",
                r"^Looking in (indexes|links): ",
                r"^Processing \S+\.(whl|tar\.gz|zip)",
            ],
            vec![
                net(r"^\s*Downloading (?P<url>https?://\S+)", None),
                net(
                    r"^\s*Downloading \S+\.(whl|tar\.gz|tar\.bz2|zip)\b",
                    Some("files.pythonhosted.org"),
                ),
                net(r"^\s*Obtaining (git\+)?(?P<url>https?://\S+)", None),
                net(r"^WARNING: Retrying .*(connection|Connection)", None),
            ],
        ),
        tool(
            "uv",
            &[
                r"^Resolved \d+ packages? in ",
                r"^Prepared \d+ packages? in ",
                r"^Installed \d+ packages? in ",
                r"^Audited \d+ packages? in ",
            ],
            vec![
                net(r"^\s*Downloading \S+ \(\d", Some("files.pythonhosted.org")),
                net(r"^\s*Downloaded \S+$", Some("files.pythonhosted.org")),
            ],
        ),
        tool(
            "poetry",
            &[
                r"^Installing dependencies from lock file",
                r"^Updating dependencies",
                r"^Package operations: \d+ install",
                r"^Writing lock file",
            ],
            vec![
                net(r"^Updating dependencies", Some("pypi.org")),
                net(r"^\s*[-•] Downloading \S+", Some("files.pythonhosted.org")),
            ],
        ),
        tool(
            "go",
            &[
                r"^go: ",
                r"^go (build|test|vet|mod|run|install)\b",
                r"^# get https?://",
            ],
            vec![
                net(r"^go: downloading (?P<host>[^/\s]+)/\S+ \S+", None),
                net(r"^go: finding module for package", None),
                // `go ... -x` traces each proxy request.
                net(r"^# get (?P<url>https?://\S+?):?(\s|$)", None),
                net(r#"^go: .*: Get "(?P<url>https?://[^"]+)""#, None),
            ],
        ),
        tool(
            "maven",
            &[
                r"^\[(INFO|WARNING|WARN|ERROR)\] ",
                r"^\[INFO\] BUILD (SUCCESS|FAILURE)",
            ],
            vec![
                net(
                    r"^(\[INFO\] )?Download(ing|ed) from [^:\s]+: (?P<url>https?://\S+)",
                    None,
                ),
                net(
                    r"^(\[INFO\] )?Download(ing|ed): (?P<url>https?://\S+)",
                    None,
                ),
                net(
                    r"Could not transfer artifact \S+ from/to [^\s(]+ \((?P<url>https?://[^)\s]+)\)",
                    None,
                ),
            ],
        ),
        tool(
            "gradle",
            &[
                r"^> Task :",
                r"^BUILD (SUCCESSFUL|FAILED) in ",
                r"^Welcome to Gradle \d",
                r"^Starting a Gradle Daemon",
            ],
            vec![
                net(r"^Download(ing)? (?P<url>https?://\S+)", None),
                net(r"Could not GET '(?P<url>https?://[^']+)'", None),
            ],
        ),
        tool(
            "apt",
            &[
                r"^Reading package lists",
                r"^Building dependency tree",
                r"^(Get|Hit|Ign|Err):\d+ ",
                r"^\d+ upgraded, \d+ newly installed",
            ],
            vec![net(
                r"^(Get|Hit|Ign|Err):\d+ (?P<url>(https?|ftp|tor\+https?)://\S+)",
                None,
            )],
        ),
        tool(
            "apk",
            &[
                r"^fetch https?://",
                r"^\(\d+/\d+\) Installing ",
                r"^OK: \d+ MiB in \d+ packages",
            ],
            vec![net(r"^fetch (?P<url>https?://\S+)", None)],
        ),
        tool(
            "wget",
            &[r"^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--  "],
            vec![net(
                r"^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--  (?P<url>(https?|ftp)://\S+)",
                None,
            )],
        ),
    ]
}

/// The host part of a URL (`scheme://[user@]host[:port]/...`), lower-cased.
pub fn host_of_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(stripped) = authority.strip_prefix('[') {
        stripped.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    let host = host.trim().to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Whether a host is this machine (never network access in the sense of hermeticity): an IP
/// address in 127.0.0.0/8, `::1` (also IPv4-mapped `::ffff:127.x.y.z`), or exactly the name
/// `localhost`. Decided by parsing the address, never by prefix: `127.evil.com` and
/// `127.0.0.1.evil.com` are names a resolver may send anywhere, and so are `*.localhost` names
/// (not every resolver keeps them local) and spellings such as `127.1` or `0x7f000001`.
pub fn is_loopback(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_loopback(),
        Ok(std::net::IpAddr::V6(a)) => {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

// ------------------------------------------------------------------ the --rules file

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    version: Option<Spanned<u32>>,
    tools: Vec<RawTool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    name: Spanned<String>,
    #[serde(default)]
    recognise: Vec<Spanned<String>>,
    #[serde(default)]
    network: Vec<RawNet>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNet {
    pattern: Spanned<String>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    unless: Option<Spanned<String>>,
}

const HINT: &str = "see docs/hermetic.md for the rules file format (version: 1, tools: name, recognise, network: pattern/host/unless)";

fn at<T>(name: &str, s: &Spanned<T>) -> Location {
    Location::file(name).with_line_col(
        s.referenced.line().max(1) as u32,
        s.referenced.column().max(1) as u32,
    )
}

fn invalid(loc: Location, msg: String) -> InputError {
    InputError::new(&d::INVALID_RULES, loc, msg, HINT)
}

fn compile(name: &str, s: &Spanned<String>) -> Result<Regex, InputError> {
    Regex::new(&s.value).map_err(|e| {
        let detail = input::regex_error(&s.value, &e);
        invalid(
            at(name, s),
            format!(
                "pattern {:?} is not a valid regular expression: {detail}",
                s.value
            ),
        )
    })
}

/// Read and validate a rules file.
pub fn load(path: &Path, limits: Limits) -> Result<Vec<ToolRules>, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits)?;
    parse(&name, &text)
}

pub fn parse(name: &str, text: &str) -> Result<Vec<ToolRules>, InputError> {
    let raw: RawRules = serde_saphyr::from_str(text).map_err(|e| {
        let mut ie = crate::sbom::document::yaml_error(name, &e);
        ie.info = &d::INVALID_RULES;
        ie.message = ie
            .message
            .replacen("malformed YAML: ", "invalid rules file: ", 1);
        ie.hint = HINT.into();
        ie
    })?;
    if let Some(v) = &raw.version
        && v.value != 1
    {
        return Err(invalid(
            at(name, v),
            format!("version {} is not supported (use 1)", v.value),
        ));
    }
    let mut out = Vec::new();
    for t in &raw.tools {
        if t.name.value.trim().is_empty() {
            return Err(invalid(at(name, &t.name), "empty tool name".into()));
        }
        if t.recognise.is_empty() && t.network.is_empty() {
            return Err(invalid(
                at(name, &t.name),
                format!(
                    "tool {:?} has neither recognise nor network patterns",
                    t.name.value
                ),
            ));
        }
        let recognise = t
            .recognise
            .iter()
            .map(|p| compile(name, p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut network = Vec::new();
        for n in &t.network {
            let re = compile(name, &n.pattern)?;
            let unless = n.unless.as_ref().map(|u| compile(name, u)).transpose()?;
            network.push(NetRule {
                re,
                host: n.host.clone(),
                unless,
            });
        }
        out.push(ToolRules {
            name: t.name.value.clone(),
            recognise,
            network,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile() {
        assert!(builtin().len() >= 14);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            host_of_url("https://user@Example.COM:8443/x?y").as_deref(),
            Some("example.com")
        );
        assert_eq!(host_of_url("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(
            host_of_url("git+https://github.com/a/b").as_deref(),
            Some("github.com")
        );
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && !is_loopback("a.b"));
    }

    /// Loopback is an address in 127.0.0.0/8 or ::1, or the name `localhost`: never a prefix
    /// of a name that DNS resolves anywhere.
    #[test]
    fn loopback_is_parsed_not_prefixed() {
        for h in [
            "127.0.0.1",
            "127.1.2.3",
            "127.255.255.254",
            "::1",
            "[::1]",
            "0:0:0:0:0:0:0:1",
            "::ffff:127.0.0.1",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "127.evil.com",
            "127.0.0.1.evil.com",
            "127.0.0.1evil.com",
            "127.",
            "localhost.evil.com",
            "evil.localhost",
            "localhostevil.com",
            "128.0.0.1",
            "::2",
            "::ffff:10.0.0.1",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn rules_file_parses() {
        let r = parse(
            "r.yaml",
            "version: 1\ntools:\n  - name: sbt\n    recognise: ['^\\[info\\] welcome to sbt']\n    network:\n      - pattern: 'downloading (?P<url>https?://\\S+)'\n        host: x\n",
        )
        .unwrap();
        assert_eq!(r[0].name, "sbt");
        assert_eq!(r[0].network.len(), 1);
    }

    #[test]
    fn bad_regex_is_reported_at_its_line_and_column() {
        let e = parse(
            "r.yaml",
            "version: 1\ntools:\n  - name: sbt\n    network:\n      - pattern: 'fetch (unclosed'\n",
        )
        .unwrap_err();
        assert_eq!(e.info.code, "HRM004");
        assert_eq!((e.location.line, e.location.column), (Some(5), Some(18)));
        assert!(e.message.contains("not a valid regular expression"), "{e}");
    }

    #[test]
    fn unknown_field_and_bad_version() {
        let e = parse("r.yaml", "tools:\n  - name: x\n    netwrok: []\n").unwrap_err();
        assert_eq!(e.info.code, "HRM004");
        assert_eq!(e.location.line, Some(3), "{e}");
        let e = parse("r.yaml", "version: 2\ntools: []\n").unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(1), Some(10)));
        let e = parse("r.yaml", "tools:\n  - name: x\n").unwrap_err();
        assert!(e.message.contains("neither"), "{e}");
    }
}
