//! `tollgate hermetic check`: read build logs for network access and check the build
//! invocations they show (or `--command`) for the tool's offline flag.
//!
//! Every line is first cleaned of ANSI colours, split at each `\r` (every part is checked: a
//! progress redraw hides earlier output on a terminal, but it still happened), and each part of
//! GitHub Actions timestamps and BuildKit's `#N 1.234 ` step prefixes; then
//! - each tool's `recognise` patterns say which build tools wrote the log (none: the log is
//!   reported as unrecognised, with no verdict);
//! - each tool's `network` patterns find lines showing network access (one finding per part,
//!   a finding that a redraw repeats once per line);
//! - invocation lines (`+ cmd` from `bash -x`, `$ cmd`, `##[group]Run cmd`, Dockerfile `RUN`
//!   steps of BuildKit and the legacy builder) are split into simple commands, and each known
//!   command is checked: downloaders (`curl`, `wget`, `git clone`, `apt-get update`,
//!   `cargo fetch`, `go mod download`…) are network access, builds without their offline flag
//!   (`cargo --offline`, `npm ci --offline`, `pip --no-index`, `docker build --network=none`,
//!   `mvn -o`, `gradle --offline`…) are `HRM002`. Options are read as the tools read them:
//!   the last setting wins, explicit values count, the command line overrides the
//!   environment, and words after `--` are another program's.

use super::diags as d;
use super::rules::{self, ToolRules};
use crate::report::{Diagnostic, Location};
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The line shows network access.
    Network,
    /// The build invocation does not forbid network access.
    NetworkNotDisabled,
}

/// One finding in one log (or in `--command`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub kind: Kind,
    pub tool: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The host matched an `--allow-host` pattern: reported as a note, does not deny.
    pub allowed: bool,
    pub message: String,
    /// The log line (cleaned, at most 200 characters).
    pub text: String,
    #[serde(skip)]
    pub hint: Option<String>,
}

impl Finding {
    pub fn diagnostic(&self) -> Diagnostic {
        let info = match (self.kind, self.allowed) {
            (Kind::Network, true) => &d::ALLOWED_HOST,
            (Kind::Network, false) => &d::NETWORK_ACCESS,
            (Kind::NetworkNotDisabled, _) => &d::NETWORK_NOT_DISABLED,
        };
        let mut loc = Location::file(self.file.clone());
        if self.line > 0 {
            loc = loc.with_line_col(self.line, self.column.max(1));
        }
        let mut diag = Diagnostic::new(info, self.message.clone()).at(loc);
        if let Some(h) = &self.hint {
            diag = diag.help(h.clone());
        }
        diag
    }
}

/// A build invocation found in a log and whether it forbids the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invocation {
    pub line: u32,
    pub tool: String,
    pub command: String,
    /// `true` offline, `false` network allowed, `None`: a downloader (network by nature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline: Option<bool>,
}

/// The result for one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogResult {
    pub path: String,
    pub lines: usize,
    /// Build tools recognised in the log, in rule order.
    pub tools: Vec<String>,
    pub invocations: Vec<Invocation>,
    pub findings: Vec<Finding>,
}

impl LogResult {
    /// No known tool wrote this log and no known command was invoked in it.
    pub fn recognised(&self) -> bool {
        !self.tools.is_empty() || !self.invocations.is_empty()
    }

    pub fn denied(&self) -> usize {
        self.findings.iter().filter(|f| !f.allowed).count()
    }
}

/// What to check with.
pub struct Options {
    pub rules: Vec<ToolRules>,
    /// Compose files (`--compose`): what `docker compose build` uses for each service's network.
    pub compose: Vec<super::compose::Compose>,
    pub allow: Option<globset::GlobSet>,
    /// Every `recognise` pattern in one set (one pass per line), and the tool of each.
    recognise: regex::RegexSet,
    recognise_tool: Vec<usize>,
    /// Every `network` pattern in one set, and (tool, rule) of each.
    network: regex::RegexSet,
    network_rule: Vec<(usize, usize)>,
}

impl Options {
    pub fn new(extra: Vec<ToolRules>, allow_hosts: &[String]) -> Result<Self, String> {
        let mut rules = rules::builtin();
        rules.extend(extra);
        let allow = if allow_hosts.is_empty() {
            None
        } else {
            let mut b = globset::GlobSetBuilder::new();
            for h in allow_hosts {
                let g = globset::GlobBuilder::new(&h.to_ascii_lowercase())
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| format!("--allow-host {h:?} is not a valid glob: {e}"))?;
                b.add(g);
            }
            Some(b.build().map_err(|e| e.to_string())?)
        };
        let mut rec = Vec::new();
        let mut recognise_tool = Vec::new();
        let mut net = Vec::new();
        let mut network_rule = Vec::new();
        for (i, t) in rules.iter().enumerate() {
            for r in &t.recognise {
                rec.push(r.as_str().to_string());
                recognise_tool.push(i);
            }
            for (j, r) in t.network.iter().enumerate() {
                net.push(r.re.as_str().to_string());
                network_rule.push((i, j));
            }
        }
        let set = |p: Vec<String>| {
            regex::RegexSetBuilder::new(p)
                .size_limit(64 << 20)
                .build()
                .map_err(|e| format!("the log patterns do not fit in one set: {e}"))
        };
        Ok(Options {
            compose: Vec::new(),
            recognise: set(rec)?,
            recognise_tool,
            network: set(net)?,
            network_rule,
            rules,
            allow,
        })
    }

    fn allowed(&self, host: Option<&str>) -> bool {
        match (&self.allow, host) {
            (Some(set), Some(h)) => set.is_match(h),
            _ => false,
        }
    }
}

fn re(cell: &'static OnceLock<Regex>, s: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(s).expect("pattern compiles"))
}

/// One part of a log line made comparable: the cleaned text, and where the matched part
/// starts in it. A line is split at every `\r`: a progress redraw hides what came before it
/// on a terminal, but what was printed before it still happened, so every part is checked.
struct Clean {
    /// One `\r`-separated part of the line, after ANSI removal.
    shown: String,
    /// Byte offset in `shown` where tool output starts (after timestamps and BuildKit prefixes).
    start: usize,
    /// Characters of the (ANSI-free) line before this part: columns count from the line start.
    col0: u32,
}

impl Clean {
    /// 1-based column in the whole line of byte `byte` of `shown`.
    fn col(&self, byte: usize) -> u32 {
        self.col0 + col(&self.shown, byte)
    }
}

