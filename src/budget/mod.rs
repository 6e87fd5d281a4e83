//! Performance and cost budgets: k6 summaries against a baseline and a budgets file
//! (`tollgate budget perf`), Infracost JSON against monthly cost budgets (`tollgate budget cost`).
//!
//! The evaluation is a library API so the catalog's `k6_budget` and `cost_budget` assertions
//! can call it directly: [`perf::evaluate`] and [`cost::evaluate`] take already-loaded inputs
//! ([`k6::Summary`], [`infracost::Output`], [`cfg::Budgets`]) and return an [`Evaluation`]
//! (rows, diagnostics, verdict) or the one input error that makes them impossible to judge.

pub mod cfg;
pub mod cost;
pub mod diags;
pub mod infracost;
pub mod k6;
pub mod perf;
pub mod rule;

use crate::report::{Diagnostic, Severity, Table, Verdict};
use rule::Kind;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write as _;

/// How one limit came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    /// A relative limit without a baseline value.
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One line of the budget table: a limit on one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is limited: `http_req_duration p(95)`, `total`, `project NAME`, `service NAME`.
    pub subject: String,
    /// The k6 metric or Infracost project/service name.
    pub name: String,
    /// The statistic (perf) or `monthly` (cost).
    pub stat: String,
    pub kind: Kind,
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    /// The limit as written.
    pub budget: String,
    /// The effective limit (for relative limits: computed from the baseline).
    pub limit: Option<f64>,
    pub op: Option<&'static str>,
    pub outcome: Outcome,
    /// Where the limit is written in the budgets file.
    pub at: Option<crate::report::Location>,
}

/// The result of evaluating budgets: rows for the table, findings, and the currency (cost).
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub rows: Vec<Row>,
    pub diagnostics: Vec<Diagnostic>,
    pub currency: String,
}

impl Evaluation {
    /// Deny when any finding is an error; the budget tables never hold input errors.
    pub fn verdict(&self) -> Verdict {
        if self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            Verdict::Deny
        } else {
            Verdict::Pass
        }
    }

    fn fmt(&self, v: Option<f64>, kind: Kind) -> String {
        v.map(|v| rule::fmt_value(v, kind, &self.currency))
            .unwrap_or_else(|| "—".into())
    }

    /// The table every output format shows: metric, baseline, current, change, budget, verdict.
    pub fn table(&self, title: &str, first: &str) -> Table {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let change = match (r.baseline, r.current) {
                    (Some(b), Some(c)) => rule::fmt_change(b, c, r.kind, &self.currency),
                    _ => "—".into(),
                };
                let budget = match (r.limit, r.op) {
                    (Some(l), Some(op)) if !r.budget.starts_with(['<', '>']) => {
                        let sym = if op == ">=" { "≥" } else { "≤" };
                        format!("{} ({sym} {})", r.budget, self.fmt(Some(l), r.kind))
                    }
                    _ => r.budget.clone(),
                };
                vec![
                    r.subject.clone(),
                    self.fmt(r.baseline, r.kind),
                    self.fmt(r.current, r.kind),
                    change,
                    budget,
                    r.outcome.as_str().to_string(),
                ]
            })
            .collect();
        Table {
            title: title.to_string(),
            headers: [first, "baseline", "current", "change", "budget", "verdict"]
                .map(String::from)
                .to_vec(),
            rows,
        }
    }

    /// The table as one note per row (`BUD011`), for output formats that show no tables
    /// (SARIF, JUnit, GitHub annotations).
    pub fn row_notes(&self, title: &str, first: &str) -> Vec<Diagnostic> {
        let t = self.table(title, first);
        t.rows
            .iter()
            .zip(&self.rows)
            .map(|(cells, r)| {
                let mut msg = format!("{}: ", cells[0]);
                for (h, c) in t.headers.iter().zip(cells).skip(1) {
                    let _ = write!(msg, "{h} {c}, ");
                }
                let msg = msg.trim_end_matches(", ").to_string();
                let d = Diagnostic::new(&diags::BUDGET_RESULT, msg);
                match &r.at {
                    Some(at) => d.at(at.clone()),
                    None => d,
                }
            })
            .collect()
    }

    /// The rows as JSON for the report's `data`.
    pub fn rows_json(&self) -> serde_json::Value {
        let rows: Vec<_> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "subject": r.subject,
                    "name": r.name,
                    "stat": r.stat,
                    "baseline": r.baseline,
                    "current": r.current,
                    "budget": r.budget,
                    "limit": r.limit,
                    "op": r.op,
                    "outcome": r.outcome,
                })
            })
            .collect();
        json!(rows)
    }

    pub fn count(&self, o: Outcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == o).count()
    }
}

/// Judge one limit against a current value and optional baseline.
pub(crate) fn judge(
    rule: &rule::Rule,
    current: f64,
    baseline: Option<f64>,
) -> (Outcome, Option<(rule::Op, f64)>) {
    match rule.limit(baseline) {
        None => (Outcome::Skipped, None),
        Some((op, lim)) => {
            // Round away float noise (e.g. 200 * 1.1) before comparing.
            let lim_r = (lim * 1e9).round() / 1e9;
            let cur_r = (current * 1e9).round() / 1e9;
            let outcome = if op.holds(cur_r, lim_r) {
                Outcome::Pass
            } else {
                Outcome::Fail
            };
            (outcome, Some((op, lim)))
        }
    }
}
