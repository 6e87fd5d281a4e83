//! `Gemfile.lock` (Bundler's indented format, read by hand: no maintained Rust parser). Gems of
//! the GEM, GIT and PATH sections with their dependency edges; `CHECKSUMS` (Bundler 2.5+)
//! sha256 when present.

use super::model::{HashAlg, Package, Project, Source, purl};
use crate::input::{InputError, Limits};
use std::collections::BTreeMap;
use std::path::Path;

/// `nokogiri (1.16.0-x86_64-linux)` → (name, version, platform).
fn name_version(s: &str) -> Option<(String, String, Option<String>)> {
    let (name, rest) = s.trim().split_once(" (")?;
    let v = rest.strip_suffix(')')?;
    // Platform suffixes start after the version's first `-` followed by a letter.
    let (version, platform) = match v.find('-') {
        Some(i)
            if v[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic())
                && !v[..i].is_empty()
                && v.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
        {
            (v[..i].to_string(), Some(v[i + 1..].to_string()))
        }
        _ => (v.to_string(), None),
    };
    Some((name.to_string(), version, platform))
}

fn gem_purl(name: &str, version: &str, platform: Option<&str>) -> Option<String> {
    let q: Vec<(&str, &str)> = platform.map(|p| vec![("platform", p)]).unwrap_or_default();
    purl("gem", None, name, Some(version), &q)
}

pub fn read(src: &Source, _dir: &Path, _limits: Limits) -> Result<Project, InputError> {
    let hint = "regenerate it with `bundle lock`";
    let mut project = Project::new(src.name, "Gemfile.lock", "gem");
    project.root.ecosystem = "gem";
    let mut section = "";
    let mut in_specs = false;
    let mut gems: Vec<(Package, Vec<String>)> = Vec::new();
    let mut direct: Vec<String> = Vec::new();
    let mut checksums: BTreeMap<String, String> = BTreeMap::new();
    for (i, raw) in src.text.lines().enumerate() {
        let lno = (i + 1) as u32;
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let t = raw.trim();
        if indent == 0 {
            section = match t {
                "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => "gems",
                "DEPENDENCIES" => "deps",
                "CHECKSUMS" => "checksums",
                "PLATFORMS" | "RUBY VERSION" | "BUNDLED WITH" => "other",
                _ => {
                    return Err(src.err_at(
                        lno,
                        1,
                        format!("unknown Gemfile.lock section {t:?}"),
                        hint,
                    ));
                }
            };
            in_specs = false;
            continue;
        }
        match section {
            "gems" => {
                if indent == 2 {
                    in_specs = t == "specs:";
                } else if in_specs && indent == 4 {
                    let Some((n, v, plat)) = name_version(t) else {
                        return Err(src.err_at(
                            lno,
                            5,
                            format!("expected `name (version)`, found {t:?}"),
                            hint,
                        ));
                    };
                    let Some(p) = gem_purl(&n, &v, plat.as_deref()) else {
                        continue;
                    };
                    let mut pkg = Package::new("gem", p, &n, &v);
                    if let Some(pl) = plat {
                        pkg.properties.insert("tollgate:gem:platform".into(), pl);
                    }
                    gems.push((pkg, Vec::new()));
                } else if in_specs && indent == 6 {
                    let dep = t.split(" (").next().unwrap_or(t).to_string();
                    if let Some(last) = gems.last_mut() {
                        last.1.push(dep);
                    }
                }
            }
            "deps" => direct.push(t.split([' ', '!']).next().unwrap_or(t).to_string()),
            "checksums" => {
                if let Some((nv, sum)) = t.rsplit_once(' ')
                    && let Some(hex) = sum.strip_prefix("sha256=")
                {
                    checksums.insert(nv.to_string(), hex.to_string());
                }
            }
            _ => {}
        }
    }
    let by_name: BTreeMap<String, String> = gems
        .iter()
        .map(|(p, _)| (p.name.clone(), p.purl.clone()))
        .collect();
    for (mut pkg, deps) in gems {
        for d in deps {
            if let Some(t) = by_name.get(&d) {
                pkg.deps.insert(t.clone());
            }
        }
        let key = match pkg.properties.get("tollgate:gem:platform") {
            Some(pl) => format!("{} ({}-{pl})", pkg.name, pkg.version),
            None => format!("{} ({})", pkg.name, pkg.version),
        };
        if let Some(h) = checksums.get(&key) {
            pkg.add_hex(HashAlg::Sha256, h);
        }
        project.packages.push(pkg);
    }
    project.root.deps = direct
        .iter()
        .filter_map(|d| by_name.get(d).cloned())
        .collect();
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gems_platforms_and_edges() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.16.0-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.3)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n\nBUNDLED WITH\n   2.5.3\n";
        let p = read(
            &Source {
                name: "Gemfile.lock",
                text,
            },
            Path::new("/x"),
            Limits::default(),
        )
        .unwrap();
        assert_eq!(
            p.packages[0].purl,
            "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux"
        );
        assert!(p.packages[0].deps.contains("pkg:gem/racc@1.7.3"));
        assert_eq!(p.root.deps.len(), 1);
    }
}
