#!/usr/bin/env bash
# Run `tollgate provenance generate` and `tollgate sign` for actions/provenance/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN               the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_SUBJECTS          files or globs separated by spaces or newlines, passed to tollgate
#                              unexpanded (it expands `**` and `{a,b}` itself)
#   TOLLGATE_CHECKSUMS         a sha256sum-format file ("" for none)
#   TOLLGATE_DIGEST            sha256, sha512 or both, comma-separated
#   TOLLGATE_KEY               path of the private key, or
#   TOLLGATE_KEY_PEM           the private key itself (PEM); written to a 0600 file in RUNNER_TEMP
#                              and deleted on exit; never printed
#   TOLLGATE_SIGN_PASSWORD     the key's password ("" for none); given to `tollgate sign` only,
#                              as TOLLGATE_PASSWORD; never printed
#   TOLLGATE_SIGN_AS           envelope, jsonl or bundle
#   TOLLGATE_OUTPUT            where to write the signed provenance
#   TOLLGATE_STATEMENT_OUTPUT  where to keep the unsigned statement ("" for RUNNER_TEMP)
#   TOLLGATE_BUILDER_ID, TOLLGATE_BUILD_TYPE, TOLLGATE_SOURCE_URI, TOLLGATE_SOURCE_REF,
#   TOLLGATE_SOURCE_DIGEST     overrides ("" to take them from the CI environment)
#   TOLLGATE_UPLOAD            "true" or "false" (only checked here; action.yml uploads)
# Writes the outputs provenance, statement, subjects-count, sha256, key-id, verdict and
# exit-code to GITHUB_OUTPUT, and exits with tollgate's exit code: 0 pass, 2 bad input.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate provenance"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs provenance=provenance_out statement=statement_out subjects-count sha256 key-id verdict exit-code

# --- arguments -----------------------------------------------------------------------------

sign_as=${TOLLGATE_SIGN_AS:-jsonl}
case "$sign_as" in
    envelope | jsonl | bundle) ;;
    *) bad_input "sign-as must be 'envelope', 'jsonl' or 'bundle', got '$sign_as'" ;;
esac
case "${TOLLGATE_UPLOAD:-false}" in
    true | false | "") ;;
    *) bad_input "upload must be 'true' or 'false', got '${TOLLGATE_UPLOAD}'" ;;
