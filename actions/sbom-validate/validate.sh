#!/usr/bin/env bash
# Run `tollgate sbom validate` for actions/sbom-validate/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN               the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_FILES             glob patterns separated by spaces or newlines (bash globstar:
#                              `**` crosses directories; dotfiles are not matched); a pattern
#                              without glob characters is passed through as a file name
#   TOLLGATE_PROFILE           "", ntia or cisa-2025
#   TOLLGATE_FAIL_ON_WARNINGS  "true" adds --strict
#   TOLLGATE_SARIF_FILE        where to write SARIF ("" for none)
# Writes the outputs verdict, exit-code, errors, warnings, files, sarif and report to
# GITHUB_OUTPUT, and exits with tollgate's exit code: 0 pass, 1 deny, 2 bad input.
set -euo pipefail

if ((BASH_VERSINFO[0] < 4)); then
    echo "::error title=tollgate sbom-validate::bash 4 or newer is needed (found $BASH_VERSION)"
    exit 2
fi

tollgate=${TOLLGATE_BIN:-}
if [[ -z "$tollgate" ]]; then
    tollgate=$(command -v tollgate) || {
        echo "::error title=tollgate sbom-validate::tollgate is not on PATH (use the install input or actions/setup)"
        exit 2
    }
fi

verdict=error
exit_code=2
errors=""
warnings=""
file_count=0
sarif_out=""
report=""

set_outputs() {
    [[ -n "${GITHUB_OUTPUT:-}" ]] || return 0
    {
        printf 'verdict=%s\n' "$verdict"
        printf 'exit-code=%s\n' "$exit_code"
        printf 'errors=%s\n' "$errors"
        printf 'warnings=%s\n' "$warnings"
        printf 'files=%s\n' "$file_count"
        printf 'sarif=%s\n' "$sarif_out"
        printf 'report=%s\n' "$report"
    } >>"$GITHUB_OUTPUT"
}

# bad_input MESSAGE: an ::error annotation, a line in the job summary, exit 2.
bad_input() {
    echo "::error title=tollgate sbom-validate::$1"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '### tollgate sbom validate: error\n\n%s\n\n' "$1" >>"$GITHUB_STEP_SUMMARY"
    fi
    set_outputs
    exit 2
}

# --- arguments -----------------------------------------------------------------------------

profile=${TOLLGATE_PROFILE:-}
case "$profile" in
    "" | ntia | cisa-2025) ;;
    *) bad_input "profile must be empty, 'ntia' or 'cisa-2025', got '$profile'" ;;
esac
strict=${TOLLGATE_FAIL_ON_WARNINGS:-false}
case "$strict" in
    true | True | TRUE) strict=true ;;
    false | False | FALSE | "") strict=false ;;
    *) bad_input "fail-on-warnings must be 'true' or 'false', got '$strict'" ;;
esac

# --- files ---------------------------------------------------------------------------------

shopt -s globstar nullglob
set -f
# shellcheck disable=SC2206 # split on whitespace, no globbing (set -f): one word per pattern
patterns=(${TOLLGATE_FILES:-})
set +f
[[ ${#patterns[@]} -gt 0 ]] || bad_input "the files input is empty"

files=()
seen=$'\n'
add_file() {
    if [[ "$seen" != *$'\n'"$1"$'\n'* ]]; then
        seen+="$1"$'\n'
        files+=("$1")
    fi
}
for pattern in "${patterns[@]}"; do
    if [[ "$pattern" == *[*?[]* ]]; then
        # IFS='' so a match is never split; the pattern itself has no whitespace.
        old_ifs=$IFS
        IFS=''
        # shellcheck disable=SC2206 # the glob is meant to expand here
        matches=($pattern)
        IFS=$old_ifs
        n=0
        for m in ${matches[@]+"${matches[@]}"}; do
            if [[ -f "$m" ]]; then
                add_file "$m"
                n=$((n + 1))
            fi
        done
        if [[ $n -eq 0 ]]; then
            echo "::warning title=tollgate sbom-validate::pattern '$pattern' matched no files (in $PWD)"
        fi
    else
        add_file "$pattern"
    fi
done
file_count=${#files[@]}
[[ $file_count -gt 0 ]] || bad_input "no SBOM files matched '${patterns[*]}' (in $PWD)"

# --- run tollgate --------------------------------------------------------------------------

args=(sbom validate)
[[ -z "$profile" ]] || args+=(--profile "$profile")
[[ "$strict" == false ]] || args+=(--strict)
args+=(--)
for f in "${files[@]}"; do
    args+=("$f")
done

report_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
report=$(mktemp "$report_dir/tollgate-sbom-validate.XXXXXX")
echo "tollgate sbom validate: ${file_count} file(s), profile ${profile:-none}, fail-on-warnings ${strict}"

# The JSON run is the verdict of record, and the one that appends the job summary.
set +e
"$tollgate" --format json --color never --output "$report" "${args[@]}"
exit_code=$?
# Annotations for the pull request (from the log), without a second summary or error lines.
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
    echo "::warning title=tollgate sbom-validate::the annotations run exited $github_rc, the JSON run $exit_code"
fi
if [[ -n "$sarif_file" ]]; then
    if [[ -f "$sarif_file" ]]; then
        sarif_out="$(cd "$(dirname "$sarif_file")" && pwd)/$(basename "$sarif_file")"
    else
        echo "::warning title=tollgate sbom-validate::no SARIF was written to $sarif_file (exit $sarif_rc)"
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
    s = r.get("summary") or {}
    print(r["verdict"], r.get("exitCode", ""), s.get("errors", ""), s.get("warnings", ""), sep="\t")
except Exception as e:  # noqa: BLE001 - any unreadable report falls back to the exit code
    print("unreadable JSON report:", e, file=sys.stderr)
' "$report") || parsed=""
fi
if [[ -n "$parsed" ]]; then
    IFS=$'\t' read -r verdict report_exit errors warnings <<<"$parsed"
    if [[ -n "$report_exit" && "$report_exit" != "$exit_code" ]]; then
        echo "::warning title=tollgate sbom-validate::the report says exit code $report_exit, tollgate exited $exit_code"
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
echo "tollgate sbom validate: verdict ${verdict}, exit code ${exit_code}, ${errors:-?} error(s), ${warnings:-?} warning(s)"
exit "$exit_code"