fn clean(raw: &str) -> Vec<Clean> {
    static ANSI: OnceLock<Regex> = OnceLock::new();
    static TS: OnceLock<Regex> = OnceLock::new();
    static BK: OnceLock<Regex> = OnceLock::new();
    let ansi = re(
        &ANSI,
        r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Za-z0-9]",
    );
    let ts = re(
        &TS,
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d) ?",
    );
    let bk = re(&BK, r"^#\d+ \d+\.\d+ ");
    let line = ansi.replace_all(raw, "");
    let mut parts = Vec::new();
    let mut col0 = 0u32;
    for part in line.split('\r') {
        let width = part.chars().count() as u32;
        if !part.trim().is_empty() {
            let shown = part.to_string();
            let mut start = ts.find(&shown).map(|m| m.end()).unwrap_or(0);
            if let Some(m) = bk.find(&shown[start..]) {
                start += m.end();
            }
            parts.push(Clean { shown, start, col0 });
        }
        col0 += width + 1;
    }
    parts
}

fn col(shown: &str, byte: usize) -> u32 {
    shown[..byte.min(shown.len())].chars().count() as u32 + 1
}

fn excerpt(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() > 200 {
        let mut out: String = t.chars().take(199).collect();
        out.push('…');
        out
    } else {
        t.to_string()
    }
}

/// Check one log's text.
pub fn check_text(path: &str, text: &str, opts: &Options) -> LogResult {
    let lines: Vec<Vec<Clean>> = text.lines().map(clean).collect();
    // Pass 1: which tools wrote this log.
    let mut recognised = vec![false; opts.rules.len()];
    static BK_ANY: OnceLock<Regex> = OnceLock::new();
    let bk_any = re(&BK_ANY, r"^#\d+ \d+\.\d+ ");
    for l in lines.iter().flatten() {
        let inner = &l.shown[l.start..];
        for k in opts.recognise.matches(inner).iter() {
            recognised[opts.recognise_tool[k]] = true;
        }
        if l.start > 0 && bk_any.is_match(&l.shown) && !recognised[0] {
            recognised[0] = opts.rules[0].name == "docker";
        }
    }
    // Pass 2: network lines and invocations, in every part of every line.
    let mut findings: Vec<Finding> = Vec::new();
    let mut invocations = Vec::new();
    let mut pip_index: Option<String> = None;
    static PIP_INDEX: OnceLock<Regex> = OnceLock::new();
    let pip_index_re = re(&PIP_INDEX, r"^Looking in indexes: (\S+?),?(\s|$)");
    for (n, parts) in lines.iter().enumerate() {
        let line_no = n as u32 + 1;
        let line_start = findings.len();
        for l in parts {
            let mut found: Vec<Finding> = Vec::new();
            let inner = &l.shown[l.start..];
            if let Some(c) = pip_index_re.captures(inner) {
                pip_index = rules::host_of_url(&c[1]);
            }
            // The first matching rule, preferring tools recognised in this log.
            let mut best: Option<(usize, regex::Captures, &rules::NetRule)> = None;
            let mut tried_tool = usize::MAX;
            for k in opts.network.matches(inner).iter() {
                let (i, j) = opts.network_rule[k];
                if i == tried_tool {
                    continue; // one rule per tool: the first that applies
                }
                let r = &opts.rules[i].network[j];
                if r.unless.as_ref().is_some_and(|u| u.is_match(inner)) {
                    continue;
                }
                let Some(c) = r.re.captures(inner) else {
                    continue;
                };
                tried_tool = i;
                let better = match &best {
                    None => true,
                    Some((b, _, _)) => recognised[i] && !recognised[*b],
                };
                if better {
                    best = Some((i, c, r));
                }
                if recognised[i] {
                    break;
                }
            }
            let mut output_finding = false;
            if let Some((i, c, r)) = best {
                recognised[i] = true;
                let tool = &opts.rules[i];
                let mut host = c
                    .name("host")
                    .map(|m| m.as_str().to_ascii_lowercase())
                    .or_else(|| c.name("url").and_then(|m| rules::host_of_url(m.as_str())));
                if host.is_none() {
                    host = if tool.name == "pip" && pip_index.is_some() {
                        pip_index.clone()
                    } else {
                        r.host.clone()
                    };
                }
                if !host.as_deref().is_some_and(rules::is_loopback) {
                    output_finding = true;
                    let m0 = c.get(0).expect("group 0");
                    let allowed = opts.allowed(host.as_deref());
                    found.push(Finding {
                        file: path.to_string(),
                        line: line_no,
                        column: l.col(l.start + m0.start()),
                        kind: Kind::Network,
                        tool: tool.name.clone(),
                        message: format!(
                            "{}: network access to {}: {}",
                            tool.name,
                            host.as_deref().unwrap_or("an unknown host"),
                            excerpt(inner)
                        ),
                        host,
                        allowed,
                        text: excerpt(inner),
                        hint: None,
                    });
                }
            }
            if let Some((offset, cmd)) = invocation(inner) {
                let (invs, fs) =
                    check_invocation(path, line_no, l.col(l.start + offset), cmd, opts);
                invocations.extend(invs);
                // One finding per part: an output rule that matched wins over the invocation.
                if !output_finding {
                    found.extend(fs);
                }
            }
            // What an earlier part of the line showed (a progress bar redrawn) is not repeated.
            found.retain(|f| {
                !findings[line_start..].iter().any(|g| {
                    (g.kind, &g.tool, &g.host, g.allowed) == (f.kind, &f.tool, &f.host, f.allowed)
                })
            });
            findings.extend(found);
        }
    }
    let tools = opts
        .rules
        .iter()
        .zip(&recognised)
        .filter(|(_, r)| **r)
        .map(|(t, _)| t.name.clone())
        .collect::<Vec<_>>();
    let mut dedup = tools.clone();
    dedup.dedup();
    LogResult {
        path: path.to_string(),
        lines: lines.len(),
        tools: dedup,
        invocations,
        findings,
    }
}

/// The command of an invocation line and the byte offset where it starts.
fn invocation(inner: &str) -> Option<(usize, &str)> {
    static INV: OnceLock<Regex> = OnceLock::new();
    let inv = re(
        &INV,
        r"^(?:\++ |\$ |##\[group\]Run |RUN |#\d+ \[[^\]]*\] RUN |Step \d+/\d+ : RUN )(?P<cmd>\S.*)$",
    );
    let c = inv.captures(inner)?;
    let m = c.name("cmd")?;
    Some((m.start(), m.as_str()))
}

/// Check a command given on the command line (`--command`).
pub fn check_command(cmd: &str, opts: &Options) -> (Vec<Invocation>, Vec<Finding>) {
    check_invocation("--command", 0, 1, cmd, opts)
}

