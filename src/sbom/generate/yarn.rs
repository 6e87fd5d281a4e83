//! `yarn.lock`: classic (v1, yarn's own indented format, read by hand: there is no maintained
//! Rust parser for it) and Berry (v2+, YAML via serde-saphyr). Dev scope comes from the
//! `package.json` beside it, by reachability.

use super::model::{Package, Project, Source, npm_purl};
use crate::input::{InputError, Limits};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `@scope/name@range` → (`@scope/name`, `range`).
fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let start = usize::from(spec.starts_with('@'));
    let at = spec[start..].find('@')? + start;
    Some((&spec[..at], &spec[at + 1..]))
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"')
}

struct Entry {
    specs: Vec<String>,
    name: String,
    version: String,
    integrity: Option<String>,
    resolved: Option<String>,
    deps: Vec<(String, String)>,
    workspace: bool,
    checksum: Option<String>,
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let berry = src.text.lines().any(|l| l.starts_with("__metadata:"));
    let (format, entries) = if berry {
        berry_entries(src)?
    } else {
        ("yarn.lock v1".to_string(), classic_entries(src)?)
    };
    let mut project = Project::new(src.name, format, "npm");
    let mut by_spec: BTreeMap<String, String> = BTreeMap::new();
    for e in &entries {
        if let Some(p) = npm_purl(&e.name, &e.version) {
            for s in &e.specs {
                by_spec.insert(s.clone(), p.clone());
            }
        }
    }
    let manifest: Value = super::read_manifest(dir, "package.json", limits)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let lookup = |name: &str, range: &str| -> Option<String> {
        by_spec
            .get(&format!("{name}@{range}"))
            .or_else(|| by_spec.get(&format!("{name}@npm:{range}")))
            .cloned()
    };
    let root_name = manifest.get("name").and_then(Value::as_str).unwrap_or("");
    for e in &entries {
        let Some(purl) = npm_purl(&e.name, &e.version) else {
            continue;
        };
        let mut pkg = Package::new("npm", purl.clone(), &e.name, &e.version);
        if let Some((scope, n)) = e.name.split_once('/').filter(|(s, _)| s.starts_with('@')) {
            pkg.group = Some(scope.to_string());
            pkg.name = n.to_string();
        }
        if let Some(i) = &e.integrity {
            pkg.add_integrity(i);
        }
        if let Some(c) = &e.checksum {
            pkg.properties
                .insert("tollgate:yarn:checksum".into(), c.clone());
        }
        if let Some(r) = &e.resolved {
            let url = r.split('#').next().unwrap_or(r);
            if url.starts_with("https://") || url.starts_with("http://") {
                pkg.download = Some(url.to_string());
            }
        }
        for (n, r) in &e.deps {
            if let Some(p) = lookup(n, r) {
                pkg.deps.insert(p);
            }
        }
        if e.workspace
            && (e.name == root_name || e.specs.iter().any(|s| s.ends_with("@workspace:.")))
        {
            project.root = pkg;
            project.root.version = manifest
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            project.root.purl = String::new();
            continue;
        }
        if e.workspace {
            pkg.properties
                .insert("tollgate:npm:workspace".into(), "true".into());
        }
        project.packages.push(pkg);
    }
    let mut prod = BTreeSet::new();
    let mut dev = BTreeSet::new();
    for (key, is_dev) in [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ] {
        if let Some(m) = manifest.get(key).and_then(Value::as_object) {
            for (n, r) in m {
                if let Some(p) = r.as_str().and_then(|r| lookup(n, r)) {
                    if is_dev {
                        dev.insert(p)
                    } else {
                        prod.insert(p)
                    };
                }
            }
        }
    }
    project.scope_by_reachability(&prod, &dev);
    project.root.ecosystem = "npm";
    if project.root.name.is_empty() {
        project.root.name = root_name.to_string();
    }
    if project.root.version.is_empty() {
        project.root.version = manifest
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
    }
    project.root.deps.extend(prod.iter().cloned());
    project.root.deps.extend(dev.iter().cloned());
    if let Some(l) = manifest.get("license").and_then(Value::as_str) {
        project.root.add_license(l);
    }
    if !project.root.name.is_empty() && !project.root.version.is_empty() {
        project.root.purl = npm_purl(&project.root.name, &project.root.version).unwrap_or_default();
    }
    Ok(project)
}