esac
digest=${TOLLGATE_DIGEST:-}
digest=${digest//[[:space:]]/}
digest=${digest:-sha256}
if [[ ! "$digest" =~ ^(sha256|sha512)(,(sha256|sha512))*$ ]]; then
    bad_input "digest must be sha256, sha512 or 'sha256,sha512', got '$digest'"
fi
output=${TOLLGATE_OUTPUT:-}
[[ -n "$output" ]] || bad_input "the output input is empty"

# Split on whitespace, not expanded: tollgate expands them.
split_words "${TOLLGATE_SUBJECTS:-}"
subjects=(${words[@]+"${words[@]}"})
checksums=${TOLLGATE_CHECKSUMS:-}
if [[ ${#subjects[@]} -eq 0 && -z "$checksums" ]]; then
    bad_input "no subjects: give the subjects input (files or globs), checksums, or both"
fi

key=${TOLLGATE_KEY:-}
check_key_inputs required

# --- the statement -------------------------------------------------------------------------

if [[ -n "${TOLLGATE_STATEMENT_OUTPUT:-}" ]]; then
    statement=$TOLLGATE_STATEMENT_OUTPUT
    mkdir -p "$(dirname "$statement")"
else
    statement=$(mktemp "$tmp_dir/tollgate-statement.XXXXXX")
fi
statement_out=$(absolute "$statement")

args=(provenance generate --out "$statement" --digest "$digest")
[[ -z "$checksums" ]] || args+=(--checksums "$checksums")
[[ -z "${TOLLGATE_BUILDER_ID:-}" ]] || args+=(--builder-id "$TOLLGATE_BUILDER_ID")
[[ -z "${TOLLGATE_BUILD_TYPE:-}" ]] || args+=(--build-type "$TOLLGATE_BUILD_TYPE")
[[ -z "${TOLLGATE_SOURCE_URI:-}" ]] || args+=(--source-uri "$TOLLGATE_SOURCE_URI")
[[ -z "${TOLLGATE_SOURCE_REF:-}" ]] || args+=(--source-ref "$TOLLGATE_SOURCE_REF")
[[ -z "${TOLLGATE_SOURCE_DIGEST:-}" ]] || args+=(--source-digest "$TOLLGATE_SOURCE_DIGEST")
args+=(--)
for s in ${subjects[@]+"${subjects[@]}"}; do
    args+=("$s")
done

# tollgate's own job summary goes to a scratch file and is kept only when a command fails
# (its findings); on success this script writes one summary for both commands.
cli_summary="" gen_report="" sign_report=""
scratch_file cli_summary tollgate-provenance-summary
scratch_file gen_report tollgate-provenance-generate
scratch_file sign_report tollgate-provenance-sign

# failed STEP CODE: annotate, keep tollgate's summary of the failure, exit with its code.
failed() {
    exit_code=$2
    verdict=$(verdict_of "$exit_code")
    annotate error "tollgate $1 failed with exit code $exit_code (see the log above)"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        if [[ -s "$cli_summary" ]]; then
            cat "$cli_summary" >>"$GITHUB_STEP_SUMMARY"
        else
            summary "### $title: error" "" "tollgate $1 failed with exit code $exit_code." ""
        fi
    fi
    provenance_out=""
    set_outputs
    exit "$exit_code"
}

echo "tollgate provenance generate: ${#subjects[@]} subject pattern(s)${checksums:+, checksums $checksums}, digest $digest"
set +e
GITHUB_STEP_SUMMARY=$cli_summary "$tollgate" --format json --color never --output "$gen_report" "${args[@]}"
rc=$?
set -e
[[ $rc -eq 0 ]] || failed "provenance generate" "$rc"

# --- signing -------------------------------------------------------------------------------

write_key_file
mkdir -p "$(dirname "$output")"

echo "tollgate sign: as $sign_as, to $output"
set +e
GITHUB_STEP_SUMMARY=$cli_summary with_password \
    "$tollgate" --format json --color never --output "$sign_report" \
    sign "$statement" --key "$key" --as "$sign_as" --out "$output"
rc=$?
set -e
forget_key
[[ $rc -eq 0 ]] || failed sign "$rc"
[[ -f "$output" ]] || failed sign 2
provenance_out=$(absolute "$output")

# --- outputs and summary -------------------------------------------------------------------

find_python
[[ -n "$python" ]] || bad_input "python3 is needed to read tollgate's reports"

# One line of tab-separated facts, then the Markdown rows of the subjects table.
facts=$("$python" -c '
import hashlib, json, sys
statement, signed, sign_report = sys.argv[1:4]
with open(statement, encoding="utf-8") as f:
    subjects = json.load(f).get("subject") or []
h = hashlib.sha256()
with open(signed, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
try:
    with open(sign_report, encoding="utf-8") as f:
        key_id = (json.load(f).get("data") or {}).get("keyid") or ""
except (OSError, ValueError):
    key_id = ""
print(len(subjects), h.hexdigest(), key_id, sep="\t")
def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")
for s in subjects[:200]:
    name = cell(s.get("name", ""))
    digests = cell(", ".join(k + ":" + v for k, v in sorted((s.get("digest") or {}).items())))
    print("| `" + name + "` | `" + digests + "` |")
if len(subjects) > 200:
    print("| … %d more | |" % (len(subjects) - 200))
' "$statement" "$output" "$sign_report") || bad_input "cannot read the statement $statement or the signed file $output"
IFS=$'\t' read -r subjects_count sha256 key_id <<<"${facts%%$'\n'*}"
rows=""
[[ "$facts" != *$'\n'* ]] || rows=${facts#*$'\n'}

verdict=pass
exit_code=0
set_outputs
summary "### ✅ $title: signed" "" \
    "\`$output\` ($sign_as, sha256 \`$sha256\`), signed by key \`${key_id:-?}\`, for ${subjects_count} subject(s):" "" \
    "| subject | digest |" "| --- | --- |"
[[ -z "$rows" ]] || summary "$rows"
summary ""
echo "tollgate provenance: ${subjects_count} subject(s), signed provenance $provenance_out (sha256 $sha256)"
exit 0