/// Shell-ish words: whitespace-separated, quotes removed, `&&`/`||`/`;`/`|` as separators.
fn simple_commands(cmd: &str) -> Vec<Vec<String>> {
    let cmd = cmd.trim();
    // Dockerfile exec form: RUN ["cargo", "build"]
    if cmd.starts_with('[')
        && let Ok(v) = serde_json::from_str::<Vec<String>>(cmd)
    {
        return vec![v];
    }
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    let flush_word = |word: &mut String, cur: &mut Vec<String>, in_word: &mut bool| {
        if *in_word {
            cur.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => flush_word(&mut word, &mut cur, &mut in_word),
            (None, ';' | '|' | '&' | '(' | ')' | '`') => {
                flush_word(&mut word, &mut cur, &mut in_word);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    flush_word(&mut word, &mut cur, &mut in_word);
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// How a known command uses the network.
enum Class {
    /// Downloads by nature (curl, git clone, apt-get update…), from these hosts (empty: unknown).
    Downloads(Vec<String>),
    /// A build that may use the network unless `offline`; `flag` is what to add.
    Build { offline: bool, flag: &'static str },
    /// `docker compose build` (and the like): offline only if the compose files say so.
    ComposeBuild,
}

/// The compose subcommand of `docker compose …` / `docker-compose …` (flags and their values
/// skipped: `docker compose -f ci.yml --profile x build` → `build`).
fn compose_subcommand(args: &[String]) -> Option<&str> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let takes_value = matches!(
            a.as_str(),
            "-f" | "--file"
                | "-p"
                | "--project-name"
                | "--profile"
                | "--env-file"
                | "--project-directory"
                | "--ansi"
                | "--progress"
                | "--parallel"
        );
        if takes_value {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            return Some(a);
        }
    }
    None
}

/// The arguments that are options of the command itself: everything before `--` (after it, the
/// words go to another program: `cargo test -- --offline`, `bazel run //x -- --nofetch`).
fn options(args: &[String]) -> impl Iterator<Item = &str> {
    args.iter().map(String::as_str).take_while(|a| *a != "--")
}

/// An explicit boolean value as the build tools read it (`true`/`false`, `1`/`0`, `yes`/`no`,
/// `on`/`off`); anything else is `None`, which the callers read as "network allowed".
fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "y" | "t" => Some(true),
        "false" | "0" | "no" | "off" | "n" | "f" => Some(false),
        _ => None,
    }
}

/// How a boolean option is spelled on one tool's command line.
struct BoolOpt<'a> {
    /// Spellings that set it (`--offline`, `-o`); the long ones also take `=VALUE`.
    on: &'a [&'a str],
    /// Spellings that clear it (`--no-offline`, bazel's `--nofetch` for `--fetch`).
    off: &'a [&'a str],
    /// `--offline false`: a following `true`/`false` is the option's value (nopt: npm, pnpm).
    next_value: bool,
}

/// The value a boolean option is left with after the whole command line, read left to right as
/// the tools do (the last setting wins; `--x=false` and `--no-x` clear it). `None`: never set.
/// An explicit value that is not a boolean is `Some(None)`.
fn last_bool(args: &[String], opt: &BoolOpt) -> Option<Option<bool>> {
    let words: Vec<&str> = options(args).collect();
    let mut value = None;
    let mut i = 0;
    while let Some(&a) = words.get(i) {
        i += 1;
        if opt.on.contains(&a) {
            value = Some(Some(true));
            if opt.next_value
                && let Some(&n) = words.get(i)
                && (n == "true" || n == "false")
            {
                value = Some(Some(n == "true"));
                i += 1;
            }
        } else if opt.off.contains(&a) {
            value = Some(Some(false));
        } else if let Some((name, v)) = a.split_once('=')
            && name.starts_with("--")
        {
            if opt.on.contains(&name) {
                value = Some(parse_bool(v));
            } else if opt.off.contains(&name) {
                value = Some(parse_bool(v).map(|b| !b));
            }
        }
    }
    value
}

/// `--offline`-style switch: whether the last setting turns the network off (fail closed: an
/// unreadable value does not).
fn offline_switch(args: &[String], opt: &BoolOpt) -> Option<bool> {
    last_bool(args, opt).map(|v| v == Some(true))
}

/// The last value of a string option (`--network none`, `--network=none`, go's `-mod vendor`):
/// every spelling in `names` sets it, the last one wins. `None`: never set.
fn last_value<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    let words: Vec<&str> = options(args).collect();
    let mut value = None;
    let mut i = 0;
    while let Some(&a) = words.get(i) {
        i += 1;
        if names.contains(&a) {
            // A missing value is an error for the tool; read it as unset-to-nothing.
            value = Some(words.get(i).copied().unwrap_or(""));
            i += 1;
        } else if let Some((name, v)) = a.split_once('=')
            && names.contains(&name)
        {
            value = Some(v);
        }
    }
    value
}

/// The value of an environment variable set on the command (`VAR=value cmd`).
fn env_bool(env: &BTreeMap<String, String>, key: &str) -> Option<bool> {
    env.get(key).map(|v| parse_bool(v) == Some(true))
}

/// `--offline` of npm, yarn, pnpm, uv, gradle: `--no-offline` and `--offline=false` undo it.
const OFFLINE: BoolOpt = BoolOpt {
    on: &["--offline"],
    off: &["--no-offline"],
    next_value: false,
};

/// apt-get: offline with `--no-download` (the option `--download` turned off) or a simulation.
fn apt_offline(args: &[String]) -> bool {
    let download = last_bool(
        args,
        &BoolOpt {
            on: &["--download"],
            off: &["--no-download"],
            next_value: false,
        },
    );
    let simulate = offline_switch(
        args,
        &BoolOpt {
            on: &[
                "-s",
                "--simulate",
                "--just-print",
                "--dry-run",
                "--recon",
                "--no-act",
            ],
            off: &[
                "--no-simulate",
                "--no-just-print",
                "--no-dry-run",
                "--no-recon",
            ],
            next_value: false,
        },
    );
    download == Some(Some(false)) || simulate == Some(true)
}

/// pip: `--no-index` (no option undoes it), or `PIP_NO_INDEX` unless `--isolated` ignores the
/// environment.
fn pip_offline(args: &[String], env: &BTreeMap<String, String>) -> bool {
    let no_index = BoolOpt {
        on: &["--no-index"],
        off: &[],
        next_value: false,
    };
    offline_switch(args, &no_index) == Some(true)
        || (!options(args).any(|a| a == "--isolated")
            && env_bool(env, "PIP_NO_INDEX") == Some(true))
}

