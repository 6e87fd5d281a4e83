//! `budget cost`: Infracost JSON against monthly cost budgets (total, per project, per service).

use super::cfg::{self, Budgets, CostScope};
use super::diags as d;
use super::infracost::Output;
use super::rule::{self, Kind};
use super::{Evaluation, Outcome, Row, judge};
use crate::input::InputError;
use crate::report::{Diagnostic, Location};

/// Monthly cost of a set of projects: current, past and increase (each possibly unknown).
#[derive(Debug, Clone, Copy)]
struct Costs {
    current: Option<f64>,
    past: Option<f64>,
    increase: Option<f64>,
}

impl Costs {
    /// The baseline for relative limits: the past cost, or current − increase.
    fn baseline(&self) -> Option<f64> {
        self.past
            .or_else(|| Some(self.current? - self.increase?))
            .filter(|_| self.increase.is_some() || self.past.is_some())
    }
}

/// Evaluate the budgets' `cost` section against an Infracost output.
///
/// Returns an input error (exit 2) when the currencies differ. Projects Infracost could not
/// price deny the gate (their cost is unknown), whether or not a budget names them.
pub fn evaluate(out: &Output, budgets: &Budgets) -> Result<Evaluation, InputError> {
    let currency = out.currency().to_string();
    if let Some((want, at)) = &budgets.currency
        && *want != currency
    {
        let ptr = if out.currency.is_some() {
            "/currency"
        } else {
            ""
        };
        let mut loc = Location::file(&out.path);
        if !ptr.is_empty() {
            loc = loc.with_pointer(ptr);
        }
        return Err(InputError::new(
            &d::CURRENCY_MISMATCH,
            loc,
            format!(
                "costs are in {currency}{} but {}:{}:{} sets the budgets' currency to {want}",
                if out.currency.is_none() {
                    " (Infracost's default; the file names no currency)"
                } else {
                    ""
                },
                budgets.path,
                at.line,
                at.column
            ),
            format!(
                "run Infracost with the currency the budgets use (INFRACOST_CURRENCY={want}), or change `cost.currency` to {currency} and the amounts with it"
            ),
        ));
    }
    let mut ev = Evaluation {
        currency: currency.clone(),
        ..Default::default()
    };
    for (i, p) in out.projects.iter().enumerate() {
        for (j, e) in p.errors.iter().enumerate() {
            ev.diagnostics.push(
                Diagnostic::new(
                    &d::COST_PROJECT_ERROR,
                    format!("Infracost could not price project {:?}: {e}", p.name),
                )
                .at(Location::file(&out.path)
                    .with_pointer(format!("/projects/{i}/metadata/errors/{j}"))),
            );
        }
    }
    for b in &budgets.cost {
        let groups: Vec<(String, Costs)> = match &b.scope {
            CostScope::Total => vec![(
                "total".to_string(),
                Costs {
                    current: out.total,
                    past: out.past,
                    increase: out.increase(),
                },
            )],
            CostScope::Project(pattern) => {
                let m = cfg::matcher(pattern);
                out.projects
                    .iter()
                    .filter(|p| m.is_match(&p.name) || p.name == *pattern)
                    .map(|p| {
                        (
                            format!("project {}", p.name),
                            Costs {
                                current: p.total,
                                past: p.past,
                                increase: p.increase(),
                            },
                        )
                    })
                    .collect()
            }
            CostScope::Service(patterns) => {
                let ms: Vec<_> = patterns.iter().map(|p| cfg::matcher(p)).collect();
                let members: Vec<_> = out
                    .projects
                    .iter()
                    .filter(|p| {
                        ms.iter().any(|m| m.is_match(&p.name)) || patterns.contains(&p.name)
                    })
                    .collect();
                if members.is_empty() {
                    vec![]
                } else {
                    let sum = |f: &dyn Fn(&&super::infracost::Project) -> Option<f64>| {
                        members.iter().map(f).sum::<Option<f64>>()
                    };
                    vec![(
                        format!("service {}", b.name),
                        Costs {
                            current: sum(&|p| p.total),
                            past: sum(&|p| p.past),
                            increase: sum(&|p| p.increase()),
                        },
                    )]
                }
            }
        };
        if groups.is_empty() {
            ev.diagnostics.push(
                Diagnostic::new(
                    &d::UNMATCHED_BUDGET,
                    format!(
                        "{} {:?} matches no project in {}",
                        if matches!(b.scope, CostScope::Service(_)) {
                            "service"
                        } else {
                            "project pattern"
                        },
                        b.name,
                        out.path
                    ),
                )
                .at(b.at.location(&budgets.path)),
            );
            continue;
        }
        for (subject, c) in groups {
            let base = c.baseline();
            for l in &b.limits {
                l.rule.check_kind(Kind::Money).map_err(|e| {
                    InputError::new(
                        &d::INVALID_BUDGETS,
                        l.at.location(&budgets.path),
                        format!("{subject}: {e}"),
                        "cost limits are amounts (`< 5000`, `+200`) or percentages of the past cost (`+10%`)",
                    )
                })?;
                let fmt = |v: f64| rule::fmt_value(v, Kind::Money, &currency);
                let (outcome, lim) = match c.current {
                    Some(cur) => judge(&l.rule, cur, base),
                    // Fail closed: an unknown cost cannot be shown to be within any limit.
                    None => (Outcome::Fail, None),
                };
                match outcome {
                    Outcome::Pass => {}
                    Outcome::Skipped => ev.diagnostics.push(
                        Diagnostic::new(
                            &d::NO_BASELINE_VALUE,
                            format!(
                                "{subject}: {:?} is relative but {} has no past cost (run `infracost diff`, or `breakdown --compare-to`); not checked",
                                l.text, out.path
                            ),
                        )
                        .at(l.at.location(&budgets.path)),
                    ),
                    Outcome::Fail if c.current.is_none() => ev.diagnostics.push(
                        Diagnostic::new(
                            &d::COST_UNKNOWN,
                            format!(
                                "{subject}: the monthly cost is unknown (null) in {}, so {:?} cannot be shown to hold",
                                out.path, l.text
                            ),
                        )
                        .at(l.at.location(&budgets.path)),
                    ),
                    Outcome::Fail => {
                        let (op, lim) = lim.expect("judged");
                        let cur = c.current.unwrap_or_default();
                        let (cur_s, lim_s) = rule::fmt_distinct(cur, lim, Kind::Money, &currency);
                        let detail = l.exceeded_detail(op.as_str(), &lim_s, base.map(fmt), "the past");
                        ev.diagnostics.push(
                            Diagnostic::new(
                                &d::BUDGET_EXCEEDED,
                                format!("{subject} costs {cur_s} a month: over budget ({detail})"),
                            )
                            .at(l.at.location(&budgets.path)),
                        );
                    }
                }
                ev.rows.push(Row {
                    subject: subject.clone(),
                    name: subject
                        .split_once(' ')
                        .map_or(subject.as_str(), |x| x.1)
                        .to_string(),
                    stat: "monthly".into(),
                    kind: Kind::Money,
                    baseline: base,
                    current: c.current,
                    budget: l.text.clone(),
                    limit: lim.map(|x| x.1),
                    op: lim.map(|x| x.0.as_str()),
                    outcome,
                    at: Some(l.at.location(&budgets.path)),
                });
            }
        }
    }
    Ok(ev)
}

/// The cost overview table: total and each project, with past, current and change.
pub fn projects_table(out: &Output) -> crate::report::Table {
    let cur = out.currency();
    let f = |v: Option<f64>| {
        v.map(|v| rule::fmt_value(v, Kind::Money, cur))
            .unwrap_or_else(|| "—".into())
    };
    let change = |past: Option<f64>, now: Option<f64>, inc: Option<f64>| match (past, now, inc) {
        (Some(p), Some(n), _) => rule::fmt_change(p, n, Kind::Money, cur),
        (None, Some(n), Some(i)) => rule::fmt_change(n - i, n, Kind::Money, cur),
        _ => "—".into(),
    };
    let mut rows: Vec<Vec<String>> = out
        .projects
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                f(p.past),
                f(p.total),
                change(p.past, p.total, p.diff),
                if p.errors.is_empty() {
                    "priced".into()
                } else {
                    format!("ERROR ({})", p.errors.len())
                },
            ]
        })
        .collect();
    rows.push(vec![
        "total".into(),
        f(out.past),
        f(out.total),
        change(out.past, out.total, out.diff),
        String::new(),
    ]);
    crate::report::Table {
        title: "Monthly cost (Infracost)".into(),
        headers: ["project", "past", "current", "change", "status"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
