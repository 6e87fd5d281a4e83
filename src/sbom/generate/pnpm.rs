//! `pnpm-lock.yaml`, lockfileVersion 6.x and 9.x (YAML via serde-saphyr). Every importer
//! (workspace project) hangs under one project root; dev scope by reachability from
//! `devDependencies` (v9) or the `dev` flag (v6).

use super::model::{Package, Project, Scope, Source, npm_purl};
use crate::input::{InputError, Limits};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// `/@a/b@1.0.0(peer@2)` or `@a/b@1.0.0` → (`@a/b`, `1.0.0`).
fn split_key(key: &str) -> Option<(String, String)> {
    let k = key.trim_start_matches('/');
    let k = k.split('(').next().unwrap_or(k);
    let start = usize::from(k.starts_with('@'));
    let at = k[start..].find('@')? + start;
    Some((k[..at].to_string(), k[at + 1..].to_string()))
}

/// A dependency's version as written in the lockfile: `1.0.0(peer@2)` → `1.0.0`; aliases
/// (`npm:other@1.0.0` / `/other@1.0.0`) resolve to the other name.
fn dep_target(name: &str, version: &str) -> Option<(String, String)> {
    let v = version.split('(').next().unwrap_or(version);
    if v.starts_with("link:") || v.starts_with("file:") || v.starts_with("workspace:") {
        return None;
    }
    if v.starts_with('/') || v.contains('@') {
        return split_key(v);
    }
    Some((name.to_string(), v.to_string()))
}

fn str_field(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let doc: Value = src.yaml()?;
    let version = doc
        .get("lockfileVersion")
        .map(str_field)
        .unwrap_or_default();
    let major = version.split('.').next().unwrap_or("");
    if major != "6" && major != "9" {
        return Err(src.unknown_version(
            "lockfileVersion",
            &version,
            "pnpm lockfileVersion 6.x and 9.x",
        ));
    }
    let mut project = Project::new(src.name, format!("pnpm-lock.yaml v{version}"), "npm");
    let empty = serde_json::Map::new();
    let packages = doc
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let snapshots = doc
        .get("snapshots")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut seen = BTreeSet::new();
    for (key, meta) in packages.iter().chain(snapshots.iter()) {
        let Some((name, ver)) = split_key(key) else {
            continue;
        };
        let Some(purl) = npm_purl(&name, &ver) else {
            continue;
        };
        let mut pkg = Package::new("npm", purl.clone(), &name, &ver);
        if let Some((scope, n)) = name.split_once('/').filter(|(s, _)| s.starts_with('@')) {
            pkg.group = Some(scope.to_string());
            pkg.name = n.to_string();
        }
        if let Some(i) = meta
            .pointer("/resolution/integrity")
            .and_then(Value::as_str)
        {
            pkg.add_integrity(i);
        }
        if let Some(t) = meta.pointer("/resolution/tarball").and_then(Value::as_str)
            && t.starts_with("https://")
        {
            pkg.download = Some(t.to_string());
        }
        if meta.get("dev").and_then(Value::as_bool) == Some(true) {
            pkg.scope = Scope::Dev;
        } else if meta.get("optional").and_then(Value::as_bool) == Some(true) {
            pkg.scope = Scope::Optional;
        }
        for k in ["dependencies", "optionalDependencies"] {
            if let Some(m) = meta.get(k).and_then(Value::as_object) {
                for (dn, dv) in m {
                    if let Some((n, v)) = dep_target(dn, &str_field(dv))
                        && let Some(p) = npm_purl(&n, &v)
                    {
                        pkg.deps.insert(p);
                    }
                }
            }
        }
        seen.insert(purl);
        project.packages.push(pkg);
    }
    // Importers: v9 always, v6 for workspaces; a single-project v6 lock keeps them at the top.
    let mut importers: Vec<(String, &Value)> = Vec::new();
    if let Some(m) = doc.get("importers").and_then(Value::as_object) {
        importers.extend(m.iter().map(|(k, v)| (k.clone(), v)));
    } else {
        importers.push((".".into(), &doc));
    }
    let mut prod = BTreeSet::new();
    let mut dev = BTreeSet::new();
    for (path, imp) in &importers {
        for (k, is_dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            let Some(m) = imp.get(k).and_then(Value::as_object) else {
                continue;
            };
            for (dn, dv) in m {
                let ver = dv
                    .get("version")
                    .map(str_field)
                    .unwrap_or_else(|| str_field(dv));
                let Some((n, v)) = dep_target(dn, &ver) else {
                    continue;
                };
                let Some(p) = npm_purl(&n, &v) else { continue };
                if is_dev {
                    dev.insert(p.clone())
                } else {
                    prod.insert(p.clone())
                };
                let _ = path;
                project.root.deps.insert(p);
            }
        }
    }
    if major == "9" {
        project.scope_by_reachability(&prod, &dev);
    }
    project.root.ecosystem = "npm";
    let manifest: Value = super::read_manifest(dir, "package.json", limits)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
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
    if !project.root.name.is_empty() && !project.root.version.is_empty() {
        project.root.purl = npm_purl(&project.root.name, &project.root.version).unwrap_or_default();
    }
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_peer_suffixes() {
        assert_eq!(
            split_key("/@a/b@1.0.0(x@2)"),
            Some(("@a/b".into(), "1.0.0".into()))
        );
        assert_eq!(split_key("ms@2.1.3"), Some(("ms".into(), "2.1.3".into())));
        assert_eq!(
            dep_target("x", "1.0.0(y@1)"),
            Some(("x".into(), "1.0.0".into()))
        );
        assert_eq!(dep_target("x", "link:../x"), None);
    }

    #[test]
    fn v9_dev_by_reachability() {
        let text = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\n    devDependencies:\n      b:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=}\n  b@1.0.0:\n    resolution: {integrity: sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=}\n  c@1.0.0:\n    resolution: {integrity: sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=}\nsnapshots:\n  a@1.0.0: {}\n  b@1.0.0:\n    dependencies:\n      c: 1.0.0\n  c@1.0.0: {}\n";
        let mut p = read(
            &Source {
                name: "pnpm-lock.yaml",
                text,
            },
            Path::new("/nonexistent"),
            Limits::default(),
        )
        .unwrap();
        p.normalise();
        let scope = |n: &str| p.packages.iter().find(|x| x.name == n).unwrap().scope;
        assert_eq!(scope("a"), Scope::Required);
        assert_eq!(scope("c"), Scope::Dev);
        assert_eq!(p.packages.len(), 3);
    }
}
