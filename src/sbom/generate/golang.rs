//! `go.mod` (every module the build needs, Go 1.17+) with `go.sum` beside it. go.mod and go.sum
//! are line formats read by hand (golang.org/x/mod has no maintained Rust counterpart). go.sum
//! `h1:` hashes are a dirhash of the module tree, not a file digest, so they are kept as a
//! property (`tollgate:go:h1`) and never passed off as a standard hash.

use super::model::{Package, Project, Source, golang_purl};
use crate::input::{InputError, Limits};
use std::collections::BTreeMap;
use std::path::Path;

fn strip_comment(l: &str) -> (&str, bool) {
    match l.split_once("//") {
        Some((code, comment)) => (
            code.trim(),
            comment.trim() == "indirect" || comment.trim().starts_with("indirect;"),
        ),
        None => (l.trim(), false),
    }
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let hint = "fix go.mod (`go mod tidy` rewrites it)";
    let mut module = String::new();
    let mut requires: Vec<(String, String, bool)> = Vec::new();
    let mut replaces: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut block: Option<String> = None;
    for (i, raw) in src.text.lines().enumerate() {
        let lno = (i + 1) as u32;
        let (line, indirect) = strip_comment(raw);
        if line.is_empty() {
            continue;
        }
        if let Some(b) = &block {
            if line == ")" {
                block = None;
                continue;
            }
            let b = b.clone();
            directive(&b, line, indirect, &mut requires, &mut replaces)
                .map_err(|m| src.err_at(lno, 1, m, hint))?;
            continue;
        }
        let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match verb {
            "module" => module = rest.trim_matches('"').to_string(),
            "require" | "replace" | "exclude" | "retract" | "tool" | "ignore" | "godebug"
                if rest == "(" =>
            {
                block = Some(verb.to_string())
            }
            "require" | "replace" => directive(verb, rest, indirect, &mut requires, &mut replaces)
                .map_err(|m| src.err_at(lno, 1, m, hint))?,
            "go" | "toolchain" | "exclude" | "retract" | "tool" | "ignore" | "godebug" => {}
            _ => {
                return Err(src.err_at(lno, 1, format!("unknown go.mod directive {verb:?}"), hint));
            }
        }
    }
    if block.is_some() {
        let n = src.text.lines().count() as u32;
        return Err(src.err_at(n.max(1), 1, "unterminated `(` block", hint));
    }
    if module.is_empty() {
        return Err(src.err_at(1, 1, "go.mod has no `module` directive", hint));
    }
    let sums: BTreeMap<(String, String), String> = super::read_manifest(dir, "go.sum", limits)
        .map(|t| {
            t.lines()
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    let (m, v, h) = (it.next()?, it.next()?, it.next()?);
                    (!v.ends_with("/go.mod"))
                        .then(|| ((m.to_string(), v.to_string()), h.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut project = Project::new(src.name, "go.mod", "golang");
    project.root = Package::new(
        "golang",
        golang_purl(&module, "").unwrap_or_default(),
        &module,
        "",
    );
    project.root.purl = String::new();
    for (path, version, indirect) in requires {
        let (path, version) = replaces
            .get(&path)
            .cloned()
            .filter(|(_, v)| !v.is_empty())
            .unwrap_or((path, version));
        let Some(purl) = golang_purl(&path, &version) else {
            continue;
        };
        let mut pkg = Package::new("golang", purl.clone(), &path, &version);
        if let Some(h) = sums.get(&(path.clone(), version.clone())) {
            pkg.properties.insert("tollgate:go:h1".into(), h.clone());
        }
        if indirect {
            pkg.properties
                .insert("tollgate:go:indirect".into(), "true".into());
        }
        // go.mod does not record which module needs which; every module hangs off the root.
        project.root.deps.insert(purl);
        project.packages.push(pkg);
    }
    Ok(project)
}

fn directive(
    verb: &str,
    line: &str,
    indirect: bool,
    requires: &mut Vec<(String, String, bool)>,
    replaces: &mut BTreeMap<String, (String, String)>,
) -> Result<(), String> {
    let parts: Vec<&str> = line
        .split_whitespace()
        .map(|p| p.trim_matches('"'))
        .collect();
    match verb {
        "require" => {
            let [path, version] = parts[..] else {
                return Err(format!("expected `module version`, found {line:?}"));
            };
            requires.push((path.to_string(), version.to_string(), indirect));
        }
        "replace" => {
            let arrow = parts
                .iter()
                .position(|p| *p == "=>")
                .ok_or_else(|| format!("replace without `=>`: {line:?}"))?;
            let from = parts.first().copied().unwrap_or_default();
            let to = parts.get(arrow + 1).copied().unwrap_or_default();
            let to_v = parts.get(arrow + 2).copied().unwrap_or_default();
            replaces.insert(from.to_string(), (to.to_string(), to_v.to_string()));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_replaces_and_errors() {
        let text = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgolang.org/x/text v0.3.0 // indirect\n)\nreplace github.com/a/b => github.com/c/b v1.1.0\n";
        let p = read(
            &Source {
                name: "go.mod",
                text,
            },
            Path::new("/nonexistent"),
            Limits::default(),
        )
        .unwrap();
        let purls: Vec<_> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            purls,
            [
                "pkg:golang/github.com/c/b@v1.1.0",
                "pkg:golang/golang.org/x/text@v0.3.0"
            ]
        );
        let e = read(
            &Source {
                name: "go.mod",
                text: "module x\nrequire (\n  onlyone\n)\n",
            },
            Path::new("/x"),
            Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.location.line, Some(3));
    }
}
