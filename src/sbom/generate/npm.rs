//! `package-lock.json` / `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3 (serde_json).
//!
//! v2/v3 list every installed path under `packages`; a dependency is resolved the way Node
//! does, from the requiring package's `node_modules` upwards. v1 nests `dependencies` trees
//! with `requires`.

use super::model::{Package, Project, Scope, Source, npm_purl};
use crate::input::{InputError, Limits};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn b(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn dep_names(v: &Value, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        if let Some(m) = v.get(*k).and_then(Value::as_object) {
            out.extend(m.keys().cloned());
        }
    }
    out
}

/// The package name an install path ends in: `node_modules/@a/b` → `@a/b`.
fn name_from_path(path: &str) -> Option<&str> {
    let i = path.rfind("node_modules/")?;
    Some(&path[i + "node_modules/".len()..])
}

fn scope_of(v: &Value) -> Scope {
    if b(v, "dev") {
        Scope::Dev
    } else if b(v, "optional") || b(v, "devOptional") {
        Scope::Optional
    } else {
        Scope::Required
    }
}

fn licence(v: &Value) -> Option<String> {
    match v.get("license") {
        Some(Value::String(l)) => Some(l.clone()),
        Some(Value::Object(o)) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let doc: Value = src.json()?;
    let Some(obj) = doc.as_object() else {
        return Err(src.err_at(
            1,
            1,
            "a package-lock.json must be a JSON object",
            "regenerate it with `npm install --package-lock-only`",
        ));
    };
    let version = obj
        .get("lockfileVersion")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let file = Path::new(src.name)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut project = Project::new(src.name, format!("{file} v{version}"), "npm");
    match version {
        2 | 3 if obj.get("packages").is_some_and(Value::is_object) => {
            read_packages(obj, &mut project)
        }
        1 => read_v1(obj, &mut project),
        _ => {
            return Err(src.unknown_version(
                "\"lockfileVersion\"",
                &obj.get("lockfileVersion")
                    .map_or("(missing)".into(), Value::to_string),
                "lockfileVersion 1, 2 and 3",
            ));
        }
    }
    project.root.ecosystem = "npm";
    let manifest: Value = super::read_manifest(dir, "package.json", limits)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    if project.root.name.is_empty() {
        project.root.name = s(&manifest, "name")
            .or_else(|| s(&doc, "name"))
            .unwrap_or("")
            .to_string();
    }
    if project.root.version.is_empty() {
        project.root.version = s(&manifest, "version")
            .or_else(|| s(&doc, "version"))
            .unwrap_or("")
            .to_string();
    }
    if let Some(l) = licence(&manifest) {
        project.root.add_license(&l);
    }
    if !project.root.name.is_empty() && !project.root.version.is_empty() {
        project.root.purl = npm_purl(&project.root.name, &project.root.version).unwrap_or_default();
    }
    Ok(project)
}

fn read_packages(obj: &Map<String, Value>, project: &mut Project) {
    let packages = obj["packages"].as_object().expect("checked");
    // install path → purl (links resolve to their target's purl).
    let mut purl_at: BTreeMap<&str, String> = BTreeMap::new();
    for (path, v) in packages {
        if path.is_empty() || b(v, "link") {
            continue;
        }
        let name = s(v, "name")
            .or_else(|| name_from_path(path))
            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path));
        let Some(version) = s(v, "version") else {
            continue;
        };
        if let Some(p) = npm_purl(name, version) {
            purl_at.insert(path.as_str(), p);
        }
    }
    let link_target: BTreeMap<&str, &str> = packages
        .iter()
        .filter(|(_, v)| b(v, "link"))
        .filter_map(|(p, v)| Some((p.as_str(), s(v, "resolved")?)))
        .collect();
    let lookup = |at: &str| -> Option<String> {
        let at = link_target.get(at).copied().unwrap_or(at);
        purl_at.get(at).cloned()
    };
    // Node resolution: <from>/node_modules/<dep>, then each ancestor's node_modules.
    let resolve = |from: &str, dep: &str| -> Option<String> {
        let mut base = from.to_string();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{dep}")
            } else {
                format!("{base}/node_modules/{dep}")
            };
            if let Some(p) = lookup(&candidate) {
                return Some(p);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(i) => base[..i].to_string(),
                None if base.starts_with("node_modules/") => String::new(),
                None => String::new(),
            };
        }
    };
    let prod_keys = ["dependencies", "optionalDependencies", "peerDependencies"];
    let all_keys = [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "devDependencies",
    ];
    for (path, v) in packages {
        if b(v, "link") {
            continue;
        }
        if path.is_empty() {
            project.root.name = s(v, "name").unwrap_or("").to_string();
            project.root.version = s(v, "version").unwrap_or("").to_string();
            if let Some(l) = licence(v) {
                project.root.add_license(&l);
            }
            for d in dep_names(v, &all_keys) {
                if let Some(p) = resolve("", &d) {
                    project.root.deps.insert(p);
                }
            }
            continue;
        }
        let Some(purl) = purl_at.get(path.as_str()) else {
            continue;
        };
        let name = s(v, "name").or_else(|| name_from_path(path)).unwrap_or("");
        let mut pkg = Package::new("npm", purl.clone(), name, s(v, "version").unwrap_or(""));
        if let Some((scope, n)) = name.split_once('/').filter(|(sc, _)| sc.starts_with('@')) {
            pkg.group = Some(scope.to_string());
            pkg.name = n.to_string();
        }
        pkg.scope = scope_of(v);
        if let Some(i) = s(v, "integrity") {
            pkg.add_integrity(i);
        }
        if let Some(r) =
            s(v, "resolved").filter(|r| r.starts_with("https://") || r.starts_with("http://"))
        {
            pkg.download = Some(r.to_string());
        }
        if let Some(l) = licence(v) {
            pkg.add_license(&l);
        }
        // Workspace members (not under node_modules) declare dev dependencies too.
        let keys: &[&str] = if path.contains("node_modules/") {
            &prod_keys
        } else {
            &all_keys
        };
        for d in dep_names(v, keys) {
            if let Some(p) = resolve(path, &d) {
                pkg.deps.insert(p);
            }
        }
        if !path.contains("node_modules/") {
            pkg.properties
                .insert("tollgate:npm:workspace".into(), path.clone());
            project.root.deps.insert(purl.clone());
        }
        project.packages.push(pkg);
    }
}