fn classic_entries(src: &Source) -> Result<Vec<Entry>, InputError> {
    let mut out: Vec<Entry> = Vec::new();
    let mut in_deps = false;
    let hint = "regenerate yarn.lock with `yarn install`";
    for (i, line) in src.text.lines().enumerate() {
        let lno = (i + 1) as u32;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        match indent {
            0 => {
                let Some(head) = t.strip_suffix(':') else {
                    return Err(src.err_at(
                        lno,
                        1,
                        format!("expected `spec[, spec]:` to start an entry, found {t:?}"),
                        hint,
                    ));
                };
                let specs: Vec<String> = head.split(", ").map(|s| unquote(s).to_string()).collect();
                let Some((name, _)) = split_spec(&specs[0]) else {
                    return Err(src.err_at(
                        lno,
                        1,
                        format!("{:?} is not `name@range`", specs[0]),
                        hint,
                    ));
                };
                out.push(Entry {
                    name: name.to_string(),
                    specs,
                    version: String::new(),
                    integrity: None,
                    resolved: None,
                    deps: Vec::new(),
                    workspace: false,
                    checksum: None,
                });
                in_deps = false;
            }
            2 => {
                let Some(e) = out.last_mut() else {
                    return Err(src.err_at(lno, 1, "indented line before the first entry", hint));
                };
                if t == "dependencies:" || t == "optionalDependencies:" {
                    in_deps = true;
                    continue;
                }
                in_deps = false;
                let (k, v) = t.split_once(' ').unwrap_or((t, ""));
                match k {
                    "version" => e.version = unquote(v).to_string(),
                    "integrity" => e.integrity = Some(unquote(v).to_string()),
                    "resolved" => e.resolved = Some(unquote(v).to_string()),
                    _ => {}
                }
            }
            4 if in_deps => {
                let e = out.last_mut().expect("in an entry");
                let (k, v) = t.split_once(' ').unwrap_or((t, ""));
                e.deps
                    .push((unquote(k).to_string(), unquote(v).to_string()));
            }
            _ => {}
        }
    }
    for e in &out {
        if e.version.is_empty() {
            let (l, c) = src.line_of(&format!("\"{}", e.specs[0]));
            let (l, c) = if l == 1 {
                src.line_of(&e.specs[0])
            } else {
                (l, c)
            };
            return Err(src.err_at(l, c, format!("entry {:?} has no version", e.specs[0]), hint));
        }
    }
    Ok(out)
}

fn berry_entries(src: &Source) -> Result<(String, Vec<Entry>), InputError> {
    let doc: BTreeMap<String, serde_json::Value> = src.yaml()?;
    let version = doc
        .get("__metadata")
        .and_then(|m| m.get("version"))
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .unwrap_or_default();
    let v: u32 = version.parse().unwrap_or(0);
    if !(4..=8).contains(&v) {
        return Err(src.unknown_version(
            "version:",
            &version,
            "yarn Berry lockfile __metadata versions 4-8",
        ));
    }
    let mut out = Vec::new();
    for (key, e) in &doc {
        if key == "__metadata" {
            continue;
        }
        let resolution = e.get("resolution").and_then(Value::as_str).unwrap_or("");
        let Some((name, how)) = split_spec(resolution) else {
            continue;
        };
        let workspace = how.starts_with("workspace:");
        let version = e
            .get("version")
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default();
        let deps = ["dependencies", "optionalDependencies", "peerDependencies"]
            .iter()
            .filter_map(|k| e.get(*k).and_then(Value::as_object))
            .flat_map(|m| {
                m.iter()
                    .map(|(n, r)| (n.clone(), r.as_str().unwrap_or("").to_string()))
            })
            .collect();
        out.push(Entry {
            specs: key.split(", ").map(|s| s.trim().to_string()).collect(),
            name: name.to_string(),
            version,
            integrity: None,
            resolved: None,
            deps,
            workspace,
            checksum: e
                .get("checksum")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    Ok((format!("yarn.lock berry v{v}"), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_entries_and_deps() {
        let text = "# yarn lockfile v1\n\n\"@a/b@^1.0.0\", \"@a/b@^1.1.0\":\n  version \"1.2.0\"\n  integrity sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=\n  dependencies:\n    ms \"^2.0.0\"\n\nms@^2.0.0:\n  version \"2.1.3\"\n";
        let p = read(
            &Source {
                name: "yarn.lock",
                text,
            },
            Path::new("/nonexistent"),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(p.packages.len(), 2);
        let ab = &p.packages[0];
        assert_eq!(ab.purl, "pkg:npm/%40a/b@1.2.0");
        assert!(ab.deps.contains("pkg:npm/ms@2.1.3"));
    }

    #[test]
    fn classic_error_has_line() {
        let text = "# yarn lockfile v1\n\nms@^2.0.0:\n  version \"2.1.3\"\ngarbage here\n";
        let e = read(
            &Source {
                name: "yarn.lock",
                text,
            },
            Path::new("/nonexistent"),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.location.line, Some(5));
    }
}
