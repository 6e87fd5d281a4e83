//! CycloneDX 1.5 / 1.6 JSON from an [`Inventory`]. Deterministic: components sorted by
//! bom-ref, properties and hashes sorted, serialNumber a UUID v5 of the content.

use super::Inventory;
use super::model::{Package, Scope};
use serde_json::{Map, Value, json};

fn license_mode() -> spdx::ParseMode {
    spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    }
}

/// CycloneDX `licenses`: one SPDX id → `license.id`, a valid expression → `expression`,
/// anything else → `license.name`.
pub fn licenses(set: &std::collections::BTreeSet<String>) -> Option<Value> {
    if set.is_empty() {
        return None;
    }
    let joined = if set.len() == 1 {
        set.iter().next().expect("one").clone()
    } else {
        set.iter()
            .map(|l| format!("({l})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    match spdx::Expression::parse_mode(&joined, license_mode()) {
        Ok(e) => {
            let single = e.requirements().count() == 1
                && !joined.contains(' ')
                && spdx::license_id(&joined).is_some();
            if single {
                Some(json!([{"license": {"id": joined}}]))
            } else {
                Some(json!([{"expression": joined}]))
            }
        }
        Err(_) => Some(Value::Array(
            set.iter()
                .map(|l| json!({"license": {"name": l}}))
                .collect(),
        )),
    }
}

fn properties(p: &Package, extra: &[(&str, String)]) -> Option<Value> {
    let mut props: Vec<(String, String)> = p
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    props.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    props.retain(|(k, _)| k != "tollgate:component-type");
    props.sort();
    (!props.is_empty()).then(|| {
        Value::Array(
            props
                .into_iter()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect(),
        )
    })
}

fn component(p: &Package, bom_ref: &str, ty: &str, extra: &[(&str, String)]) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(ty));
    c.insert("bom-ref".into(), json!(bom_ref));
    if let Some(s) = &p.supplier {
        c.insert("supplier".into(), json!({"name": s}));
    }
    if let Some(g) = &p.group {
        c.insert("group".into(), json!(g));
    }
    c.insert("name".into(), json!(p.name));
    if !p.version.is_empty() {
        c.insert("version".into(), json!(p.version));
    }
    if ty == "library" {
        c.insert(
            "scope".into(),
            json!(if p.scope == Scope::Required {
                "required"
            } else {
                "optional"
            }),
        );
    }
    if !p.hashes.is_empty() {
        c.insert(
            "hashes".into(),
            Value::Array(
                p.hashes
                    .iter()
                    .map(|(a, h)| json!({"alg": a.cdx(), "content": h}))
                    .collect(),
            ),
        );
    }
    if let Some(l) = licenses(&p.licenses) {
        c.insert("licenses".into(), l);
    }
    if !p.purl.is_empty() {
        c.insert("purl".into(), json!(p.purl));
    }
    if let Some(u) = &p.download {
        c.insert(
            "externalReferences".into(),
            json!([{"type": "distribution", "url": u}]),
        );
    }
    let mut extra = extra.to_vec();
    match p.scope {
        Scope::Dev => extra.push(("tollgate:scope", "dev".into())),
        Scope::Optional if ty == "library" => extra.push(("tollgate:scope", "optional".into())),
        _ => {}
    }
    if let Some(props) = properties(p, &extra) {
        c.insert("properties".into(), props);
    }
    Value::Object(c)
}

/// Render the inventory as CycloneDX `spec_version` (1.5 or 1.6).
pub fn render(inv: &Inventory, spec_version: &str, timestamp: &str) -> Value {
    let mut roots = Vec::new();
    for (proj, r) in inv.projects.iter().zip(&inv.project_refs) {
        let ty = if proj.root.properties.contains_key("tollgate:component-type") {
            "operating-system"
        } else {
            "application"
        };
        let extra = [
            ("tollgate:lockfile", proj.lockfile.clone()),
            ("tollgate:lockfile-format", proj.format.clone()),
        ];
        roots.push(component(&proj.root, r, ty, &extra));
    }
    let mut top = Map::new();
    top.insert("type".into(), json!("application"));
    top.insert("bom-ref".into(), json!(inv.top_ref));
    top.insert("name".into(), json!(inv.name));
    if let Some(v) = &inv.version {
        top.insert("version".into(), json!(v));
    }
    if !roots.is_empty() {
        top.insert("components".into(), Value::Array(roots));
    }
    let mut components: Vec<Value> = inv
        .components
        .values()
        .map(|c| {
            let found = [(
                "tollgate:found-in",
                c.found_in.iter().cloned().collect::<Vec<_>>().join(","),
            )];
            component(&c.package, &c.package.purl, "library", &found)
        })
        .collect();
    for a in &inv.artifacts {
        let mut c = json!({
            "type": "file",
            "bom-ref": a.bom_ref,
            "name": a.artifact.name,
            "hashes": [
                {"alg": "SHA-256", "content": a.artifact.sha256},
                {"alg": "SHA-512", "content": a.artifact.sha512},
            ],
            "purl": a.purl,
            "properties": [{"name": "tollgate:size", "value": a.artifact.size.to_string()}],
        });
        if let Some(v) = &inv.version {
            c["version"] = json!(v);
        }
        components.push(c);
    }
    components.sort_by(|a, b| a["bom-ref"].as_str().cmp(&b["bom-ref"].as_str()));
    let dependencies: Vec<Value> = inv
        .graph
        .iter()
        .map(|(r, on)| json!({"ref": r, "dependsOn": on}))
        .collect();
    let tools = json!({"components": [{"type": "application", "name": "tollgate", "version": crate::VERSION}]});
    let lifecycles = json!([{"phase": "build"}]);
    let mut bom = Map::new();
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!(spec_version));
    bom.insert("version".into(), json!(1));
    bom.insert(
        "metadata".into(),
        json!({"timestamp": timestamp, "lifecycles": lifecycles, "tools": tools, "component": Value::Object(top)}),
    );
    bom.insert("components".into(), Value::Array(components));
    bom.insert("dependencies".into(), Value::Array(dependencies));
    let content = serde_json::to_vec(&bom).expect("serialises");
    let serial = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &content);
    bom.insert("serialNumber".into(), json!(format!("urn:uuid:{serial}")));
    Value::Object(bom)
}