/// npm: the command line (`--offline`, `--offline false`, `--offline=false`, `--no-offline`;
/// the last wins) over `npm_config_offline` (any case) in the environment.
fn npm_offline(args: &[String], env: &BTreeMap<String, String>) -> bool {
    let cli = offline_switch(
        args,
        &BoolOpt {
            next_value: true,
            ..OFFLINE
        },
    );
    let from_env = || {
        env.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("npm_config_offline"))
            .map(|(_, v)| parse_bool(v) == Some(true))
            .reduce(|a, b| a && b)
    };
    cli.or_else(from_env).unwrap_or(false)
}

/// cargo: `--offline` or `--frozen`, or `net.offline` true, from the last `--config
/// net.offline=BOOL` or else `CARGO_NET_OFFLINE` (cargo ORs the flag with the setting; a
/// `--config` overrides the environment).
fn cargo_offline(args: &[String], env: &BTreeMap<String, String>) -> bool {
    let words: Vec<&str> = options(args).collect();
    if words.iter().any(|a| *a == "--offline" || *a == "--frozen") {
        return true;
    }
    let mut net_offline = env_bool(env, "CARGO_NET_OFFLINE");
    let mut i = 0;
    while let Some(&a) = words.get(i) {
        i += 1;
        let value = if a == "--config" {
            i += 1;
            words.get(i - 1).copied()
        } else {
            a.strip_prefix("--config=")
        };
        if let Some((k, v)) = value.and_then(|v| v.split_once('='))
            && k.trim() == "net.offline"
        {
            net_offline = Some(v.trim() == "true");
        }
    }
    net_offline == Some(true)
}

/// go: `-mod=vendor` (the command line's last `-mod` over the last in `GOFLAGS`) or
/// `GOPROXY=off`. Flags end at the first package argument, except for `go test` and `go vet`
/// (which read build flags after the packages too): after `go run pkg`, they are the program's.
fn go_offline(sub: &str, args: &[String], env: &BTreeMap<String, String>) -> bool {
    const MOD: &[&str] = &["-mod", "--mod"];
    if env.get("GOPROXY").is_some_and(|v| v == "off") {
        return true;
    }
    let flags: Vec<String> = if matches!(sub, "test" | "vet") {
        args.to_vec()
    } else {
        // Build flags that take their value in the next word (`-o out`, `-tags x`).
        const VALUED: &[&str] = &[
            "C",
            "p",
            "o",
            "asmflags",
            "buildmode",
            "compiler",
            "gccgoflags",
            "gcflags",
            "installsuffix",
            "ldflags",
            "mod",
            "modfile",
            "overlay",
            "pgo",
            "pkgdir",
            "tags",
            "toolexec",
            "exec",
            "covermode",
            "coverpkg",
        ];
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--").or_else(|| a.strip_prefix('-')) else {
                break;
            };
            out.push(a.clone());
            if !name.contains('=') && VALUED.contains(&name) {
                out.extend(it.next().cloned());
            }
        }
        out
    };
    let from_goflags = env.get("GOFLAGS").and_then(|f| {
        let words: Vec<String> = f.split_whitespace().map(String::from).collect();
        last_value(&words, MOD).map(String::from)
    });
    let mode = last_value(&flags, MOD).map(String::from).or(from_goflags);
    mode.as_deref() == Some("vendor")
}

fn url_hosts(args: &[String]) -> Vec<String> {
    static SCP: OnceLock<Regex> = OnceLock::new();
    let scp = re(&SCP, r"^[\w.-]+@(?P<host>[\w.-]+):");
    let mut hosts = Vec::new();
    for a in args {
        let h = if a.contains("://") {
            rules::host_of_url(a)
        } else {
            scp.captures(a).map(|c| c["host"].to_ascii_lowercase())
        };
        if let Some(h) = h
            && !hosts.contains(&h)
        {
            hosts.push(h);
        }
    }
    hosts
}

