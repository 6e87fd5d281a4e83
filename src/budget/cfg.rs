//! The budgets file (YAML or JSON; schema in `schemas/budgets.schema.json`, format in
//! docs/budgets.md). Every problem is reported at its line:column.
//!
//! ```yaml
//! perf:
//!   http_req_duration:
//!     p(95): [< 500ms, +10%]
//!   "http_req_duration{name:GET /api/items}":
//!     p(99): +50ms
//!   http_req_failed:
//!     rate: < 1%
//! cost:
//!   currency: USD
//!   total:
//!     monthly: [< 5000, +200, +10%]
//!   projects:
//!     "acme/infra/prod*":
//!       monthly: +15%
//!   services:
//!     api:
//!       projects: ["*api*"]
//!       monthly: < 1000
//! ```

use super::diags as d;
use super::rule::{self, Rule};
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::path::Path;

/// A 1-based line:column in the budgets file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    fn of<T>(s: &Spanned<T>) -> Pos {
        Pos {
            line: s.referenced.line().max(1) as u32,
            column: s.referenced.column().max(1) as u32,
        }
    }

    pub fn location(self, file: &str) -> Location {
        Location::file(file).with_line_col(self.line, self.column)
    }
}

/// A limit and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub rule: Rule,
    pub text: String,
    pub at: Pos,
}

impl Limit {
    /// Why an exceeded limit failed, for the finding: a relative limit names the value it was
    /// computed from (`+10% allows <= 110 ms from the baseline 100 ms`, `against` = "the
    /// baseline"), an absolute one just itself (`budget <= 200 ms`).
    pub fn exceeded_detail(
        &self,
        op: &str,
        limit: &str,
        base: Option<String>,
        against: &str,
    ) -> String {
        match base.filter(|_| self.rule.is_relative()) {
            Some(base) => format!("{} allows {op} {limit} from {against} {base}", self.text),
            None => format!("budget {}", self.text),
        }
    }
}

/// The limits of one statistic of one k6 metric.
#[derive(Debug, Clone, PartialEq)]
pub struct PerfBudget {
    pub metric: String,
    pub metric_at: Pos,
    /// `None`: the metric's default statistic (rate, count or value).
    pub stat: Option<String>,
    pub limits: Vec<Limit>,
}

