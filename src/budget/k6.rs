//! Reading k6 end-of-test summaries in all three machine-readable shapes k6 writes:
//!
//! * `k6 run --summary-export FILE` (legacy): `metrics.<m>` holds the stats flat
//!   (`metrics.<m>["p(95)"]`); `thresholds` is `{expr: bool}` where **`true` means failed**;
//!   rate metrics keep their rate in `value`.
//! * the `handleSummary(data)` object (usually `JSON.stringify(data)`): `metrics.<m>.values`,
//!   `type`, `contains`, and `thresholds` as `{expr: {ok: bool}}` (`ok: false` = failed).
//! * the machine-readable summary v1 (grafana/k6-summary schema 1.0.0): `version`,
//!   `results.passed`, `results.metrics[]` with `name`, `type`, `contains`, `values`.

use crate::diags;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use super::rule::Kind;

/// Which of k6's outputs a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    SummaryExport,
    HandleSummary,
    MachineReadable,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::SummaryExport => "k6 --summary-export JSON",
            Format::HandleSummary => "k6 handleSummary() JSON",
            Format::MachineReadable => "k6 machine-readable summary v1",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Format::SummaryExport => "summary-export",
            Format::HandleSummary => "handle-summary",
            Format::MachineReadable => "machine-readable-v1",
        }
    }
}

/// k6's metric types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    Counter,
    Gauge,
    Rate,
    Trend,
}

impl MetricType {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "counter" => Some(MetricType::Counter),
            "gauge" => Some(MetricType::Gauge),
            "rate" => Some(MetricType::Rate),
            "trend" => Some(MetricType::Trend),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Rate => "rate",
            MetricType::Trend => "trend",
        }
    }
}

/// One k6 threshold and whether it held in the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub metric: String,
    pub expr: String,
    pub ok: bool,
}

/// One metric (or tagged sub-metric such as `http_req_duration{name:GET /api/items}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub mtype: MetricType,
    /// `time`, `data` or `default`.
    pub contains: String,
    pub values: BTreeMap<String, f64>,
}

impl Metric {
    /// What kind of number a statistic of this metric is.
    pub fn kind(&self, stat: &str) -> Kind {
        match (self.mtype, stat) {
            (MetricType::Rate, "rate") => Kind::Fraction,
            (MetricType::Trend, s) if s != "count" && self.contains == "time" => Kind::Time,
            (MetricType::Counter, "count") if self.contains == "data" => Kind::Data,
            (MetricType::Gauge, _) if self.contains == "data" => Kind::Data,
            (MetricType::Trend, s) if s != "count" && self.contains == "data" => Kind::Data,
            _ => Kind::Plain,
        }
    }

    /// The statistic a budget means when it names none.
    pub fn default_stat(&self) -> Option<&'static str> {
        match self.mtype {
            MetricType::Rate => Some("rate"),
            MetricType::Counter => Some("count"),
            MetricType::Gauge => Some("value"),
            MetricType::Trend => None,
        }
    }
}

/// A k6 summary, whichever shape it came in.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: String,
    pub format: Format,
    pub metrics: BTreeMap<String, Metric>,
    pub thresholds: Vec<Threshold>,
    /// `options.summaryTrendStats` when the file records it (handleSummary data).
    pub trend_stats: Option<Vec<String>>,
    /// `results.passed` of the machine-readable summary.
    pub passed: Option<bool>,
}

impl Summary {
    /// True when k6 itself judged the run failed (a threshold crossed).
    pub fn k6_failed(&self) -> bool {
        self.thresholds.iter().any(|t| !t.ok) || self.passed == Some(false)
    }
}

fn unrecognised(path: &str, why: &str) -> InputError {
    InputError::new(
        &diags::INPUT_UNRECOGNISED,
        Location::file(path),
        format!("not a k6 summary: {why}"),
        "pass the JSON of `k6 run --summary-export FILE`, the JSON handleSummary(data) writes, or k6's machine-readable summary",
    )
}

fn bad_at(path: &str, pointer: String, msg: String) -> InputError {
    InputError::new(
        &diags::INPUT_UNRECOGNISED,
        Location::file(path).with_pointer(pointer),
        msg,
        "the file does not have the shape k6 writes; regenerate it with k6",
    )
}

/// JSON pointer escaping of one reference token.
pub fn esc(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Read and recognise a summary file.
pub fn load(path: &Path, limits: Limits) -> Result<(Summary, Vec<u8>), InputError> {
    let name = input::display_path(path);
    let bytes = input::read_bytes(path, limits)?;
    let text = input::bytes_to_text(&name, bytes.clone())?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| input::json_error(&name, &text, &e))?;
    Ok((parse(&name, &value)?, bytes))
}

