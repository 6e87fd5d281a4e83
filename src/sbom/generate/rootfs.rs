//! OS packages of an unpacked root filesystem: Debian/Ubuntu `var/lib/dpkg/status` (deb822
//! paragraphs) and Alpine `lib/apk/db/installed` (`K:value` records), both read by hand — they
//! are simple line formats and the Rust crates for them are unmaintained or much larger. The
//! distro (`distro=ID-VERSION_ID` qualifier, purl namespace) comes from `etc/os-release`.

use super::model::{Package, Project, Source, purl};
use crate::input::{self, InputError, Limits};
use std::collections::BTreeMap;
use std::path::Path;

/// `ID` and `VERSION_ID` from etc/os-release (or usr/lib/os-release).
fn os_release(root: &Path, limits: Limits) -> (String, String) {
    for p in ["etc/os-release", "usr/lib/os-release"] {
        if let Ok(t) = input::read_text(&root.join(p), limits) {
            let get = |k: &str| {
                t.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .unwrap_or_default()
            };
            return (get("ID"), get("VERSION_ID"));
        }
    }
    (String::new(), String::new())
}

/// Every package database found under `root`, as projects (relative paths as `rel_root/...`).
pub fn read(root: &Path, rel_root: &str, limits: Limits) -> Result<Vec<Project>, InputError> {
    let (id, version_id) = os_release(root, limits);
    let mut out = Vec::new();
    let dpkg = root.join("var/lib/dpkg/status");
    if dpkg.is_file() {
        let name = input::display_path(&dpkg);
        let text = input::read_text(&dpkg, limits)?;
        let id = if id.is_empty() {
            "debian".to_string()
        } else {
            id.clone()
        };
        let mut p = read_dpkg(
            &Source {
                name: &name,
                text: &text,
            },
            &id,
            &version_id,
        )?;
        p.lockfile = format!("{rel_root}/var/lib/dpkg/status");
        out.push(p);
    }
    let apk = root.join("lib/apk/db/installed");
    if apk.is_file() {
        let name = input::display_path(&apk);
        let text = input::read_text(&apk, limits)?;
        let id = if id.is_empty() {
            "alpine".to_string()
        } else {
            id.clone()
        };
        let mut p = read_apk(
            &Source {
                name: &name,
                text: &text,
            },
            &id,
            &version_id,
        )?;
        p.lockfile = format!("{rel_root}/lib/apk/db/installed");
        out.push(p);
    }
    if out.is_empty() {
        return Err(InputError::new(
            &crate::diags::INPUT_UNRECOGNISED,
            crate::report::Location::file(input::display_path(root)),
            "no package database found (looked for var/lib/dpkg/status and lib/apk/db/installed)",
            "pass the directory an image was unpacked into (e.g. `docker export` | tar -x)",
        ));
    }
    Ok(out)
}

fn os_root(project: &mut Project, id: &str, version_id: &str) {
    project.root.ecosystem = "os";
    project.root.name = id.to_string();
    project.root.version = version_id.to_string();
    project
        .root
        .properties
        .insert("tollgate:component-type".into(), "operating-system".into());
}

/// Resolve dependency names (`a (>= 1) | b:any`) through installed names and Provides.
fn link(
    project: &mut Project,
    wanted: &BTreeMap<String, Vec<Vec<String>>>,
    provides: &BTreeMap<String, String>,
) {
    for p in &mut project.packages {
        for clause in wanted.get(&p.purl).into_iter().flatten() {
            if let Some(t) = clause.iter().find_map(|alt| provides.get(alt))
                && *t != p.purl
            {
                p.deps.insert(t.clone());
            }
        }
    }
    project.root.deps = project.packages.iter().map(|p| p.purl.clone()).collect();
}