fn classify(
    prog: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
) -> Option<(&'static str, String, Class)> {
    let sub = args.first().map(String::as_str).unwrap_or("");
    let sub2 = args.get(1).map(String::as_str).unwrap_or("");
    let name = |s: &str| {
        if sub.is_empty() {
            prog.to_string()
        } else {
            format!("{prog} {s}")
        }
    };
    Some(match prog {
        "curl" | "wget" => {
            let hosts = url_hosts(args);
            let dynamic = args.iter().any(|a| a.starts_with('$'));
            if hosts.is_empty() && !dynamic {
                return None;
            }
            let hosts: Vec<String> = hosts
                .into_iter()
                .filter(|h| !rules::is_loopback(h))
                .collect();
            if hosts.is_empty() && !dynamic {
                return None;
            }
            ("shell", prog.to_string(), Class::Downloads(hosts))
        }
        "git" => match sub {
            "clone" | "fetch" | "pull" | "ls-remote" | "submodule" => {
                if sub == "submodule" && sub2 != "update" {
                    return None;
                }
                ("git", name(sub), Class::Downloads(url_hosts(&args[1..])))
            }
            _ => return None,
        },
        "apt-get" | "apt" | "aptitude" => match sub_skip_flags(args) {
            Some("update") => (
                "apt",
                format!("{prog} update"),
                Class::Downloads(Vec::new()),
            ),
            Some(
                s @ ("install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep"
                | "source"),
            ) => (
                "apt",
                format!("{prog} {s}"),
                Class::Build {
                    offline: apt_offline(args),
                    flag: "--no-download (with the packages already in the cache)",
                },
            ),
            Some("download") => (
                "apt",
                format!("{prog} download"),
                Class::Downloads(Vec::new()),
            ),
            _ => return None,
        },
        "apk" => match sub_skip_flags(args) {
            Some("update") => ("apk", "apk update".into(), Class::Downloads(Vec::new())),
            Some(s @ ("add" | "upgrade" | "fetch")) => (
                "apk",
                format!("apk {s}"),
                Class::Build {
                    offline: offline_switch(
                        args,
                        &BoolOpt {
                            on: &["--no-network"],
                            off: &[],
                            next_value: false,
                        },
                    )
                    .unwrap_or(false),
                    flag: "--no-network",
                },
            ),
            _ => return None,
        },
        "pip" | "pip3" => match sub {
            "download" => ("pip", name(sub), Class::Downloads(Vec::new())),
            "install" | "wheel" => (
                "pip",
                name(sub),
                Class::Build {
                    offline: pip_offline(args, env),
                    flag: "--no-index (with --find-links to a wheelhouse)",
                },
            ),
            _ => return None,
        },
        "python" | "python3" if sub == "-m" && (sub2 == "pip" || sub2 == "pip3") => {
            return classify("pip", &args[2..], env);
        }
        "uv" => {
            // Global options may come first: `uv --offline sync`.
            let words: Vec<&str> = options(args).collect();
            let pos: Vec<usize> = (0..words.len())
                .filter(|&i| !words[i].starts_with('-'))
                .collect();
            let word = |k: usize| pos.get(k).map(|&i| words[i]).unwrap_or("");
            let (what, cmd_at) = if word(0) == "pip" {
                (word(1), pos.get(1))
            } else {
                (word(0), pos.first())
            };
            if !matches!(what, "install" | "sync" | "lock" | "add" | "run" | "build") {
                return None;
            }
            // `uv run [options] CMD ARGS…`: what follows the command is the command's.
            let own = match (what, cmd_at) {
                ("run", Some(&at)) => {
                    let end = pos.iter().find(|&&i| i > at).copied();
                    &args[..end.unwrap_or(words.len())]
                }
                _ => args,
            };
            (
                "uv",
                if word(0) == "pip" {
                    format!("uv pip {what}")
                } else {
                    format!("uv {what}")
                },
                Class::Build {
                    offline: offline_switch(own, &OFFLINE)
                        .or_else(|| env_bool(env, "UV_OFFLINE"))
                        .unwrap_or(false),
                    flag: "--offline",
                },
            )
        }
        "poetry" => match sub {
            "install" | "update" | "lock" | "add" => (
                "poetry",
                name(sub),
                Class::Build {
                    offline: false,
                    flag: "a pip --no-index install from a wheelhouse (poetry has no offline mode)",
                },
            ),
            _ => return None,
        },
        "npm" => match sub {
            "ci" | "install" | "i" | "update" | "rebuild" | "add" => (
                "npm",
                name(sub),
                Class::Build {
                    offline: npm_offline(args, env),
                    flag: "--offline",
                },
            ),
            _ => return None,
        },
        "yarn" => match sub {
            "" | "install" | "add" => (
                "yarn",
                name(sub),
                Class::Build {
                    offline: offline_switch(args, &OFFLINE).unwrap_or(false),
                    flag: "--offline",
                },
            ),
            s if s.starts_with('-') => (
                "yarn",
                "yarn".into(),
                Class::Build {
                    offline: offline_switch(args, &OFFLINE).unwrap_or(false),
                    flag: "--offline",
                },
            ),
            _ => return None,
        },
        "pnpm" => match sub {
            "install" | "i" | "add" | "fetch" => (
                "pnpm",
                name(sub),
                Class::Build {
                    offline: offline_switch(args, &OFFLINE).unwrap_or(false),
                    flag: "--offline",
                },
            ),
            _ => return None,
        },
        "cargo" => {
            let sub = args
                .iter()
                .map(String::as_str)
                .find(|a| !a.starts_with(['-', '+']))
                .unwrap_or("");
            match sub {
                "fetch" | "update" | "vendor" | "search" | "publish" => (
                    "cargo",
                    format!("cargo {sub}"),
                    Class::Downloads(Vec::new()),
                ),
                "build" | "b" | "check" | "c" | "test" | "t" | "run" | "r" | "doc" | "install"
                | "bench" | "clippy" | "package" | "generate-lockfile" | "tree" | "metadata" => (
                    "cargo",
                    format!("cargo {sub}"),
                    Class::Build {
                        offline: cargo_offline(args, env),
                        flag: "--offline (or --frozen; --locked alone still fetches)",
                    },
                ),
                _ => return None,
            }
        }
        "go" => match (sub, sub2) {
            ("get", _) | ("mod", "download") | ("mod", "tidy") => {
                if env.get("GOPROXY").is_some_and(|v| v == "off") {
                    return None;
                }
                (
                    "go",
                    if sub == "mod" {
                        format!("go mod {sub2}")
                    } else {
                        name(sub)
                    },
                    Class::Downloads(Vec::new()),
                )
            }
            ("build" | "test" | "run" | "install" | "vet" | "generate", _) => (
                "go",
                name(sub),
                Class::Build {
                    offline: go_offline(sub, &args[1..], env),
                    flag: "-mod=vendor (or GOPROXY=off, GOFLAGS=-mod=mod with a filled module cache)",
                },
            ),
            _ => return None,
        },
        "mvn" | "mvnw" | "./mvnw" => (
            "maven",
            prog.to_string(),
            Class::Build {
                offline: offline_switch(
                    args,
                    &BoolOpt {
                        on: &["-o", "--offline"],
                        off: &[],
                        next_value: false,
                    },
                )
                .unwrap_or(false),
                flag: "-o (--offline)",
            },
        ),
        "gradle" | "gradlew" => (
            "gradle",
            prog.to_string(),
            Class::Build {
                offline: offline_switch(args, &OFFLINE).unwrap_or(false),
                flag: "--offline",
            },
        ),
        "bazel" | "bazelisk" => match sub {
            "fetch" | "sync" => ("bazel", name(sub), Class::Downloads(Vec::new())),
            "build" | "test" | "run" | "coverage" => (
                "bazel",
                name(sub),
                Class::Build {
                    // `--fetch` is a boolean: `--nofetch`, `--fetch=false|no|0` turn it off,
                    // a later `--fetch` back on.
                    offline: last_bool(
                        args,
                        &BoolOpt {
                            on: &["--fetch"],
                            off: &["--nofetch", "--no-fetch"],
                            next_value: false,
                        },
                    ) == Some(Some(false)),
                    flag: "--nofetch (with a filled --repository_cache or --distdir)",
                },
            ),
            _ => return None,
        },
        "docker" | "podman" if sub == "compose" => {
            if compose_subcommand(&args[1..]) != Some("build") {
                return None;
            }
            (
                "docker",
                format!("{prog} compose build"),
                Class::ComposeBuild,
            )
        }
        "docker-compose" | "podman-compose" => {
            if compose_subcommand(args) != Some("build") {
                return None;
            }
            ("docker", format!("{prog} build"), Class::ComposeBuild)
        }
        "docker" | "podman" | "buildah" => {
            let is_build = matches!(
                (sub, sub2),
                ("build", _) | ("buildx", "build") | ("image", "build") | ("bud", _)
            );
            if !is_build {
                return None;
            }
            // The last --network (or --net) wins, as with every string option of docker.
            let offline = last_value(args, &["--network", "--net"]) == Some("none");
            (
                "docker",
                if sub == "buildx" {
                    format!("{prog} buildx build")
                } else {
                    name(sub)
                },
                Class::Build {
                    offline,
                    flag: "--network=none",
                },
            )
        }
        _ => return None,
    })
}

