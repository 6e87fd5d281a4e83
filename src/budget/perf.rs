//! `budget perf`: a k6 summary against an optional baseline summary and the budgets file.

use super::cfg::{Budgets, PerfBudget};
use super::diags as d;
use super::k6::{self, MetricType, Summary};
use super::{Evaluation, Outcome, Row, judge};
use crate::input::InputError;
use crate::report::{Diagnostic, Location, Severity};

/// Options of the perf evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Report failed k6 thresholds as warnings instead of denying.
    pub ignore_k6_thresholds: bool,
}

fn unknown_metric(budgets: &Budgets, b: &PerfBudget, s: &Summary) -> InputError {
    let names: Vec<&str> = s.metrics.keys().map(String::as_str).collect();
    let base = b.metric.split('{').next().unwrap_or(&b.metric);
    let hint = if b.metric.contains('{') && s.metrics.contains_key(base) {
        format!(
            "k6 exports the tagged sub-metric only when a threshold names it: add `thresholds: {{'{}': []}}` to the script's options",
            b.metric
        )
    } else {
        let shown: Vec<&str> = names.iter().take(25).copied().collect();
        format!(
            "the summary has: {}{}",
            shown.join(", "),
            if names.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        )
    };
    InputError::new(
        &d::UNKNOWN_METRIC,
        b.metric_at.location(&budgets.path),
        format!(
            "unknown metric {:?}: {} has no such metric",
            b.metric, s.path
        ),
        hint,
    )
}

fn missing_stat(
    s: &Summary,
    m: &k6::Metric,
    stat: &str,
    budgets: &Budgets,
    b: &PerfBudget,
) -> InputError {
    let have: Vec<&str> = m.values.keys().map(String::as_str).collect();
    let hint = if m.mtype == MetricType::Trend {
        let mut stats: Vec<String> = s.trend_stats.clone().unwrap_or_else(|| {
            ["avg", "min", "med", "max", "p(90)", "p(95)"]
                .map(String::from)
                .to_vec()
        });
        if !stats.iter().any(|x| x == stat) {
            stats.push(stat.to_string());
        }
        format!(
            "k6 exports only the trend stats in its summaryTrendStats option: set `summaryTrendStats: {:?}` in the script's options, or run `k6 run --summary-trend-stats \"{}\"`",
            stats,
            stats.join(",")
        )
    } else {
        format!(
            "a k6 {} metric has only {}; budget one of those",
            m.mtype.as_str(),
            have.join(", ")
        )
    };
    let ptr = match s.format {
        k6::Format::SummaryExport => format!("/metrics/{}", k6::esc(&m.name)),
        k6::Format::HandleSummary => format!("/metrics/{}/values", k6::esc(&m.name)),
        k6::Format::MachineReadable => "/results/metrics".to_string(),
    };
    InputError::new(
        &d::MISSING_STAT,
        Location::file(&s.path).with_pointer(ptr),
        format!(
            "metric {:?} has no {stat:?} statistic (it has {}), but {}:{}:{} budgets it",
            m.name,
            have.join(", "),
            budgets.path,
            b.metric_at.line,
            b.metric_at.column
        ),
        hint,
    )
}

