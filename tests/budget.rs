//! `tollgate budget perf|cost`: conformance against k6 and Infracost outputs, whole-CLI cases for
//! every bad input, snapshots of the tables and the pull-request Markdown, and a real k6 run.

use crate::common::*;
use std::path::{Path, PathBuf};
use tollgate::budget::{cfg, cost, infracost, k6, perf};
use tollgate::report::Verdict;

const K6_BUDGETS: &str = "testdata/budget/k6/budgets.yaml";
const K6_CURRENT: &str = "testdata/budget/k6/current.json";
const K6_BASELINE: &str = "testdata/budget/k6/baseline.json";
const COST_JSON: &str = "testdata/budget/infracost/diff.json";
const COST_BUDGETS: &str = "testdata/budget/infracost/budgets.yaml";

fn one_line_error(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr).to_string();
    let lines: Vec<&str> = s.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "expected exactly one error line, got:\n{s}");
    assert!(!s.contains("panicked"), "{s}");
    lines[0].to_string()
}

fn stdout_of(args: &[&str]) -> String {
    let out = tollgate().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

// ------------------------------------------------------------------ conformance

/// The MANIFEST.md table rows: (file, whole row text).
fn manifest_rows(manifest: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(manifest).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let file = l.trim_start_matches("| `").split('`').next()?.to_string();
            Some((file, l.to_string()))
        })
        .collect()
}

/// What a k6 MANIFEST row claims: the run verdict and how many thresholds failed. A row that
/// says it is the "same as `other.json`" inherits the other row's claims.
fn k6_expectation(rows: &[(String, String)], row: &str) -> (bool, usize) {
    if let Some(i) = row.find("same as ")
        && let Some(other) = row[i + 8..].split_whitespace().next()
    {
        let other = other.trim_matches(|c| c == '`' || c == ',' || c == '.');
        if let Some((_, r)) = rows.iter().find(|(f, _)| f == other) {
            return k6_expectation(rows, r);
        }
    }
    let failed = row.contains("judged FAILED");
    let passed = row.contains("PASSED") || row.contains("all thresholds PASS");
    assert!(failed != passed, "row states no verdict: {row}");
    let n = row.matches("` (failed)").count() + row.matches("` ok=false").count();
    (!failed, n)
}

/// `key 'value'` or `key None` in a MANIFEST row.
fn claim(row: &str, key: &str) -> Option<Option<String>> {
    let i = row
        .find(&format!("; {key} "))
        .or_else(|| row.find(&format!(" {key} ")))?;
    let rest = &row[i..];
    let rest = &rest[rest.find(key)? + key.len() + 1..];
    if rest.starts_with("None") {
        Some(None)
    } else if let Some(r) = rest.strip_prefix('\'') {
        Some(Some(r.split('\'').next()?.to_string()))
    } else {
        Some(Some(rest.split([';', ' ']).next()?.trim().to_string()))
    }
}

struct Agreement {
    source: &'static str,
    files: usize,
    agree: usize,
    problems: Vec<String>,
}