/// Recognise and read a parsed summary.
pub fn parse(path: &str, v: &Value) -> Result<Summary, InputError> {
    let Some(obj) = v.as_object() else {
        return Err(unrecognised(path, "the top level is not a JSON object"));
    };
    if let Some(results) = obj.get("results").filter(|_| obj.contains_key("version")) {
        return parse_machine_readable(path, results);
    }
    let Some(metrics) = obj.get("metrics") else {
        return Err(unrecognised(path, "it has no `metrics` member"));
    };
    let Some(metrics) = metrics.as_object() else {
        return Err(bad_at(
            path,
            "/metrics".into(),
            "`metrics` is not an object".into(),
        ));
    };
    let handle = metrics
        .values()
        .any(|m| m.get("values").is_some_and(Value::is_object))
        || (metrics.is_empty() && (obj.contains_key("state") || obj.contains_key("options")));
    let trend_stats = obj
        .get("options")
        .and_then(|o| o.get("summaryTrendStats"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        });
    let mut s = Summary {
        path: path.to_string(),
        format: if handle {
            Format::HandleSummary
        } else {
            Format::SummaryExport
        },
        metrics: BTreeMap::new(),
        thresholds: Vec::new(),
        trend_stats,
        passed: None,
    };
    for (name, m) in metrics {
        let ptr = format!("/metrics/{}", esc(name));
        let Some(mo) = m.as_object() else {
            return Err(bad_at(
                path,
                ptr,
                format!("metric {name:?} is not an object"),
            ));
        };
        let metric = if handle {
            let Some(values) = mo.get("values").and_then(Value::as_object) else {
                return Err(bad_at(
                    path,
                    format!("{ptr}/values"),
                    format!("metric {name:?} has no `values` object"),
                ));
            };
            let values = numbers(values);
            let mtype = mo
                .get("type")
                .and_then(Value::as_str)
                .and_then(MetricType::parse)
                .unwrap_or_else(|| infer_type(&values));
            Metric {
                name: name.clone(),
                mtype,
                contains: mo
                    .get("contains")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string(),
                values,
            }
        } else {
            let mut values = numbers(mo);
            let mtype = infer_type(&values);
            if mtype == MetricType::Rate
                && let Some(v) = values.remove("value")
            {
                values.insert("rate".into(), v);
            }
            Metric {
                name: name.clone(),
                mtype,
                contains: legacy_contains(name, mtype).to_string(),
                values,
            }
        };
        if let Some(th) = mo.get("thresholds") {
            let Some(th) = th.as_object() else {
                return Err(bad_at(
                    path,
                    format!("{ptr}/thresholds"),
                    "`thresholds` is not an object".into(),
                ));
            };
            for (expr, r) in th {
                let ok = match (handle, r) {
                    // Legacy: the bool says whether the threshold FAILED.
                    (false, Value::Bool(failed)) => !failed,
                    (true, Value::Object(o)) => match o.get("ok") {
                        Some(Value::Bool(ok)) => *ok,
                        _ => {
                            return Err(bad_at(
                                path,
                                format!("{ptr}/thresholds/{}", esc(expr)),
                                format!("threshold {expr:?} has no boolean `ok`"),
                            ));
                        }
                    },
                    _ => {
                        return Err(bad_at(
                            path,
                            format!("{ptr}/thresholds/{}", esc(expr)),
                            format!(
                                "threshold {expr:?} is {}, expected {}",
                                kind_of(r),
                                if handle {
                                    "{\"ok\": true|false}"
                                } else {
                                    "true (failed) or false (passed)"
                                }
                            ),
                        ));
                    }
                };
                s.thresholds.push(Threshold {
                    metric: name.clone(),
                    expr: expr.clone(),
                    ok,
                });
            }
        }
        s.metrics.insert(name.clone(), metric);
    }
    Ok(s)
}

