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

key_pem=${TOLLGATE_KEY_PEM:-}
unset TOLLGATE_KEY_PEM

title="tollgate verify"
if ((BASH_VERSINFO[0] < 4)); then
    echo "::error title=$title::bash 4 or newer is needed (found $BASH_VERSION)"
    exit 2
fi

tollgate=${TOLLGATE_BIN:-}
if [[ -z "$tollgate" ]]; then
    tollgate=$(command -v tollgate) || {
        echo "::error title=$title::tollgate is not on PATH (use the install input or actions/setup)"
        exit 2
    }
fi

verdict=error
exit_code=2
checks_passed=""
checks_failed=""
artifact_count=0
report=""
sarif_out=""

tmp_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
pem_files=()
cleanup() {
    if [[ ${#pem_files[@]} -gt 0 ]]; then
        rm -f -- "${pem_files[@]}"
    fi
}
trap cleanup EXIT

set_outputs() {
    [[ -n "${GITHUB_OUTPUT:-}" ]] || return 0
    {
        printf 'verdict=%s\n' "$verdict"
        printf 'exit-code=%s\n' "$exit_code"
        printf 'checks-passed=%s\n' "$checks_passed"
        printf 'checks-failed=%s\n' "$checks_failed"
        printf 'artifacts=%s\n' "$artifact_count"
        printf 'report=%s\n' "$report"
        printf 'sarif=%s\n' "$sarif_out"
    } >>"$GITHUB_OUTPUT"
}

# bad_input MESSAGE: an ::error annotation, a line in the job summary, exit 2.
bad_input() {
    echo "::error title=$title::$1"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '### tollgate verify provenance: error\n\n%s\n\n' "$1" >>"$GITHUB_STEP_SUMMARY"
    fi
    set_outputs
    exit 2
}

# split_words VALUE: VALUE split on whitespace, without globbing, into the array `words`.
split_words() {
    set -f
    # shellcheck disable=SC2206 # split on whitespace, no globbing (set -f)
    words=($1)
    set +f
}

# expand WHAT VALUE: the files matched by the patterns in VALUE, into the array `expanded`
# (deduplicated, in order). A pattern without glob characters is kept as a file name; a glob
# matching no file is bad input.
shopt -s globstar nullglob
expand() {
    local what=$1 pattern m n old_ifs seen=$'\n'
    local -a matches
    expanded=()
    split_words "$2"
    for pattern in ${words[@]+"${words[@]}"}; do
        if [[ "$pattern" == *[*?[]* ]]; then
            old_ifs=$IFS
            IFS=''
            # shellcheck disable=SC2206 # the glob is meant to expand here
            matches=($pattern)
            IFS=$old_ifs
            n=0
            for m in ${matches[@]+"${matches[@]}"}; do
                if [[ -f "$m" && "$seen" != *$'\n'"$m"$'\n'* ]]; then
                    seen+="$m"$'\n'
                    expanded+=("$m")
                    n=$((n + 1))
                elif [[ -f "$m" ]]; then
                    n=$((n + 1))
                fi
            done
            [[ $n -gt 0 ]] || bad_input "$what pattern '$pattern' matched no files (in $PWD)"
        elif [[ "$seen" != *$'\n'"$pattern"$'\n'* ]]; then
            seen+="$pattern"$'\n'
            expanded+=("$pattern")
        fi
    done
}

# --- arguments -----------------------------------------------------------------------------

fail_on_deny=${TOLLGATE_FAIL_ON_DENY:-true}
case "$fail_on_deny" in
    true | True | TRUE | "") fail_on_deny=true ;;
    false | False | FALSE) fail_on_deny=false ;;
    *) bad_input "fail-on-deny must be 'true' or 'false', got '$fail_on_deny'" ;;
esac
threshold=${TOLLGATE_THRESHOLD:-}
threshold=${threshold//[[:space:]]/}
if [[ -n "$threshold" && ! "$threshold" =~ ^[1-9][0-9]*$ ]]; then
    bad_input "threshold must be a positive integer, got '$threshold'"
fi

args=(verify provenance)

expand provenance "${TOLLGATE_PROVENANCE:-}"
[[ ${#expanded[@]} -gt 0 ]] || bad_input "the provenance input is empty"
for f in "${expanded[@]}"; do
    args+=(--provenance "$f")
done

key_count=0
expand key "${TOLLGATE_KEYS:-}"
for f in ${expanded[@]+"${expanded[@]}"}; do
    args+=(--key "$f")
    key_count=$((key_count + 1))
done
if [[ -n "$key_pem" ]]; then
    current=""
    while IFS= read -r line || [[ -n "$line" ]]; do
        line=${line%$'\r'}
        if [[ "$line" == "-----BEGIN "* ]]; then
            current=$(mktemp "$tmp_dir/tollgate-verify-key.XXXXXX")
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
        TOLLGATE_TUF_CACHE=${TOLLGATE_TUF_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tollgate-tuf-cache}
        refresh_rc=0
        # Findings go to the log as annotations (file, code, message, hint).
        GITHUB_STEP_SUMMARY='' "$tollgate" --format github --color never trust refresh \
            --tuf-root "$TOLLGATE_TUF_ROOT" --tuf-repo "$TOLLGATE_TUF_REPO" \
            --cache "$TOLLGATE_TUF_CACHE" || refresh_rc=$?
        if ((refresh_rc == 1)); then
            # The repository's metadata was refused (tampered, expired, rolled back): a denial.
            msg="trust refresh from $TOLLGATE_TUF_REPO denied: its metadata was refused (see the annotations above); nothing was verified"
            echo "::error title=$title::$msg"
            if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
                printf '### tollgate verify provenance: deny\n\n%s\n\n' "$msg" >>"$GITHUB_STEP_SUMMARY"
            fi
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

expand artifact "${TOLLGATE_ARTIFACTS:-}"
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

# The JSON run is the verdict of record, and the one that appends the job summary.
set +e
"$tollgate" --format json --color never --output "$report" "${args[@]}"
exit_code=$?
# Annotations (from the log), without a second summary or error lines.
env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "${args[@]}" 2>/dev/null
github_rc=$?
sarif_rc=0
sarif_file=${TOLLGATE_SARIF_FILE:-}
if [[ -n "$sarif_file" ]]; then
    mkdir -p "$(dirname "$sarif_file")"
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format sarif --color never --output "$sarif_file" "${args[@]}" 2>/dev/null
    sarif_rc=$?
fi
set -e

if [[ $github_rc -ne $exit_code ]]; then
    echo "::warning title=$title::the annotations run exited $github_rc, the JSON run $exit_code"
fi
if [[ -n "$sarif_file" ]]; then
    if [[ -f "$sarif_file" ]]; then
        sarif_out="$(cd "$(dirname "$sarif_file")" && pwd)/$(basename "$sarif_file")"
    else
        echo "::warning title=$title::no SARIF was written to $sarif_file (exit $sarif_rc)"
    fi
fi

# --- outputs -------------------------------------------------------------------------------

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done
parsed=""
if [[ -s "$report" && -n "$python" ]]; then
    parsed=$("$python" -c '
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
    checks = (r.get("data") or {}).get("checks") or []
    passed = sum(1 for c in checks if c.get("passed"))
    print(r["verdict"], r.get("exitCode", ""), passed, len(checks) - passed, sep="\t")
except Exception as e:  # noqa: BLE001 - any unreadable report falls back to the exit code
    print("unreadable JSON report:", e, file=sys.stderr)
' "$report") || parsed=""
fi
if [[ -n "$parsed" ]]; then
    IFS=$'\t' read -r verdict report_exit checks_passed checks_failed <<<"$parsed"
    if [[ -n "$report_exit" && "$report_exit" != "$exit_code" ]]; then
        echo "::warning title=$title::the report says exit code $report_exit, tollgate exited $exit_code"
    fi
else
    case "$exit_code" in
        0) verdict=pass ;;
        1) verdict=deny ;;
        *) verdict=error ;;
    esac
    [[ -s "$report" ]] || report=""
fi

set_outputs
echo "tollgate verify provenance: verdict ${verdict}, exit code ${exit_code}, ${checks_passed:-?} check(s) passed, ${checks_failed:-?} failed"
if [[ $exit_code -eq 1 && "$fail_on_deny" == false ]]; then
    echo "::warning title=$title::verification denied; the step passes because fail-on-deny is false"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '\n_fail-on-deny is false: the step passed although verification denied._\n\n' >>"$GITHUB_STEP_SUMMARY"
    fi
    exit 0
fi
exit "$exit_code"