fn k6_source(root: &Path, source: &'static str) -> Agreement {
    let dir = root.join(source);
    let rows = manifest_rows(&dir.join("MANIFEST.md"));
    assert!(!rows.is_empty(), "{source}: no MANIFEST rows");
    let mut a = Agreement {
        source,
        files: rows.len(),
        agree: 0,
        problems: vec![],
    };
    let mut trend_values = Vec::new();
    for (file, row) in &rows {
        let (want_pass, want_failed) = k6_expectation(&rows, row);
        let mut why = Vec::new();
        match k6::load(&dir.join(file), Default::default()) {
            Err(e) => why.push(format!("unreadable: {}", e.one_line())),
            Ok((s, _)) => {
                let ev =
                    perf::evaluate(&s, None, &cfg::Budgets::default(), Default::default()).unwrap();
                let got_pass = ev.verdict() == Verdict::Pass;
                if got_pass != want_pass {
                    why.push(format!("verdict {got_pass} != {want_pass}"));
                }
                let got_failed = s.thresholds.iter().filter(|t| !t.ok).count();
                if got_failed != want_failed {
                    why.push(format!(
                        "{got_failed} thresholds failed, MANIFEST says {want_failed}"
                    ));
                }
                if row.contains("45 passes/15 fails") {
                    let c = &s.metrics["checks"].values;
                    if (c["passes"], c["fails"], c["rate"]) != (45.0, 15.0, 0.75) {
                        why.push(format!("checks {c:?}"));
                    }
                }
                if let Some(m) = s.metrics.get("my_trend") {
                    trend_values.push((file.clone(), m.values.clone()));
                }
                if row.contains("http_reqs count 20") {
                    if s.metrics["http_reqs"].values["count"] != 20.0 {
                        why.push("http_reqs count".into());
                    }
                    if s.metrics["http_req_failed"].values["rate"] != 0.0 {
                        why.push("http_req_failed rate".into());
                    }
                    if s.metrics["http_req_duration"].values["p(95)"] != 260.64205000000004 {
                        why.push("p(95)".into());
                    }
                }
            }
        }
        if why.is_empty() {
            a.agree += 1;
        } else {
            a.problems
                .push(format!("{source}/{file}: {}", why.join("; ")));
        }
    }
    // The k6 vectors describe one run in different shapes: the stats must be identical.
    for w in trend_values.windows(2) {
        if w[0].1 != w[1].1 {
            a.problems.push(format!(
                "{source}: {} and {} disagree on my_trend",
                w[0].0, w[1].0
            ));
        }
    }
    a
}

fn infracost_source(root: &Path) -> Agreement {
    let source = "infracost";
    let dir = root.join(source);
    let rows = manifest_rows(&dir.join("MANIFEST.md"));
    let mut a = Agreement {
        source,
        files: rows.len(),
        agree: 0,
        problems: vec![],
    };
    let money = |s: &Option<String>| s.as_ref().map(|v| v.parse::<f64>().unwrap());
    for (file, row) in &rows {
        let mut why = Vec::new();
        match infracost::load(&dir.join(file), Default::default()) {
            Err(e) => why.push(format!("unreadable: {}", e.one_line())),
            Ok(o) => {
                let errors_expected = row.contains("project error") || row.contains("errored");
                let ev = cost::evaluate(&o, &cfg::Budgets::default()).unwrap();
                let want = if errors_expected {
                    Verdict::Deny
                } else {
                    Verdict::Pass
                };
                if ev.verdict() != want {
                    why.push(format!("verdict {:?}, expected {want:?}", ev.verdict()));
                }
                let c = claim(row, "currency").expect("currency claim");
                if o.currency != c {
                    why.push(format!("currency {:?} != {c:?}", o.currency));
                }
                for (key, got) in [
                    ("totalMonthlyCost", o.total),
                    ("pastTotalMonthlyCost", o.past),
                    ("diffTotalMonthlyCost", o.diff),
                ] {
                    let want = money(&claim(row, key).unwrap_or_else(|| panic!("{file}: {key}")));
                    if got != want {
                        why.push(format!("{key} {got:?} != {want:?}"));
                    }
                }
                let projects: usize = claim(row, "projects").flatten().unwrap().parse().unwrap();
                if o.projects.len() != projects {
                    why.push(format!("{} projects != {projects}", o.projects.len()));
                }
                let perr: usize = claim(row, "project errors")
                    .flatten()
                    .map_or(0, |s| s.parse().unwrap());
                if o.project_errors() != perr {
                    why.push(format!("{} project errors != {perr}", o.project_errors()));
                }
            }
        }
        if why.is_empty() {
            a.agree += 1;
        } else {
            a.problems
                .push(format!("{source}/{file}: {}", why.join("; ")));
        }
    }
    a
}

#[test]
fn budget_conformance_agrees_with_every_manifest() {
    let Some(root) = conformance_dir() else {
        eprintln!("SKIPPED: conformance corpus not found (set TOLLGATE_CONFORMANCE)");
        return;
    };
    let mut results = Vec::new();
    for s in ["k6", "k6-example-circleci-orb"] {
        if root.join(s).is_dir() {
            results.push(k6_source(&root, s));
        }
    }
    if root.join("infracost").is_dir() {
        results.push(infracost_source(&root));
    }
    let mut table = String::from("\n| source | files | agree | disagree |\n|---|---:|---:|---:|\n");
    for r in &results {
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.source,
            r.files,
            r.agree,
            r.files - r.agree
        ));
    }
    eprintln!("{table}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root_dir().join("target"));
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join("conformance-budget.md"), &table);
    let problems: Vec<&String> = results.iter().flat_map(|r| &r.problems).collect();
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn root_dir() -> PathBuf {
    crate::common::root()
}

