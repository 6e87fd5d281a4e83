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

title="tollgate sbom-validate"
heading="tollgate sbom validate"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code errors warnings files=file_count sarif=sarif_out report
file_count=0

# --- arguments -----------------------------------------------------------------------------

profile=${TOLLGATE_PROFILE:-}
case "$profile" in
    "" | ntia | cisa-2025) ;;
    *) bad_input "profile must be empty, 'ntia' or 'cisa-2025', got '$profile'" ;;
esac
parse_bool fail-on-warnings "${TOLLGATE_FAIL_ON_WARNINGS:-}" false
strict=$flag

# --- files ---------------------------------------------------------------------------------

expand_globs warn "" "${TOLLGATE_FILES:-}"
patterns=(${words[@]+"${words[@]}"})
[[ ${#patterns[@]} -gt 0 ]] || bad_input "the files input is empty"
files=(${expanded[@]+"${expanded[@]}"})
file_count=${#files[@]}
[[ $file_count -gt 0 ]] || bad_input "no SBOM files matched '${patterns[*]}' (in $PWD)"

# --- run tollgate --------------------------------------------------------------------------

args=(sbom validate)
[[ -z "$profile" ]] || args+=(--profile "$profile")
[[ "$strict" == false ]] || args+=(--strict)
args+=(-- "${files[@]}")

report=$(mktemp "$tmp_dir/tollgate-sbom-validate.XXXXXX")
echo "tollgate sbom validate: ${file_count} file(s), profile ${profile:-none}, fail-on-warnings ${strict}"
run_with_annotations "$report" "${TOLLGATE_SARIF_FILE:-}" "${args[@]}"

# --- outputs -------------------------------------------------------------------------------

find_python
read_report "$report" '
def facts(r):
    s = r.get("summary") or {}
    print(r["verdict"], r.get("exitCode", ""), s.get("errors", ""), s.get("warnings", ""), sep="\t")
'
IFS=$'\t' read -r verdict report_exit errors warnings <<<"$parsed"
settle_verdict "$report_exit"

set_outputs
echo "tollgate sbom validate: verdict ${verdict}, exit code ${exit_code}, ${errors:-?} error(s), ${warnings:-?} warning(s)"
exit "$exit_code"
