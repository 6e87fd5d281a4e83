//! Where a TUF client reads the repository from: a local directory (a mirrored copy with
//! `metadata/` and `targets/`) or an HTTP(S) repository. The TUF logic in
//! [`super::tuf`] is the same for both; it only asks for a metadata file or a target by name,
//! with the most bytes it accepts.
//!
//! HTTP uses `ureq` (blocking) with rustls over the aws-lc-rs provider and the Mozilla root
//! certificates (`webpki-roots`), bounded by a connect timeout and a whole-request timeout.
//! Each response is read up to the limit the metadata gives (the length the parent metadata
//! records, or a default per role), so an endless or oversized response is cut off, never
//! buffered.

use super::diags as sig;
use super::tuf::TufError;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a repository can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// A metadata file name, e.g. `2.root.json`, `timestamp.json`, `7.snapshot.json`.
    Metadata(&'a str),
    /// A target file path as stored, e.g. `HASH.trusted_root.json`, `dir/HASH.name`.
    Target(&'a str),
}

/// Why a fetch did not return the bytes.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// The repository does not have the file (no such file; HTTP 404, or 403 as S3 answers).
    /// The error says so in the repository's terms; rotation treats it as "no newer root".
    NotFound(TufError),
    /// The response (or file) is longer than the limit: `name` and the limit.
    TooLarge { name: String, limit: u64 },
    /// Any other failure (connection, TLS, timeout, a status other than 200, a truncated body).
    Failed(TufError),
}

