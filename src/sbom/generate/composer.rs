//! `composer.lock` (serde_json): `packages` and `packages-dev`, with licences, dist sha1 and
//! `require` edges; the project from `composer.json`.

use super::model::{HashAlg, Package, Project, Scope, Source, purl};
use crate::input::{InputError, Limits};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn composer_purl(name: &str, version: &str) -> Option<String> {
    let (vendor, n) = name.split_once('/')?;
    purl("composer", Some(vendor), n, Some(version), &[])
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let doc: Value = src.json()?;
    let (Some(pkgs), dev) = (
        doc.get("packages").and_then(Value::as_array),
        doc.get("packages-dev").and_then(Value::as_array),
    ) else {
        let (l, c) = src.line_of("{");
        return Err(src.err_at(
            l,
            c,
            "composer.lock has no `packages` array",
            "regenerate it with `composer update --lock`",
        ));
    };
    let mut project = Project::new(src.name, "composer.lock", "composer");
    project.root.ecosystem = "composer";
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let all: Vec<(&Value, bool)> = pkgs
        .iter()
        .map(|p| (p, false))
        .chain(dev.into_iter().flatten().map(|p| (p, true)))
        .collect();
    for (p, _) in &all {
        if let (Some(n), Some(v)) = (
            p.get("name").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) && let Some(purl) = composer_purl(n, v)
        {
            by_name.insert(n.to_ascii_lowercase(), purl);
        }
    }
    for (p, is_dev) in all {
        let (Some(n), Some(v)) = (
            p.get("name").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(purl) = by_name.get(&n.to_ascii_lowercase()).cloned() else {
            continue;
        };
        let (vendor, short) = n.split_once('/').unwrap_or(("", n));
        let mut pkg = Package::new("composer", purl.clone(), short, v);
        pkg.group = Some(vendor.to_string());
        if is_dev {
            pkg.scope = Scope::Dev;
        }
        if let Some(sha) = p.pointer("/dist/shasum").and_then(Value::as_str) {
            pkg.add_hex(HashAlg::Sha1, sha);
        }
        if let Some(u) = p
            .pointer("/dist/url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://"))
        {
            pkg.download = Some(u.to_string());
        }
        let lic: Vec<&str> = p
            .get("license")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if lic.len() > 1 {
            // Composer lists alternatives (the user may choose).
            pkg.add_license(&lic.join(" OR "));
        } else if let Some(l) = lic.first() {
            pkg.add_license(l);
        }
        if let Some(req) = p.get("require").and_then(Value::as_object) {
            for dn in req.keys() {
                if let Some(t) = by_name.get(&dn.to_ascii_lowercase()) {
                    pkg.deps.insert(t.clone());
                }
            }
        }
        project.packages.push(pkg);
    }
    let manifest: Value = super::read_manifest(dir, "composer.json", limits)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    for k in ["require", "require-dev"] {
        if let Some(req) = manifest.get(k).and_then(Value::as_object) {
            for dn in req.keys() {
                if let Some(t) = by_name.get(&dn.to_ascii_lowercase()) {
                    project.root.deps.insert(t.clone());
                }
            }
        }
    }
    if project.root.deps.is_empty() {
        project.root.deps = project.packages.iter().map(|p| p.purl.clone()).collect();
    }
    project.root.name = manifest
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    project.root.version = manifest
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(l) = manifest.get("license").and_then(Value::as_str) {
        project.root.add_license(l);
    }
    if !project.root.version.is_empty() {
        project.root.purl =
            composer_purl(&project.root.name, &project.root.version).unwrap_or_default();
    }
    Ok(project)
}
