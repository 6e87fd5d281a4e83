//! `Cargo.lock` (versions 1–4) with the `Cargo.toml` beside it for the project's own name,
//! version and licence. Parsed with the `toml` crate.

use super::model::{HashAlg, Package, Project, Source, purl};
use crate::input::{InputError, Limits};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Deserialize)]
struct Lock {
    version: Option<i64>,
    #[serde(default)]
    package: Vec<LockPackage>,
    /// Version 1 kept checksums here.
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

#[derive(Deserialize, Default)]
struct Manifest {
    package: Option<ManifestPackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default, rename = "build-dependencies")]
    build_dependencies: BTreeMap<String, toml::Value>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, toml::Value>,
}

/// The crate name a manifest dependency entry refers to (`package = "…"` renames).
fn dep_crate(key: &str, v: &toml::Value) -> String {
    v.get("package")
        .and_then(toml::Value::as_str)
        .unwrap_or(key)
        .to_string()
}

#[derive(Deserialize, Default)]
struct ManifestPackage {
    name: Option<String>,
    version: Option<toml::Value>,
    license: Option<toml::Value>,
}

fn cargo_purl(name: &str, version: &str) -> String {
    purl("cargo", None, name, Some(version), &[])
        .unwrap_or_else(|| format!("pkg:cargo/{name}@{version}"))
}

pub fn read(src: &Source, dir: &Path, limits: Limits) -> Result<Project, InputError> {
    let lock: Lock = src.toml()?;
    let version = lock.version.unwrap_or(1);
    if !(1..=4).contains(&version) {
        return Err(src.unknown_version(
            "version",
            &version.to_string(),
            "Cargo.lock versions 1-4",
        ));
    }
    let mut project = Project::new(src.name, format!("Cargo.lock v{version}"), "cargo");
    // `name version (source)` or `name version` or just `name` → the package's purl.
    let mut by_name: BTreeMap<&str, Vec<&LockPackage>> = BTreeMap::new();
    for p in &lock.package {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    let resolve = |spec: &str| -> Option<String> {
        let mut parts = spec.split_whitespace();
        let name = parts.next()?;
        let version = parts.next();
        let candidates = by_name.get(name)?;
        let p = match version {
            Some(v) => candidates.iter().find(|p| p.version == v)?,
            None => candidates.first()?,
        };
        Some(cargo_purl(&p.name, &p.version))
    };
    let manifest: Manifest = super::read_manifest(dir, "Cargo.toml", limits)
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default();
    let root_name = manifest.package.as_ref().and_then(|p| p.name.clone());
    let mut local_unreferenced: BTreeSet<String> = BTreeSet::new();
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    for p in &lock.package {
        let purl = cargo_purl(&p.name, &p.version);
        let mut pkg = Package::new("cargo", purl.clone(), &p.name, &p.version);
        let checksum = p.checksum.clone().or_else(|| {
            let key = format!(
                "checksum {} {} ({})",
                p.name,
                p.version,
                p.source.as_deref().unwrap_or("")
            );
            lock.metadata.get(&key).cloned()
        });
        if let Some(c) = checksum {
            pkg.add_hex(HashAlg::Sha256, &c);
        }
        match &p.source {
            Some(s)
                if s.starts_with("registry+https://github.com/rust-lang/crates.io-index")
                    || s == "sparse+https://index.crates.io/" =>
            {
                pkg.download = Some(format!(
                    "https://static.crates.io/crates/{0}/{0}-{1}.crate",
                    p.name, p.version
                ));
            }
            Some(s) => {
                pkg.properties
                    .insert("tollgate:cargo:source".into(), s.clone());
            }
            None => {
                pkg.properties
                    .insert("tollgate:cargo:source".into(), "local".into());
                local_unreferenced.insert(purl.clone());
            }
        }
        for d in &p.dependencies {
            if let Some(t) = resolve(d) {
                referenced.insert(t.clone());
                pkg.deps.insert(t);
            }
        }
        if root_name.as_deref() == Some(p.name.as_str()) && p.source.is_none() {
            project.root = pkg.clone();
            project.root.download = None;
            project.root.properties.clear();
            continue;
        }
        project.packages.push(pkg);
    }
    if project.root.purl.is_empty() {
        // A virtual workspace (or no Cargo.toml): the local crates nobody depends on are the
        // direct dependencies of a root named after the directory.
        project.root.ecosystem = "cargo";
        project.root.deps = local_unreferenced
            .difference(&referenced)
            .cloned()
            .collect();
    }
    // Cargo.lock does not mark dev-dependencies; the manifest does for the direct ones, and
    // whatever only they reach is dev scope too.
    let names = |m: &BTreeMap<String, toml::Value>| -> BTreeSet<String> {
        m.iter().map(|(k, v)| dep_crate(k, v)).collect()
    };
    let prod_names: BTreeSet<String> = names(&manifest.dependencies)
        .union(&names(&manifest.build_dependencies))
        .cloned()
        .collect();
    let dev_names = names(&manifest.dev_dependencies);
    let name_of = |purl: &str| -> String {
        purl.trim_start_matches("pkg:cargo/")
            .split('@')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let (mut prod, mut dev) = (BTreeSet::new(), BTreeSet::new());
    for d in &project.root.deps {
        let n = name_of(d);
        if prod_names.contains(&n) || prod_names.contains(&n.replace('_', "-")) {
            prod.insert(d.clone());
        } else if dev_names.contains(&n) || dev_names.contains(&n.replace('_', "-")) {
            dev.insert(d.clone());
        }
    }
    if !dev.is_empty() {
        project.scope_by_reachability(&prod, &dev);
    }
    if let Some(mp) = &manifest.package
        && let Some(toml::Value::String(l)) = &mp.license
    {
        project.root.add_license(l);
    }
    if project.root.version.is_empty()
        && let Some(Some(toml::Value::String(v))) =
            manifest.package.as_ref().map(|p| p.version.as_ref())
    {
        project.root.version = v.clone();
    }
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v3_and_resolves_versioned_deps() {
        let text = r#"version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["a 1.0.0", "b"]
[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000001"
[[package]]
name = "a"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
[[package]]
name = "b"
version = "0.3.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["a 2.0.0"]
"#;
        let src = Source {
            name: "Cargo.lock",
            text,
        };
        let p = read(&src, Path::new("/nonexistent"), Limits::default()).unwrap();
        assert_eq!(p.packages.len(), 4);
        let app = p.packages.iter().find(|p| p.name == "app").unwrap();
        assert!(app.deps.contains("pkg:cargo/a@1.0.0") && app.deps.contains("pkg:cargo/b@0.3.0"));
        assert_eq!(p.root.deps.len(), 1);
        let a = p
            .packages
            .iter()
            .find(|p| p.purl == "pkg:cargo/a@1.0.0")
            .unwrap();
        assert_eq!(a.hashes.len(), 1);
    }

    #[test]
    fn unknown_version_names_the_line() {
        let src = Source {
            name: "Cargo.lock",
            text: "# x\nversion = 9\n",
        };
        let e = read(&src, Path::new("/nonexistent"), Limits::default()).unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(2), Some(1)));
        assert!(
            e.message.contains("unknown lockfile version 9"),
            "{}",
            e.message
        );
    }
}