#[test]
fn manifest_claims_parse() {
    let row = "| `x.json` | p | VALID | version 0.2; currency USD; totalMonthlyCost '1303.28'; pastTotalMonthlyCost None; projects 2; project errors 1; curation |";
    assert_eq!(claim(row, "currency"), Some(Some("USD".into())));
    assert_eq!(claim(row, "totalMonthlyCost"), Some(Some("1303.28".into())));
    assert_eq!(claim(row, "pastTotalMonthlyCost"), Some(None));
    assert_eq!(claim(row, "projects"), Some(Some("2".into())));
    assert_eq!(claim(row, "project errors"), Some(Some("1".into())));
}

// ------------------------------------------------------------------ whole CLI: exit codes

fn perf(args: &[&str]) -> assert_cmd::assert::Assert {
    tollgate().args(["budget", "perf"]).args(args).assert()
}

#[test]
fn perf_within_budget_passes_with_exit_0() {
    perf(&[
        "--current",
        K6_BASELINE,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS,
    ])
    .code(0)
    .stdout(predicates::str::contains("PASS budget perf"));
}

#[test]
fn perf_over_budget_denies_with_exit_1() {
    perf(&[
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS,
    ])
    .code(1)
    .stdout(predicates::str::contains("BUD001"))
    .stdout(predicates::str::contains(
        "5:12: http_req_duration p(95) is 205.3ms",
    ));
}

#[test]
fn failed_k6_threshold_denies_unless_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let b = write(
        dir.path(),
        "b.yaml",
        "perf:\n  http_req_duration:\n    p(95): < 1s\n",
    );
    let b = b.to_str().unwrap();
    perf(&["--current", K6_CURRENT, "--budgets", b])
        .code(1)
        .stdout(predicates::str::contains("BUD002"));
    perf(&[
        "--current",
        K6_CURRENT,
        "--budgets",
        b,
        "--ignore-k6-thresholds",
    ])
    .code(0)
    .stdout(predicates::str::contains("BUD009"));
}

#[test]
fn relative_budget_without_baseline_warns_and_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let b = write(
        dir.path(),
        "b.yaml",
        "perf:\n  http_req_duration:\n    p(95): +10%\n",
    );
    perf(&["--current", K6_BASELINE, "--budgets", b.to_str().unwrap()])
        .code(0)
        .stdout(predicates::str::contains("BUD003"))
        .stdout(predicates::str::contains("skipped"));
}

#[test]
fn update_baseline_only_when_the_gate_passed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline.json");
    perf(&[
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS,
        "--update-baseline",
        out.to_str().unwrap(),
    ])
    .code(1)
    .stderr(predicates::str::contains("was not updated"));
    assert!(!out.exists(), "a denied run must not move the baseline");
    perf(&[
        "--current",
        K6_BASELINE,
        "--budgets",
        "testdata/budget/k6/budgets-pass.yaml",
        "--update-baseline",
        out.to_str().unwrap(),
    ])
    .code(0);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(root().join(K6_BASELINE)).unwrap()
    );
}