/// Limits on a monthly cost: the total, a project pattern, or a service.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBudget {
    /// `total`, the project pattern, or the service name.
    pub name: String,
    pub scope: CostScope,
    pub at: Pos,
    pub limits: Vec<Limit>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CostScope {
    Total,
    /// Each project whose name matches the pattern, on its own.
    Project(String),
    /// The projects matching any of the patterns, summed.
    Service(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Budgets {
    pub path: String,
    pub perf: Vec<PerfBudget>,
    pub currency: Option<(String, Pos)>,
    pub cost: Vec<CostBudget>,
}

// ------------------------------------------------------------------ raw YAML shapes

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudgets {
    #[serde(default)]
    version: Option<Spanned<u32>>,
    #[serde(default)]
    perf: Option<HashMap<Spanned<String>, Spanned<RawMetric>>>,
    #[serde(default)]
    cost: Option<RawCost>,
}

/// A metric's budget: limits on its default statistic, or a map of statistic -> limits.
#[derive(Debug)]
enum RawMetric {
    Limits(OneOrMany),
    Stats(Vec<(String, Spanned<OneOrMany>)>),
}

impl<'de> Deserialize<'de> for RawMetric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawMetric;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of statistic -> limits (e.g. `p(95): < 500ms`), or limits")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawMetric, E> {
                Ok(RawMetric::Limits(OneOrMany::One(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawMetric, E> {
                Ok(RawMetric::Limits(OneOrMany::Number(v as f64)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawMetric, E> {
                Ok(RawMetric::Limits(OneOrMany::Number(v as f64)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawMetric, E> {
                Ok(RawMetric::Limits(OneOrMany::Number(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawMetric, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(RawMetric::Limits(OneOrMany::Many(out)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawMetric, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Spanned<OneOrMany>>()? {
                    out.push((k, v));
                }
                Ok(RawMetric::Stats(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// One limit or a list of limits. A plain YAML scalar such as `+200` reads as a number; its
/// sign is recovered from the source text (see [`raw_scalar`]).
#[derive(Debug, Clone)]
enum OneOrMany {
    One(String),
    /// A number; the text is taken from the source at the value's position.
    Number(f64),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a limit such as \"< 500ms\" or \"+10%\", or a list of limits")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::Number(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::Number(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    fn into_vec(self, source: &str, at: Pos) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Number(n) => vec![raw_scalar(source, at).unwrap_or_else(|| n.to_string())],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The plain scalar written at a position (to its end of line or comment): YAML reads `+200`
/// as the number 200, but the `+` is what makes it a relative limit.
fn raw_scalar(source: &str, at: Pos) -> Option<String> {
    let line = source.lines().nth(at.line.checked_sub(1)? as usize)?;
    let rest: String = line
        .chars()
        .skip(at.column.checked_sub(1)? as usize)
        .collect();
    let rest = rest.split(" #").next().unwrap_or(&rest);
    let t = rest.trim().trim_end_matches(',').trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCost {
    #[serde(default)]
    currency: Option<Spanned<String>>,
    #[serde(default)]
    total: Option<Spanned<RawCostLimits>>,
    #[serde(default)]
    projects: Option<HashMap<Spanned<String>, RawCostLimits>>,
    #[serde(default)]
    services: Option<HashMap<Spanned<String>, RawService>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCostLimits {
    monthly: Spanned<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    projects: Spanned<OneOrMany>,
    monthly: Spanned<OneOrMany>,
}

const HINT: &str = "see docs/budgets.md for the budgets file format (perf: metric -> stat -> limits; cost: currency, total, projects, services)";

fn invalid(path: &str, at: Pos, msg: String) -> InputError {
    InputError::new(&d::INVALID_BUDGETS, at.location(path), msg, HINT)
}

fn limits(
    path: &str,
    source: &str,
    at: Pos,
    raw: OneOrMany,
    what: &str,
) -> Result<Vec<Limit>, InputError> {
    let list = raw.into_vec(source, at);
    if list.is_empty() {
        return Err(invalid(path, at, format!("{what}: no limits given")));
    }
    list.into_iter()
        .map(|text| {
            let rule = rule::parse(&text).map_err(|e| invalid(path, at, format!("{what}: {e}")))?;
            Ok(Limit { rule, text, at })
        })
        .collect()
}

/// Read and validate a budgets file.
pub fn load(path: &Path, limits: Limits) -> Result<Budgets, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits)?;
    parse(&name, &text)
}

pub fn parse(name: &str, text: &str) -> Result<Budgets, InputError> {
    let raw: RawBudgets = serde_saphyr::from_str(text).map_err(|e| {
        let mut ie = crate::sbom::document::yaml_error(name, &e);
        ie.info = &d::INVALID_BUDGETS;
        ie.message = ie
            .message
            .replacen("malformed YAML: ", "invalid budgets file: ", 1);
        ie.hint = HINT.into();
        ie
    })?;
    if let Some(v) = &raw.version
        && v.value != 1
    {
        return Err(invalid(
            name,
            Pos::of(v),
            format!("version {} is not supported (use 1)", v.value),
        ));
    }
    let mut b = Budgets {
        path: name.to_string(),
        ..Default::default()
    };
    for (metric, body) in raw.perf.unwrap_or_default() {
        let metric_at = Pos::of(&metric);
        let body_at = Pos::of(&body);
        let m = metric.value;
        if m.trim().is_empty() {
            return Err(invalid(name, metric_at, "empty metric name".into()));
        }
        match body.value {
            RawMetric::Limits(l) => b.perf.push(PerfBudget {
                limits: limits(name, text, body_at, l, &m)?,
                metric: m,
                metric_at,
                stat: None,
            }),
            RawMetric::Stats(stats) => {
                if stats.is_empty() {
                    return Err(invalid(
                        name,
                        metric_at,
                        format!("{m}: no statistics given"),
                    ));
                }
                let mut stats = stats;
                stats.sort_by(|a, b| a.0.cmp(&b.0));
                for (stat, l) in stats {
                    let at = Pos::of(&l);
                    check_stat(name, at, &m, &stat)?;
                    b.perf.push(PerfBudget {
                        limits: limits(name, text, at, l.value, &format!("{m} {stat}"))?,
                        metric: m.clone(),
                        metric_at,
                        stat: Some(stat),
                    });
                }
            }
        }
    }
    b.perf
        .sort_by(|x, y| (x.metric_at, &x.stat).cmp(&(y.metric_at, &y.stat)));
    if let Some(cost) = raw.cost {
        if let Some(c) = &cost.currency {
            let code = c.value.trim().to_ascii_uppercase();
            if code.len() != 3 || !code.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return Err(invalid(
                    name,
                    Pos::of(c),
                    format!("currency {:?} is not an ISO 4217 code such as USD", c.value),
                ));
            }
            b.currency = Some((code, Pos::of(c)));
        }
        if let Some(t) = cost.total {
            let at = Pos::of(&t);
            let m = t.value.monthly;
            b.cost.push(CostBudget {
                name: "total".into(),
                scope: CostScope::Total,
                at,
                limits: limits(name, text, Pos::of(&m), m.value, "cost total")?,
            });
        }
        for (pattern, l) in cost.projects.unwrap_or_default() {
            let at = Pos::of(&pattern);
            glob(name, at, &pattern.value)?;
            b.cost.push(CostBudget {
                limits: limits(
                    name,
                    text,
                    Pos::of(&l.monthly),
                    l.monthly.value,
                    &format!("project {:?}", pattern.value),
                )?,
                name: pattern.value.clone(),
                scope: CostScope::Project(pattern.value),
                at,
            });
        }
        for (svc, s) in cost.services.unwrap_or_default() {
            let at = Pos::of(&svc);
            let projects_at = Pos::of(&s.projects);
            let patterns = s.projects.value.into_vec(text, projects_at);
            if patterns.is_empty() {
                return Err(invalid(
                    name,
                    projects_at,
                    format!("service {:?}: `projects` lists no patterns", svc.value),
                ));
            }
            for p in &patterns {
                glob(name, projects_at, p)?;
            }
            b.cost.push(CostBudget {
                limits: limits(
                    name,
                    text,
                    Pos::of(&s.monthly),
                    s.monthly.value,
                    &format!("service {:?}", svc.value),
                )?,
                name: svc.value,
                scope: CostScope::Service(patterns),
                at,
            });
        }
        b.cost.sort_by_key(|c| c.at);
        // Amounts with a currency must use the budgets' currency.
        let want = b.currency.as_ref().map(|c| c.0.clone());
        for c in &b.cost {
            for l in &c.limits {
                let q = match &l.rule {
                    Rule::Absolute { q, .. } | Rule::Relative { q, .. } => q,
                };
                if let rule::Unit::Currency(cur) = &q.unit {
                    match &want {
                        Some(w) if w == cur => {}
                        Some(w) => {
                            return Err(invalid(
                                name,
                                l.at,
                                format!("{:?} is in {cur} but `cost.currency` is {w}", l.text),
                            ));
                        }
                        None => {
                            return Err(invalid(
                                name,
                                l.at,
                                format!(
                                    "{:?} names a currency; set `cost.currency: {cur}` as well",
                                    l.text
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(b)
}

fn glob(name: &str, at: Pos, pattern: &str) -> Result<globset::GlobMatcher, InputError> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            invalid(
                name,
                at,
                format!("invalid project pattern {pattern:?}: {e}"),
            )
        })
}

/// Compile a project pattern validated by [`parse`].
pub fn matcher(pattern: &str) -> globset::GlobMatcher {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .unwrap_or_else(|_| {
            globset::Glob::new("!")
                .expect("literal glob")
                .compile_matcher()
        })
}

/// The statistics k6 can export: avg, min, med, max, count, p(N), rate, value, passes, fails.
pub fn is_known_stat(stat: &str) -> bool {
    matches!(
        stat,
        "avg" | "min" | "med" | "max" | "count" | "rate" | "value" | "passes" | "fails"
    ) || stat
        .strip_prefix("p(")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| (0.0..=100.0).contains(&n))
}

fn check_stat(name: &str, at: Pos, metric: &str, stat: &str) -> Result<(), InputError> {
    if is_known_stat(stat) {
        Ok(())
    } else {
        Err(invalid(
            name,
            at,
            format!(
                "{metric}: unknown statistic {stat:?} (use avg, min, med, max, count, p(90), p(95), p(99)…, rate, value, passes or fails)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
perf:
  http_req_duration:
    p(95): [< 500ms, +10%]
    avg: +50ms
  \"http_req_duration{name:GET /api/items}\":
    p(99): < 800ms
  http_req_failed: < 1%
cost:
  currency: usd
  total:
    monthly: [< 5000, +200, +10%]
  projects:
    \"acme/*\":
      monthly: < 100 USD
  services:
    api:
      projects: [\"*api*\"]
      monthly: +20%
";

    #[test]
    fn reads_perf_and_cost_budgets_with_positions() {
        let b = parse("b.yaml", GOOD).unwrap();
        let summary: Vec<String> = b
            .perf
            .iter()
            .map(|p| {
                format!(
                    "{}:{} {} {:?} {}",
                    p.metric_at.line,
                    p.metric_at.column,
                    p.metric,
                    p.stat,
                    p.limits.len()
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                "2:3 http_req_duration Some(\"avg\") 1",
                "2:3 http_req_duration Some(\"p(95)\") 2",
                "5:3 http_req_duration{name:GET /api/items} Some(\"p(99)\") 1",
                "7:3 http_req_failed None 1"
            ]
        );
        assert_eq!(b.currency.as_ref().unwrap().0, "USD");
        assert_eq!(b.cost.len(), 3);
        assert_eq!(b.cost[0].scope, CostScope::Total);
        assert_eq!(b.cost[0].limits.len(), 3);
        assert_eq!(b.cost[2].scope, CostScope::Service(vec!["*api*".into()]));
    }

    #[test]
    fn limits_keep_their_position_and_sign() {
        let b = parse(
            "b.yaml",
            "perf:\n  http_reqs:\n    count: \">= 100\"\n    rate: +20 # per second\ncost:\n  total:\n    monthly: +200\n",
        )
        .unwrap();
        assert_eq!(
            b.perf[0].limits[0].at,
            Pos {
                line: 3,
                column: 12
            }
        );
        assert_eq!(b.perf[1].limits[0].text, "+20");
        assert_eq!(b.perf[1].limits[0].at.line, 4);
        assert_eq!(b.cost[0].limits[0].text, "+200");
        assert!(b.cost[0].limits[0].rule.is_relative());
    }

    #[test]
    fn malformed_units_point_at_their_line() {
        let e = parse(
            "b.yaml",
            "perf:\n  http_req_duration:\n    p(95): < 500 parsecs\n",
        )
        .unwrap_err();
        assert_eq!(e.info.code, "BUD007");
        assert_eq!(e.location.line, Some(3));
        assert!(
            e.message.contains("unknown unit \"parsecs\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_keys_and_stats_are_rejected() {
        let e = parse("b.yaml", "perf: {}\nbudget: 1\n").unwrap_err();
        assert_eq!(e.info.code, "BUD007");
        assert_eq!(e.location.line, Some(2), "{}", e.one_line());
        let e = parse("b.yaml", "perf:\n  x:\n    p95: < 1\n").unwrap_err();
        assert!(
            e.message.contains("unknown statistic \"p95\""),
            "{}",
            e.message
        );
    }

    #[test]
    fn currency_of_amounts_must_match() {
        let e = parse(
            "b.yaml",
            "cost:\n  currency: EUR\n  total:\n    monthly: < 5 USD\n",
        )
        .unwrap_err();
        assert!(e.message.contains("is in USD but `cost.currency` is EUR"));
        assert_eq!(e.location.line, Some(4));
    }

    /// schemas/budgets.schema.json (for editors) and this reader agree on every budgets file in
    /// testdata, and on a few invalid ones.
    #[test]
    fn schema_agrees_with_the_reader() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("schemas/budgets.schema.json")).unwrap(),
        )
        .unwrap();
        let validator = jsonschema::options()
            .build(&schema)
            .expect("schema compiles");
        let mut cases: Vec<(String, String)> = Vec::new();
        for dir in [
            "testdata/budget/k6",
            "testdata/budget/infracost",
            "testdata/budget/k6-real",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "yaml") {
                    cases.push((
                        p.display().to_string(),
                        std::fs::read_to_string(&p).unwrap(),
                    ));
                }
            }
        }
        cases.push(("good".into(), GOOD.into()));
        for bad in [
            "perf:\n  x:\n    p95: < 1\n",
            "perf:\n  x:\n    p(95): 500ms\n",
            "cost:\n  total:\n    max: 5\n",
            "budgets: {}\n",
        ] {
            cases.push(("bad".into(), bad.into()));
        }
        assert!(cases.len() >= 8);
        for (name, text) in cases {
            let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
            let by_schema = validator.is_valid(&value);
            let by_reader = parse("b.yaml", &text).is_ok();
            assert_eq!(
                by_schema, by_reader,
                "{name}: schema {by_schema}, reader {by_reader}"
            );
            assert_eq!(by_reader, name != "bad", "{name}");
        }
    }
}