pub fn read_dpkg(src: &Source, id: &str, version_id: &str) -> Result<Project, InputError> {
    let mut project = Project::new(src.name, "dpkg status", "deb");
    os_root(&mut project, id, version_id);
    let distro = if version_id.is_empty() {
        id.to_string()
    } else {
        format!("{id}-{version_id}")
    };
    let mut wanted: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut provides: BTreeMap<String, String> = BTreeMap::new();
    let mut para: Vec<(u32, String, String)> = Vec::new();
    let mut finish =
        |para: &mut Vec<(u32, String, String)>, project: &mut Project| -> Result<(), InputError> {
            if para.is_empty() {
                return Ok(());
            }
            let get = |k: &str| {
                para.iter()
                    .find(|(_, key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, _, v)| v.trim().to_string())
            };
            let start = para[0].0;
            let (Some(name), Some(version)) = (get("Package"), get("Version")) else {
                para.clear();
                return Err(src.err_at(
                    start,
                    1,
                    "dpkg status paragraph without Package or Version",
                    "this is not a dpkg status file, or it is damaged",
                ));
            };
            let installed = get("Status").is_none_or(|s| s.ends_with(" installed"));
            if installed {
                let arch = get("Architecture").unwrap_or_default();
                let mut q = vec![("distro", distro.as_str())];
                if !arch.is_empty() {
                    q.push(("arch", arch.as_str()));
                }
                let source = get("Source");
                let upstream = source
                    .as_deref()
                    .map(|s| s.split(" (").next().unwrap_or(s).to_string());
                let p = purl("deb", Some(id), &name, Some(&version), &q).unwrap_or_default();
                let mut pkg = Package::new("deb", p.clone(), &name, &version);
                pkg.supplier = get("Maintainer");
                if let Some(u) = upstream {
                    pkg.properties.insert("tollgate:deb:source".into(), u);
                }
                provides.insert(name.clone(), p.clone());
                for pr in get("Provides").unwrap_or_default().split(',') {
                    let pr = pr.split(" (").next().unwrap_or("").trim();
                    if !pr.is_empty() {
                        provides.entry(pr.to_string()).or_insert(p.clone());
                    }
                }
                let mut clauses = Vec::new();
                for k in ["Pre-Depends", "Depends"] {
                    for clause in get(k).unwrap_or_default().split(',') {
                        let alts: Vec<String> = clause
                            .split('|')
                            .map(|a| {
                                a.trim()
                                    .split([' ', '('])
                                    .next()
                                    .unwrap_or("")
                                    .split(':')
                                    .next()
                                    .unwrap_or("")
                                    .to_string()
                            })
                            .filter(|a| !a.is_empty())
                            .collect();
                        if !alts.is_empty() {
                            clauses.push(alts);
                        }
                    }
                }
                wanted.insert(p, clauses);
                project.packages.push(pkg);
            }
            para.clear();
            Ok(())
        };
    for (i, line) in src.text.lines().enumerate() {
        let lno = (i + 1) as u32;
        if line.trim().is_empty() {
            finish(&mut para, &mut project)?;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = para.last_mut() {
                last.2.push('\n');
                last.2.push_str(line.trim());
                continue;
            }
            return Err(src.err_at(
                lno,
                1,
                "continuation line outside a paragraph",
                "this is not a dpkg status file, or it is damaged",
            ));
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(src.err_at(
                lno,
                1,
                format!("expected `Field: value`, found {line:?}"),
                "this is not a dpkg status file, or it is damaged",
            ));
        };
        para.push((lno, k.to_string(), v.to_string()));
    }
    finish(&mut para, &mut project)?;
    link(&mut project, &wanted, &provides);
    Ok(project)
}