#[test]
fn cost_within_budget_passes_and_over_budget_denies() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(
        dir.path(),
        "ok.yaml",
        "cost:\n  currency: USD\n  total:\n    monthly: [< 2000, +30%]\n",
    );
    tollgate()
        .args([
            "budget",
            "cost",
            "--infracost",
            COST_JSON,
            "--budgets",
            ok.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    tollgate()
        .args([
            "budget",
            "cost",
            "--infracost",
            COST_JSON,
            "--budgets",
            COST_BUDGETS,
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("BUD001"));
}

#[test]
fn unknown_cost_denies_every_budget_on_it() {
    let dir = tempfile::tempdir().unwrap();
    // The total is null; acme/web's current cost is null too (one member of a service).
    let infracost = write(
        dir.path(),
        "ic.json",
        r#"{"version":"0.2","currency":"USD","projects":[
            {"name":"acme/api","metadata":{},"pastBreakdown":{"totalMonthlyCost":"800"},"breakdown":{"totalMonthlyCost":"820"}},
            {"name":"acme/web","metadata":{},"pastBreakdown":{"totalMonthlyCost":"100"},"breakdown":{"totalMonthlyCost":null}}],
            "totalMonthlyCost":null,"pastTotalMonthlyCost":"900"}"#,
    );
    for budgets in [
        "cost:\n  currency: USD\n  total:\n    monthly: [< 5000]\n",
        "cost:\n  currency: USD\n  services:\n    shop:\n      projects: [acme/*]\n      monthly: [< 900000]\n",
    ] {
        let b = write(dir.path(), "b.yaml", budgets);
        tollgate()
            .args(["budget", "cost", "--infracost"])
            .arg(&infracost)
            .arg("--budgets")
            .arg(&b)
            .assert()
            .code(1)
            .stdout(predicates::str::contains("BUD012"));
    }
}

#[test]
fn unpriced_project_denies_cost() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let f = root.join("infracost/out_with_project_error.json");
    if !f.is_file() {
        return;
    }
    tollgate()
        .args(["budget", "cost", "--infracost"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("BUD008"));
}

// ------------------------------------------------------------------ whole CLI: bad input

/// Bad input: exit 2, exactly one `error:` line naming the file and position, nothing on
/// stdout, and no `--output` file left behind.
fn bad_input(args: &[&str], budgets: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut cmd = tollgate();
    cmd.args(["--format", "json", "--output"])
        .arg(&report)
        .args(args);
    if let Some(b) = budgets {
        let p = write(dir.path(), "budgets.yaml", b);
        cmd.arg("--budgets").arg(p);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert!(!report.exists(), "no partial output on bad input");
    one_line_error(&out.stderr).replace(&dir.path().display().to_string(), "TMP")
}

#[test]
fn unknown_metric_is_exit_2_at_its_line() {
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some(
            "perf:\n  http_req_duration:\n    p(95): < 1s\n  http_req_durration:\n    p(95): < 1s\n",
        ),
    );
    assert!(
        e.starts_with("error: BUD004: TMP/budgets.yaml:4:3: unknown metric \"http_req_durration\""),
        "{e}"
    );
    assert!(e.contains("the summary has: checks, data_received"), "{e}");
}

#[test]
fn missing_stat_is_exit_2_naming_the_k6_option() {
    let e = bad_input(
        &[
            "budget",
            "perf",
            "--current",
            "testdata/budget/k6/current.json",
        ],
        Some("perf:\n  http_req_duration:\n    p(99.9): < 1s\n"),
    );
    assert!(
        e.contains("BUD005: testdata/budget/k6/current.json at /metrics/http_req_duration"),
        "{e}"
    );
    assert!(e.contains("no \"p(99.9)\" statistic"), "{e}");
    assert!(e.contains("summaryTrendStats"), "{e}");
    assert!(e.contains("--summary-trend-stats"), "{e}");
}

#[test]
fn wrong_currency_is_exit_2() {
    let e = bad_input(
        &[
            "budget",
            "cost",
            "--infracost",
            COST_JSON,
            "--budgets",
            "testdata/budget/infracost/budgets-eur.yaml",
        ],
        None,
    );
    assert!(e.starts_with("error: BUD006: testdata/budget/infracost/diff.json at /currency: costs are in USD but testdata/budget/infracost/budgets-eur.yaml:2:13"), "{e}");
}

#[test]
fn malformed_budget_units_are_exit_2_at_line_and_column() {
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some("perf:\n  http_req_duration:\n    p(95): < 500 msec\n"),
    );
    assert!(e.starts_with("error: BUD007: TMP/budgets.yaml:3:12: http_req_duration p(95): invalid limit \"< 500 msec\": unknown unit \"msec\""), "{e}");
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some("perf:\n  http_req_duration:\n    p(95): 500ms\n"),
    );
    assert!(e.contains("TMP/budgets.yaml:3:12"), "{e}");
    assert!(e.contains("must start with <"), "{e}");
    let e = bad_input(
        &["budget", "cost", "--infracost", COST_JSON],
        Some("cost:\n  total:\n    monthly: < lots\n"),
    );
    assert!(e.contains("BUD007: TMP/budgets.yaml:3:14"), "{e}");
}

