//! What every reader produces: projects (one per lockfile) of packages with purls, hashes,
//! scope, licences and dependency edges; and the helpers readers share.

use crate::input::{InputError, line_col_at};
use crate::report::Location;
use std::collections::{BTreeMap, BTreeSet};

/// Hash algorithms, in CycloneDX spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn cdx(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }
    pub fn spdx(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA1",
            HashAlg::Sha256 => "SHA256",
            HashAlg::Sha384 => "SHA384",
            HashAlg::Sha512 => "SHA512",
        }
    }
    pub fn from_name(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Some(HashAlg::Sha1),
            "sha256" => Some(HashAlg::Sha256),
            "sha384" => Some(HashAlg::Sha384),
            "sha512" => Some(HashAlg::Sha512),
            _ => None,
        }
    }
    fn hex_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 40,
            HashAlg::Sha256 => 64,
            HashAlg::Sha384 => 96,
            HashAlg::Sha512 => 128,
        }
    }
}

/// A dependency scope as far as the lockfile tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Scope {
    #[default]
    Required,
    Optional,
    Dev,
}

/// One package (component).
#[derive(Debug, Clone, Default)]
pub struct Package {
    /// purl type: cargo, npm, pypi, golang, gem, composer, maven, deb, apk.
    pub ecosystem: &'static str,
    pub purl: String,
    pub group: Option<String>,
    pub name: String,
    pub version: String,
    pub hashes: BTreeSet<(HashAlg, String)>,
    pub scope: Scope,
    /// SPDX licence expressions (or free text when not valid SPDX).
    pub licenses: BTreeSet<String>,
    pub properties: BTreeMap<String, String>,
    /// purls of the packages this one depends on.
    pub deps: BTreeSet<String>,
    pub supplier: Option<String>,
    /// Where the package manager downloaded it from, when recorded.
    pub download: Option<String>,
}

impl Package {
    pub fn new(ecosystem: &'static str, purl: String, name: &str, version: &str) -> Self {
        Package {
            ecosystem,
            purl,
            name: name.to_string(),
            version: version.to_string(),
            ..Default::default()
        }
    }

    /// Add a hex hash (lowercased); wrong lengths and non-hex are ignored.
    pub fn add_hex(&mut self, alg: HashAlg, hex: &str) {
        let hex = hex.trim().to_ascii_lowercase();
        if hex.len() == alg.hex_len() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.hashes.insert((alg, hex));
        }
    }

    /// `sha256:abc…` / `sha256=abc…` (Python lockfiles).
    pub fn add_prefixed(&mut self, s: &str) {
        if let Some((alg, hex)) = s.split_once([':', '='])
            && let Some(alg) = HashAlg::from_name(alg)
        {
            self.add_hex(alg, hex);
        }
    }

    /// npm/yarn/pnpm Subresource Integrity: `sha512-<base64>` (space separated), to hex.
    pub fn add_integrity(&mut self, sri: &str) {
        use base64::Engine;
        for part in sri.split_whitespace() {
            let Some((alg, b64)) = part.split_once('-') else {
                continue;
            };
            let Some(alg) = HashAlg::from_name(alg) else {
                continue;
            };
            let b64 = b64.split('?').next().unwrap_or("");
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                self.add_hex(alg, &hex);
            }
        }
    }

    pub fn add_license(&mut self, l: &str) {
        let l = l.trim();
        if !l.is_empty() && l != "UNLICENSED" && l != "UNKNOWN" {
            self.licenses.insert(l.to_string());
        }
    }
}

/// One lockfile (or package database) and what it pins.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Path of the lockfile as displayed (relative to the scanned directory's parent form).
    pub lockfile: String,
    /// e.g. `package-lock.json v3`.
    pub format: String,
    pub ecosystem: &'static str,
    /// The project itself (root component); its `deps` are the direct dependencies.
    pub root: Package,
    pub packages: Vec<Package>,
    /// Lines left out (unpinned requirements), reported as warnings.
    pub warnings: Vec<InputError>,
}

impl Project {
    pub fn new(lockfile: &str, format: impl Into<String>, ecosystem: &'static str) -> Self {
        Project {
            lockfile: lockfile.to_string(),
            format: format.into(),
            ecosystem,
            ..Default::default()
        }
    }

    /// Merge packages with the same purl (scope: the strongest wins; deps and hashes unite) and
    /// sort by purl.
    pub fn normalise(&mut self) {
        let mut by: BTreeMap<String, Package> = BTreeMap::new();
        for p in std::mem::take(&mut self.packages) {
            if p.purl == self.root.purl {
                self.root.deps.extend(p.deps.iter().cloned());
                continue;
            }
            merge_into(&mut by, p);
        }
        let root = self.root.purl.clone();
        for p in by.values_mut() {
            p.deps.remove(&p.purl.clone());
            p.deps.remove(&root);
        }
        self.root.deps.remove(&root);
        self.packages = by.into_values().collect();
    }

    /// Mark scopes by reachability: packages reachable from `prod` roots are required, the rest
    /// reachable from `dev` roots are dev. Packages reachable from neither keep their scope.
    pub fn scope_by_reachability(&mut self, prod: &BTreeSet<String>, dev: &BTreeSet<String>) {
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &self.packages {
            edges
                .entry(p.purl.as_str())
                .or_default()
                .extend(p.deps.iter().map(String::as_str));
        }
        let reach = |start: &BTreeSet<String>| {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut stack: Vec<&str> = start.iter().map(String::as_str).collect();
            while let Some(p) = stack.pop() {
                if seen.insert(p.to_string())
                    && let Some(next) = edges.get(p)
                {
                    stack.extend(next.iter().copied());
                }
            }
            seen
        };
        let prod_set = reach(prod);
        let dev_set = reach(dev);
        for p in &mut self.packages {
            if prod_set.contains(&p.purl) {
                if p.scope == Scope::Dev {
                    p.scope = Scope::Required;
                }
            } else if dev_set.contains(&p.purl) {
                p.scope = Scope::Dev;
            }
        }
    }
}

