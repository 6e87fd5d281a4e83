//! SPDX 2.3 JSON from an [`Inventory`]: one package per component (and per project root and
//! artifact), `DESCRIBES` the top package, `CONTAINS` for projects and artifacts,
//! `DEPENDS_ON` / `DEV_DEPENDENCY_OF` / `OPTIONAL_DEPENDENCY_OF` for the graph. The
//! documentNamespace ends in a UUID v5 of the content.

use super::Inventory;
use super::model::{Package, Scope};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn spdx_id(r: &str) -> String {
    let clean: String = r
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{clean}")
}

fn license(set: &std::collections::BTreeSet<String>) -> String {
    if set.is_empty() {
        return "NOASSERTION".into();
    }
    let joined = if set.len() == 1 {
        set.iter().next().expect("one").clone()
    } else {
        set.iter()
            .map(|l| format!("({l})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    if spdx::Expression::parse_mode(&joined, mode).is_ok() {
        joined
    } else {
        "NOASSERTION".into()
    }
}

fn package(p: &Package, id: &str, purpose: &str, comment: Option<String>) -> Value {
    let mut m = Map::new();
    m.insert("SPDXID".into(), json!(id));
    m.insert(
        "name".into(),
        json!(match &p.group {
            Some(g) if p.ecosystem == "npm" => format!("{g}/{}", p.name),
            Some(g) => format!("{g}:{}", p.name),
            None => p.name.clone(),
        }),
    );
    if !p.version.is_empty() {
        m.insert("versionInfo".into(), json!(p.version));
    }
    if let Some(s) = &p.supplier {
        m.insert(
            "supplier".into(),
            json!(format!("Organization: {}", s.replace(['(', ')'], ""))),
        );
    }
    m.insert(
        "downloadLocation".into(),
        json!(p.download.clone().unwrap_or_else(|| "NOASSERTION".into())),
    );
    m.insert("filesAnalyzed".into(), json!(false));
    if !p.hashes.is_empty() {
        m.insert(
            "checksums".into(),
            Value::Array(
                p.hashes
                    .iter()
                    .map(|(a, h)| json!({"algorithm": a.spdx(), "checksumValue": h}))
                    .collect(),
            ),
        );
    }
    m.insert("licenseConcluded".into(), json!("NOASSERTION"));
    m.insert("licenseDeclared".into(), json!(license(&p.licenses)));
    m.insert("copyrightText".into(), json!("NOASSERTION"));
    m.insert("primaryPackagePurpose".into(), json!(purpose));
    if !p.purl.is_empty() {
        m.insert(
            "externalRefs".into(),
            json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}]),
        );
    }
    if let Some(c) = comment {
        m.insert("comment".into(), json!(c));
    }
    Value::Object(m)
}

/// SPDX ids from bom-refs, unique even when two refs clean to the same id.
#[derive(Default)]
struct Ids {
    taken: std::collections::BTreeSet<String>,
}

impl Ids {
    fn of(&mut self, r: &str) -> String {
        let base = spdx_id(r);
        let mut id = base.clone();
        let mut n = 2;
        while !self.taken.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

pub fn render(inv: &Inventory, timestamp: &str) -> Value {
    let mut packages: Vec<Value> = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut alloc = Ids::default();
    let top_id = alloc.of(&inv.top_ref);
    ids.insert(inv.top_ref.clone(), top_id.clone());
    let top = Package {
        name: inv.name.clone(),
        version: inv.version.clone().unwrap_or_default(),
        ..Default::default()
    };
    packages.push(package(&top, &top_id, "APPLICATION", None));
    let mut rels: Vec<(String, String, String)> = Vec::new();
    for (proj, r) in inv.projects.iter().zip(&inv.project_refs) {
        let id = alloc.of(r);
        ids.insert(r.clone(), id.clone());
        let purpose = if proj.root.ecosystem == "os" {
            "OPERATING-SYSTEM"
        } else {
            "APPLICATION"
        };
        packages.push(package(
            &proj.root,
            &id,
            purpose,
            Some(format!("{} ({})", proj.lockfile, proj.format)),
        ));
        rels.push((top_id.clone(), "CONTAINS".into(), id));
    }
    for c in inv.components.values() {
        let id = alloc.of(&c.package.purl);
        ids.insert(c.package.purl.clone(), id.clone());
        let found = c.found_in.iter().cloned().collect::<Vec<_>>().join(",");
        packages.push(package(
            &c.package,
            &id,
            "LIBRARY",
            Some(format!("found in {found}")),
        ));
    }
    for a in &inv.artifacts {
        let id = alloc.of(&a.bom_ref);
        ids.insert(a.bom_ref.clone(), id.clone());
        let mut p = json!({
            "SPDXID": id, "name": a.artifact.name, "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
            "checksums": [
                {"algorithm": "SHA256", "checksumValue": a.artifact.sha256},
                {"algorithm": "SHA512", "checksumValue": a.artifact.sha512},
            ],
            "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "FILE",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": a.purl}],
        });
        if let Some(v) = &inv.version {
            p["versionInfo"] = json!(v);
        }
        packages.push(p);
        rels.push((top_id.clone(), "CONTAINS".into(), id));
    }
    let scope_of: BTreeMap<&str, Scope> = inv
        .components
        .values()
        .map(|c| (c.package.purl.as_str(), c.package.scope))
        .collect();
    for (from, on) in &inv.graph {
        let Some(fid) = ids.get(from) else { continue };
        for to in on {
            let Some(tid) = ids.get(to) else { continue };
            if rels.iter().any(|(a, _, b)| a == fid && b == tid) {
                continue;
            }
            match scope_of.get(to.as_str()) {
                Some(Scope::Dev) => {
                    rels.push((tid.clone(), "DEV_DEPENDENCY_OF".into(), fid.clone()))
                }
                Some(Scope::Optional) => {
                    rels.push((tid.clone(), "OPTIONAL_DEPENDENCY_OF".into(), fid.clone()))
                }
                _ => rels.push((fid.clone(), "DEPENDS_ON".into(), tid.clone())),
            }
        }
    }
    rels.sort();
    rels.dedup();
    let mut relationships = vec![
        json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": top_id}),
    ];
    relationships.extend(rels.into_iter().map(
        |(a, t, b)| json!({"spdxElementId": a, "relationshipType": t, "relatedSpdxElement": b}),
    ));
    packages[1..].sort_by(|a, b| a["SPDXID"].as_str().cmp(&b["SPDXID"].as_str()));
    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(inv.name));
    doc.insert(
        "creationInfo".into(),
        json!({"created": timestamp, "creators": [format!("Tool: tollgate-{}", crate::VERSION)]}),
    );
    doc.insert("documentDescribes".into(), json!([top_id]));
    doc.insert("packages".into(), Value::Array(packages));
    doc.insert("relationships".into(), Value::Array(relationships));
    let content = serde_json::to_vec(&doc).expect("serialises");
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &content);
    let slug: String = inv
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    doc.insert(
        "documentNamespace".into(),
        json!(format!("https://spdx.org/spdxdocs/{slug}-{uuid}")),
    );
    Value::Object(doc)
}