#[test]
fn unit_that_does_not_fit_the_metric_is_exit_2() {
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some("perf:\n  http_req_failed:\n    rate: < 500ms\n"),
    );
    assert!(e.contains("BUD007: TMP/budgets.yaml:3:11: http_req_failed rate: < 500ms uses a duration unit, but this statistic needs a percentage"), "{e}");
}

#[test]
fn unknown_key_in_budgets_is_exit_2() {
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some("perf: {}\nbudgets:\n  x: 1\n"),
    );
    assert!(e.contains("BUD007: TMP/budgets.yaml:2:"), "{e}");
}

#[test]
fn trend_metric_without_a_statistic_is_exit_2() {
    let e = bad_input(
        &["budget", "perf", "--current", K6_CURRENT],
        Some("perf:\n  http_req_duration: < 500ms\n"),
    );
    assert!(e.contains("is a trend metric: name the statistic"), "{e}");
}

#[test]
fn not_a_k6_summary_or_not_infracost_is_exit_2() {
    let e = bad_input(&["budget", "perf", "--current", COST_JSON], None);
    assert!(e.contains("TG007") && e.contains("not a k6 summary"), "{e}");
    let e = bad_input(&["budget", "cost", "--infracost", K6_CURRENT], None);
    assert!(
        e.contains("TG007") && e.contains("not an Infracost JSON output"),
        "{e}"
    );
    let e = bad_input(
        &[
            "budget",
            "perf",
            "--current",
            "testdata/budget/k6/missing.json",
        ],
        None,
    );
    assert!(e.contains("TG001"), "{e}");
}

#[test]
fn truncated_summary_is_exit_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(K6_CURRENT)).unwrap();
    let f = write(dir.path(), "cut.json", &text[..200]);
    let e = bad_input(&["budget", "perf", "--current", f.to_str().unwrap()], None);
    assert!(e.contains("TG005") && e.contains("cut.json:"), "{e}");
}

// ------------------------------------------------------------------ snapshots

#[test]
fn perf_table_human() {
    insta::assert_snapshot!(stdout_of(&[
        "budget",
        "perf",
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS
    ]));
}

#[test]
fn perf_markdown_pull_request_comment() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "markdown",
        "budget",
        "perf",
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS
    ]));
}

#[test]
fn perf_json() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "json",
        "budget",
        "perf",
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS
    ]));
}

#[test]
fn cost_table_human() {
    insta::assert_snapshot!(stdout_of(&[
        "budget",
        "cost",
        "--infracost",
        COST_JSON,
        "--budgets",
        COST_BUDGETS
    ]));
}

#[test]
fn cost_markdown_pull_request_comment() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "markdown",
        "budget",
        "cost",
        "--infracost",
        COST_JSON,
        "--budgets",
        COST_BUDGETS
    ]));
}

// ------------------------------------------------------------------ real k6

