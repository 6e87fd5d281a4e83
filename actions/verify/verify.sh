#!/usr/bin/env bash
# Run `tollgate verify provenance` for actions/verify/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN                   the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_ARTIFACTS             glob patterns separated by spaces or newlines (bash globstar:
#                                  `**` crosses directories; dotfiles are not matched); a pattern
#                                  without glob characters is passed through as a file name
#   TOLLGATE_ARTIFACT_DIGEST       ALG:HEX digests separated by spaces or newlines
#   TOLLGATE_PROVENANCE            signed provenance files, patterns as for the artifacts
#   TOLLGATE_KEYS                  public key files separated by spaces or newlines
#   TOLLGATE_KEY_PEM               public keys as PEM text (one or more blocks)
#   TOLLGATE_KEY_ID                key ids separated by spaces or newlines (by position)
#   TOLLGATE_THRESHOLD             how many trusted keys must have signed ("" for 1)
#   TOLLGATE_TRUSTED_ROOT, TOLLGATE_TUF_CACHE, TOLLGATE_SIGSTORE_INSTANCE
#                                  keyless (Sigstore) trust material ("" for none / production)
#   TOLLGATE_TUF_REPO, TOLLGATE_TUF_ROOT
#                                  refresh the trusted root over TUF into the cache first
#   TOLLGATE_CERT_IDENTITY, TOLLGATE_CERT_IDENTITY_REGEXP, TOLLGATE_CERT_OIDC_ISSUER,
#   TOLLGATE_CERT_GH_REPOSITORY, TOLLGATE_CERT_GH_REF, TOLLGATE_CERT_GH_TRIGGER,
#   TOLLGATE_CERT_GH_SHA           the keyless identity policy (issuer used with an identity)
#   TOLLGATE_CA_ROOTS              X.509 CA certificates (PEM) for the X.509 plugin
#   TOLLGATE_BUILDER_ID, TOLLGATE_SOURCE_URI, TOLLGATE_SOURCE_REF, TOLLGATE_SOURCE_TAG,
#   TOLLGATE_SOURCE_BRANCH, TOLLGATE_SOURCE_VERSIONED_TAG, TOLLGATE_BUILD_TYPE
#                                  the policy ("" for no requirement)
#   TOLLGATE_PREDICATE_TYPE        accepted predicate types separated by spaces or newlines
#   TOLLGATE_SARIF_FILE            where to write SARIF ("" for none)
#   TOLLGATE_FAIL_ON_DENY          "false" exits 0 on a deny (the outputs still say deny)
# Writes the outputs verdict, exit-code, checks-passed, checks-failed, artifacts, report and
# sarif to GITHUB_OUTPUT, and exits with tollgate's exit code: 0 pass, 1 deny, 2 bad input.
#
# The job summary: tollgate appends its Markdown report (the same as `--format markdown`: the
# verdict, the subjects, the Checks table and the findings) to $GITHUB_STEP_SUMMARY itself, on
# the JSON run below; the other runs unset the variable so that it appears once.
set -euo pipefail

title="tollgate verify"
heading="tollgate verify provenance"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code checks-passed checks-failed artifacts=artifact_count report sarif=sarif_out
artifact_count=0

# --- arguments -----------------------------------------------------------------------------

