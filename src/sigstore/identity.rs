//! Who may have signed: the certificate identity (SAN), its OIDC issuer and, for GitHub Actions,
//! the workflow extensions Fulcio copies from the token (repository, ref, trigger, SHA, name).

use super::diags as sig;
use crate::report::CodeInfo;
use regex::Regex;
use sigstore_verify::crypto::CertificateInfo;

/// The identity policy for keyless signatures. Unset fields are not checked; a policy with no
/// identity and no issuer is refused by the commands (cosign's rule: name who may sign).
#[derive(Debug, Clone, Default)]
pub struct IdentityPolicy {
    /// The SAN (email or URI) exactly.
    pub identity: Option<String>,
    /// A regular expression the SAN must match (unanchored, like cosign: write `^…$`).
    pub identity_regexp: Option<Regex>,
    /// The OIDC issuer exactly.
    pub issuer: Option<String>,
    /// A regular expression the issuer must match.
    pub issuer_regexp: Option<Regex>,
    /// GitHub repository, `owner/repo` (or `https://github.com/owner/repo`).
    pub github_repository: Option<String>,
    /// GitHub ref, e.g. `refs/heads/main`.
    pub github_ref: Option<String>,
    /// GitHub event that triggered the workflow, e.g. `push`.
    pub github_trigger: Option<String>,
    /// The commit SHA of the workflow run.
    pub github_sha: Option<String>,
    /// The workflow's display name.
    pub github_name: Option<String>,
}

/// The claims of a signing certificate the policy looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub san: Option<String>,
    pub issuer: Option<String>,
    /// `owner/repo`.
    pub repository: Option<String>,
    pub git_ref: Option<String>,
    pub trigger: Option<String>,
    pub sha: Option<String>,
    pub workflow_name: Option<String>,
}

impl Claims {
    /// The claims of a parsed Fulcio certificate: the deprecated GitHub extensions where present,
    /// else their provider-neutral successors.
    pub fn from_certificate(cert: &CertificateInfo) -> Self {
        let c = &cert.ci_claims;
        let gh = &c.deprecated_github;
        Claims {
            san: cert.identity.as_ref().map(|s| s.as_str().to_string()),
            issuer: cert.issuer.clone(),
            repository: gh.workflow_repository.clone().or_else(|| {
                c.source_repository_uri
                    .as_deref()
                    .map(|u| strip_github(u).to_string())
            }),
            git_ref: gh.workflow_ref.clone().or(c.source_repository_ref.clone()),
            trigger: gh.workflow_trigger.clone().or(c.build_trigger.clone()),
            sha: gh
                .workflow_sha
                .clone()
                .or(c.source_repository_digest.clone()),
            workflow_name: gh.workflow_name.clone(),
        }
    }
}

/// A failed identity check: which code and why.
#[derive(Debug, Clone)]
pub struct IdentityFailure {
    pub info: &'static CodeInfo,
    pub message: String,
}

fn show(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_string(), |s| format!("{s:?}"))
}

fn strip_github(s: &str) -> &str {
    let s = s.trim_end_matches('/');
    s.strip_prefix("https://github.com/")
        .or_else(|| s.strip_prefix("github.com/"))
        .unwrap_or(s)
}

impl IdentityPolicy {
    /// Whether any identity or issuer constraint is set.
    pub fn is_set(&self) -> bool {
        self.identity.is_some()
            || self.identity_regexp.is_some()
            || self.issuer.is_some()
            || self.issuer_regexp.is_some()
    }

    /// Check a verified certificate's claims. Returns a description of what matched.
    pub fn check(&self, claims: &Claims) -> Result<String, IdentityFailure> {
        let san = claims.san.as_deref();
        let fail = |info, message| Err(IdentityFailure { info, message });
        if let Some(want) = &self.identity
            && san != Some(want.as_str())
        {
            return fail(
                &sig::IDENTITY_MISMATCH,
                format!(
                    "certificate identity is {}, the policy requires {want:?}",
                    show(san)
                ),
            );
        }
        if let Some(re) = &self.identity_regexp
            && !san.is_some_and(|s| re.is_match(s))
        {
            return fail(
                &sig::IDENTITY_MISMATCH,
                format!(
                    "certificate identity is {}, the policy requires a match of /{}/",
                    show(san),
                    re.as_str()
                ),
            );
        }
        let issuer = claims.issuer.as_deref();
        if let Some(want) = &self.issuer
            && issuer != Some(want.as_str())
        {
            return fail(
                &sig::ISSUER_MISMATCH,
                format!(
                    "certificate OIDC issuer is {}, the policy requires {want:?}",
                    show(issuer)
                ),
            );
        }
        if let Some(re) = &self.issuer_regexp
            && !issuer.is_some_and(|s| re.is_match(s))
        {
            return fail(
                &sig::ISSUER_MISMATCH,
                format!(
                    "certificate OIDC issuer is {}, the policy requires a match of /{}/",
                    show(issuer),
                    re.as_str()
                ),
            );
        }
        let checks: [(&str, &Option<String>, Option<String>, bool); 5] = [
            (
                "repository",
                &self.github_repository,
                claims.repository.clone(),
                true,
            ),
            ("ref", &self.github_ref, claims.git_ref.clone(), false),
            (
                "trigger",
                &self.github_trigger,
                claims.trigger.clone(),
                false,
            ),
            ("sha", &self.github_sha, claims.sha.clone(), false),
            (
                "name",
                &self.github_name,
                claims.workflow_name.clone(),
                false,
            ),
        ];
        for (what, want, have, is_repo) in checks {
            let Some(want) = want else { continue };
            let ok = match &have {
                Some(h) if is_repo => strip_github(h).eq_ignore_ascii_case(strip_github(want)),
                Some(h) => h == want,
                None => false,
            };
            if !ok {
                return fail(
                    &sig::GITHUB_CLAIM_MISMATCH,
                    format!(
                        "certificate GitHub workflow {what} is {}, the policy requires {want:?}",
                        show(have.as_deref())
                    ),
                );
            }
        }
        Ok(format!(
            "identity {} (issuer {})",
            san.unwrap_or("none"),
            issuer.unwrap_or("none")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(san: &str, issuer: &str) -> Claims {
        Claims {
            san: Some(san.into()),
            issuer: Some(issuer.into()),
            repository: Some("org/repo".into()),
            git_ref: Some("refs/heads/main".into()),
            ..Default::default()
        }
    }

    #[test]
    fn exact_regexp_issuer_and_github() {
        let c = cert(
            "https://github.com/org/repo/.github/workflows/r.yml@refs/heads/main",
            "https://token.actions.githubusercontent.com",
        );
        let mut p = IdentityPolicy {
            identity_regexp: Some(Regex::new("^https://github.com/org/").unwrap()),
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            github_repository: Some("https://github.com/ORG/repo".into()),
            github_ref: Some("refs/heads/main".into()),
            ..Default::default()
        };
        assert!(p.check(&c).is_ok());
        p.github_ref = Some("refs/heads/dev".into());
        assert_eq!(p.check(&c).unwrap_err().info.code, "SIG007");
        p.github_ref = None;
        p.identity = Some("someone@example.com".into());
        assert_eq!(p.check(&c).unwrap_err().info.code, "SIG005");
        p.identity = None;
        p.issuer = Some("https://accounts.google.com".into());
        assert_eq!(p.check(&c).unwrap_err().info.code, "SIG006");
    }
}
