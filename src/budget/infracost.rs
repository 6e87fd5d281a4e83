//! Reading Infracost JSON (`infracost breakdown --format json`, `infracost diff --format json`,
//! `infracost output --format json`) leniently, as Infracost itself does: money values are
//! decimal strings (numbers are accepted too), `null` means unknown, and older outputs lack
//! fields the current schema requires.

use crate::diags;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use serde_json::Value;
use std::path::Path;

/// Infracost's default currency when the output does not name one.
pub const DEFAULT_CURRENCY: &str = "USD";

/// One Infracost project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub name: String,
    /// `breakdown.totalMonthlyCost`.
    pub total: Option<f64>,
    /// `pastBreakdown.totalMonthlyCost`.
    pub past: Option<f64>,
    /// `diff.totalMonthlyCost`.
    pub diff: Option<f64>,
    /// `metadata.errors[].message`.
    pub errors: Vec<String>,
}

impl Project {
    /// The increase over the past cost: `diff` when given, else total − past.
    pub fn increase(&self) -> Option<f64> {
        self.diff.or_else(|| Some(self.total? - self.past?))
    }
}

/// An Infracost output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub path: String,
    /// As written; `None` when the file does not say (Infracost then means USD).
    pub currency: Option<String>,
    pub total: Option<f64>,
    pub past: Option<f64>,
    pub diff: Option<f64>,
    pub projects: Vec<Project>,
}

impl Output {
    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)
    }

    pub fn increase(&self) -> Option<f64> {
        self.diff.or_else(|| Some(self.total? - self.past?))
    }

    pub fn project_errors(&self) -> usize {
        self.projects.iter().map(|p| p.errors.len()).sum()
    }
}

pub fn load(path: &Path, limits: Limits) -> Result<Output, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| input::json_error(&name, &text, &e))?;
    parse(&name, &value)
}

fn bad_at(path: &str, pointer: String, msg: String) -> InputError {
    InputError::new(
        &diags::INPUT_UNRECOGNISED,
        Location::file(path).with_pointer(pointer),
        msg,
        "the file does not have the shape Infracost writes; regenerate it with `infracost breakdown --format json` or `infracost diff --format json`",
    )
}

/// A money value: decimal string or number; `null` or absent is unknown.
fn money(path: &str, v: Option<&Value>, pointer: &str) -> Result<Option<f64>, InputError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => {
            let t = s.trim();
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    bad_at(
                        path,
                        pointer.to_string(),
                        format!("{s:?} is not a decimal amount"),
                    )
                })
        }
        Some(_) => Err(bad_at(
            path,
            pointer.to_string(),
            "expected a decimal string, a number or null".into(),
        )),
    }
}