parse_bool fail-on-deny "${TOLLGATE_FAIL_ON_DENY:-}" true
fail_on_deny=$flag
threshold=${TOLLGATE_THRESHOLD:-}
threshold=${threshold//[[:space:]]/}
if [[ -n "$threshold" && ! "$threshold" =~ ^[1-9][0-9]*$ ]]; then
    bad_input "threshold must be a positive integer, got '$threshold'"
fi

args=(verify provenance)

expand_globs strict provenance "${TOLLGATE_PROVENANCE:-}"
[[ ${#expanded[@]} -gt 0 ]] || bad_input "the provenance input is empty"
for f in "${expanded[@]}"; do
    args+=(--provenance "$f")
done

key_count=0
expand_globs strict key "${TOLLGATE_KEYS:-}"
for f in ${expanded[@]+"${expanded[@]}"}; do
    args+=(--key "$f")
    key_count=$((key_count + 1))
done
pem_files=()
if [[ -n "$key_pem" ]]; then
    current=""
    while IFS= read -r line || [[ -n "$line" ]]; do
        line=${line%$'\r'}
        if [[ "$line" == "-----BEGIN "* ]]; then
            scratch_file current tollgate-verify-key
            pem_files+=("$current")
        fi
        [[ -z "$current" ]] || printf '%s\n' "$line" >>"$current"
        if [[ "$line" == "-----END "* ]]; then
            current=""
        fi
    done <<<"$key_pem"
    [[ ${#pem_files[@]} -gt 0 ]] || bad_input "key-pem has no PEM block (no -----BEGIN line)"
    for f in "${pem_files[@]}"; do
        args+=(--key "$f")
        key_count=$((key_count + 1))
    done
fi
keyless=false
if [[ -n "${TOLLGATE_CERT_IDENTITY:-}" || -n "${TOLLGATE_CERT_IDENTITY_REGEXP:-}" ]]; then
    keyless=true
fi
ca_roots=${TOLLGATE_CA_ROOTS:-}
if [[ $key_count -eq 0 && $keyless == false && -z "$ca_roots" ]]; then
    bad_input "no trust material: give key (public key files), key-pem (PEM text), certificate-identity(-regexp) for keyless bundles, or ca-roots"
fi
[[ -z "${TOLLGATE_CERT_IDENTITY:-}" ]] || args+=(--certificate-identity "$TOLLGATE_CERT_IDENTITY")
[[ -z "${TOLLGATE_CERT_IDENTITY_REGEXP:-}" ]] || args+=(--certificate-identity-regexp "$TOLLGATE_CERT_IDENTITY_REGEXP")
if [[ $keyless == true && -z "$ca_roots" ]]; then
    [[ -n "${TOLLGATE_CERT_OIDC_ISSUER:-}" ]] || bad_input "certificate-oidc-issuer is empty: keyless verification names the identity's issuer"
    args+=(--certificate-oidc-issuer "$TOLLGATE_CERT_OIDC_ISSUER")
    [[ -z "${TOLLGATE_TRUSTED_ROOT:-}" ]] || args+=(--trusted-root "$TOLLGATE_TRUSTED_ROOT")
    if [[ -n "${TOLLGATE_TUF_REPO:-}" ]]; then
        [[ -n "${TOLLGATE_TUF_ROOT:-}" ]] || bad_input "tuf-repo is set but tuf-root is empty: give the initial root.json the repository is trusted from"
        [[ -z "${TOLLGATE_TRUSTED_ROOT:-}" ]] || bad_input "give either trusted-root or tuf-repo, not both"
        TOLLGATE_TUF_CACHE=${TOLLGATE_TUF_CACHE:-$tmp_dir/tollgate-tuf-cache}
        refresh_rc=0
        # Findings go to the log as annotations (file, code, message, hint).
        GITHUB_STEP_SUMMARY='' "$tollgate" --format github --color never trust refresh \
            --tuf-root "$TOLLGATE_TUF_ROOT" --tuf-repo "$TOLLGATE_TUF_REPO" \
            --cache "$TOLLGATE_TUF_CACHE" || refresh_rc=$?
        if ((refresh_rc == 1)); then
            # The repository's metadata was refused (tampered, expired, rolled back): a denial.
            msg="trust refresh from $TOLLGATE_TUF_REPO denied: its metadata was refused (see the annotations above); nothing was verified"
            annotate error "$msg"
            summary "### $heading: deny" "" "$msg" ""
            verdict=deny
            exit_code=1
            set_outputs
            [[ "$fail_on_deny" == false ]] && exit 0
            exit 1
        elif ((refresh_rc != 0)); then
            bad_input "trust refresh from $TOLLGATE_TUF_REPO failed (exit $refresh_rc, see the error above): check tuf-repo, tuf-root and tuf-cache"
        fi
        echo "trusted root refreshed over TUF from $TOLLGATE_TUF_REPO into $TOLLGATE_TUF_CACHE"
    fi
    [[ -z "${TOLLGATE_TUF_CACHE:-}" ]] || args+=(--tuf-cache "$TOLLGATE_TUF_CACHE")
    [[ -z "${TOLLGATE_SIGSTORE_INSTANCE:-}" ]] || args+=(--sigstore-instance "$TOLLGATE_SIGSTORE_INSTANCE")
    [[ -z "${TOLLGATE_CERT_GH_REPOSITORY:-}" ]] || args+=(--certificate-github-workflow-repository "$TOLLGATE_CERT_GH_REPOSITORY")
    [[ -z "${TOLLGATE_CERT_GH_REF:-}" ]] || args+=(--certificate-github-workflow-ref "$TOLLGATE_CERT_GH_REF")
    [[ -z "${TOLLGATE_CERT_GH_TRIGGER:-}" ]] || args+=(--certificate-github-workflow-trigger "$TOLLGATE_CERT_GH_TRIGGER")
    [[ -z "${TOLLGATE_CERT_GH_SHA:-}" ]] || args+=(--certificate-github-workflow-sha "$TOLLGATE_CERT_GH_SHA")
fi
[[ -z "$ca_roots" ]] || args+=(--ca-roots "$ca_roots")

split_words "${TOLLGATE_KEY_ID:-}"
for id in ${words[@]+"${words[@]}"}; do
    args+=(--key-id "$id")
done
[[ -z "$threshold" ]] || args+=(--threshold "$threshold")
split_words "${TOLLGATE_ARTIFACT_DIGEST:-}"
digest_count=${#words[@]}
for d in ${words[@]+"${words[@]}"}; do
    args+=(--artifact-digest "$d")
done
[[ -z "${TOLLGATE_BUILDER_ID:-}" ]] || args+=(--builder-id "$TOLLGATE_BUILDER_ID")
[[ -z "${TOLLGATE_SOURCE_URI:-}" ]] || args+=(--source-uri "$TOLLGATE_SOURCE_URI")
[[ -z "${TOLLGATE_SOURCE_REF:-}" ]] || args+=(--source-ref "$TOLLGATE_SOURCE_REF")
[[ -z "${TOLLGATE_SOURCE_TAG:-}" ]] || args+=(--source-tag "$TOLLGATE_SOURCE_TAG")
[[ -z "${TOLLGATE_SOURCE_BRANCH:-}" ]] || args+=(--source-branch "$TOLLGATE_SOURCE_BRANCH")
[[ -z "${TOLLGATE_SOURCE_VERSIONED_TAG:-}" ]] || args+=(--source-versioned-tag "$TOLLGATE_SOURCE_VERSIONED_TAG")
[[ -z "${TOLLGATE_BUILD_TYPE:-}" ]] || args+=(--build-type "$TOLLGATE_BUILD_TYPE")
split_words "${TOLLGATE_PREDICATE_TYPE:-}"
for t in ${words[@]+"${words[@]}"}; do
    args+=(--predicate-type "$t")
done

expand_globs strict artifact "${TOLLGATE_ARTIFACTS:-}"
artifact_count=${#expanded[@]}
if [[ $artifact_count -eq 0 && $digest_count -eq 0 ]]; then
    bad_input "nothing to verify: give artifacts (files or globs), artifact-digest, or both"
fi
args+=(--)
for f in ${expanded[@]+"${expanded[@]}"}; do
    args+=("$f")
done

# --- run tollgate --------------------------------------------------------------------------

report=$(mktemp "$tmp_dir/tollgate-verify.XXXXXX")
echo "tollgate verify provenance: ${artifact_count} artifact(s), ${digest_count} digest(s), ${key_count} key(s)"
run_with_annotations "$report" "${TOLLGATE_SARIF_FILE:-}" "${args[@]}"

# --- outputs -------------------------------------------------------------------------------

find_python
read_report "$report" '
def facts(r):
    checks = (r.get("data") or {}).get("checks") or []
    passed = sum(1 for c in checks if c.get("passed"))
    print(r["verdict"], r.get("exitCode", ""), passed, len(checks) - passed, sep="\t")
'
IFS=$'\t' read -r verdict report_exit checks_passed checks_failed <<<"$parsed"
settle_verdict "$report_exit"

set_outputs
echo "tollgate verify provenance: verdict ${verdict}, exit code ${exit_code}, ${checks_passed:-?} check(s) passed, ${checks_failed:-?} failed"
if [[ $exit_code -eq 1 && "$fail_on_deny" == false ]]; then
    annotate warning "verification denied; the step passes because fail-on-deny is false"
    summary "" "_fail-on-deny is false: the step passed although verification denied._" ""
    exit 0
fi
exit "$exit_code"