fn parse_machine_readable(path: &str, results: &Value) -> Result<Summary, InputError> {
    let mut s = Summary {
        path: path.to_string(),
        format: Format::MachineReadable,
        metrics: BTreeMap::new(),
        thresholds: Vec::new(),
        trend_stats: None,
        passed: results.get("passed").and_then(Value::as_bool),
    };
    let Some(metrics) = results.get("metrics").and_then(Value::as_array) else {
        return Err(bad_at(
            path,
            "/results/metrics".into(),
            "`results.metrics` is not an array".into(),
        ));
    };
    let checks = results
        .get("checks")
        .and_then(|c| c.get("metrics"))
        .and_then(Value::as_array);
    let all = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("/results/metrics/{i}"), m))
        .chain(
            checks
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, m)| (format!("/results/checks/metrics/{i}"), m)),
        );
    for (ptr, m) in all {
        let Some(name) = m.get("name").and_then(Value::as_str) else {
            return Err(bad_at(path, ptr, "metric has no `name`".into()));
        };
        let Some(values) = m.get("values").and_then(Value::as_object) else {
            return Err(bad_at(
                path,
                format!("{ptr}/values"),
                format!("metric {name:?} has no `values` object"),
            ));
        };
        let values = numbers(values);
        let mtype = m
            .get("type")
            .and_then(Value::as_str)
            .and_then(MetricType::parse)
            .unwrap_or_else(|| infer_type(&values));
        s.metrics.insert(
            name.to_string(),
            Metric {
                name: name.to_string(),
                mtype,
                contains: m
                    .get("contains")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string(),
                values,
            },
        );
    }
    Ok(s)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn numbers(o: &serde_json::Map<String, Value>) -> BTreeMap<String, f64> {
    o.iter()
        .filter_map(|(k, v)| v.as_f64().map(|f| (k.clone(), f)))
        .collect()
}

fn infer_type(values: &BTreeMap<String, f64>) -> MetricType {
    let has = |k: &str| values.contains_key(k);
    if has("passes") || has("fails") {
        MetricType::Rate
    } else if has("avg") || has("med") || values.keys().any(|k| k.starts_with("p(")) {
        MetricType::Trend
    } else if has("count") {
        MetricType::Counter
    } else {
        MetricType::Gauge
    }
}

/// The legacy export has no `contains`; k6's built-in metrics are known, custom trends are
/// taken as durations (the k6 default for `Trend(name, true)` and the common case).
fn legacy_contains(name: &str, mtype: MetricType) -> &'static str {
    let base = name.split('{').next().unwrap_or(name);
    match (base, mtype) {
        ("data_received" | "data_sent", _) => "data",
        (_, MetricType::Trend) => "time",
        _ => "default",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_export_threshold_true_means_failed() {
        let v = json!({"metrics": {
            "http_reqs": {"count": 3, "rate": 3, "thresholds": {"rate<100": true}},
            "checks": {"value": 0.75, "passes": 45, "fails": 15, "thresholds": {"rate>70": false}},
            "http_req_duration": {"avg": 10, "p(95)": 19.5, "med": 9}
        }});
        let s = parse("x.json", &v).unwrap();
        assert_eq!(s.format, Format::SummaryExport);
        assert!(s.k6_failed());
        let failed: Vec<_> = s.thresholds.iter().filter(|t| !t.ok).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].metric, "http_reqs");
        assert_eq!(s.metrics["checks"].mtype, MetricType::Rate);
        assert_eq!(s.metrics["checks"].values["rate"], 0.75);
        assert_eq!(s.metrics["http_req_duration"].kind("p(95)"), Kind::Time);
    }

    #[test]
    fn handle_summary_ok_false_means_failed() {
        let v = json!({"metrics": {
            "http_req_failed": {"type": "rate", "contains": "default",
                "values": {"rate": 0.0, "passes": 0, "fails": 20},
                "thresholds": {"rate<0.01": {"ok": true}}},
            "data_received": {"type": "counter", "contains": "data", "values": {"count": 10, "rate": 1}}
        }});
        let s = parse("x.json", &v).unwrap();
        assert_eq!(s.format, Format::HandleSummary);
        assert!(!s.k6_failed());
        assert_eq!(s.metrics["http_req_failed"].kind("rate"), Kind::Fraction);
        assert_eq!(s.metrics["data_received"].kind("count"), Kind::Data);
    }

    #[test]
    fn machine_readable_summary() {
        let v = json!({"version": "1.0.0", "metadata": {}, "config": {},
            "results": {"passed": false, "metrics": [
                {"name": "http_req_duration", "type": "trend", "contains": "time",
                 "values": {"p(95)": 421.32}}]}});
        let s = parse("x.json", &v).unwrap();
        assert_eq!(s.format, Format::MachineReadable);
        assert!(s.k6_failed());
        assert_eq!(s.metrics["http_req_duration"].values["p(95)"], 421.32);
    }

    #[test]
    fn wrong_shapes_are_input_errors_with_pointers() {
        let e = parse("x.json", &json!({"bomFormat": "CycloneDX"})).unwrap_err();
        assert!(e.message.contains("not a k6 summary"), "{e}");
        let e = parse(
            "x.json",
            &json!({"metrics": {"a/b": {"values": {"count": 1}, "thresholds": {"count<1": true}}}}),
        )
        .unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/metrics/a~1b/thresholds/count<1")
        );
    }
}