fn read_v1(obj: &Map<String, Value>, project: &mut Project) {
    project.root.name = obj
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    project.root.version = obj
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // Flatten the tree with each node's ancestry, then resolve `requires` upwards.
    struct Node<'a> {
        chain: Vec<&'a str>,
        v: &'a Value,
    }
    fn collect<'a>(deps: &'a Map<String, Value>, chain: &[&'a str], out: &mut Vec<Node<'a>>) {
        for (name, v) in deps {
            let mut c = chain.to_vec();
            c.push(name.as_str());
            out.push(Node {
                chain: c.clone(),
                v,
            });
            if let Some(nested) = v.get("dependencies").and_then(Value::as_object) {
                collect(nested, &c, out);
            }
        }
    }
    let mut nodes = Vec::new();
    if let Some(d) = obj.get("dependencies").and_then(Value::as_object) {
        collect(d, &[], &mut nodes);
    }
    let mut at: BTreeMap<Vec<&str>, String> = BTreeMap::new();
    for n in &nodes {
        let name = *n.chain.last().expect("non-empty");
        let version = s(n.v, "version").unwrap_or("");
        if let Some(p) = npm_purl(name, version) {
            at.insert(n.chain.clone(), p);
        }
    }
    let mut top: BTreeSet<String> = BTreeSet::new();
    for n in &nodes {
        let Some(purl) = at.get(&n.chain) else {
            continue;
        };
        let name = *n.chain.last().expect("non-empty");
        let mut pkg = Package::new("npm", purl.clone(), name, s(n.v, "version").unwrap_or(""));
        if let Some((scope, nm)) = name.split_once('/').filter(|(sc, _)| sc.starts_with('@')) {
            pkg.group = Some(scope.to_string());
            pkg.name = nm.to_string();
        }
        pkg.scope = scope_of(n.v);
        if let Some(i) = s(n.v, "integrity") {
            pkg.add_integrity(i);
        }
        if let Some(r) =
            s(n.v, "resolved").filter(|r| r.starts_with("https://") || r.starts_with("http://"))
        {
            pkg.download = Some(r.to_string());
        }
        if let Some(req) = n.v.get("requires").and_then(Value::as_object) {
            for dep in req.keys() {
                // Look in this node's children, then each ancestor's, then the top level.
                let mut base = n.chain.clone();
                loop {
                    let mut cand = base.clone();
                    cand.push(dep.as_str());
                    if let Some(p) = at.get(&cand) {
                        pkg.deps.insert(p.clone());
                        break;
                    }
                    if base.pop().is_none() {
                        break;
                    }
                }
            }
        }
        if n.chain.len() == 1 {
            top.insert(purl.clone());
        }
        project.packages.push(pkg);
    }
    // v1 does not say which top-level packages are direct; the ones nothing requires are.
    let required: BTreeSet<String> = project
        .packages
        .iter()
        .flat_map(|p| p.deps.iter().cloned())
        .collect();
    project.root.deps = top.difference(&required).cloned().collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Project, InputError> {
        read(
            &Source {
                name: "package-lock.json",
                text,
            },
            Path::new("/nonexistent"),
            Limits::default(),
        )
    }

    #[test]
    fn v3_resolves_nested_and_scoped() {
        let p = read_str(r#"{"name":"app","version":"1.0.0","lockfileVersion":3,"packages":{
          "":{"name":"app","version":"1.0.0","dependencies":{"a":"^1"},"devDependencies":{"@s/t":"*"}},
          "node_modules/a":{"version":"1.0.0","integrity":"sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=","dependencies":{"b":"^2"}},
          "node_modules/a/node_modules/b":{"version":"2.0.0"},
          "node_modules/b":{"version":"1.0.0","dev":true},
          "node_modules/@s/t":{"version":"3.0.0","dev":true,"license":"MIT","dependencies":{"b":"^1"}}}}"#).unwrap();
        let a = p.packages.iter().find(|x| x.name == "a").unwrap();
        assert_eq!(a.deps.iter().collect::<Vec<_>>(), ["pkg:npm/b@2.0.0"]);
        let t = p.packages.iter().find(|x| x.name == "t").unwrap();
        assert_eq!(t.purl, "pkg:npm/%40s/t@3.0.0");
        assert_eq!(t.scope, Scope::Dev);
        assert!(t.licenses.contains("MIT"));
        assert_eq!(p.root.deps.len(), 2);
        assert_eq!(p.root.purl, "pkg:npm/app@1.0.0");
    }

    #[test]
    fn v1_tree() {
        let p = read_str(
            r#"{"name":"app","version":"1.0.0","lockfileVersion":1,"dependencies":{
          "a":{"version":"1.0.0","requires":{"b":"^2"},"dependencies":{"b":{"version":"2.0.0"}}},
          "b":{"version":"1.0.0","dev":true}}}"#,
        )
        .unwrap();
        assert_eq!(p.packages.len(), 3);
        let a = p.packages.iter().find(|x| x.name == "a").unwrap();
        assert!(a.deps.contains("pkg:npm/b@2.0.0"));
    }

    #[test]
    fn unknown_version_and_syntax_errors_have_positions() {
        let e = read_str("{\n  \"lockfileVersion\": 7,\n  \"packages\": {}\n}").unwrap_err();
        assert_eq!(e.location.line, Some(2));
        let e = read_str("{\n  \"lockfileVersion\": 3,\n  \"packages\": {,}\n}").unwrap_err();
        assert_eq!(e.location.line, Some(3));
        assert_eq!(e.info.code, "GEN001");
    }
}
