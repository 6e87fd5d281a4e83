//! Human renderings of a Control Attestation ([`RenderContext`]): Markdown for a GitHub job
//! summary or PR comment and a standalone HTML report, both from minijinja templates
//! (`templates/controls.md.j2`, `templates/controls.html.j2`, embedded; a `--templates DIR`
//! overrides them by file name), and an A4 PDF for auditors written directly with `pdf-writer`.
//!
//! Templates see the [`RenderContext`] as its JSON shape (camelCase): `predicate`,
//! `statementSha256`, `signature`; see `templates/README.md`.

use crate::controls::model::{RenderContext, Status, WaiverState};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File name of the Markdown template (in `templates/` or a `--templates DIR`).
pub const MARKDOWN_TEMPLATE: &str = "controls.md.j2";
/// File name of the HTML template (in `templates/` or a `--templates DIR`).
pub const HTML_TEMPLATE: &str = "controls.html.j2";

const DEFAULT_MARKDOWN: &str = include_str!("../../templates/controls.md.j2");
const DEFAULT_HTML: &str = include_str!("../../templates/controls.html.j2");

/// Why a rendering could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot read template {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A syntax error in a template, or an error while rendering it.
    #[error("template {template}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template {
        /// The template file (`templates/NAME` for a built-in one, else the override's path).
        template: String,
        line: Option<usize>,
        message: String,
    },
}

/// Markdown for a GitHub job summary or PR comment.
pub fn render_markdown(
    ctx: &RenderContext,
    templates: Option<&Path>,
) -> Result<String, RenderError> {
    render_template(ctx, templates, MARKDOWN_TEMPLATE, DEFAULT_MARKDOWN)
}

/// A standalone, print-friendly HTML report (inline CSS, no scripts, no external resources).
pub fn render_html(ctx: &RenderContext, templates: Option<&Path>) -> Result<String, RenderError> {
    render_template(ctx, templates, HTML_TEMPLATE, DEFAULT_HTML)
}

fn render_template(
    ctx: &RenderContext,
    templates: Option<&Path>,
    file: &str,
    builtin: &'static str,
) -> Result<String, RenderError> {
    let (name, source) = match templates.map(|dir| dir.join(file)) {
        Some(path) if path.is_file() => {
            let source = std::fs::read_to_string(&path).map_err(|source| RenderError::Read {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), source)
        }
        _ => (format!("templates/{file}"), builtin.to_string()),
    };
    let mut env = environment();
    let template_error = |e: minijinja::Error| RenderError::Template {
        template: e.name().map(str::to_string).unwrap_or_else(|| name.clone()),
        line: e.line(),
        message: match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        },
    };
    env.add_template_owned(name.clone(), source)
        .map_err(template_error)?;
    let template = env.get_template(&name).map_err(template_error)?;
    template
        .render(Value::from(Serde(ctx)))
        .map_err(template_error)
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Block tags on their own lines leave no blank lines behind: templates stay readable.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("static syntax config"),
    );
    // Optional fields (release, signature, approver…) are absent from the JSON: `a.b.c` on them
    // is empty rather than an error.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|name| {
        let name = name.strip_suffix(".j2").unwrap_or(name);
        if name.ends_with(".html") || name.ends_with(".htm") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("md_cell", md_cell);
    env.add_filter("frameworks", frameworks);
    env
}

/// Makes text safe inside a Markdown table cell: no `|`, no line breaks, no HTML.
fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// `{soc2: [CC8.1, CC7.1], iso27001: [A.8.28]}` → `iso27001: A.8.28; soc2: CC8.1, CC7.1`.
fn frameworks(map: &Value) -> Result<String, minijinja::Error> {
    let mut parts = Vec::new();
    if map.is_undefined() || map.is_none() {
        return Ok(String::new());
    }
    for key in map.try_iter()? {
        let ids = map.get_item(&key)?;
        let ids: Vec<String> = ids.try_iter()?.map(|id| id.to_string()).collect();
        parts.push(format!("{key}: {}", ids.join(", ")));
    }
    Ok(parts.join("; "))
}