/// Whether a compose build is offline by the compose files given, and what to do if not.
fn compose_verdict(files: &[super::compose::Compose]) -> (bool, String) {
    const HOW: &str = "set `network: none` under `build:` of every service that builds";
    if files.is_empty() {
        return (
            false,
            format!(
                "{HOW} and pass the compose file with --compose FILE (`compose build` has no command-line switch for the network, so the log alone cannot show it)"
            ),
        );
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|c| !c.offline())
        .map(|c| {
            if c.building.is_empty() {
                format!("{} (no service builds)", c.file)
            } else {
                format!("{}: {}", c.file, c.online.join(", "))
            }
        })
        .collect();
    if missing.is_empty() {
        (true, String::new())
    } else {
        (false, format!("{HOW}; not yet in {}", missing.join("; ")))
    }
}

/// The first argument that is not a flag (apt-get -y install → install).
fn sub_skip_flags(args: &[String]) -> Option<&str> {
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if a == "-o" || a == "-c" || a == "-t" {
            skip_next = true;
            continue;
        }
        if !a.starts_with('-') {
            return Some(a.as_str());
        }
    }
    None
}

fn check_invocation(
    path: &str,
    line: u32,
    column: u32,
    cmd: &str,
    opts: &Options,
) -> (Vec<Invocation>, Vec<Finding>) {
    static ASSIGN: OnceLock<Regex> = OnceLock::new();
    let assign = re(&ASSIGN, r"^[A-Za-z_][A-Za-z0-9_]*=");
    let mut invs = Vec::new();
    let mut findings = Vec::new();
    for words in simple_commands(cmd) {
        let mut env = BTreeMap::new();
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            if assign.is_match(w) {
                let (k, v) = w.split_once('=').expect("has =");
                env.insert(k.to_string(), v.to_string());
            } else if matches!(
                w.as_str(),
                "sudo" | "env" | "time" | "exec" | "nice" | "nohup" | "command" | "export"
            ) || (i > 0
                && w.starts_with('-')
                && matches!(words[i - 1].as_str(), "sudo" | "env"))
            {
            } else {
                break;
            }
            i += 1;
        }
        let Some(prog_path) = words.get(i) else {
            continue;
        };
        let prog = prog_path.rsplit('/').next().unwrap_or(prog_path);
        let prog = if prog_path.starts_with("./") && prog == "mvnw" {
            "mvnw"
        } else {
            prog
        };
        let args = &words[i + 1..];
        let Some((tool, what, class)) = classify(prog, args, &env) else {
            continue;
        };
        let command = words[i..].join(" ");
        let text = excerpt(cmd);
        match class {
            Class::Downloads(hosts) => {
                invs.push(Invocation {
                    line,
                    tool: tool.to_string(),
                    command: excerpt(&command),
                    offline: None,
                });
                let hosts: Vec<Option<String>> = if hosts.is_empty() {
                    vec![None]
                } else {
                    hosts.into_iter().map(Some).collect()
                };
                for host in hosts {
                    let allowed = opts.allowed(host.as_deref());
                    findings.push(Finding {
                        file: path.to_string(),
                        line,
                        column,
                        kind: Kind::Network,
                        tool: tool.to_string(),
                        message: format!(
                            "`{what}` downloads from {}: {text}",
                            host.as_deref().unwrap_or("the network")
                        ),
                        host,
                        allowed,
                        text: text.clone(),
                        hint: None,
                    });
                }
            }
            Class::Build { .. } | Class::ComposeBuild => {
                let (offline, hint) = match class {
                    Class::Build { offline, flag } => (
                        offline,
                        format!("add {flag}, so the build cannot reach the network"),
                    ),
                    _ => compose_verdict(&opts.compose),
                };
                invs.push(Invocation {
                    line,
                    tool: tool.to_string(),
                    command: excerpt(&command),
                    offline: Some(offline),
                });
                if !offline {
                    findings.push(Finding {
                        file: path.to_string(),
                        line,
                        column,
                        kind: Kind::NetworkNotDisabled,
                        tool: tool.to_string(),
                        host: None,
                        allowed: false,
                        message: format!("`{what}` runs without network access disabled: {text}"),
                        text: text.clone(),
                        hint: Some(hint),
                    });
                }
            }
        }
    }
    (invs, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options::new(Vec::new(), &[]).unwrap()
    }

    fn lines_of(text: &str) -> Vec<(u32, Kind, String, Option<String>)> {
        check_text("log", text, &opts())
            .findings
            .into_iter()
            .map(|f| (f.line, f.kind, f.tool, f.host))
            .collect()
    }

    #[test]
    fn buildkit_run_steps_and_add() {
        let log = "#1 [internal] load build definition from Dockerfile\n\
                   #5 [2/4] RUN apt-get update && apt-get install -y curl\n\
                   #5 0.512 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]\n\
                   #6 [3/4] ADD https://example.com/tool.tgz /opt/\n\
                   #7 [4/4] RUN cargo build --offline\n\
                   #7 DONE 12.1s\n";
        let r = check_text("log", log, &opts());
        assert!(r.tools.contains(&"docker".to_string()), "{:?}", r.tools);
        assert!(r.tools.contains(&"apt".to_string()));
        let f: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.line, f.kind, f.host.clone()))
            .collect();
        assert_eq!(
            f,
            vec![
                (2, Kind::Network, None),
                (2, Kind::NetworkNotDisabled, None),
                (3, Kind::Network, Some("deb.debian.org".into())),
                (4, Kind::Network, Some("example.com".into())),
            ]
        );
        assert_eq!(r.findings[2].column, 10, "after the BuildKit prefix");
    }

    #[test]
    fn legacy_builder() {
        let log = "Sending build context to Docker daemon  2.048kB\nStep 1/3 : FROM alpine:3.19\nStep 2/3 : RUN apk add --no-cache git\nfetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\nStep 3/3 : RUN git clone https://github.com/a/b.git\nSuccessfully built 0123abcd\n";
        let l = lines_of(log);
        assert_eq!(l.len(), 3, "{l:?}");
        assert_eq!((l[0].0, l[0].1), (3, Kind::NetworkNotDisabled));
        assert_eq!(l[1].3.as_deref(), Some("dl-cdn.alpinelinux.org"));
        assert_eq!(l[2].3.as_deref(), Some("github.com"));
    }

    #[test]
    fn bazel_go_gradle_yarn_pnpm_uv() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "bazel",
                "INFO: Invocation ID: 1\nINFO: Repository rule http_archive defined at:\nAnalyzing: target //:x (3 packages loaded)\n    Fetching https://github.com/bazelbuild/rules_go/releases/download/v0.1/x.zip; 1.2 MiB\n",
                "github.com",
            ),
            (
                "go",
                "go: downloading golang.org/x/mod v0.14.0\n",
                "golang.org",
            ),
            (
                "gradle",
                "Welcome to Gradle 8.5!\nDownload https://repo.maven.apache.org/maven2/a/b.pom\nBUILD SUCCESSFUL in 3s\n",
                "repo.maven.apache.org",
            ),
            (
                "yarn",
                "yarn install v1.22.19\nverbose 0.3 Performing \"GET\" request to \"https://registry.yarnpkg.com/left-pad\".\n",
                "registry.yarnpkg.com",
            ),
            (
                "pnpm",
                "Lockfile is up to date\n  Downloading registry.npmjs.org/typescript/5.3.3: 5.76 MB/5.76 MB, done\n",
                "registry.npmjs.org",
            ),
            (
                "uv",
                "Resolved 3 packages in 12ms\n   Downloading numpy (15.0MiB)\n",
                "files.pythonhosted.org",
            ),
        ];
        for (tool, log, host) in cases {
            let r = check_text("log", log, &opts());
            assert!(r.tools.contains(&tool.to_string()), "{tool}: {:?}", r.tools);
            let hosts: Vec<_> = r.findings.iter().filter_map(|f| f.host.clone()).collect();
            assert!(
                hosts.contains(&host.to_string()),
                "{tool}: {:?}",
                r.findings
            );
        }
    }

    #[test]
    fn no_findings_in_offline_output() {
        let log = "npm http cache a@https://registry.npmjs.org/a/-/a-1.tgz 0ms (cache hit)\nnpm notice Changelog: https://github.com/npm/cli/releases/tag/v11\nadded 1 package in 1s\n[ERROR] Cannot access central (https://repo.maven.apache.org/maven2) in offline mode\nProcessing ./wheels/six-1.16.0-py2.py3-none-any.whl\n   Compiling itoa v1.0.11\n";
        let r = check_text("log", log, &opts());
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert!(r.recognised());
    }

    /// `docker compose build` is a build whose network setting lives in the compose file: a
    /// denial unless every building service of the files given has `network: none`.
    #[test]
    fn compose_builds_are_judged_by_the_compose_files() {
        let builds = [
            "docker compose build",
            "docker compose -f ci.yml --profile release build app",
            "docker-compose build --no-cache",
            "podman compose build",
            "podman-compose build",
        ];
        let not_builds = [
            "docker compose up -d",
            "docker compose -f build.yml pull",
            "docker-compose ps",
        ];
        let mut o = opts();
        for c in not_builds {
            let (inv, f) = check_command(c, &o);
            assert!(inv.is_empty() && f.is_empty(), "{c}: {inv:?} {f:?}");
        }
        for c in builds {
            let (inv, f) = check_command(c, &o);
            assert_eq!(inv.len(), 1, "{c}");
            assert_eq!(f.len(), 1, "{c}");
            assert_eq!(f[0].kind, Kind::NetworkNotDisabled, "{c}");
            assert!(
                f[0].hint.as_deref().unwrap().contains("--compose FILE"),
                "{c}"
            );
        }
        let offline = super::super::compose::parse(
            "compose.yaml",
            "services:\n  app:\n    build:\n      context: .\n      network: none\n",
        )
        .unwrap();
        let online =
            super::super::compose::parse("tools.yaml", "services:\n  lint:\n    build: ./lint\n")
                .unwrap();
        o.compose = vec![offline.clone()];
        for c in builds {
            let (inv, f) = check_command(c, &o);
            assert_eq!(inv[0].offline, Some(true), "{c}");
            assert!(f.is_empty(), "{c}: {f:?}");
        }
        o.compose = vec![offline, online];
        let (_, f) = check_command("docker compose build", &o);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].hint
                .as_deref()
                .unwrap()
                .ends_with("not yet in tools.yaml: lint"),
            "{f:?}"
        );
    }

    #[test]
    fn invocation_flags() {
        let o = opts();
        let bad = [
            "docker build -t x .",
            "docker buildx build --network host .",
            "cargo build --locked",
            "npm ci",
            "pip install -r requirements.txt",
            "python3 -m pip install x",
            "mvn -B package",
            "./gradlew build",
            "go build ./...",
            "CARGO_HOME=/x cargo +nightly test",
        ];
        for c in bad {
            let (inv, f) = check_command(c, &o);
            assert_eq!(inv.len(), 1, "{c}");
            assert_eq!(f.len(), 1, "{c}");
            assert_eq!(f[0].kind, Kind::NetworkNotDisabled, "{c}");
        }
        let good = [
            "docker build --network=none .",
            "docker buildx build --network none .",
            "cargo build --offline",
            "cargo test --frozen",
            "CARGO_NET_OFFLINE=true cargo build",
            "npm ci --offline",
            "pip install --no-index --find-links w x",
            "mvn -o package",
            "gradle --offline build",
            "GOFLAGS=-mod=vendor go build ./...",
            "curl -fsS http://127.0.0.1:8080/health",
            "make all",
        ];
        for c in good {
            let (_, f) = check_command(c, &o);
            assert!(f.is_empty(), "{c}: {f:?}");
        }
        let (_, f) = check_command(
            "curl -fsSL https://sh.rustup.rs | sh && git clone git@github.com:a/b",
            &o,
        );
        let hosts: Vec<_> = f.iter().map(|f| f.host.clone().unwrap()).collect();
        assert_eq!(hosts, ["sh.rustup.rs", "github.com"]);
    }

    /// The tools read their options left to right and the last setting wins: a "network off"
    /// switch overridden later in the same command (or a command-line flag overriding the
    /// environment) is not offline. Words after `--` belong to another program.
    #[test]
    fn the_last_network_setting_wins() {
        let o = opts();
        let online = [
            "npm install --offline=false",
            "npm ci --offline --no-offline",
            "npm ci --offline false",
            "npm ci --offline=maybe",
            "npm_config_offline=true npm ci --no-offline",
            "yarn install --offline=false",
            "yarn --offline --no-offline",
            "pnpm install --offline=false",
            "uv --offline=false sync",
            "uv sync --offline --no-offline",
            "UV_OFFLINE=1 uv sync --no-offline",
            "uv run python app.py --offline",
            "go build -mod=vendor -mod=mod ./...",
            "go build -mod vendor -mod mod ./...",
            "GOFLAGS=-mod=vendor go build -mod=mod ./...",
            "GOFLAGS='-mod=vendor -mod=mod' go build ./...",
            "go run ./cmd/app -mod=vendor",
            "docker build --network=none --network=default .",
            "docker build --network=none --network host .",
            "docker build --net none --network=bridge .",
            "podman build --network none --network=host .",
            "bazel build --nofetch --fetch //...",
            "bazel build --fetch=false --fetch=true //...",
            "bazel run --fetch //x -- --nofetch",
            "apt-get install --no-download --download -y hello",
            "apt-get install --simulate --no-simulate hello",
            "mvn -B package --offline=false",
            "gradle build --offline=false",
            "cargo build -- --offline",
            "cargo test -- --frozen",
            "CARGO_NET_OFFLINE=true cargo build --config net.offline=false",
            "CARGO_NET_OFFLINE=false cargo build",
            "PIP_NO_INDEX=1 pip install --isolated x",
        ];
        for c in online {
            let (inv, f) = check_command(c, &o);
            assert_eq!(inv.len(), 1, "{c}: {inv:?}");
            assert_eq!(inv[0].offline, Some(false), "{c}");
            assert_eq!(f.len(), 1, "{c}");
            assert_eq!(f[0].kind, Kind::NetworkNotDisabled, "{c}");
        }
        let offline = [
            "npm ci --no-offline --offline",
            "npm ci --offline=true",
            "npm ci --offline true",
            "npm_config_offline=true npm ci",
            "NPM_CONFIG_OFFLINE=1 npm ci",
            "npm_config_offline=false npm ci --offline",
            "npm ci --offline --prefer-online",
            "yarn install --no-offline --offline",
            "pnpm install --offline",
            "uv --offline sync",
            "uv sync --no-offline --offline",
            "UV_OFFLINE=0 uv sync --offline",
            "UV_OFFLINE=true uv sync",
            "uv run --offline python app.py",
            "go build -mod=mod -mod=vendor ./...",
            "go build -o bin/app -mod vendor ./cmd/app",
            "GOFLAGS=-mod=mod go build -mod=vendor ./...",
            "GOFLAGS='-mod=mod -mod=vendor' go build ./...",
            "go test ./... -mod=vendor",
            "GOPROXY=off go build -mod=mod ./...",
            "docker build --network=default --network=none .",
            "docker build -t x . --network none",
            "buildah bud --network=host --network none .",
            "bazel build --fetch --nofetch //...",
            "bazel build --fetch=no //...",
            "apt-get install --download --no-download -y hello",
            "apt-get install -s hello",
            "mvn -B -o package",
            "gradle --offline build",
            "cargo --offline build",
            "cargo build --offline --config net.offline=false",
            "CARGO_NET_OFFLINE=false cargo build --offline",
            "cargo build --config net.offline=true",
            "cargo build --config=net.offline=true",
            "CARGO_NET_OFFLINE=true cargo build",
            "PIP_NO_INDEX=1 pip install x",
            "pip install --no-index --index-url https://pypi.org/simple x",
            "apk add --no-network x",
        ];
        for c in offline {
            let (inv, f) = check_command(c, &o);
            assert_eq!(inv.len(), 1, "{c}: {inv:?}");
            assert_eq!(inv[0].offline, Some(true), "{c}");
            assert!(f.is_empty(), "{c}: {f:?}");
        }
    }

    /// Loopback is decided by parsing the URL's host, not by its first characters.
    #[test]
    fn loopback_lookalikes_are_network_access() {
        let o = opts();
        for c in [
            "curl http://127.evil.com/x",
            "curl http://127.0.0.1.evil.com/x",
            "wget https://localhost.evil.com/x",
            "curl http://evil.localhost/x",
            "curl http://127.0.0.1:80@evil.com/x",
        ] {
            let (_, f) = check_command(c, &o);
            assert_eq!(f.len(), 1, "{c}: {f:?}");
            assert_eq!(f[0].kind, Kind::Network, "{c}");
        }
        for c in [
            "curl http://127.0.0.1/x",
            "curl http://127.1.2.3:8080/x",
            "curl http://[::1]:8080/x",
            "curl http://localhost:8080/x",
        ] {
            let (inv, f) = check_command(c, &o);
            assert!(inv.is_empty() && f.is_empty(), "{c}: {f:?}");
        }
    }

    /// A `\r` redraw hides what came before it on a terminal, but what was printed before it
    /// still happened: every part of the line is checked (columns count from the line start),
    /// and a finding repeated by a redraw is reported once.
    #[test]
    fn every_carriage_return_part_is_checked() {
        let r = check_text(
            "log",
            "+ curl https://evil.com/x\r+ cargo build --offline\n",
            &opts(),
        );
        let f: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.line, f.column, f.kind, f.host.clone()))
            .collect();
        assert_eq!(f, vec![(1, 3, Kind::Network, Some("evil.com".into()))]);
        assert_eq!(r.invocations.len(), 2);
        let r = check_text("log", "+ cargo build --offline\r+ npm ci\n", &opts());
        assert_eq!(r.findings.len(), 1);
        assert_eq!(
            (r.findings[0].kind, r.findings[0].column),
            (Kind::NetworkNotDisabled, 27)
        );
        let r = check_text(
            "log",
            "Collecting six==1.16.0\n  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)\r     |####| 11 kB 2.0 MB/s\nSuccessfully installed six-1.16.0\n",
            &opts(),
        );
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].line, 2);
        assert_eq!(
            r.findings[0].host.as_deref(),
            Some("files.pythonhosted.org")
        );
        // A progress bar that redraws a download line: one finding for the line.
        let r = check_text(
            "log",
            "Collecting six\n  Downloading six-1.16.0-py2.py3-none-any.whl (1 kB)\r  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)\n",
            &opts(),
        );
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    }

    #[test]
    fn allow_hosts_turn_findings_into_notes() {
        let o = Options::new(Vec::new(), &["*.internal.example".into()]).unwrap();
        let r = check_text(
            "log",
            "Get:1 http://mirror.internal.example/debian bookworm InRelease\nGet:2 http://deb.debian.org/debian bookworm InRelease\n",
            &o,
        );
        assert!(r.findings[0].allowed && !r.findings[1].allowed);
        assert_eq!(r.findings[0].diagnostic().code(), "HRM006");
        assert_eq!(r.denied(), 1);
    }

    #[test]
    fn ansi_timestamps_and_progress_are_cleaned() {
        let log =
            "2026-01-01T00:00:00.1234567Z \x1b[1m\x1b[32m    Updating\x1b[0m crates.io index\r\n";
        let r = check_text("log", log, &opts());
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].host.as_deref(), Some("index.crates.io"));
        let r = check_text("log", "hello world\nnothing to see\n", &opts());
        assert!(!r.recognised());
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            simple_commands(r#"a 'b c' && d "e;f" | g"#),
            vec![vec!["a", "b c"], vec!["d", "e;f"], vec!["g"]]
        );
        assert_eq!(
            simple_commands(r#"["cargo", "build"]"#),
            vec![vec!["cargo", "build"]]
        );
    }
}