/// The k6 binary: `$TOLLGATE_K6`, `.tools/bin/k6` (scripts/install-k6.sh), or `k6` on PATH.
fn k6_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TOLLGATE_K6") {
        return Some(PathBuf::from(p));
    }
    let local = root().join(".tools/bin/k6");
    if local.is_file() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("k6"))
            .find(|p| p.is_file())
    })
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request after `delay` (keep-alive).
/// The "slowed build" of the service under test is the same server with a delay.
fn serve(delay: std::time::Duration) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    // Request line and headers up to the blank line.
                    let mut n = 0;
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        n += 1;
                        if line == "\r\n" || line == "\n" {
                            break;
                        }
                    }
                    if n == 0 {
                        return;
                    }
                    std::thread::sleep(delay);
                    let body = "{\"items\":[]}";
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if out.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// One k6 run against `target`; returns (summary-export file, handleSummary file).
fn run_k6(k6: &Path, dir: &Path, label: &str, target: &str) -> (PathBuf, PathBuf) {
    let export = dir.join(format!("{label}.export.json"));
    let handle = dir.join(format!("{label}.handle.json"));
    let mut cmd = std::process::Command::new(k6);
    for (k, _) in std::env::vars() {
        if k.to_ascii_lowercase().contains("proxy") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .args([
            "run",
            "--quiet",
            "--no-color",
            "--no-usage-report",
            "--summary-export",
        ])
        .arg(&export)
        .arg(root().join("testdata/budget/k6-real/script.js"))
        .env("K6_NO_USAGE_REPORT", "true")
        .env("TARGET", target)
        .env("HANDLE_SUMMARY_OUT", &handle)
        .env("DURATION", "2s")
        .output()
        .expect("run k6");
    assert!(
        out.status.success(),
        "k6 failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (export, handle)
}

fn p95(path: &Path) -> f64 {
    let (s, _) = k6::load(path, Default::default()).unwrap();
    s.metrics["http_req_duration"].values["p(95)"]
}

#[test]
fn real_k6_gates_a_slowed_server() {
    let Some(k6) = k6_binary() else {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_K6").is_none(),
            "TOLLGATE_REQUIRE_K6 is set but no k6 was found (run scripts/install-k6.sh)"
        );
        eprintln!("SKIPPED: k6 not installed (scripts/install-k6.sh installs it into .tools/)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let fast = serve(std::time::Duration::ZERO);
    let slow = serve(std::time::Duration::from_millis(40));
    let (fast_export, fast_handle) = run_k6(&k6, dir.path(), "fast", &fast);
    let (fast2_export, _) = run_k6(&k6, dir.path(), "fast2", &fast);
    let (slow_export, slow_handle) = run_k6(&k6, dir.path(), "slow", &slow);

    // Both export formats of one run carry the same numbers and are recognised as such.
    assert_eq!(p95(&fast_export), p95(&fast_handle));
    let (e, _) = k6::load(&fast_export, Default::default()).unwrap();
    let (h, _) = k6::load(&fast_handle, Default::default()).unwrap();
    assert_eq!(e.format, k6::Format::SummaryExport);
    assert_eq!(h.format, k6::Format::HandleSummary);
    assert!(!e.k6_failed() && !h.k6_failed());
    eprintln!(
        "real k6: p95 fast {:.3}ms, fast again {:.3}ms, slowed {:.3}ms",
        p95(&fast_handle),
        p95(&fast2_export),
        p95(&slow_handle)
    );

    let budgets = "testdata/budget/k6-real/budgets.yaml";
    let gate = |current: &Path, baseline: &Path| {
        tollgate()
            .args(["budget", "perf", "--budgets", budgets, "--current"])
            .arg(current)
            .arg("--baseline")
            .arg(baseline)
            .output()
            .unwrap()
    };
    // Fast against fast (another run, the other format): within +20ms.
    let out = gate(&fast2_export, &fast_handle);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The slowed server against the fast baseline, in both format pairings: denied.
    for (cur, base) in [(&slow_handle, &fast_export), (&slow_export, &fast_handle)] {
        let out = gate(cur, base);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("BUD001"), "{stdout}");
        assert!(stdout.contains("http_req_duration p(95)"), "{stdout}");
        assert!(
            stdout.contains("http_req_duration{name:items} p(95)"),
            "{stdout}"
        );
    }
}

#[test]
fn formats_without_tables_carry_every_row_as_a_note() {
    let args = [
        "budget",
        "perf",
        "--current",
        K6_CURRENT,
        "--baseline",
        K6_BASELINE,
        "--budgets",
        K6_BUDGETS,
    ];
    let sarif: serde_json::Value =
        serde_json::from_str(&stdout_of(&[&["--format", "sarif"][..], &args].concat())).unwrap();
    let notes = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "BUD011")
        .count();
    assert_eq!(notes, 9, "one note per table row");
    let github = stdout_of(&[&["--format", "github"][..], &args].concat());
    assert_eq!(
        github.matches("title=BUD011 budget-result::").count(),
        9,
        "{github}"
    );
    assert!(github.contains("http_req_duration p(95): baseline 182.5ms, current 205.3ms, change +22.8ms (+12.49%25), budget +10%25 (≤ 200.75ms), verdict FAIL"), "{github}");
    let junit = stdout_of(&[&["--format", "junit"][..], &args].concat());
    assert!(junit.contains("BUD011"), "{junit}");
    // Human output shows the table, not the notes.
    assert!(!stdout_of(&args).contains("BUD011"));
}