/// What the rendering is about: the release name, else the catalog path.
fn subject(ctx: &RenderContext) -> &str {
    ctx.predicate
        .release
        .name
        .as_deref()
        .unwrap_or(&ctx.predicate.catalog.path)
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// An auditor-printable A4 PDF: title, release, date, verdict, summary, the per-control table,
/// waivers, evidence digests, signature and "page X of Y" on every page.
///
/// Deterministic: the same context gives the same bytes (the creation date is
/// `predicate.generatedAt`, the document id a digest of the context). Base-14 Courier fonts
/// (not embedded) in WinAnsiEncoding: characters outside it print as `?`, dashes and curly
/// quotes as their ASCII forms.
pub fn render_pdf(ctx: &RenderContext) -> Vec<u8> {
    let pages = layout(ctx);
    write_pdf(ctx, &pages)
}

mod pdf {
    //! Page geometry, in PDF points (1/72 in).
    /// A4.
    pub const PAGE_W: f32 = 595.28;
    pub const PAGE_H: f32 = 841.89;
    pub const MARGIN_X: f32 = 42.0;
    pub const MARGIN_TOP: f32 = 48.0;
    /// Space kept free at the bottom for the footer.
    pub const MARGIN_BOTTOM: f32 = 56.0;
    pub const FOOTER_Y: f32 = 30.0;
    /// Body text size; Courier glyphs are all 0.6 em wide.
    pub const BODY: f32 = 8.0;
    pub const LEADING: f32 = 10.5;
    pub const CHAR_W: f32 = BODY * 0.6;
    pub const FOOTER: f32 = 7.0;
    /// Characters of body text on one line.
    pub const COLS: usize = ((PAGE_W - 2.0 * MARGIN_X) / CHAR_W) as usize;
    /// Blank characters between table columns.
    pub const GAP: usize = 2;
}
use pdf::*;

type Rgb = (f32, f32, f32);
const BLACK: Rgb = (0.0, 0.0, 0.0);
const GREEN: Rgb = (0.0, 0.45, 0.16);
const RED: Rgb = (0.76, 0.07, 0.1);
const AMBER: Rgb = (0.62, 0.4, 0.0);
const GREY: Rgb = (0.35, 0.35, 0.38);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// One line of text; `text` is WinAnsi-encoded, baseline at `y`.
    Text {
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        color: Rgb,
        text: Vec<u8>,
    },
    /// A horizontal rule.
    Rule { x: f32, y: f32, w: f32, gray: f32 },
    /// A filled rectangle (table header background).
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

/// A column of a PDF table: header and width in characters.
struct Column {
    title: &'static str,
    width: usize,
}

/// One table cell: its text and colour.
struct Cell {
    text: String,
    color: Rgb,
    font: Font,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            color: BLACK,
            font: Font::Regular,
        }
    }
    fn status(text: &str, color: Rgb) -> Self {
        Cell {
            text: text.to_string(),
            color,
            font: Font::Bold,
        }
    }
}

struct Layout {
    pages: Vec<Vec<Op>>,
    /// Top of the next line box.
    y: f32,
    /// Running header for pages after the first.
    running: String,
}

