//! Python: pinned `requirements*.txt` (with `--hash`), `poetry.lock` and `uv.lock` (TOML via
//! the `toml` crate), `Pipfile.lock` (serde_json). Names are PEP 503 normalised in purls.

use super::diags as d;
use super::model::{Package, Project, Scope, Source, pep503, pypi_purl};
use crate::input::{InputError, Limits};
use crate::report::Location;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Deserialize, Default)]
struct Pyproject {
    project: Option<PyprojectProject>,
    tool: Option<PyTool>,
}
#[derive(Deserialize, Default)]
struct PyTool {
    poetry: Option<PyprojectProject>,
}
#[derive(Deserialize, Default)]
struct PyprojectProject {
    name: Option<String>,
    version: Option<String>,
    license: Option<toml::Value>,
}

/// Name, version and licence of the project from `pyproject.toml`, if any.
fn project_root(project: &mut Project, dir: &Path, limits: Limits) {
    project.root.ecosystem = "pypi";
    let py: Pyproject = super::read_manifest(dir, "pyproject.toml", limits)
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default();
    let meta = py.project.or(py.tool.and_then(|t| t.poetry));
    if let Some(m) = meta {
        if project.root.name.is_empty() {
            project.root.name = m.name.unwrap_or_default();
        }
        if project.root.version.is_empty() {
            project.root.version = m.version.unwrap_or_default();
        }
        match m.license {
            Some(toml::Value::String(l)) => project.root.add_license(&l),
            Some(toml::Value::Table(t)) => {
                if let Some(toml::Value::String(l)) = t.get("text") {
                    project.root.add_license(l);
                }
            }
            _ => {}
        }
    }
    if !project.root.name.is_empty() && !project.root.version.is_empty() {
        project.root.purl =
            pypi_purl(&project.root.name, &project.root.version).unwrap_or_default();
    }
}

// ------------------------------------------------------------------------- requirements.txt

pub fn read_requirements(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let file = Path::new(src.name)
        .file_name()
        .map(|f| f.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let dev = file.contains("dev") || file.contains("test");
    let mut project = Project::new(src.name, "requirements.txt", "pypi");
    // Join backslash continuations, remembering each logical line's first physical line.
    let mut logical: Vec<(u32, String)> = Vec::new();
    let mut cont = false;
    for (i, raw) in src.text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or(raw);
        let (body, more) = match line.trim_end().strip_suffix('\\') {
            Some(b) => (b.to_string(), true),
            None => (line.to_string(), false),
        };
        if cont {
            let last = logical.last_mut().expect("continuation");
            last.1.push(' ');
            last.1.push_str(body.trim());
        } else {
            logical.push(((i + 1) as u32, body.trim().to_string()));
        }
        cont = more;
    }
    for (lno, line) in logical {
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let mut words = line.split_whitespace();
        let spec = words.next().unwrap_or("");
        let spec = spec.split(';').next().unwrap_or(spec);
        let Some((name, version)) = spec.split_once("==") else {
            if spec.contains("://") || spec.starts_with('.') || spec.starts_with('/') {
                continue;
            }
            project.warnings.push(InputError::new(
                &d::UNPINNED,
                Location::file(src.name).with_line_col(lno, 1),
                format!("{spec:?} is not pinned with `==`; left out"),
                "pin every requirement (`uv pip compile --generate-hashes`)",
            ));
            continue;
        };
        let name = name.split('[').next().unwrap_or(name).trim();
        let version = version.trim().trim_start_matches('=');
        if name.is_empty()
            || version.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(src.err_at(
                lno,
                1,
                format!("cannot read requirement {spec:?}"),
                "write `name==version`, optionally with `--hash=sha256:...`",
            ));
        }
        let Some(purl) = pypi_purl(name, version) else {
            continue;
        };
        let mut pkg = Package::new("pypi", purl.clone(), &pep503(name), version);
        if dev {
            pkg.scope = Scope::Dev;
        }
        for w in line.split_whitespace() {
            if let Some(h) = w
                .strip_prefix("--hash=")
                .or_else(|| w.strip_prefix("--hash:"))
            {
                pkg.add_prefixed(h);
            }
        }
        project.root.deps.insert(purl);
        project.packages.push(pkg);
    }
    project_root(&mut project, dir, limits);
    Ok(project)
}

// ------------------------------------------------------------------------------- poetry.lock

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    metadata: Option<toml::Table>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    optional: bool,
    category: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    files: Vec<PoetryFile>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct PoetryFile {
    hash: String,
}