pub fn read_apk(src: &Source, id: &str, version_id: &str) -> Result<Project, InputError> {
    let mut project = Project::new(src.name, "apk installed", "apk");
    os_root(&mut project, id, version_id);
    let distro = if version_id.is_empty() {
        id.to_string()
    } else {
        format!("{id}-{version_id}")
    };
    let mut wanted: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut provides: BTreeMap<String, String> = BTreeMap::new();
    let mut rec: Vec<(u32, char, String)> = Vec::new();
    let mut lines: Vec<(u32, &str)> = src
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| ((i + 1) as u32, l))
        .collect();
    lines.push((0, ""));
    for (lno, line) in lines {
        if line.trim().is_empty() {
            if rec.is_empty() {
                continue;
            }
            let get = |k: char| {
                rec.iter()
                    .find(|(_, key, _)| *key == k)
                    .map(|(_, _, v)| v.clone())
            };
            let (Some(name), Some(version)) = (get('P'), get('V')) else {
                return Err(src.err_at(
                    rec[0].0,
                    1,
                    "apk record without P: or V:",
                    "this is not an apk installed database, or it is damaged",
                ));
            };
            let arch = get('A').unwrap_or_default();
            let mut q = vec![("distro", distro.as_str())];
            if !arch.is_empty() {
                q.push(("arch", arch.as_str()));
            }
            let p = purl("apk", Some(id), &name, Some(&version), &q).unwrap_or_default();
            let mut pkg = Package::new("apk", p.clone(), &name, &version);
            if let Some(l) = get('L') {
                pkg.add_license(&l);
            }
            pkg.supplier = get('m');
            if let Some(c) = get('C') {
                pkg.properties.insert("tollgate:apk:checksum".into(), c);
            }
            if let Some(o) = get('o') {
                pkg.properties.insert("tollgate:apk:origin".into(), o);
            }
            provides.insert(name.clone(), p.clone());
            for pr in get('p').unwrap_or_default().split_whitespace() {
                let pr = pr.split('=').next().unwrap_or(pr);
                provides.entry(pr.to_string()).or_insert(p.clone());
            }
            let clauses = get('D')
                .unwrap_or_default()
                .split_whitespace()
                .filter(|d| !d.starts_with('!'))
                .map(|d| {
                    vec![
                        d.split(['=', '<', '>', '~'])
                            .next()
                            .unwrap_or(d)
                            .to_string(),
                    ]
                })
                .collect();
            wanted.insert(p, clauses);
            project.packages.push(pkg);
            rec.clear();
            continue;
        }
        let mut chars = line.chars();
        let (Some(k), Some(':')) = (chars.next(), chars.next()) else {
            return Err(src.err_at(
                lno,
                1,
                format!("expected `K:value`, found {line:?}"),
                "this is not an apk installed database, or it is damaged",
            ));
        };
        rec.push((lno, k, line[2..].to_string()));
    }
    link(&mut project, &wanted, &provides);
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_paragraphs_and_provides() {
        let text = "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.0-1\nDepends: libc6 (>= 2.3) | x, mail-transport-agent\nDescription: x\n more\n\nPackage: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\nProvides: mail-transport-agent\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n";
        let p = read_dpkg(
            &Source {
                name: "status",
                text,
            },
            "debian",
            "12",
        )
        .unwrap();
        assert_eq!(p.packages.len(), 2);
        assert_eq!(
            p.packages[0].purl,
            "pkg:deb/debian/a@1:1.0-1?arch=amd64&distro=debian-12"
        );
        assert_eq!(p.packages[0].deps.len(), 1);
        let e = read_dpkg(
            &Source {
                name: "status",
                text: "Package: a\nno colon here\n",
            },
            "debian",
            "12",
        )
        .unwrap_err();
        assert_eq!(e.location.line, Some(2));
    }

    #[test]
    fn apk_records() {
        let text = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nm:Maintainer <m@example.org>\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\nD:so:libc.musl-x86_64.so.1\n";
        let mut p = read_apk(
            &Source {
                name: "installed",
                text,
            },
            "alpine",
            "3.20.3",
        )
        .unwrap();
        p.packages[0].properties.clear();
        assert_eq!(p.packages.len(), 2);
        assert_eq!(
            p.packages[0].purl,
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"
        );
    }
}