pub fn merge_into(by: &mut BTreeMap<String, Package>, p: Package) {
    match by.get_mut(&p.purl) {
        Some(e) => {
            e.scope = e.scope.min(p.scope);
            e.deps.extend(p.deps);
            e.hashes.extend(p.hashes);
            e.licenses.extend(p.licenses);
            for (k, v) in p.properties {
                e.properties.entry(k).or_insert(v);
            }
            if e.download.is_none() {
                e.download = p.download;
            }
            if e.supplier.is_none() {
                e.supplier = p.supplier;
            }
        }
        None => {
            by.insert(p.purl.clone(), p);
        }
    }
}

/// A lockfile being read: its display name and text, for errors at line:column.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn err_at_offset(&self, offset: usize, msg: impl Into<String>, hint: &str) -> InputError {
        let (l, c) = line_col_at(self.text.as_bytes(), offset);
        self.err_at(l, c, msg, hint)
    }

    pub fn err_at(&self, line: u32, col: u32, msg: impl Into<String>, hint: &str) -> InputError {
        InputError::new(
            &super::diags::BAD_LOCKFILE,
            Location::file(self.name).with_line_col(line, col),
            msg,
            hint,
        )
    }

    /// Position of the first line starting (after indentation) with `needle`, else 1:1.
    pub fn line_of(&self, needle: &str) -> (u32, u32) {
        for (i, l) in self.text.lines().enumerate() {
            let t = l.trim_start();
            if t.starts_with(needle) {
                return ((i + 1) as u32, (l.len() - t.len() + 1) as u32);
            }
        }
        (1, 1)
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, InputError> {
        serde_json::from_str(self.text).map_err(|e| {
            let mut err = crate::input::json_error(self.name, self.text, &e);
            err.info = &super::diags::BAD_LOCKFILE;
            err
        })
    }

    pub fn toml<T: serde::de::DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(self.text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let msg = e.message().lines().next().unwrap_or("").to_string();
            self.err_at_offset(
                offset,
                format!("malformed TOML: {msg}"),
                "regenerate the lockfile with its package manager",
            )
        })
    }

    pub fn yaml<T: serde::de::DeserializeOwned>(&self) -> Result<T, InputError> {
        serde_saphyr::from_str(self.text).map_err(|e| {
            let mut err = crate::sbom::document::yaml_error(self.name, &e);
            err.info = &super::diags::BAD_LOCKFILE;
            err.hint = "regenerate the lockfile with its package manager".into();
            err
        })
    }

    /// An unknown lockfile version, at the line that declares it.
    pub fn unknown_version(&self, key: &str, got: &str, known: &str) -> InputError {
        let (l, c) = self.line_of(key);
        self.err_at(
            l,
            c,
            format!("unknown lockfile version {got}; tollgate reads {known}"),
            "regenerate the lockfile with a supported version of its package manager, or skip it with --exclude",
        )
    }
}

/// Build a purl; `None` when the parts do not make a valid one.
pub fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    let mut p = packageurl::PackageUrl::new(ty.to_string(), name.to_string()).ok()?;
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        p.with_namespace(ns.to_string()).ok()?;
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        p.with_version(v.to_string()).ok()?;
    }
    for (k, v) in qualifiers {
        if !v.is_empty() {
            p.add_qualifier(k.to_string(), v.to_string()).ok()?;
        }
    }
    Some(p.to_string())
}

/// npm purl: `@scope/name` → namespace `@scope` (encoded `%40scope`).
pub fn npm_purl(name: &str, version: &str) -> Option<String> {
    match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => {
            purl("npm", Some(scope), n, Some(version), &[])
        }
        _ => purl("npm", None, name, Some(version), &[]),
    }
}

/// PEP 503 normalised name: lowercase, runs of `-_.` become one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

pub fn pypi_purl(name: &str, version: &str) -> Option<String> {
    purl("pypi", None, &pep503(name), Some(version), &[])
}

/// Go module purl: namespace is the path up to the last `/`.
pub fn golang_purl(module: &str, version: &str) -> Option<String> {
    match module.rsplit_once('/') {
        Some((ns, n)) => purl("golang", Some(ns), n, Some(version), &[]),
        None => purl("golang", None, module, Some(version), &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_type_rules() {
        assert_eq!(
            npm_purl("@babel/core", "7.0.0").unwrap(),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(npm_purl("ms", "2.1.3").unwrap(), "pkg:npm/ms@2.1.3");
        assert_eq!(
            pypi_purl("Zope.Interface_x", "1.0").unwrap(),
            "pkg:pypi/zope-interface-x@1.0"
        );
        assert_eq!(
            golang_purl("github.com/gorilla/mux", "v1.8.1").unwrap(),
            "pkg:golang/github.com/gorilla/mux@v1.8.1"
        );
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "libc6",
                Some("2.36-9+deb12u4"),
                &[("distro", "debian-12"), ("arch", "amd64")]
            )
            .unwrap(),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn integrity_is_hex() {
        let mut p = Package::default();
        p.add_integrity("sha1-2Ai3MzlfU14ZyOyfM3s/B1m3hFE=");
        assert_eq!(p.hashes.len(), 1);
        assert_eq!(
            p.hashes.iter().next().unwrap().1,
            "d808b733395f535e19c8ec9f337b3f0759b78451"
        );
        p.add_hex(HashAlg::Sha256, "nothex");
        assert_eq!(p.hashes.len(), 1);
    }
}
