//! What the CI environment says about a build, for provenance: GitHub Actions and GitLab CI.
//! Reads only the variables handed in (`Env::vars`), never the process environment, so tests can
//! inject any CI. See docs/provenance.md for the mapping.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The CI system a build ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiSystem {
    GitHubActions,
    GitLabCi,
}

impl CiSystem {
    pub fn name(self) -> &'static str {
        match self {
            CiSystem::GitHubActions => "github-actions",
            CiSystem::GitLabCi => "gitlab-ci",
        }
    }
}

/// Defaults for provenance fields derived from the CI environment; every one can be overridden
/// by a flag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CiInfo {
    pub system: Option<CiSystem>,
    pub builder_id: Option<String>,
    /// `git+https://host/org/repo`
    pub source_uri: Option<String>,
    /// `refs/heads/main`, `refs/tags/v1`, `refs/merge-requests/7/head`…
    pub source_ref: Option<String>,
    /// The commit.
    pub source_digest: Option<String>,
    pub invocation_id: Option<String>,
    /// Extra `externalParameters` entries (`workflow` on GitHub, `pipeline` on GitLab).
    pub external: Map<String, Value>,
    /// `internalParameters` (run ids, event, runner environment…).
    pub internal: Map<String, Value>,
}

fn get<'a>(vars: &'a BTreeMap<String, String>, k: &str) -> Option<&'a str> {
    vars.get(k).map(String::as_str).filter(|v| !v.is_empty())
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        m.insert(k.to_string(), json!(v));
    }
}

/// Detect GitHub Actions (`GITHUB_ACTIONS=true`) or GitLab CI (`GITLAB_CI=true`) and read what
/// they say about the build; `CiInfo::default()` elsewhere.
pub fn detect(vars: &BTreeMap<String, String>) -> CiInfo {
    if get(vars, "GITHUB_ACTIONS") == Some("true") {
        github(vars)
    } else if get(vars, "GITLAB_CI") == Some("true") {
        gitlab(vars)
    } else {
        CiInfo::default()
    }
}

fn github(vars: &BTreeMap<String, String>) -> CiInfo {
    let v = |k| get(vars, k);
    let server = v("GITHUB_SERVER_URL")
        .unwrap_or("https://github.com")
        .trim_end_matches('/');
    let repo = v("GITHUB_REPOSITORY");
    let repo_url = repo.map(|r| format!("{server}/{r}"));
    // GitHub's hosted-runner convention (as in actions/attest-build-provenance): the builder is
    // the runner platform, not the tenant's workflow, which is an external parameter.
    let runner = match v("RUNNER_ENVIRONMENT") {
        Some("github-hosted") => "github-hosted",
        _ => "self-hosted",
    };
    let mut info = CiInfo {
        system: Some(CiSystem::GitHubActions),
        builder_id: Some(format!("{server}/actions/runner/{runner}")),
        source_uri: repo_url.as_ref().map(|u| format!("git+{u}")),
        source_ref: v("GITHUB_REF").map(str::to_string),
        source_digest: v("GITHUB_SHA").map(str::to_string),
        ..Default::default()
    };
    if let (Some(r), Some(run)) = (repo, v("GITHUB_RUN_ID")) {
        info.invocation_id = Some(format!(
            "{server}/{r}/actions/runs/{run}/attempts/{}",
            v("GITHUB_RUN_ATTEMPT").unwrap_or("1")
        ));
    }
    // GITHUB_WORKFLOW_REF = owner/repo/.github/workflows/release.yml@refs/heads/main
    let mut workflow = Map::new();
    put(&mut workflow, "repository", repo_url.as_deref());
    if let Some(wf) = v("GITHUB_WORKFLOW_REF") {
        let (path_part, wref) = wf.rsplit_once('@').unwrap_or((wf, ""));
        let path = match repo {
            Some(r) => path_part
                .strip_prefix(r)
                .map(|p| p.trim_start_matches('/'))
                .unwrap_or(path_part),
            None => path_part,
        };
        put(&mut workflow, "path", Some(path));
        put(&mut workflow, "ref", (!wref.is_empty()).then_some(wref));
    } else {
        put(&mut workflow, "ref", v("GITHUB_REF"));
    }
    if !workflow.is_empty() {
        info.external
            .insert("workflow".into(), Value::Object(workflow));
    }
    let mut gh = Map::new();
    for (key, var) in [
        ("event_name", "GITHUB_EVENT_NAME"),
        ("repository_id", "GITHUB_REPOSITORY_ID"),
        ("repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"),
        ("run_id", "GITHUB_RUN_ID"),
        ("run_attempt", "GITHUB_RUN_ATTEMPT"),
        ("run_number", "GITHUB_RUN_NUMBER"),
        ("runner_environment", "RUNNER_ENVIRONMENT"),
        ("workflow_ref", "GITHUB_WORKFLOW_REF"),
        ("workflow_sha", "GITHUB_WORKFLOW_SHA"),
        ("actor_id", "GITHUB_ACTOR_ID"),
    ] {
        put(&mut gh, key, v(var));
    }
    if !gh.is_empty() {
        info.internal.insert("github".into(), Value::Object(gh));
    }
    info
}

