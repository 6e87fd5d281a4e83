//! The Control Attestation renderings are looked at, not only generated: the HTML report is
//! loaded in headless Chromium (DOM and a screenshot), the PDF is rasterised with `pdftoppm` and
//! its text extracted with `pdftotext`.
//!
//! The tools come from Debian (`scripts/install-render-tools.sh`). Without them these tests skip
//! with a message, unless `TOLLGATE_REQUIRE_RENDER_TOOLS=1` (set by `make test`): then they fail.
//! `TOLLGATE_RENDER_KEEP=DIR` keeps the rendered files and images there for a person to look at.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tollgate::controls::model::*;
use tollgate::controls::render::{render_html, render_markdown, render_pdf};

const SBOM_SHA: &str = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9";
const SARIF_SHA: &str = "baa5a0964d3320fbc0c6a922140453c8513ea24ab8fd0577034804a967248096";
const PROV_SHA: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
const KEYID: &str = "SHA256:q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c";

fn frameworks(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

fn control(id: &str, name: &str, status: Status, reason: &str) -> ControlResult {
    ControlResult {
        id: id.into(),
        name: name.into(),
        description: None,
        frameworks: frameworks(&[("iso27001", &["A.8.28"]), ("soc2", &["CC8.1"])]),
        required: true,
        status,
        reason: reason.into(),
        evidence: vec![],
        assertions: vec![AssertionResult {
            kind: "file_exists".into(),
            status: if status == Status::Pass {
                Status::Pass
            } else {
                Status::Fail
            },
            message: reason.into(),
            evidence: vec![],
        }],
        waiver: None,
    }
}

/// Three controls (pass, fail, waived), an active and an expired waiver, three evidence files,
/// signed: built through the public model, as the command will.
fn sample() -> RenderContext {
    let expired = WaiverRecord {
        control: "SC-02".into(),
        reason: "cosign rollout pending".into(),
        approver: Some("alice@example.com".into()),
        expires: "2025-01-31".into(),
        ticket: Some("https://tickets.example.com/SEC-17".into()),
        state: WaiverState::Expired,
        note: "expired 2025-01-31, before --now 2025-06-01T12:00:00Z".into(),
    };
    let active = WaiverRecord {
        control: "PL-01".into(),
        reason: "policy pack migration".into(),
        approver: Some("bob@example.com".into()),
        expires: "2025-12-31".into(),
        ticket: None,
        state: WaiverState::Active,
        note: "waives PL-01".into(),
    };
    let mut waived = control(
        "PL-01",
        "Policy Pack (Warrant/License/Citations)",
        Status::Waived,
        "file_exists: no file matches policies/conftest-results.json; waived by bob@example.com",
    );
    waived.waiver = Some(active.clone());
    RenderContext {
        predicate: ControlsPredicate {
            verdict: "fail".into(),
            generated_at: "2025-06-01T12:00:00Z".into(),
            tool: Tool {
                name: "tollgate".into(),
                version: "0.1.0".into(),
            },
            release: Release {
                name: Some("v1.4.0".into()),
                repository: Some("https://github.com/acme/shop".into()),
                git_ref: Some("refs/tags/v1.4.0".into()),
                commit: Some("3f1c2a9b7e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b".into()),
            },
            catalog: CatalogRef {
                path: "catalog/default.yaml".into(),
                sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
                schema: 1,
            },
            summary: Summary {
                total: 3,
                passed: 1,
                failed: 1,
                waived: 1,
                failed_optional: 0,
            },
            controls: vec![
                control(
                    "SC-01",
                    "Supply Chain — SBOM & Scans",
                    Status::Pass,
                    "all 2 assertions passed",
                ),
                control(
                    "SC-02",
                    "Signing & Provenance",
                    Status::Fail,
                    "cosign_verify_attestation: provenance/build.intoto.json: signature does not \
                     verify with any trusted key (waiver expired 2025-01-31)",
                ),
                waived,
            ],
            waivers: vec![expired, active],
            evidence: vec![
                EvidenceFile {
                    path: "provenance/build.intoto.json".into(),
                    sha256: PROV_SHA.into(),
                    size: 4182,
                },
                EvidenceFile {
                    path: "sbom/sbom-app.json".into(),
                    sha256: SBOM_SHA.into(),
                    size: 120_331,
                },
                EvidenceFile {
                    path: "scans/trivy.sarif".into(),
                    sha256: SARIF_SHA.into(),
                    size: 8812,
                },
            ],
        },
        statement_sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into(),
        signature: Some(SignatureInfo {
            keyid: KEYID.into(),
            algorithm: "ecdsa-p256-sha256".into(),
            envelope: "attestation.dsse.json".into(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

fn find_tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The tools, or `None` (after saying why) when a test should skip. With
/// `TOLLGATE_REQUIRE_RENDER_TOOLS=1` a missing tool fails the test instead.
fn tools(test: &str, wanted: &[(&str, &[&str])]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (what, names) in wanted {
        match find_tool(names) {
            Some(p) => found.push(p),
            None => missing.push(*what),
        }
    }
    if missing.is_empty() {
        return Some(found);
    }
    let message = format!(
        "{test}: {} not installed (run scripts/install-render-tools.sh)",
        missing.join(", ")
    );
    if std::env::var("TOLLGATE_REQUIRE_RENDER_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{message}; TOLLGATE_REQUIRE_RENDER_TOOLS=1, so this is a failure");
    }
    eprintln!("SKIPPED {message}");
    None
}

const CHROMIUM: (&str, &[&str]) = ("chromium", &["chromium", "chromium-browser"]);
const PDFTOPPM: (&str, &[&str]) = ("pdftoppm (poppler-utils)", &["pdftoppm"]);
const PDFTOTEXT: (&str, &[&str]) = ("pdftotext (poppler-utils)", &["pdftotext"]);
const PDFINFO: (&str, &[&str]) = ("pdfinfo (poppler-utils)", &["pdfinfo"]);
const PYTHON: (&str, &[&str]) = ("python3", &["python3"]);

/// Runs a command to completion within `limit`, killing it (only it) if it takes longer.
fn run(cmd: &mut Command, limit: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    // Drain the pipes in threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{shown} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn run_ok(cmd: &mut Command, limit: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let out = run(cmd, limit);
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Copies a rendered file to `TOLLGATE_RENDER_KEEP` when set, for a person to look at.
fn keep(path: &Path) {
    if let Some(dir) = std::env::var_os("TOLLGATE_RENDER_KEEP") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(path, dir.join(path.file_name().unwrap())).unwrap();
    }
}

/// What a PNG shows, decoded by a tiny python3 PNG reader (8-bit, non-interlaced: what
/// Chromium and pdftoppm write).
#[derive(Debug)]
struct PngStats {
    width: u64,
    height: u64,
    /// Fraction of pixels that are not (near) white.
    ink: f64,
    red: u64,
    green: u64,
    amber: u64,
}

const PNG_STATS: &str = r#"
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, plte = 8, b'', None
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos + 4]); kind = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b'IHDR': w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'PLTE': plte = body
    elif kind == b'IDAT': idat += body
    elif kind == b'IEND': break
assert depth == 8 and interlace == 0, 'unsupported PNG: depth %d interlace %d' % (depth, interlace)
ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
raw = zlib.decompress(idat); stride = w * ch
prev = bytearray(stride); i = 0
ink = red = green = amber = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    if f == 1:
        for x in range(ch, stride): line[x] = (line[x] + line[x - ch]) & 255
    elif f == 2:
        for x in range(stride): line[x] = (line[x] + prev[x]) & 255
    elif f == 3:
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0
            line[x] = (line[x] + ((a + prev[x]) >> 1)) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0; b = prev[x]; c = prev[x - ch] if x >= ch else 0
            p = a + b - c; pa = abs(p - a); pb = abs(p - b); pc = abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, stride, ch):
        if ctype == 3: r, g, b = plte[3 * line[x]:3 * line[x] + 3]
        elif ch >= 3: r, g, b = line[x], line[x + 1], line[x + 2]
        else: r = g = b = line[x]
        if r < 235 or g < 235 or b < 235: ink += 1
        if r - g > 80 and r - b > 80: red += 1
        if g - r > 50 and g - b > 30: green += 1
        if r - b > 80 and g - b > 40 and r - g > 20: amber += 1
print(w, h, ink / float(w * h), red, green, amber)
"#;

fn png_stats(python: &Path, png: &Path) -> PngStats {
    let bytes = std::fs::read(png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
    let out = run_ok(
        Command::new(python).arg("-c").arg(PNG_STATS).arg(png),
        Duration::from_secs(300),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let f: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(f.len(), 6, "unexpected PNG stats: {text}");
    PngStats {
        width: f[0].parse().unwrap(),
        height: f[1].parse().unwrap(),
        ink: f[2].parse().unwrap(),
        red: f[3].parse().unwrap(),
        green: f[4].parse().unwrap(),
        amber: f[5].parse().unwrap(),
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn chromium(bin: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        "--disable-extensions",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

// ---------------------------------------------------------------------------------------------
// HTML in Chromium
// ---------------------------------------------------------------------------------------------

#[test]
fn render_html_in_headless_chromium() {
    let Some(t) = tools("render_html_in_headless_chromium", &[CHROMIUM, PYTHON]) else {
        return;
    };
    let (chromium_bin, python) = (&t[0], &t[1]);
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("controls.html");
    std::fs::write(&html_path, render_html(&sample(), None).unwrap()).unwrap();
    keep(&html_path);

    // The DOM the browser built from the file.
    let profile = dir.path().join("profile-dom");
    let out = run_ok(
        chromium(chromium_bin, &profile)
            .arg("--dump-dom")
            .arg(file_url(&html_path)),
        Duration::from_secs(180),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<title>Control Attestation — v1.4.0</title>"),
        "{dom}"
    );
    assert!(
        dom.contains(r#"id="verdict" data-verdict="fail">Verdict: FAIL</span>"#),
        "{dom}"
    );
    for (id, status) in [("SC-01", "pass"), ("SC-02", "fail"), ("PL-01", "waived")] {
        let row =
            format!(r#"<tr class="status-{status}" id="control-{id}" data-status="{status}">"#);
        assert!(dom.contains(&row), "no row {row} in the DOM:\n{dom}");
        assert!(
            dom.contains(&format!("<code>{id}</code>")),
            "{id} not shown"
        );
        assert!(
            dom.contains(&format!(r#"<span class="status {status}">{status}</span>"#)),
            "status {status} not shown"
        );
    }
    // Escaped text comes back as text.
    assert!(dom.contains("<code>catalog/default.yaml</code>"));
    assert!(dom.contains("Supply Chain — SBOM &amp; Scans"));
    for digest in [SBOM_SHA, SARIF_SHA, PROV_SHA] {
        assert!(dom.contains(digest), "evidence digest {digest} missing");
    }
    assert!(dom.contains(&format!("<code>{KEYID}</code>")));
    assert!(dom.contains(r#"<tr data-state="expired">"#));
    assert!(!dom.contains("<script"), "the report must not need scripts");

    // What a person sees.
    let png = dir.path().join("controls-html.png");
    let profile = dir.path().join("profile-shot");
    run_ok(
        chromium(chromium_bin, &profile)
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=900,1300")
            .arg(file_url(&html_path)),
        Duration::from_secs(180),
    );
    assert!(png.is_file(), "chromium wrote no screenshot");
    keep(&png);
    let size = std::fs::metadata(&png).unwrap().len();
    assert!(size > 20_000, "screenshot suspiciously small: {size} bytes");
    let stats = png_stats(python, &png);
    eprintln!("HTML screenshot: {stats:?}");
    assert_eq!((stats.width, stats.height), (900, 1300));
    assert!(stats.ink > 0.03, "screenshot is (nearly) blank: {stats:?}");
    // The status colours are on screen: red verdict/fail, green pass, amber waived.
    assert!(stats.red > 200, "no red (fail) on screen: {stats:?}");
    assert!(stats.green > 100, "no green (pass) on screen: {stats:?}");
    assert!(stats.amber > 100, "no amber (waived) on screen: {stats:?}");
}

#[test]
fn render_markdown_has_the_table() {
    // No tool needed: the Markdown is text; the snapshot is in the unit tests.
    let md = render_markdown(&sample(), None).unwrap();
    assert!(md.starts_with("## ❌ Control Attestation: FAIL — v1.4.0"));
    for row in [
        "| `SC-01` | Supply Chain — SBOM & Scans | iso27001: A.8.28; soc2: CC8.1 | ✅ pass |",
        "| `SC-02` | Signing & Provenance | iso27001: A.8.28; soc2: CC8.1 | ❌ fail |",
        "| `PL-01` | Policy Pack (Warrant/License/Citations) | iso27001: A.8.28; soc2: CC8.1 | ⚠️ waived |",
    ] {
        assert!(md.contains(row), "missing {row} in\n{md}");
    }
    assert!(md.contains("<details><summary>Evidence: 3 files</summary>"));
    assert!(md.contains(&format!("🔏 Signed: key `{KEYID}` (ecdsa-p256-sha256)")));
}

// ---------------------------------------------------------------------------------------------
// PDF through poppler
// ---------------------------------------------------------------------------------------------

fn pdf_pages_as_png(pdftoppm: &Path, pdf: &Path, dir: &Path) -> Vec<PathBuf> {
    let prefix = dir.join("page");
    run_ok(
        Command::new(pdftoppm)
            .args(["-png", "-r", "50"])
            .arg(pdf)
            .arg(&prefix),
        Duration::from_secs(120),
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("page-") && n.ends_with(".png"))
        })
        .collect();
    pages.sort();
    pages
}

fn pdf_text(pdftotext: &Path, pdf: &Path) -> String {
    let out = run_ok(
        Command::new(pdftotext).arg("-layout").arg(pdf).arg("-"),
        Duration::from_secs(60),
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdf_info(pdfinfo: &Path, pdf: &Path) -> String {
    let out = run_ok(Command::new(pdfinfo).arg(pdf), Duration::from_secs(60));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `Field:   value` line of `pdfinfo`.
fn info_field<'a>(info: &'a str, field: &str) -> &'a str {
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {field} in pdfinfo output:\n{info}"))
}

#[test]
fn render_pdf_through_poppler() {
    let Some(t) = tools(
        "render_pdf_through_poppler",
        &[PDFTOPPM, PDFTOTEXT, PDFINFO, PYTHON],
    ) else {
        return;
    };
    let (pdftoppm, pdftotext, pdfinfo, python) = (&t[0], &t[1], &t[2], &t[3]);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("controls.pdf");
    let bytes = render_pdf(&sample());
    assert_eq!(bytes, render_pdf(&sample()), "PDF not deterministic");
    std::fs::write(&pdf, &bytes).unwrap();
    keep(&pdf);

    let info = pdf_info(pdfinfo, &pdf);
    assert_eq!(info_field(&info, "Pages"), "1", "{info}");
    assert_eq!(info_field(&info, "Page size"), "595.28 x 841.89 pts (A4)");
    assert_eq!(info_field(&info, "Title"), "Control Attestation - v1.4.0");
    assert_eq!(
        info_field(&info, "CreationDate"),
        "Sun Jun  1 12:00:00 2025 UTC"
    );

    let pages = pdf_pages_as_png(pdftoppm, &pdf, dir.path());
    assert_eq!(pages.len(), 1, "{pages:?}");
    keep(&pages[0]);
    let stats = png_stats(python, &pages[0]);
    eprintln!("PDF page 1: {stats:?}");
    // A4 at 50 dpi.
    assert!(
        (413..=414).contains(&stats.width) && stats.height == 585,
        "{stats:?}"
    );
    assert!(stats.ink > 0.02, "page is (nearly) blank: {stats:?}");
    assert!(stats.red > 20, "no red verdict/fail status: {stats:?}");

    let text = pdf_text(pdftotext, &pdf);
    for needle in [
        "Control Attestation",
        "Verdict: FAIL",
        "v1.4.0",
        "2025-06-01T12:00:00Z",
        "3 controls: 1 passed, 1 failed, 1 waived",
        "Supply Chain - SBOM &", // the em dash in WinAnsi-safe ASCII
        "cosign rollout pending",
        "expired",
        "alice@example.com",
        "provenance/build.intoto.json",
        SBOM_SHA,
        SARIF_SHA,
        PROV_SHA,
        &format!("signed, key id {KEYID} (ecdsa-p256-sha256)"),
        "page 1 of 1",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} not in the PDF text:\n{text}"
        );
    }
    for (id, status) in [("SC-01", "PASS"), ("SC-02", "FAIL"), ("PL-01", "WAIVED")] {
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("no table row for {id}:\n{text}"));
        assert!(row.contains(status), "{id} row has no {status}: {row}");
    }
}

#[test]
fn render_pdf_paginates_and_says_unsigned() {
    let Some(t) = tools(
        "render_pdf_paginates_and_says_unsigned",
        &[PDFTOPPM, PDFTOTEXT, PYTHON],
    ) else {
        return;
    };
    let (pdftoppm, pdftotext, python) = (&t[0], &t[1], &t[2]);
    let mut ctx = sample();
    ctx.signature = None;
    let long_reason = "sarif_no_levels: scans/trivy.sarif has 3 HIGH results (CVE-2025-0001 in \
                       openssl 3.0.1, CVE-2025-0002 in zlib 1.2.11, CVE-2025-0003 in glibc 2.31) \
                       — upgrade or waive with a ticket";
    ctx.predicate.controls = (0..120)
        .map(|i| {
            control(
                &format!("CTL-{i:03}"),
                "Generated control",
                Status::Fail,
                long_reason,
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("controls-long.pdf");
    std::fs::write(&pdf, render_pdf(&ctx)).unwrap();
    keep(&pdf);

    let pages = pdf_pages_as_png(pdftoppm, &pdf, dir.path());
    let n = pages.len();
    assert!(
        n >= 4,
        "120 controls of 3 lines should need several pages, got {n}"
    );
    for page in &pages {
        let stats = png_stats(python, page);
        assert!(
            stats.ink > 0.01,
            "{} is (nearly) blank: {stats:?}",
            page.display()
        );
    }
    keep(&pages[1]);

    let text = pdf_text(pdftotext, &pdf);
    assert!(text.contains("page 1 of "), "{text}");
    assert!(text.contains(&format!("page {n} of {n}")), "{text}");
    assert_eq!(
        text.matches(&format!(" of {n}")).count(),
        n,
        "every page numbered"
    );
    assert!(text.contains("unsigned"));
    for i in 0..120 {
        assert!(text.contains(&format!("CTL-{i:03}")), "CTL-{i:03} missing");
    }
    // The header of the controls table is repeated on the pages it runs onto.
    assert!(
        text.matches("FRAMEWORKS").count() >= 2,
        "table header not repeated"
    );
}
