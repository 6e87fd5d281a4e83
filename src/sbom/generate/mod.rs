//! `sbom generate`: an SBOM from what the build already pinned — lockfiles under a directory,
//! the package database of a root filesystem, and build artifacts — with no network.
//!
//! Readers (one module per ecosystem) turn each input into a [`model::Project`]; [`cdx`] and
//! [`spdx`] render the projects deterministically (sorted, UUID v5 serial from the content).

pub mod artifact;
pub mod cargo;
pub mod cdx;
pub mod composer;
pub mod diags;
pub mod golang;
pub mod gradle;
pub mod model;
pub mod npm;
pub mod pnpm;
pub mod python;
pub mod rootfs;
pub mod ruby;
pub mod spdx;
pub mod yarn;

use crate::input::{self, InputError, Limits};
use model::{Project, Source};
use std::path::{Path, PathBuf};

/// Directories never descended into.
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target", "vendor"];

/// A lockfile found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// Path relative to the scanned directory, `/`-separated (what the SBOM records).
    pub rel: String,
}

/// Is this file name a lockfile tollgate reads?
pub fn is_lockfile(name: &str) -> bool {
    matches!(
        name,
        "Cargo.lock"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "go.mod"
            | "poetry.lock"
            | "uv.lock"
            | "Pipfile.lock"
            | "Gemfile.lock"
            | "composer.lock"
            | "gradle.lockfile"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// Every lockfile under `dir` (sorted), skipping `.git`, `node_modules`, `target`, `vendor`,
/// other hidden directories and
/// paths matching an `exclude` glob (matched against the relative path and each of its names).
pub fn discover(dir: &Path, exclude: &globset::GlobSet) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    walk(dir, "", exclude, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    // npm-shrinkwrap.json wins over package-lock.json in the same directory (as npm does).
    let shrinkwraps: Vec<String> = out
        .iter()
        .filter_map(|f| {
            f.rel
                .strip_suffix("npm-shrinkwrap.json")
                .map(str::to_string)
        })
        .collect();
    out.retain(|f| {
        f.rel
            .strip_suffix("package-lock.json")
            .is_none_or(|d| !shrinkwraps.iter().any(|s| s == d))
    });
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &str,
    exclude: &globset::GlobSet,
    out: &mut Vec<Found>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if exclude.is_match(&child_rel) || exclude.is_match(&name) {
            continue;
        }
        let ft = e.file_type()?;
        // A symlinked lockfile (a workspace member pointing at the root's, say) is read like any
        // other, and a dangling one is kept so reading it names the broken link. Symlinked
        // directories are not entered: they can form cycles and usually point outside the tree.
        if ft.is_symlink() && is_lockfile(&name) {
            let target_is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
            if !target_is_dir {
                out.push(Found {
                    path: e.path(),
                    rel: child_rel,
                });
            }
            continue;
        }
        if ft.is_dir() {
            // Hidden directories (.venv, .tox, .cache…) hold tools' own state, not the project.
            if !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                walk(&e.path(), &child_rel, exclude, out)?;
            }
        } else if ft.is_file() && is_lockfile(&name) {
            out.push(Found {
                path: e.path(),
                rel: child_rel,
            });
        }
    }
    Ok(())
}

/// Read one lockfile into a project. `rel` is what the SBOM records as its path.
pub fn read_lockfile(path: &Path, rel: &str, limits: Limits) -> Result<Project, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits).map_err(|mut e| {
        if e.info.code == "TG005" {
            e.info = &diags::BAD_LOCKFILE;
        }
        e
    })?;
    let src = Source {
        name: &name,
        text: &text,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut project = match file.as_str() {
        "Cargo.lock" => cargo::read(&src, dir, limits),
        "package-lock.json" | "npm-shrinkwrap.json" => npm::read(&src, dir, limits),
        "yarn.lock" => yarn::read(&src, dir, limits),
        "pnpm-lock.yaml" => pnpm::read(&src, dir, limits),
        "go.mod" => golang::read(&src, dir, limits),
        "poetry.lock" => python::read_poetry(&src, dir, limits),
        "uv.lock" => python::read_uv(&src, dir, limits),
        "Pipfile.lock" => python::read_pipfile(&src, dir, limits),
        "Gemfile.lock" => ruby::read(&src, dir, limits),
        "composer.lock" => composer::read(&src, dir, limits),
        "gradle.lockfile" => gradle::read(&src, dir, limits),
        f if f.starts_with("requirements") => python::read_requirements(&src, dir, limits),
        _ => Err(InputError::new(
            &crate::diags::INPUT_UNRECOGNISED,
            crate::report::Location::file(name.clone()),
            "not a lockfile tollgate reads",
            "see docs/sbom-generate.md for the supported lockfiles",
        )),
    }?;
    project.lockfile = rel.to_string();
    if project.root.name.is_empty() {
        project.root.name = dir_name(dir);
    }
    project.normalise();
    Ok(project)
}

/// The last component of a directory (resolving `.`), for naming projects without a manifest.
pub fn dir_name(dir: &Path) -> String {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| "project".to_string())
}

/// Read an optional manifest beside a lockfile (package.json, Cargo.toml…); `None` if absent
/// or unreadable (the lockfile alone still describes the packages).
pub fn read_manifest(dir: &Path, file: &str, limits: Limits) -> Option<String> {
    let p = dir.join(file);
    if !p.is_file() {
        return None;
    }
    input::read_text(&p, limits).ok()
}