/// A TUF repository to read from.
pub trait Repository {
    /// How `item` is named in findings: the path or the URL.
    fn name(&self, item: Item<'_>) -> String;
    /// The bytes of `item`, at most `limit` of them.
    fn fetch(&self, item: Item<'_>, limit: u64) -> Result<Vec<u8>, FetchError>;
}

// ---- a directory ------------------------------------------------------------------------------

/// A mirrored copy: `DIR/metadata/NAME` and `DIR/targets/PATH`.
#[derive(Debug, Clone)]
pub struct DirRepository {
    pub dir: PathBuf,
}

impl DirRepository {
    fn path(&self, item: Item<'_>) -> PathBuf {
        match item {
            Item::Metadata(n) => self.dir.join("metadata").join(n),
            Item::Target(p) => self.dir.join("targets").join(p),
        }
    }
}

impl Repository for DirRepository {
    fn name(&self, item: Item<'_>) -> String {
        crate::input::display_path(&self.path(item))
    }

    fn fetch(&self, item: Item<'_>, limit: u64) -> Result<Vec<u8>, FetchError> {
        read_local(
            Some(self.path(item)),
            item,
            &self.name(item),
            limit,
            "is missing",
        )
    }
}

/// Read a repository file from disk, up to `limit` bytes; `path` `None` or anything but a
/// regular file is missing (`missing` says how).
fn read_local(
    path: Option<PathBuf>,
    item: Item<'_>,
    name: &str,
    limit: u64,
    missing: &str,
) -> Result<Vec<u8>, FetchError> {
    let missing = || {
        let info = match item {
            Item::Metadata(_) => &sig::TUF_INVALID,
            Item::Target(_) => &sig::TUF_TARGET_MISSING,
        };
        FetchError::NotFound(TufError {
            info,
            file: name.to_string(),
            message: missing.into(),
        })
    };
    let path = path.ok_or_else(missing)?;
    let f = std::fs::File::open(&path).map_err(|_| missing())?;
    if !f.metadata().map(|m| m.is_file()).unwrap_or(false) {
        return Err(missing());
    }
    read_limited(f, limit).map_err(|e| match e {
        ReadError::TooLarge => FetchError::TooLarge {
            name: name.to_string(),
            limit,
        },
        ReadError::Io(e) => FetchError::Failed(TufError {
            info: &sig::TUF_INVALID,
            file: name.to_string(),
            message: format!("cannot be read: {e}"),
        }),
    })
}

/// A cache written by `tollgate trust refresh`, read back as a repository so that each use of
/// the cache re-verifies it exactly as the refresh did ([`super::tuf::verify_cache`]):
/// `DIR/root.json` is the only root (asking for `N.root.json` finds none), `DIR/timestamp.json`,
/// `DIR/snapshot.json` and `DIR/ROLE.json` (asked for as `V.snapshot.json`, `V.ROLE.json` when
/// the root uses consistent snapshots), and `DIR/targets/PATH`.
#[derive(Debug, Clone)]
pub struct CacheRepository {
    pub dir: PathBuf,
    /// Whether the cached root uses consistent snapshots (metadata asked for as `V.NAME`).
    pub consistent: bool,
}

impl CacheRepository {
    /// The cache file of `item`; `None` for a newer root (a cache holds exactly one).
    fn path(&self, item: Item<'_>) -> Option<PathBuf> {
        match item {
            Item::Metadata(n) => {
                let versioned = n
                    .split_once('.')
                    .filter(|(v, rest)| {
                        !v.is_empty()
                            && v.bytes().all(|b| b.is_ascii_digit())
                            && rest.ends_with(".json")
                    })
                    .map(|(_, rest)| rest);
                match versioned {
                    Some("root.json") => None,
                    Some(rest) if self.consistent => Some(self.dir.join(rest)),
                    _ => Some(self.dir.join(n)),
                }
            }
            Item::Target(p) => Some(self.dir.join("targets").join(p)),
        }
    }
}

impl Repository for CacheRepository {
    fn name(&self, item: Item<'_>) -> String {
        let p = self.path(item).unwrap_or_else(|| match item {
            Item::Metadata(n) | Item::Target(n) => self.dir.join(n),
        });
        crate::input::display_path(&p)
    }

    fn fetch(&self, item: Item<'_>, limit: u64) -> Result<Vec<u8>, FetchError> {
        let name = self.name(item);
        read_local(
            self.path(item),
            item,
            &name,
            limit,
            "is missing from the TUF cache",
        )
    }
}

enum ReadError {
    TooLarge,
    Io(std::io::Error),
}

/// Read at most `limit` bytes; one byte more is an error (nothing beyond it is read).
fn read_limited(r: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(buf)
}

// ---- HTTP(S) ----------------------------------------------------------------------------------

/// Timeouts of an HTTP repository.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP(S) repository in the layout TUF repositories are served in: metadata at
/// `METADATA_URL/NAME` (Sigstore: `https://tuf-repo-cdn.sigstore.dev/12.root.json`) and targets
/// at `TARGETS_URL/PATH` (by default `METADATA_URL/targets`).
pub struct HttpRepository {
    metadata_url: String,
    targets_url: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for HttpRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRepository")
            .field("metadata_url", &self.metadata_url)
            .field("targets_url", &self.targets_url)
            .finish()
    }
}

/// Whether `s` is an `http://` or `https://` URL (what `--tuf-repo` treats as remote).
pub fn is_url(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Percent-encode a path for a URL, keeping `/` and the unreserved characters.
fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl HttpRepository {
    /// A repository at `metadata_url` (targets under `targets_url`, default
    /// `metadata_url/targets`), each request bounded by `timeout` overall.
    pub fn new(metadata_url: &str, targets_url: Option<&str>, timeout: Duration) -> Self {
        let metadata_url = metadata_url.trim_end_matches('/').to_string();
        let targets_url = targets_url.map_or_else(
            || format!("{metadata_url}/targets"),
            |t| t.trim_end_matches('/').to_string(),
        );
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::WebPki)
            .unversioned_rustls_crypto_provider(provider)
            .build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
            .timeout_global(Some(timeout))
            .user_agent(concat!("tollgate/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpRepository {
            metadata_url,
            targets_url,
            agent: config.new_agent(),
        }
    }

    fn url(&self, item: Item<'_>) -> String {
        match item {
            Item::Metadata(n) => format!("{}/{}", self.metadata_url, encode_path(n)),
            Item::Target(p) => format!("{}/{}", self.targets_url, encode_path(p)),
        }
    }
}

fn fetch_failed(url: &str, message: String) -> FetchError {
    FetchError::Failed(TufError {
        info: &sig::TUF_FETCH,
        file: url.to_string(),
        message,
    })
}

impl Repository for HttpRepository {
    fn name(&self, item: Item<'_>) -> String {
        self.url(item)
    }

    fn fetch(&self, item: Item<'_>, limit: u64) -> Result<Vec<u8>, FetchError> {
        let url = self.url(item);
        let mut resp = match self.agent.get(&url).call() {
            Ok(r) => r,
            Err(e) => return Err(fetch_failed(&url, format!("GET failed: {e}"))),
        };
        let status = resp.status();
        if status == 404 || status == 403 {
            return Err(FetchError::NotFound(TufError {
                info: &sig::TUF_FETCH,
                file: url.clone(),
                message: format!("HTTP {}", status_text(status)),
            }));
        }
        if status != 200 {
            return Err(fetch_failed(&url, format!("HTTP {}", status_text(status))));
        }
        // A declared length above the limit is refused before the body is read.
        if let Some(n) = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            && n > limit
        {
            return Err(FetchError::TooLarge { name: url, limit });
        }
        let reader = resp.body_mut().as_reader();
        read_limited(reader, limit).map_err(|e| match e {
            ReadError::TooLarge => FetchError::TooLarge {
                name: url.clone(),
                limit,
            },
            ReadError::Io(e) => fetch_failed(
                &url,
                format!("the response was cut short or could not be read: {e}"),
            ),
        })
    }
}

fn status_text(status: ureq::http::StatusCode) -> String {
    match status.canonical_reason() {
        Some(r) => format!("{} {r}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The repository `--tuf-repo` names: a URL or a directory.
pub fn open(
    repo: &str,
    targets_url: Option<&str>,
    timeout: Duration,
) -> Box<dyn Repository + Send + Sync> {
    if is_url(repo) {
        Box::new(HttpRepository::new(repo, targets_url, timeout))
    } else {
        Box::new(DirRepository {
            dir: Path::new(repo).to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert!(is_url("https://tuf-repo-cdn.sigstore.dev"));
        assert!(is_url("HTTP://x"));
        assert!(!is_url("mirror/"));
        assert!(!is_url("http:x"));
        assert_eq!(encode_path("a/b c.json"), "a/b%20c.json");
        let r = HttpRepository::new("http://h/m/", None, Duration::from_secs(1));
        assert_eq!(
            r.url(Item::Metadata("1.root.json")),
            "http://h/m/1.root.json"
        );
        assert_eq!(r.url(Item::Target("d/x")), "http://h/m/targets/d/x");
        let r = HttpRepository::new("http://h/m", Some("http://t/"), Duration::from_secs(1));
        assert_eq!(r.url(Item::Target("x")), "http://t/x");
    }

    #[test]
    fn directory_limits() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("metadata")).unwrap();
        std::fs::write(d.path().join("metadata/t.json"), b"12345").unwrap();
        let r = DirRepository {
            dir: d.path().to_path_buf(),
        };
        assert_eq!(r.fetch(Item::Metadata("t.json"), 5).unwrap(), b"12345");
        assert!(matches!(
            r.fetch(Item::Metadata("t.json"), 4),
            Err(FetchError::TooLarge { limit: 4, .. })
        ));
        assert!(matches!(
            r.fetch(Item::Metadata("nope.json"), 4),
            Err(FetchError::NotFound(_))
        ));
        assert!(matches!(
            r.fetch(Item::Target("t.json"), 4),
            Err(FetchError::NotFound(_))
        ));
    }

    #[test]
    fn cache_layout() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().to_path_buf();
        let consistent = CacheRepository {
            dir: dir.clone(),
            consistent: true,
        };
        let plain = CacheRepository {
            dir: dir.clone(),
            consistent: false,
        };
        let path = |r: &CacheRepository, i| r.path(i);
        // One root per cache: a newer one is never found.
        assert_eq!(path(&consistent, Item::Metadata("13.root.json")), None);
        assert_eq!(path(&plain, Item::Metadata("2.root.json")), None);
        assert_eq!(
            path(&consistent, Item::Metadata("7.snapshot.json")),
            Some(dir.join("snapshot.json"))
        );
        assert_eq!(
            path(&consistent, Item::Metadata("3.role.json")),
            Some(dir.join("role.json"))
        );
        assert_eq!(
            path(&consistent, Item::Metadata("timestamp.json")),
            Some(dir.join("timestamp.json"))
        );
        // Without consistent snapshots names are taken as they are ("5.x" is a role's name).
        assert_eq!(
            path(&plain, Item::Metadata("5.x.json")),
            Some(dir.join("5.x.json"))
        );
        assert_eq!(
            path(&consistent, Item::Target("d/t")),
            Some(dir.join("targets/d/t"))
        );
        assert!(matches!(
            consistent.fetch(Item::Metadata("13.root.json"), 10),
            Err(FetchError::NotFound(_))
        ));
        std::fs::write(dir.join("snapshot.json"), b"{}").unwrap();
        assert_eq!(
            consistent
                .fetch(Item::Metadata("9.snapshot.json"), 10)
                .unwrap(),
            b"{}"
        );
    }
}