pub fn parse(path: &str, v: &Value) -> Result<Output, InputError> {
    let Some(obj) = v.as_object() else {
        return Err(unrecognised(path, "the top level is not a JSON object"));
    };
    if !obj.contains_key("projects") && !obj.contains_key("totalMonthlyCost") {
        return Err(unrecognised(
            path,
            "it has neither `projects` nor `totalMonthlyCost`",
        ));
    }
    let mut projects = Vec::new();
    match obj.get("projects") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ps)) => {
            for (i, p) in ps.iter().enumerate() {
                let ptr = format!("/projects/{i}");
                if !p.is_object() {
                    return Err(bad_at(path, ptr, "a project is not an object".into()));
                }
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .or_else(|| p.get("metadata")?.get("path")?.as_str())
                    .unwrap_or("")
                    .to_string();
                let sub = |k: &str| p.get(k).and_then(|b| b.get("totalMonthlyCost"));
                let errors = p
                    .get("metadata")
                    .and_then(|m| m.get("errors"))
                    .and_then(Value::as_array)
                    .map(|es| {
                        es.iter()
                            .map(|e| {
                                e.get("message")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                                    .unwrap_or_else(|| e.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                projects.push(Project {
                    name: if name.is_empty() {
                        format!("project {}", i + 1)
                    } else {
                        name
                    },
                    total: money(
                        path,
                        sub("breakdown"),
                        &format!("{ptr}/breakdown/totalMonthlyCost"),
                    )?,
                    past: money(
                        path,
                        sub("pastBreakdown"),
                        &format!("{ptr}/pastBreakdown/totalMonthlyCost"),
                    )?,
                    diff: money(path, sub("diff"), &format!("{ptr}/diff/totalMonthlyCost"))?,
                    errors,
                });
            }
        }
        Some(_) => {
            return Err(bad_at(
                path,
                "/projects".into(),
                "`projects` is not an array".into(),
            ));
        }
    }
    // Older outputs may lack a top-level total (not null: absent); then it is the projects' sum.
    let sum = |f: fn(&Project) -> Option<f64>| -> Option<f64> {
        projects.iter().map(f).sum::<Option<f64>>()
    };
    let total = match obj.get("totalMonthlyCost") {
        None => sum(|p| p.total),
        v => money(path, v, "/totalMonthlyCost")?,
    };
    let past = match obj.get("pastTotalMonthlyCost") {
        None => None,
        v => money(path, v, "/pastTotalMonthlyCost")?,
    };
    let diff = match obj.get("diffTotalMonthlyCost") {
        None => None,
        v => money(path, v, "/diffTotalMonthlyCost")?,
    };
    let currency = match obj.get("currency") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_uppercase()),
        Some(Value::String(_)) => None,
        Some(_) => {
            return Err(bad_at(
                path,
                "/currency".into(),
                "`currency` is not a string".into(),
            ));
        }
    };
    Ok(Output {
        path: path.to_string(),
        currency,
        total,
        past,
        diff,
        projects,
    })
}

fn unrecognised(path: &str, why: &str) -> InputError {
    InputError::new(
        &diags::INPUT_UNRECOGNISED,
        Location::file(path),
        format!("not an Infracost JSON output: {why}"),
        "pass the output of `infracost breakdown --format json` or `infracost diff --format json`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_numbers_and_nulls() {
        let v = json!({"version": "0.2", "currency": "usd", "totalMonthlyCost": "12.5",
            "pastTotalMonthlyCost": null, "diffTotalMonthlyCost": 2,
            "projects": [{"name": "a", "breakdown": {"totalMonthlyCost": "12.5"},
                "metadata": {"errors": [{"code": 1, "message": "boom"}]}}]});
        let o = parse("x.json", &v).unwrap();
        assert_eq!(o.currency(), "USD");
        assert_eq!(o.total, Some(12.5));
        assert_eq!(o.past, None);
        assert_eq!(o.increase(), Some(2.0));
        assert_eq!(o.projects[0].errors, vec!["boom".to_string()]);
        assert_eq!(o.projects[0].increase(), None);
    }

    #[test]
    fn missing_total_is_the_projects_sum_and_currency_defaults() {
        let v = json!({"projects": [
            {"name": "a", "breakdown": {"totalMonthlyCost": "1.5"}},
            {"name": "b", "breakdown": {"totalMonthlyCost": "2"}, "pastBreakdown": {"totalMonthlyCost": "1"}}]});
        let o = parse("x.json", &v).unwrap();
        assert_eq!(o.total, Some(3.5));
        assert_eq!(o.currency, None);
        assert_eq!(o.currency(), "USD");
        assert_eq!(o.projects[1].increase(), Some(1.0));
    }

    #[test]
    fn bad_amounts_name_their_pointer() {
        let v = json!({"projects": [{"name": "a", "breakdown": {"totalMonthlyCost": "lots"}}]});
        let e = parse("x.json", &v).unwrap_err();
        assert_eq!(
            e.location.pointer.as_deref(),
            Some("/projects/0/breakdown/totalMonthlyCost")
        );
        assert!(parse("x.json", &json!({"metrics": {}})).is_err());
    }
}