pub fn read_poetry(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let lock: PoetryLock = src.toml()?;
    let lv = lock
        .metadata
        .as_ref()
        .and_then(|m| m.get("lock-version"))
        .and_then(toml::Value::as_str)
        .unwrap_or("1.0")
        .to_string();
    if !lv.starts_with("1.") && !lv.starts_with("2.") {
        return Err(src.unknown_version("lock-version", &lv, "poetry lock-version 1.x and 2.x"));
    }
    let mut project = Project::new(src.name, format!("poetry.lock v{lv}"), "pypi");
    let by_name: BTreeMap<String, String> = lock
        .package
        .iter()
        .filter_map(|p| Some((pep503(&p.name), pypi_purl(&p.name, &p.version)?)))
        .collect();
    for p in &lock.package {
        let Some(purl) = by_name.get(&pep503(&p.name)).cloned() else {
            continue;
        };
        let mut pkg = Package::new("pypi", purl.clone(), &pep503(&p.name), &p.version);
        let dev = p.category.as_deref() == Some("dev")
            || (!p.groups.is_empty() && !p.groups.iter().any(|g| g == "main"));
        pkg.scope = if dev {
            Scope::Dev
        } else if p.optional {
            Scope::Optional
        } else {
            Scope::Required
        };
        for f in &p.files {
            pkg.add_prefixed(&f.hash);
        }
        for dn in p.dependencies.keys() {
            if let Some(t) = by_name.get(&pep503(dn)) {
                pkg.deps.insert(t.clone());
            }
        }
        project.packages.push(pkg);
    }
    // poetry.lock does not say which are direct: the packages nothing else needs are.
    let needed: BTreeSet<String> = project
        .packages
        .iter()
        .flat_map(|p| p.deps.iter().cloned())
        .collect();
    project.root.deps = project
        .packages
        .iter()
        .map(|p| p.purl.clone())
        .filter(|p| !needed.contains(p))
        .collect();
    project_root(&mut project, dir, limits);
    Ok(project)
}

// ----------------------------------------------------------------------------------- uv.lock

#[derive(Deserialize)]
struct UvLock {
    version: i64,
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<UvDep>>,
    sdist: Option<UvFile>,
    #[serde(default)]
    wheels: Vec<UvFile>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
}

#[derive(Deserialize)]
struct UvFile {
    url: Option<String>,
    hash: Option<String>,
}

pub fn read_uv(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let lock: UvLock = src.toml()?;
    if lock.version != 1 {
        return Err(src.unknown_version("version", &lock.version.to_string(), "uv.lock version 1"));
    }
    let mut project = Project::new(src.name, "uv.lock v1", "pypi");
    let by_name: BTreeMap<String, String> = lock
        .package
        .iter()
        .filter_map(|p| Some((pep503(&p.name), pypi_purl(&p.name, p.version.as_deref()?)?)))
        .collect();
    let edges = |deps: &[UvDep]| -> BTreeSet<String> {
        deps.iter()
            .filter_map(|d| by_name.get(&pep503(&d.name)).cloned())
            .collect()
    };
    let mut prod = BTreeSet::new();
    let mut dev = BTreeSet::new();
    for p in &lock.package {
        let is_root = p.source.contains_key("editable")
            && p.source.get("editable").and_then(toml::Value::as_str) == Some(".")
            || p.source.get("virtual").and_then(toml::Value::as_str) == Some(".");
        if is_root {
            project.root.name = p.name.clone();
            project.root.version = p.version.clone().unwrap_or_default();
            prod.extend(edges(&p.dependencies));
            for v in p.optional_dependencies.values() {
                prod.extend(edges(v));
            }
            for v in p.dev_dependencies.values() {
                dev.extend(edges(v));
            }
            continue;
        }
        let Some(purl) = by_name.get(&pep503(&p.name)).cloned() else {
            continue;
        };
        let mut pkg = Package::new(
            "pypi",
            purl,
            &pep503(&p.name),
            p.version.as_deref().unwrap_or(""),
        );
        for f in p.sdist.iter().chain(p.wheels.iter()) {
            if let Some(h) = &f.hash {
                pkg.add_prefixed(h);
            }
        }
        if let Some(u) = p
            .sdist
            .as_ref()
            .and_then(|s| s.url.clone())
            .filter(|u| u.starts_with("https://"))
        {
            pkg.download = Some(u);
        }
        pkg.deps = edges(&p.dependencies);
        for v in p.optional_dependencies.values() {
            pkg.deps.extend(edges(v));
        }
        project.packages.push(pkg);
    }
    project.scope_by_reachability(&prod, &dev);
    project.root.deps = prod.union(&dev).cloned().collect();
    project_root(&mut project, dir, limits);
    Ok(project)
}

// ------------------------------------------------------------------------------ Pipfile.lock

pub fn read_pipfile(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let doc: Value = src.json()?;
    let spec = doc
        .pointer("/_meta/pipfile-spec")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if spec != 6 {
        return Err(src.unknown_version(
            "\"pipfile-spec\"",
            &spec.to_string(),
            "Pipfile.lock pipfile-spec 6",
        ));
    }
    let mut project = Project::new(src.name, "Pipfile.lock v6", "pypi");
    for (section, scope) in [("default", Scope::Required), ("develop", Scope::Dev)] {
        let Some(m) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, v) in m {
            let Some(version) = v
                .get("version")
                .and_then(Value::as_str)
                .and_then(|v| v.strip_prefix("=="))
            else {
                continue;
            };
            let Some(purl) = pypi_purl(name, version) else {
                continue;
            };
            let mut pkg = Package::new("pypi", purl.clone(), &pep503(name), version);
            pkg.scope = scope;
            for h in v
                .get("hashes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                pkg.add_prefixed(h);
            }
            project.root.deps.insert(purl);
            project.packages.push(pkg);
        }
    }
    project_root(&mut project, dir, limits);
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_with_hashes_and_unpinned() {
        let text = "# c\nRequests[socks]==2.31.0 \\\n    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\nflask>=2\n";
        let p = read_requirements(
            &Source {
                name: "requirements.txt",
                text,
            },
            Path::new("/x"),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(p.packages[0].purl, "pkg:pypi/requests@2.31.0");
        assert_eq!(p.packages[0].hashes.len(), 1);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].location.line, Some(4));
    }
}