impl Layout {
    fn new(running: String) -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN_TOP,
            running,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN_TOP;
        let running = self.running.clone();
        self.line_at(MARGIN_X, &running, Font::Regular, BODY, GREY);
        self.rule(0.6);
        self.y -= 6.0;
    }

    /// Room for `h` more points on this page, else a new page.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y - h < MARGIN_BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// A line of (already fitted) text at the cursor, then the cursor moves down.
    fn line_at(&mut self, x: f32, text: &str, font: Font, size: f32, color: Rgb) {
        let leading = (size * 1.3).max(LEADING);
        let y = self.y - leading * 0.78;
        self.ops().push(Op::Text {
            x,
            y,
            font,
            size,
            color,
            text: encode(text),
        });
        self.y -= leading;
    }

    /// Body text, wrapped to the page width.
    fn paragraph(&mut self, text: &str, font: Font, color: Rgb) {
        for line in wrap(text, COLS) {
            self.ensure(LEADING);
            self.line_at(MARGIN_X, &line, font, BODY, color);
        }
    }

    /// `Label:    value`, the value wrapped beside the label.
    fn field(&mut self, label: &str, value: &str, color: Rgb) {
        const LABEL: usize = 12;
        let lines = wrap(value, COLS - LABEL);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(LEADING);
            if i == 0 {
                let y = self.y;
                self.line_at(MARGIN_X, label, Font::Bold, BODY, BLACK);
                self.y = y;
            }
            let x = MARGIN_X + LABEL as f32 * CHAR_W;
            let font = if color == BLACK {
                Font::Regular
            } else {
                Font::Bold
            };
            self.line_at(x, line, font, BODY, color);
        }
    }

    fn rule(&mut self, gray: f32) {
        let y = self.y - 2.0;
        self.ops().push(Op::Rule {
            x: MARGIN_X,
            y,
            w: PAGE_W - 2.0 * MARGIN_X,
            gray,
        });
        self.y -= 4.0;
    }

    fn space(&mut self, h: f32) {
        self.y -= h;
    }

    /// A section heading, kept on the same page as at least three lines after it.
    fn heading(&mut self, text: &str) {
        self.space(8.0);
        self.ensure(14.0 + 4.0 + 4.0 * LEADING);
        self.line_at(MARGIN_X, text, Font::Bold, 11.0, BLACK);
        self.rule(0.0);
    }

    fn table_header(&mut self, columns: &[Column]) {
        let h = LEADING + 2.0;
        let y = self.y - h;
        self.ops().push(Op::Fill {
            x: MARGIN_X - 2.0,
            y,
            w: PAGE_W - 2.0 * MARGIN_X + 4.0,
            h,
            gray: 0.88,
        });
        let top = self.y;
        let mut x = MARGIN_X;
        for col in columns {
            self.y = top - 1.0;
            self.line_at(x, col.title, Font::Bold, BODY, BLACK);
            x += (col.width + GAP) as f32 * CHAR_W;
        }
        self.y = top - h;
    }

    /// A table whose header repeats on every page it runs onto; rows are not split across
    /// pages unless a single row is taller than a page.
    fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>]) {
        debug_assert!(
            columns.iter().map(|c| c.width + GAP).sum::<usize>() - GAP <= COLS,
            "table wider than the page"
        );
        self.ensure(2.0 * LEADING + 6.0);
        self.table_header(columns);
        for row in rows {
            let wrapped: Vec<Vec<String>> = columns
                .iter()
                .zip(row)
                .map(|(col, cell)| wrap(&cell.text, col.width))
                .collect();
            let n = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut done = 0;
            while done < n {
                let room = ((self.y - MARGIN_BOTTOM - 4.0) / LEADING).floor().max(0.0) as usize;
                // Start the row on a new page if it does not fit and would fit there.
                let fresh = ((PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 30.0) / LEADING) as usize;
                if room < (n - done).min(fresh) || room == 0 {
                    self.new_page();
                    self.table_header(columns);
                    continue;
                }
                let take = (n - done).min(room);
                let top = self.y - 2.0;
                let mut x = MARGIN_X;
                for (col, (cell, lines)) in columns.iter().zip(row.iter().zip(&wrapped)) {
                    self.y = top;
                    for line in lines.iter().skip(done).take(take) {
                        self.line_at(x, line, cell.font, BODY, cell.color);
                    }
                    x += (col.width + GAP) as f32 * CHAR_W;
                }
                self.y = top - take as f32 * LEADING;
                done += take;
                self.rule(0.8);
            }
        }
    }
}

fn status_cell(status: Status) -> Cell {
    match status {
        Status::Pass => Cell::status("PASS", GREEN),
        Status::Fail => Cell::status("FAIL", RED),
        Status::Waived => Cell::status("WAIVED", AMBER),
    }
}

fn verdict_color(verdict: &str) -> Rgb {
    match verdict {
        "pass" => GREEN,
        "fail" => RED,
        _ => BLACK,
    }
}

