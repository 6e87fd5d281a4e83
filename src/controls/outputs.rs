//! Machine-readable outputs of a control evaluation: the in-toto statement carrying the Control
//! Attestation, a SLSA Verification Summary Attestation (VSA v1), an OSCAL assessment-results
//! document and the control map CSV. All deterministic (sorted keys, ids derived from content).

use super::model::*;
use crate::attest::intoto::{ResourceDescriptor, STATEMENT_V1, Statement};
use serde_json::{Value, json};

pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
pub const VERIFIER_ID: &str = "https://tollgate.dev/verifier/controls/v1";

fn subjects(p: &ControlsPredicate) -> Vec<ResourceDescriptor> {
    p.evidence
        .iter()
        .map(|e| ResourceDescriptor {
            name: Some(e.path.clone()),
            digest: Some([("sha256".to_string(), e.sha256.clone())].into()),
            ..Default::default()
        })
        .collect()
}

/// The Control Attestation statement: subjects are the evidence files.
pub fn statement(p: &ControlsPredicate) -> Statement {
    Statement {
        type_: Some(STATEMENT_V1.into()),
        subject: Some(subjects(p)),
        predicate_type: Some(PREDICATE_TYPE.into()),
        predicate: Some(serde_json::to_value(p).expect("serialisable")),
    }
}

/// The same verdict as a SLSA VSA v1.
pub fn vsa(p: &ControlsPredicate) -> Statement {
    let passed = p.verdict == "pass";
    let resource = match (&p.release.repository, &p.release.name) {
        (Some(repo), _) => format!(
            "{repo}{}",
            p.release
                .git_ref
                .as_deref()
                .map(|r| format!("@{r}"))
                .unwrap_or_default()
        ),
        (None, Some(name)) => format!("release:{name}"),
        (None, None) => format!("catalog:{}", p.catalog.path),
    };
    let inputs: Vec<Value> = p
        .evidence
        .iter()
        .map(|e| json!({"uri": e.path, "digest": {"sha256": e.sha256}}))
        .collect();
    let predicate = json!({
        "verifier": {"id": VERIFIER_ID, "version": {"tollgate": p.tool.version}},
        "timeVerified": p.generated_at,
        "resourceUri": resource,
        "policy": {"uri": p.catalog.path, "digest": {"sha256": p.catalog.sha256}},
        "inputAttestations": inputs,
        "verificationResult": if passed { "PASSED" } else { "FAILED" },
        "verifiedLevels": if passed { vec!["TOLLGATE_CONTROLS_PASSED"] } else { Vec::new() },
        "slsaVersion": "1.0",
    });
    Statement {
        type_: Some(STATEMENT_V1.into()),
        subject: Some(subjects(p)),
        predicate_type: Some(VSA_PREDICATE_TYPE.into()),
        predicate: Some(predicate),
    }
}

fn uuid_of(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, parts.join("\u{0}").as_bytes()).to_string()
}

fn oscal_id(control: &str) -> String {
    control
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// OSCAL 1.1.2 assessment-results: one finding and one observation per control.
pub fn oscal(p: &ControlsPredicate, statement_sha256: &str) -> Value {
    let root = uuid_of(&["tollgate-oscal", statement_sha256]);
    let mut findings = Vec::new();
    let mut observations = Vec::new();
    let digests: std::collections::HashMap<&str, &str> = p
        .evidence
        .iter()
        .map(|x| (x.path.as_str(), x.sha256.as_str()))
        .collect();
    for c in &p.controls {
        let obs = uuid_of(&[&root, "observation", &c.id]);
        let evidence: Vec<Value> = c
            .evidence
            .iter()
            .map(|e| {
                let sha = digests.get(e.as_str()).copied().unwrap_or("");
                json!({"href": e, "description": format!("sha256:{sha}")})
            })
            .collect();
        let mut observation = json!({
            "uuid": obs,
            "title": format!("{} evidence", c.id),
            "description": c.assertions.iter().map(|a| format!("{} {}: {}", a.kind, a.status.as_str(), a.message)).collect::<Vec<_>>().join("\n"),
            "methods": ["TEST"],
            "collected": p.generated_at,
        });
        if !evidence.is_empty() {
            observation["relevant-evidence"] = Value::Array(evidence);
        }
        observations.push(observation);
        let mut props = vec![
            json!({"name": "tollgate-status", "ns": "https://tollgate.dev/ns/oscal", "value": c.status.as_str()}),
        ];
        for (fw, ids) in &c.frameworks {
            for id in ids {
                props.push(json!({"name": "framework-control", "ns": "https://tollgate.dev/ns/oscal", "class": fw, "value": id}));
            }
        }
        findings.push(json!({
            "uuid": uuid_of(&[&root, "finding", &c.id]),
            "title": format!("{} {}", c.id, c.name),
            "description": c.reason,
            "props": props,
            "target": {
                "type": "objective-id",
                "target-id": format!("{}_obj", oscal_id(&c.id)),
                "status": {"state": if c.status == Status::Pass { "satisfied" } else { "not-satisfied" }},
            },
            "related-observations": [{"observation-uuid": obs}],
        }));
    }
    let includes: Vec<Value> = p
        .controls
        .iter()
        .map(|c| json!({"control-id": oscal_id(&c.id)}))
        .collect();
    json!({
        "assessment-results": {
            "uuid": root,
            "metadata": {
                "title": format!("tollgate Control Attestation{}", p.release.name.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()),
                "last-modified": p.generated_at,
                "version": p.tool.version,
                "oscal-version": "1.1.2",
            },
            "import-ap": {"href": p.catalog.path},
            "results": [{
                "uuid": uuid_of(&[&root, "result"]),
                "title": format!("Control evaluation: {}", p.verdict),
                "description": format!("{} controls: {} passed, {} failed, {} waived", p.summary.total, p.summary.passed, p.summary.failed + p.summary.failed_optional, p.summary.waived),
                "start": p.generated_at,
                "end": p.generated_at,
                "reviewed-controls": {"control-selections": [{"include-controls": includes}]},
                "observations": observations,
                "findings": findings,
            }],
        }
    })
}

/// One CSV cell. A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR
/// first: OWASP's CSV injection list) gets a leading `'`, since catalog ids and reasons come
/// from files an auditor did not write.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// control → frameworks → evidence → status, one row per framework control id (a control
/// without framework mappings gets one row with empty framework columns).
pub fn control_map_csv(p: &ControlsPredicate) -> String {
    let mut out = String::from(
        "control_id,control_name,framework,framework_control,status,required,evidence,reason\n",
    );
    for c in &p.controls {
        let mut pairs: Vec<(&str, &str)> = c
            .frameworks
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |i| (fw.as_str(), i.as_str())))
            .collect();
        if pairs.is_empty() {
            pairs.push(("", ""));
        }
        for (fw, id) in pairs {
            let row = [
                c.id.as_str(),
                c.name.as_str(),
                fw,
                id,
                c.status.as_str(),
                if c.required { "true" } else { "false" },
                &c.evidence.join(";"),
                c.reason.as_str(),
            ];
            out.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
    }
    out
}

/// Sorted-key pretty JSON with a final newline.
pub fn canonical_pretty(v: &impl serde::Serialize) -> String {
    fn sorted(v: Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut entries: Vec<(String, Value)> = m.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let mut s =
        serde_json::to_string_pretty(&sorted(serde_json::to_value(v).expect("serialisable")))
            .expect("serialisable");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn oscal_ids_are_tokens() {
        assert_eq!(oscal_id("SC-01"), "sc-01");
        assert_eq!(oscal_id("A 8/28"), "a-8-28");
    }
}