fn gitlab(vars: &BTreeMap<String, String>) -> CiInfo {
    let v = |k| get(vars, k);
    let server = v("CI_SERVER_URL")
        .unwrap_or("https://gitlab.com")
        .trim_end_matches('/');
    let project_url = v("CI_PROJECT_URL")
        .map(str::to_string)
        .or_else(|| v("CI_PROJECT_PATH").map(|p| format!("{server}/{p}")));
    // GitLab's own artifact provenance names the runner: <project>/-/runners/<id>.
    let builder_id = match (&project_url, v("CI_RUNNER_ID")) {
        (Some(p), Some(id)) => Some(format!("{p}/-/runners/{id}")),
        (Some(p), None) => Some(format!("{p}/-/runners")),
        (None, _) => Some(format!("{server}/-/runners")),
    };
    let source_ref = if let Some(tag) = v("CI_COMMIT_TAG") {
        Some(format!("refs/tags/{tag}"))
    } else if let Some(mr) = v("CI_MERGE_REQUEST_REF_PATH") {
        Some(mr.to_string())
    } else {
        v("CI_COMMIT_BRANCH")
            .or(v("CI_COMMIT_REF_NAME"))
            .map(|b| format!("refs/heads/{b}"))
    };
    let invocation_id =
        v("CI_JOB_URL")
            .map(str::to_string)
            .or_else(|| match (&project_url, v("CI_JOB_ID")) {
                (Some(p), Some(j)) => Some(format!("{p}/-/jobs/{j}")),
                _ => None,
            });
    let mut info = CiInfo {
        system: Some(CiSystem::GitLabCi),
        builder_id,
        source_uri: project_url.as_ref().map(|u| format!("git+{u}")),
        source_ref: source_ref.clone(),
        source_digest: v("CI_COMMIT_SHA").map(str::to_string),
        invocation_id,
        ..Default::default()
    };
    let mut pipeline = Map::new();
    put(&mut pipeline, "project", project_url.as_deref());
    put(&mut pipeline, "ref", source_ref.as_deref());
    put(&mut pipeline, "path", v("CI_CONFIG_PATH"));
    put(&mut pipeline, "job", v("CI_JOB_NAME"));
    if !pipeline.is_empty() {
        info.external
            .insert("pipeline".into(), Value::Object(pipeline));
    }
    let mut gl = Map::new();
    for (key, var) in [
        ("pipeline_id", "CI_PIPELINE_ID"),
        ("pipeline_source", "CI_PIPELINE_SOURCE"),
        ("pipeline_url", "CI_PIPELINE_URL"),
        ("job_id", "CI_JOB_ID"),
        ("project_id", "CI_PROJECT_ID"),
        ("runner_id", "CI_RUNNER_ID"),
        ("runner_description", "CI_RUNNER_DESCRIPTION"),
        ("server_version", "CI_SERVER_VERSION"),
    ] {
        put(&mut gl, key, v(var));
    }
    if !gl.is_empty() {
        info.internal.insert("gitlab".into(), Value::Object(gl));
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_outside_ci() {
        assert_eq!(detect(&vars(&[("GITHUB_SHA", "x")])), CiInfo::default());
    }

    #[test]
    fn github_actions() {
        let i = detect(&vars(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_REF", "refs/tags/v1"),
            ("GITHUB_SHA", "abc"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            (
                "GITHUB_WORKFLOW_REF",
                "o/r/.github/workflows/rel.yml@refs/tags/v1",
            ),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ]));
        assert_eq!(
            i.builder_id.as_deref(),
            Some("https://github.com/actions/runner/github-hosted")
        );
        assert_eq!(i.source_uri.as_deref(), Some("git+https://github.com/o/r"));
        assert_eq!(
            i.invocation_id.as_deref(),
            Some("https://github.com/o/r/actions/runs/42/attempts/2")
        );
        assert_eq!(
            i.external["workflow"],
            json!({"repository": "https://github.com/o/r", "path": ".github/workflows/rel.yml",
                   "ref": "refs/tags/v1"})
        );
    }

    #[test]
    fn gitlab_ci() {
        let i = detect(&vars(&[
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_PROJECT_URL", "https://gitlab.example.com/g/p"),
            ("CI_COMMIT_SHA", "abc"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_RUNNER_ID", "7"),
            ("CI_JOB_ID", "9"),
        ]));
        assert_eq!(
            i.builder_id.as_deref(),
            Some("https://gitlab.example.com/g/p/-/runners/7")
        );
        assert_eq!(i.source_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(
            i.invocation_id.as_deref(),
            Some("https://gitlab.example.com/g/p/-/jobs/9")
        );
        let t = detect(&vars(&[("GITLAB_CI", "true"), ("CI_COMMIT_TAG", "v2")]));
        assert_eq!(t.source_ref.as_deref(), Some("refs/tags/v2"));
    }
}