fn layout(ctx: &RenderContext) -> Vec<Vec<Op>> {
    let p = &ctx.predicate;
    let subject = subject(ctx);
    let mut l = Layout::new(format!("Control Attestation - {subject} (continued)"));

    l.line_at(MARGIN_X, "Control Attestation", Font::Bold, 18.0, BLACK);
    for line in wrap(subject, (COLS as f32 * BODY / 12.0) as usize) {
        l.line_at(MARGIN_X, &line, Font::Bold, 12.0, GREY);
    }
    l.space(4.0);
    l.line_at(
        MARGIN_X,
        &format!("Verdict: {}", p.verdict.to_uppercase()),
        Font::Bold,
        14.0,
        verdict_color(&p.verdict),
    );
    l.space(4.0);

    let r = &p.release;
    if let Some(name) = &r.name {
        l.field("Release", name, BLACK);
    }
    if let Some(repo) = &r.repository {
        l.field("Repository", repo, BLACK);
    }
    if let Some(git_ref) = &r.git_ref {
        l.field("Ref", git_ref, BLACK);
    }
    if let Some(commit) = &r.commit {
        l.field("Commit", commit, BLACK);
    }
    l.field("Date", &p.generated_at, BLACK);
    l.field(
        "Catalog",
        &format!("{} (schema {})", p.catalog.path, p.catalog.schema),
        BLACK,
    );
    l.field("", &format!("sha256:{}", p.catalog.sha256), BLACK);
    l.field(
        "Statement",
        &format!("sha256:{}", ctx.statement_sha256),
        BLACK,
    );
    l.field(
        "Tool",
        &format!("{} {}", p.tool.name, p.tool.version),
        BLACK,
    );
    l.field("Signature", &signature_text(ctx), BLACK);

    l.heading("Summary");
    let s = &p.summary;
    let mut summary = format!(
        "{} controls: {} passed, {} failed, {} waived",
        s.total, s.passed, s.failed, s.waived
    );
    if s.failed_optional > 0 {
        summary.push_str(&format!(" ({} optional failed)", s.failed_optional));
    }
    l.paragraph(&summary, Font::Regular, BLACK);

    l.heading("Controls");
    let id_w = p
        .controls
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 16);
    let (status_w, name_w, fw_w) = (6, 26, 22);
    let columns = [
        Column {
            title: "CONTROL",
            width: id_w,
        },
        Column {
            title: "STATUS",
            width: status_w,
        },
        Column {
            title: "NAME",
            width: name_w,
        },
        Column {
            title: "FRAMEWORKS",
            width: fw_w,
        },
        Column {
            title: "REASON",
            width: COLS - id_w - status_w - name_w - fw_w - 4 * GAP,
        },
    ];
    let rows: Vec<Vec<Cell>> = p
        .controls
        .iter()
        .map(|c| {
            let reason = if c.required {
                c.reason.clone()
            } else {
                format!("[optional] {}", c.reason)
            };
            vec![
                Cell::plain(&c.id),
                status_cell(c.status),
                Cell::plain(&c.name),
                Cell::plain(
                    c.frameworks
                        .iter()
                        .map(|(fw, ids)| format!("{fw}: {}", ids.join(", ")))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Cell::plain(reason),
            ]
        })
        .collect();
    if rows.is_empty() {
        l.paragraph("The catalog has no controls.", Font::Regular, GREY);
    } else {
        l.table(&columns, &rows);
    }

    l.heading("Waivers");
    if p.waivers.is_empty() {
        l.paragraph("No waivers.", Font::Regular, GREY);
    } else {
        let id_w = p
            .waivers
            .iter()
            .map(|w| w.control.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(7, 16);
        let (state_w, approver_w, expires_w) = (7, 20, 12);
        let columns = [
            Column {
                title: "CONTROL",
                width: id_w,
            },
            Column {
                title: "STATE",
                width: state_w,
            },
            Column {
                title: "APPROVER",
                width: approver_w,
            },
            Column {
                title: "EXPIRES",
                width: expires_w,
            },
            Column {
                title: "REASON / NOTE",
                width: COLS - id_w - state_w - approver_w - expires_w - 4 * GAP,
            },
        ];
        let rows: Vec<Vec<Cell>> = p
            .waivers
            .iter()
            .map(|w| {
                let state = match w.state {
                    WaiverState::Active => Cell::status("active", AMBER),
                    WaiverState::Expired => Cell::status("expired", RED),
                    WaiverState::Invalid => Cell::status("invalid", RED),
                };
                let mut reason = w.reason.clone();
                if let Some(ticket) = &w.ticket {
                    reason.push_str(&format!(" [{ticket}]"));
                }
                if !w.note.is_empty() {
                    reason.push_str(&format!(" - {}", w.note));
                }
                vec![
                    Cell::plain(&w.control),
                    state,
                    Cell::plain(w.approver.as_deref().unwrap_or("(none)")),
                    Cell::plain(&w.expires),
                    Cell::plain(reason),
                ]
            })
            .collect();
        l.table(&columns, &rows);
    }

    l.heading("Evidence");
    if p.evidence.is_empty() {
        l.paragraph("No evidence files.", Font::Regular, GREY);
    } else {
        let (sha_w, size_w) = (64, 10);
        let columns = [
            Column {
                title: "FILE",
                width: COLS - sha_w - size_w - 2 * GAP,
            },
            Column {
                title: "SHA-256",
                width: sha_w,
            },
            Column {
                title: "BYTES",
                width: size_w,
            },
        ];
        let rows: Vec<Vec<Cell>> = p
            .evidence
            .iter()
            .map(|e| {
                vec![
                    Cell::plain(&e.path),
                    Cell::plain(&e.sha256),
                    Cell::plain(e.size.to_string()),
                ]
            })
            .collect();
        l.table(&columns, &rows);
    }

    l.heading("Signature");
    l.paragraph(&signature_text(ctx), Font::Regular, BLACK);
    if let Some(sig) = &ctx.signature {
        l.paragraph(
            &format!("DSSE envelope: {}", sig.envelope),
            Font::Regular,
            BLACK,
        );
    }

    let total = l.pages.len();
    for (i, page) in l.pages.iter_mut().enumerate() {
        let left = format!(
            "{} {} - statement sha256:{}",
            p.tool.name, p.tool.version, ctx.statement_sha256
        );
        let right = format!("page {} of {total}", i + 1);
        let cols = ((PAGE_W - 2.0 * MARGIN_X) / (FOOTER * 0.6)) as usize;
        let left = truncate(&left, cols.saturating_sub(right.len() + 2));
        page.push(Op::Rule {
            x: MARGIN_X,
            y: FOOTER_Y + FOOTER + 4.0,
            w: PAGE_W - 2.0 * MARGIN_X,
            gray: 0.6,
        });
        page.push(Op::Text {
            x: MARGIN_X,
            y: FOOTER_Y,
            font: Font::Regular,
            size: FOOTER,
            color: GREY,
            text: encode(&left),
        });
        page.push(Op::Text {
            x: PAGE_W - MARGIN_X - right.len() as f32 * FOOTER * 0.6,
            y: FOOTER_Y,
            font: Font::Regular,
            size: FOOTER,
            color: GREY,
            text: encode(&right),
        });
    }
    l.pages
}

fn signature_text(ctx: &RenderContext) -> String {
    match &ctx.signature {
        Some(sig) => format!("signed, key id {} ({})", sig.keyid, sig.algorithm),
        None => "unsigned".to_string(),
    }
}

fn write_pdf(ctx: &RenderContext, pages: &[Vec<Op>]) -> Vec<u8> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(6 + 2 * i as i32))
        .collect();

    let mut pdf = Pdf::new();
    // Fixed document id: a digest of what is rendered, never a random or time-based one.
    let digest = Sha256::digest(serde_json::to_vec(ctx).unwrap_or_default());
    let id = digest[..16].to_vec();
    pdf.set_file_id((id.clone(), id));

    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    for (font_id, base) in [(regular_id, "Courier"), (bold_id, "Courier-Bold")] {
        pdf.type1_font(font_id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let p = &ctx.predicate;
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&format!("Control Attestation - {}", subject(ctx))));
    info.subject(TextStr(&format!("verdict: {}", p.verdict)));
    info.creator(TextStr(&p.tool.name));
    info.producer(TextStr(&format!("{} {}", p.tool.name, p.tool.version)));
    if let Some(date) = pdf_date(&p.generated_at) {
        info.creation_date(date);
    }
    info.finish();

    for (i, ops) in pages.iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(b"F1"), regular_id)
            .pair(Name(b"F2"), bold_id);
        resources.finish();
        page.finish();

        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    font,
                    size,
                    color,
                    text,
                } => {
                    let name = match font {
                        Font::Regular => Name(b"F1"),
                        Font::Bold => Name(b"F2"),
                    };
                    content.set_fill_rgb(color.0, color.1, color.2);
                    content.begin_text();
                    content.set_font(name, *size);
                    content.next_line(*x, *y);
                    content.show(Str(text));
                    content.end_text();
                }
                Op::Rule { x, y, w, gray } => {
                    content.set_stroke_gray(*gray);
                    content.set_line_width(0.5);
                    content.move_to(*x, *y);
                    content.line_to(x + w, *y);
                    content.stroke();
                }
                Op::Fill { x, y, w, h, gray } => {
                    content.set_fill_gray(*gray);
                    content.rect(*x, *y, *w, *h);
                    content.fill_nonzero();
                }
            }
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// `generatedAt` (RFC 3339) as a PDF date in UTC.
fn pdf_date(rfc3339: &str) -> Option<pdf_writer::Date> {
    let ts: jiff::Timestamp = rfc3339.parse().ok()?;
    let dt = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime();
    Some(
        pdf_writer::Date::new(u16::try_from(dt.year()).ok()?)
            .month(u8::try_from(dt.month()).ok()?)
            .day(u8::try_from(dt.day()).ok()?)
            .hour(u8::try_from(dt.hour()).ok()?)
            .minute(u8::try_from(dt.minute()).ok()?)
            .second(u8::try_from(dt.second()).ok()?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// The WinAnsiEncoding byte of a character, if it has one.
fn winansi(c: char) -> Option<u8> {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('\u{2018}', 0x91),
        ('\u{2019}', 0x92),
        ('\u{201C}', 0x93),
        ('\u{201D}', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match c as u32 {
        0x20..=0x7E | 0xA0..=0xFF => Some(c as u8),
        _ => HIGH.iter().find(|(h, _)| *h == c).map(|(_, b)| *b),
    }
}

/// Text as the PDF shows it: one WinAnsi character per output character. Dashes, curly quotes
/// and the ellipsis become ASCII (they read and extract better in Courier); whitespace becomes a
/// space; anything else outside WinAnsiEncoding becomes `?`.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => out.push('"'),
            '…' => out.push_str("..."),
            '•' | '·' => out.push('*'),
            '\u{00A0}' => out.push(' '),
            c if c.is_whitespace() => out.push(' '),
            // Variation selectors and zero-width joiners belong to the character before them.
            '\u{FE00}'..='\u{FE0F}' | '\u{200B}'..='\u{200D}' => {}
            c if winansi(c).is_some() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

fn encode(text: &str) -> Vec<u8> {
    sanitize(text)
        .chars()
        .map(|c| winansi(c).unwrap_or(b'?'))
        .collect()
}

/// Greedy word wrap to `width` characters (after [`sanitize`]); `\n` starts a new line, words
/// longer than a line are cut. Always at least one (possibly empty) line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = sanitize(paragraph);
        let mut line = String::new();
        let mut len = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let mut word: Vec<char> = word.chars().collect();
            if len > 0 && len + 1 + word.len() <= width {
                line.push(' ');
                line.extend(&word);
                len += 1 + word.len();
                continue;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
            }
            while word.len() > width {
                let rest = word.split_off(width);
                lines.push(word.into_iter().collect());
                word = rest;
            }
            len = word.len();
            line = word.into_iter().collect();
        }
        if len > 0 {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn truncate(text: &str, width: usize) -> String {
    let text = sanitize(text);
    if text.chars().count() <= width {
        return text;
    }
    let mut out: String = text.chars().take(width.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::model::*;
    use std::collections::BTreeMap;

    fn sample() -> RenderContext {
        let fw = |pairs: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
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
            reason: "conftest <v0.50> | pipes & 'quotes' on hold".into(),
            approver: Some("bob@example.com".into()),
            expires: "2025-12-31".into(),
            ticket: None,
            state: WaiverState::Active,
            note: "waives PL-01".into(),
        };
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
                    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                        .into(),
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
                    ControlResult {
                        id: "SC-01".into(),
                        name: "Supply Chain — SBOM & Scans".into(),
                        description: Some("SBOMs are valid and scans have no HIGH finding.".into()),
                        frameworks: fw(&[("iso27001", &["A.8.28", "A.8.8"]), ("soc2", &["CC7.1", "CC8.1"])]),
                        required: true,
                        status: Status::Pass,
                        reason: "all 2 assertions passed".into(),
                        evidence: vec!["sbom/sbom-app.json".into(), "scans/trivy.sarif".into()],
                        assertions: vec![
                            AssertionResult {
                                kind: "file_exists".into(),
                                status: Status::Pass,
                                message: "2 files match".into(),
                                evidence: vec!["sbom/sbom-app.json".into(), "scans/trivy.sarif".into()],
                            },
                            AssertionResult {
                                kind: "sarif_no_levels".into(),
                                status: Status::Pass,
                                message: "no CRITICAL or HIGH results in scans/trivy.sarif".into(),
                                evidence: vec!["scans/trivy.sarif".into()],
                            },
                        ],
                        waiver: None,
                    },
                    ControlResult {
                        id: "SC-02".into(),
                        name: "Signing & Provenance".into(),
                        description: None,
                        frameworks: fw(&[("iso27001", &["A.8.32"]), ("soc2", &["CC8.1"])]),
                        required: true,
                        status: Status::Fail,
                        reason: "cosign_verify_attestation: provenance/build.intoto.json: signature does not verify with any trusted key (waiver expired 2025-01-31)".into(),
                        evidence: vec!["provenance/build.intoto.json".into()],
                        assertions: vec![AssertionResult {
                            kind: "cosign_verify_attestation".into(),
                            status: Status::Fail,
                            message: "provenance/build.intoto.json: signature does not verify with any trusted key".into(),
                            evidence: vec!["provenance/build.intoto.json".into()],
                        }],
                        waiver: Some(expired.clone()),
                    },
                    ControlResult {
                        id: "PL-01".into(),
                        name: "Policy Pack (Warrant/License/Citations)".into(),
                        description: None,
                        frameworks: fw(&[("soc2", &["CC2.1"])]),
                        required: true,
                        status: Status::Waived,
                        reason: "file_exists: no file matches policies/conftest-results.json; waived by bob@example.com until 2025-12-31".into(),
                        evidence: vec![],
                        assertions: vec![AssertionResult {
                            kind: "file_exists".into(),
                            status: Status::Fail,
                            message: "no file matches policies/conftest-results.json".into(),
                            evidence: vec![],
                        }],
                        waiver: Some(active.clone()),
                    },
                ],
                waivers: vec![expired, active],
                evidence: vec![
                    EvidenceFile {
                        path: "provenance/build.intoto.json".into(),
                        sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
                            .into(),
                        size: 4182,
                    },
                    EvidenceFile {
                        path: "sbom/sbom-app.json".into(),
                        sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
                            .into(),
                        size: 120_331,
                    },
                    EvidenceFile {
                        path: "scans/trivy.sarif".into(),
                        sha256: "baa5a0964d3320fbc0c6a922140453c8513ea24ab8fd0577034804a967248096"
                            .into(),
                        size: 8812,
                    },
                ],
            },
            statement_sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                .into(),
            signature: Some(SignatureInfo {
                keyid: "SHA256:q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c".into(),
                algorithm: "ecdsa-p256-sha256".into(),
                envelope: "attestation.dsse.json".into(),
            }),
        }
    }

    #[test]
    fn markdown_snapshot() {
        let md = render_markdown(&sample(), None).unwrap();
        insta::assert_snapshot!("markdown", md);
    }

    #[test]
    fn html_snapshot() {
        let html = render_html(&sample(), None).unwrap();
        insta::assert_snapshot!("html", html);
    }

    #[test]
    fn html_is_autoescaped_and_standalone() {
        let html = render_html(&sample(), None).unwrap();
        assert!(html.contains("conftest &lt;v0.50&gt; | pipes &amp; &#x27;quotes&#x27;"));
        assert!(!html.contains("<v0.50>"));
        assert!(html.contains("<title>Control Attestation — v1.4.0</title>"));
        for external in ["<script", "<link", "src=", "@import", "url("] {
            assert!(
                !html.contains(external),
                "HTML must be standalone: {external}"
            );
        }
    }

    #[test]
    fn markdown_unsigned_and_catalog_title() {
        let mut ctx = sample();
        ctx.signature = None;
        ctx.predicate.release = Release::default();
        let md = render_markdown(&ctx, None).unwrap();
        assert!(md.starts_with("## ❌ Control Attestation: FAIL — catalog/default.yaml\n"));
        assert!(md.contains("🔓 unsigned"));
        let html = render_html(&ctx, None).unwrap();
        assert!(html.contains("<title>Control Attestation — catalog&#x2f;default.yaml</title>"));
        assert!(html.contains("<b>unsigned</b>"));
    }

    #[test]
    fn templates_dir_overrides_by_file_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MARKDOWN_TEMPLATE),
            "{{ predicate.verdict }} {% for c in predicate.controls %}{{ c.id }}={{ c.status }} {% endfor %}{{ signature.keyid }}",
        )
        .unwrap();
        let md = render_markdown(&sample(), Some(dir.path())).unwrap();
        assert_eq!(
            md,
            "fail SC-01=pass SC-02=fail PL-01=waived SHA256:q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"
        );
        // No HTML template in the directory: the built-in one is used.
        let html = render_html(&sample(), Some(dir.path())).unwrap();
        assert_eq!(html, render_html(&sample(), None).unwrap());
        // An override of the HTML template is autoescaped too.
        std::fs::write(
            dir.path().join(HTML_TEMPLATE),
            "<p>{{ predicate.waivers[1].reason }}</p>",
        )
        .unwrap();
        let html = render_html(&sample(), Some(dir.path())).unwrap();
        assert!(html.starts_with("<p>conftest &lt;v0.50&gt;"), "{html}");
    }

    #[test]
    fn template_syntax_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HTML_TEMPLATE);
        std::fs::write(
            &path,
            "<h1>ok</h1>\n<p>\n{% for c in predicate.controls %}{{ c.id }\n",
        )
        .unwrap();
        let err = render_html(&sample(), Some(dir.path())).unwrap_err();
        let RenderError::Template { template, line, .. } = &err else {
            panic!("expected a template error, got {err:?}");
        };
        assert_eq!(template, &path.display().to_string());
        assert_eq!(*line, Some(3));
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("line 3"), "{text}");
        assert!(text.contains("syntax error"), "{text}");
    }

    #[test]
    fn readme_example_template_renders() {
        let readme = include_str!("../../templates/README.md");
        let example = readme
            .split("```jinja\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("a jinja example in templates/README.md");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKDOWN_TEMPLATE), example).unwrap();
        let md = render_markdown(&sample(), Some(dir.path())).unwrap();
        assert_eq!(
            md,
            "FAIL: 1/3 controls passed\n\
             - SC-02 fail: cosign_verify_attestation: provenance/build.intoto.json: signature does not verify with any trusted key (waiver expired 2025-01-31)\n\
             - PL-01 waived: file_exists: no file matches policies/conftest-results.json; waived by bob@example.com until 2025-12-31\n"
        );
    }

    #[test]
    fn template_render_error_names_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MARKDOWN_TEMPLATE),
            "a\n{{ predicate.verdict | nosuchfilter }}",
        )
        .unwrap();
        let err = render_markdown(&sample(), Some(dir.path())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(MARKDOWN_TEMPLATE), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn md_cell_escapes_table_breakers() {
        assert_eq!(md_cell("a | b\nc <d>"), "a \\| b<br>c &lt;d&gt;");
    }

    #[test]
    fn pdf_is_deterministic() {
        let a = render_pdf(&sample());
        let b = render_pdf(&sample());
        assert_eq!(a, b);
        assert!(a.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("/BaseFont /Courier"));
        assert!(text.contains("/Encoding /WinAnsiEncoding"));
        assert!(text.contains("(page 1 of 1)"));
        assert!(text.contains("D:20250601120000Z") || text.contains("D:20250601120000+00'00"));
        // A different input gives a different document id.
        let mut other = sample();
        other.predicate.verdict = "pass".into();
        assert_ne!(render_pdf(&other), a);
    }

    #[test]
    fn pdf_text_is_winansi() {
        assert_eq!(
            sanitize("Supply Chain — SBOM “x” …"),
            "Supply Chain - SBOM \"x\" ..."
        );
        assert_eq!(sanitize("✅ ok"), "? ok");
        assert_eq!(sanitize("⚠️ waived"), "? waived");
        assert_eq!(encode("é€"), vec![0xE9, 0x80]);
    }

    #[test]
    fn wrap_fits_and_cuts_long_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghij k", 4), vec!["abcd", "efgh", "ij k"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(
            wrap("soc2: CC8.1\niso27001: A.8.28", 16),
            vec!["soc2: CC8.1", "iso27001: A.8.28"]
        );
        for line in wrap(&"word ".repeat(100), 17) {
            assert!(line.chars().count() <= 17);
        }
    }

    #[test]
    fn pdf_paginates_long_catalogs_within_margins() {
        let mut ctx = sample();
        let template = ctx.predicate.controls[1].clone();
        ctx.predicate.controls = (0..150)
            .map(|i| {
                let mut c = template.clone();
                c.id = format!("CTL-{i:03}");
                c
            })
            .collect();
        let pages = layout(&ctx);
        assert!(pages.len() > 3, "{} pages", pages.len());
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let footer = format!("page {} of {n}", i + 1);
            assert!(
                page.iter()
                    .any(|op| matches!(op, Op::Text { text, .. } if text == footer.as_bytes())),
                "no footer on page {}",
                i + 1
            );
            for op in page {
                if let Op::Text {
                    x, y, size, text, ..
                } = op
                {
                    let right = x + text.len() as f32 * size * 0.6;
                    assert!(
                        *x >= MARGIN_X - 0.01 && right <= PAGE_W - MARGIN_X + 0.01,
                        "overflows: {}",
                        String::from_utf8_lossy(text)
                    );
                    assert!(
                        *y >= FOOTER_Y - 0.01 && *y <= PAGE_H - MARGIN_TOP,
                        "off page: {y}"
                    );
                }
            }
            // Continuation pages repeat the controls table header.
            if i > 0 && i < n - 1 {
                assert!(
                    page.iter()
                        .any(|op| matches!(op, Op::Text { text, .. } if text == b"CONTROL"))
                );
            }
        }
        // Every control is on some page.
        let all: Vec<&[u8]> = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_slice()),
                _ => None,
            })
            .collect();
        for i in 0..150 {
            let id = format!("CTL-{i:03}");
            assert!(all.contains(&id.as_bytes()), "{id} missing");
        }
    }
}
