//! `tollgate budget perf` and `tollgate budget cost`.

use super::Context;
use crate::budget::{cfg, cost, infracost, k6, perf};
use crate::cli::{BudgetCostArgs, BudgetPerfArgs, Format, GlobalArgs};
use crate::error::Result;
use crate::input;
use crate::output::Env;
use crate::report::{Report, Subject, Verdict};
use serde_json::json;

/// Human and Markdown show the budget table; JSON carries it in `data.rows`. The other formats
/// (SARIF, JUnit, GitHub annotations) get one note per row instead.
fn table_format(global: &GlobalArgs) -> bool {
    matches!(
        global.format,
        Format::Human | Format::Markdown | Format::Json
    )
}

fn load_budgets(path: Option<&std::path::Path>, ctx: &Context) -> Result<cfg::Budgets> {
    Ok(match path {
        Some(p) => cfg::load(p, ctx.limits)?,
        None => cfg::Budgets::default(),
    })
}

pub fn cmd_perf(
    ctx: &Context,
    args: &BudgetPerfArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let (current, current_bytes) = k6::load(&args.current, ctx.limits)?;
    let baseline = match &args.baseline {
        Some(p) => Some(k6::load(p, ctx.limits)?.0),
        None => None,
    };
    let budgets = load_budgets(args.budgets.as_deref(), ctx)?;
    let opts = perf::Options {
        ignore_k6_thresholds: args.ignore_k6_thresholds,
    };
    let ev = perf::evaluate(&current, baseline.as_ref(), &budgets, opts)?;

    let mut report = Report::new("budget perf", ctx.now_rfc3339.clone());
    let verdict = ev.verdict();
    let mut subject = Subject::new(current.path.clone());
    subject.kind = Some(current.format.describe().to_string());
    subject.verdict = verdict;
    subject
        .facts
        .insert("metrics".into(), json!(current.metrics.len()));
    subject.facts.insert(
        "k6 thresholds failed".into(),
        json!(current.thresholds.iter().filter(|t| !t.ok).count()),
    );
    report.subjects.push(subject);
    if let Some(b) = &baseline {
        let mut s = Subject::new(b.path.clone());
        s.kind = Some(format!("{} (baseline)", b.format.describe()));
        s.facts.insert("metrics".into(), json!(b.metrics.len()));
        report.subjects.push(s);
    }
    if !ev.rows.is_empty() {
        report
            .tables
            .push(ev.table("Performance budgets", "metric"));
    }
    if let Some(t) = perf::thresholds_table(&current) {
        report.tables.push(t);
    }
    let thresholds: Vec<_> = current
        .thresholds
        .iter()
        .map(|t| json!({"metric": t.metric, "threshold": t.expr, "ok": t.ok}))
        .collect();
    report.diagnostics = ev.diagnostics.clone();
    if !table_format(global) {
        report
            .diagnostics
            .extend(ev.row_notes("Performance budgets", "metric"));
    }
    report.sort();

    let mut baseline_written = None;
    if let Some(out) = &args.update_baseline {
        if report.verdict() == Verdict::Pass {
            crate::output::write_atomic(out, &current_bytes)?;
            baseline_written = Some(input::display_path(out));
        } else {
            env.warn_line(&format!(
                "the gate did not pass; {} was not updated (hint: the baseline only moves on a passing run)",
                input::display_path(out)
            ));
        }
    }
    report.data = json!({
        "current": {"path": current.path, "format": current.format.id()},
        "baseline": baseline.as_ref().map(|b| json!({"path": b.path, "format": b.format.id()})),
        "budgets": args.budgets.as_ref().map(|p| input::display_path(p)),
        "rows": ev.rows_json(),
        "k6Thresholds": thresholds,
        "k6Passed": !current.k6_failed(),
        "ignoreK6Thresholds": args.ignore_k6_thresholds,
        "baselineUpdated": baseline_written,
    });
    env.emit(&report, global)
}

pub fn cmd_cost(
    ctx: &Context,
    args: &BudgetCostArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let out = infracost::load(&args.infracost, ctx.limits)?;
    let budgets = load_budgets(args.budgets.as_deref(), ctx)?;
    let ev = cost::evaluate(&out, &budgets)?;

    let mut report = Report::new("budget cost", ctx.now_rfc3339.clone());
    let mut subject = Subject::new(out.path.clone());
    subject.kind = Some("Infracost JSON".into());
    subject.verdict = ev.verdict();
    subject
        .facts
        .insert("currency".into(), json!(out.currency()));
    subject
        .facts
        .insert("projects".into(), json!(out.projects.len()));
    if out.project_errors() > 0 {
        subject
            .facts
            .insert("project errors".into(), json!(out.project_errors()));
    }
    report.subjects.push(subject);
    if !ev.rows.is_empty() {
        report.tables.push(ev.table("Cost budgets", "cost"));
    }
    report.tables.push(cost::projects_table(&out));
    report.diagnostics = ev.diagnostics.clone();
    if !table_format(global) {
        report
            .diagnostics
            .extend(ev.row_notes("Cost budgets", "cost"));
    }
    report.sort();
    let projects: Vec<_> = out
        .projects
        .iter()
        .map(|p| {
            json!({"name": p.name, "monthly": p.total, "pastMonthly": p.past,
                   "diffMonthly": p.diff, "errors": p.errors})
        })
        .collect();
    report.data = json!({
        "infracost": out.path,
        "budgets": args.budgets.as_ref().map(|p| input::display_path(p)),
        "currency": out.currency(),
        "totalMonthlyCost": out.total,
        "pastTotalMonthlyCost": out.past,
        "diffTotalMonthlyCost": out.increase(),
        "projects": projects,
        "rows": ev.rows_json(),
    });
    env.emit(&report, global)
}