/// A component merged across projects, with the lockfiles it was found in.
#[derive(Debug, Clone)]
pub struct Merged {
    pub package: model::Package,
    pub found_in: std::collections::BTreeSet<String>,
}

/// An artifact with its SBOM identity.
#[derive(Debug, Clone)]
pub struct ArtifactComponent {
    pub artifact: artifact::Artifact,
    pub bom_ref: String,
    pub purl: String,
}

/// Everything one run describes, ready to render: the top component (the release), one root
/// per project, components deduplicated by purl, artifacts and the dependency graph.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub name: String,
    pub version: Option<String>,
    pub top_ref: String,
    pub projects: Vec<Project>,
    pub project_refs: Vec<String>,
    pub components: std::collections::BTreeMap<String, Merged>,
    pub artifacts: Vec<ArtifactComponent>,
    /// Every bom-ref → the refs it depends on (sorted; every ref has an entry).
    pub graph: std::collections::BTreeMap<String, Vec<String>>,
}

impl Inventory {
    pub fn build(
        name: String,
        version: Option<String>,
        mut projects: Vec<Project>,
        artifacts: Vec<artifact::Artifact>,
        exclude_dev: bool,
    ) -> Inventory {
        use std::collections::{BTreeMap, BTreeSet};
        projects.sort_by(|a, b| a.lockfile.cmp(&b.lockfile));
        let top_ref = "release".to_string();
        let mut taken: BTreeSet<String> = BTreeSet::from([top_ref.clone()]);
        let mut project_refs = Vec::new();
        for p in &mut projects {
            if exclude_dev {
                let dev: BTreeSet<String> = p
                    .packages
                    .iter()
                    .filter(|x| x.scope == model::Scope::Dev)
                    .map(|x| x.purl.clone())
                    .collect();
                p.packages.retain(|x| !dev.contains(&x.purl));
            }
            let wanted = if p.root.purl.is_empty() {
                format!("project:{}", p.lockfile)
            } else {
                p.root.purl.clone()
            };
            let r = if taken.insert(wanted.clone()) {
                wanted
            } else {
                let r = format!("project:{}", p.lockfile);
                taken.insert(r.clone());
                r
            };
            project_refs.push(r);
        }
        let mut components: BTreeMap<String, Merged> = BTreeMap::new();
        for p in &projects {
            for pkg in &p.packages {
                if taken.contains(&pkg.purl) {
                    continue; // it is one of the project roots
                }
                match components.get_mut(&pkg.purl) {
                    Some(m) => {
                        let mut by = BTreeMap::from([(m.package.purl.clone(), m.package.clone())]);
                        model::merge_into(&mut by, pkg.clone());
                        m.package = by.into_values().next().expect("one");
                        m.found_in.insert(p.lockfile.clone());
                    }
                    None => {
                        components.insert(
                            pkg.purl.clone(),
                            Merged {
                                package: pkg.clone(),
                                found_in: BTreeSet::from([p.lockfile.clone()]),
                            },
                        );
                    }
                }
            }
        }
        let artifacts: Vec<ArtifactComponent> = artifacts
            .into_iter()
            .map(|a| {
                let checksum = format!("sha256:{}", a.sha256);
                let purl = model::purl(
                    "generic",
                    None,
                    &a.name,
                    version.as_deref(),
                    &[("checksum", checksum.as_str())],
                )
                .unwrap_or_default();
                ArtifactComponent {
                    // The path as given: two artifacts may share a file name.
                    bom_ref: format!("file:{}", a.path),
                    purl,
                    artifact: a,
                }
            })
            .collect();
        let mut all: BTreeSet<String> = taken.clone();
        all.extend(components.keys().cloned());
        all.extend(artifacts.iter().map(|a| a.bom_ref.clone()));
        let mut graph: BTreeMap<String, Vec<String>> =
            all.iter().map(|r| (r.clone(), Vec::new())).collect();
        let keep = |deps: &BTreeSet<String>, me: &str| -> Vec<String> {
            deps.iter()
                .filter(|d| all.contains(*d) && d.as_str() != me && d.as_str() != top_ref)
                .cloned()
                .collect()
        };
        let mut top_deps: BTreeSet<String> = project_refs.iter().cloned().collect();
        top_deps.extend(artifacts.iter().map(|a| a.bom_ref.clone()));
        graph.insert(top_ref.clone(), top_deps.into_iter().collect());
        for (p, r) in projects.iter().zip(&project_refs) {
            graph.insert(r.clone(), keep(&p.root.deps, r));
        }
        for (purl, m) in &components {
            graph.insert(purl.clone(), keep(&m.package.deps, purl));
        }
        Inventory {
            name,
            version,
            top_ref,
            projects,
            project_refs,
            components,
            artifacts,
            graph,
        }
    }

    /// Component count per ecosystem (purl type; `file` for artifacts), sorted.
    pub fn ecosystems(&self) -> std::collections::BTreeMap<String, usize> {
        let mut m = std::collections::BTreeMap::new();
        for c in self.components.values() {
            *m.entry(c.package.ecosystem.to_string()).or_insert(0) += 1;
        }
        if !self.artifacts.is_empty() {
            m.insert("file".into(), self.artifacts.len());
        }
        m
    }
}