/// Evaluate the budgets' `perf` section and k6's own thresholds.
///
/// Returns an input error (exit 2) for a budget that cannot be judged: an unknown metric, a
/// statistic the summary does not export, a unit that does not fit the statistic.
pub fn evaluate(
    current: &Summary,
    baseline: Option<&Summary>,
    budgets: &Budgets,
    opts: Options,
) -> Result<Evaluation, InputError> {
    let mut ev = Evaluation::default();
    for b in &budgets.perf {
        let Some(m) = current.metrics.get(&b.metric) else {
            return Err(unknown_metric(budgets, b, current));
        };
        let stat = match &b.stat {
            Some(s) => s.as_str(),
            None => m.default_stat().ok_or_else(|| {
                InputError::new(
                    &d::INVALID_BUDGETS,
                    b.metric_at.location(&budgets.path),
                    format!(
                        "{:?} is a trend metric: name the statistic, e.g. `{}: {{p(95): \"{}\"}}`",
                        b.metric,
                        b.metric,
                        b.limits
                            .first()
                            .map(|l| l.text.as_str())
                            .unwrap_or("< 500ms")
                    ),
                    "trend metrics have avg, min, med, max, p(N) and count; see docs/budgets.md",
                )
            })?,
        };
        let Some(&cur) = m.values.get(stat) else {
            return Err(missing_stat(current, m, stat, budgets, b));
        };
        let kind = m.kind(stat);
        let base = match baseline {
            None => None,
            Some(bs) => match bs.metrics.get(&b.metric) {
                None => None,
                Some(bm) => match bm.values.get(stat) {
                    Some(v) => Some(*v),
                    None => return Err(missing_stat(bs, bm, stat, budgets, b)),
                },
            },
        };
        let subject = format!("{} {stat}", b.metric);
        for l in &b.limits {
            l.rule.check_kind(kind).map_err(|e| {
                InputError::new(
                    &d::INVALID_BUDGETS,
                    l.at.location(&budgets.path),
                    format!("{subject}: {e}"),
                    "durations: us, ms, s; rates: % or a fraction; sizes: B, kB, MB; counts: bare numbers (see docs/budgets.md)",
                )
            })?;
            let (outcome, lim) = judge(&l.rule, cur, base);
            let fmt = |v: f64| super::rule::fmt_value(v, kind, "");
            match outcome {
                Outcome::Pass => {}
                Outcome::Skipped => ev.diagnostics.push(
                    Diagnostic::new(
                        &d::NO_BASELINE_VALUE,
                        match baseline {
                            None => format!("{subject}: {:?} is relative but no --baseline was given; not checked", l.text),
                            Some(bs) => format!(
                                "{subject}: {:?} is relative but the baseline {} has no metric {:?}; not checked",
                                l.text, bs.path, b.metric
                            ),
                        },
                    )
                    .at(l.at.location(&budgets.path)),
                ),
                Outcome::Fail => {
                    let (op, lim) = lim.expect("judged");
                    let (cur_s, lim_s) = super::rule::fmt_distinct(cur, lim, kind, "");
                    let detail = l.exceeded_detail(op.as_str(), &lim_s, base.map(fmt), "the baseline");
                    ev.diagnostics.push(
                        Diagnostic::new(
                            &d::BUDGET_EXCEEDED,
                            format!("{subject} is {cur_s}: over budget ({detail})"),
                        )
                        .at(l.at.location(&budgets.path)),
                    );
                }
            }
            ev.rows.push(Row {
                subject: subject.clone(),
                name: b.metric.clone(),
                stat: stat.to_string(),
                kind,
                baseline: base,
                current: Some(cur),
                budget: l.text.clone(),
                limit: lim.map(|x| x.1),
                op: lim.map(|x| x.0.as_str()),
                outcome,
                at: Some(l.at.location(&budgets.path)),
            });
        }
    }
    let (info, severity) = if opts.ignore_k6_thresholds {
        (&d::K6_THRESHOLD_IGNORED, Severity::Warning)
    } else {
        (&d::K6_THRESHOLD_FAILED, Severity::Error)
    };
    for t in current.thresholds.iter().filter(|t| !t.ok) {
        ev.diagnostics.push(
            Diagnostic::new(
                info,
                format!("k6 threshold {:?} on {} failed", t.expr, t.metric),
            )
            .severity(severity)
            .at(Location::file(&current.path).with_pointer(format!(
                "/metrics/{}/thresholds/{}",
                k6::esc(&t.metric),
                k6::esc(&t.expr)
            ))),
        );
    }
    if current.passed == Some(false) && current.thresholds.iter().all(|t| t.ok) {
        ev.diagnostics.push(
            Diagnostic::new(info, "k6 judged the run failed (results.passed is false)")
                .severity(severity)
                .at(Location::file(&current.path).with_pointer("/results/passed")),
        );
    }
    Ok(ev)
}

/// k6's own thresholds as a table: metric, threshold, result.
pub fn thresholds_table(s: &Summary) -> Option<crate::report::Table> {
    if s.thresholds.is_empty() {
        return None;
    }
    Some(crate::report::Table {
        title: "k6 thresholds".into(),
        headers: ["metric", "threshold", "result"].map(String::from).to_vec(),
        rows: s
            .thresholds
            .iter()
            .map(|t| {
                vec![
                    t.metric.clone(),
                    t.expr.clone(),
                    if t.ok { "pass" } else { "FAIL" }.to_string(),
                ]
            })
            .collect(),
    })
}
