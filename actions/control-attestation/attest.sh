#!/usr/bin/env bash
# Run `tollgate attest controls` for actions/control-attestation/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN               the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_CATALOG           the control catalog (YAML); "default" for the catalog shipped with
#                              the action ($GITHUB_ACTION_PATH/../../catalog/default.yaml)
#   TOLLGATE_EVIDENCE          the evidence directory (required)
#   TOLLGATE_WAIVERS           the waivers file ("" for none)
#   TOLLGATE_KEY               path of the private signing key ("" for none), or
#   TOLLGATE_KEY_PEM           the private key itself (PEM); written to a 0600 file in RUNNER_TEMP
#                              and deleted after the attest command; never printed
#   TOLLGATE_SIGN_PASSWORD     the key's password ("" for none); given to the attest command
#                              only, as TOLLGATE_PASSWORD; never printed
#   TOLLGATE_TRUSTED_KEYS      public key files for the signature assertions, one per line
#   TOLLGATE_RELEASE           release name for the reports ("" to take it from the CI environment)
#   TOLLGATE_OUT               output directory (tollgate writes OUT/controls/)
#   TOLLGATE_TEMPLATES         template directory overriding controls.md.j2/controls.html.j2 ("")
#   TOLLGATE_PDF               "false" adds --no-pdf
#   TOLLGATE_ATTEST_NOW        RFC 3339 time passed as --now ("" for the current time)
#   TOLLGATE_FAIL_ON_DENY      "false" exits 0 on a deny (the outputs still say deny)
# Writes the outputs verdict, exit-code, attestation, signed-attestation, vsa, signed-vsa, oscal,
# control-map, report-md, report-html, report-pdf, out-dir, passed, failed, waived, total,
# key-id and report to GITHUB_OUTPUT, and exits with tollgate's exit code: 0 pass, 1 deny (a
# required control failed), 2 bad input.
#
# The command runs once (it signs, so it is not run a second time for annotations):
#   - the job summary is controls/report.md, the Markdown rendering made for job summaries (the
#     controls table, waivers, evidence digests, signature). tollgate's own step summary goes to
#     a scratch file and is used only when there is no report.md, so the summary appears once;
#   - annotations: one per diagnostic of the JSON report (failed controls, waiver findings),
#     escaped like `--format github`; on bad input (no report) the `error:` lines of stderr.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate control-attestation"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code attestation signed-attestation vsa signed-vsa oscal control-map \
    report-md report-html report-pdf out-dir passed failed waived total key-id report
find_python

# --- arguments -----------------------------------------------------------------------------

parse_bool fail-on-deny "${TOLLGATE_FAIL_ON_DENY:-}" true
fail_on_deny=$flag
parse_bool pdf "${TOLLGATE_PDF:-}" true
pdf=$flag

catalog=${TOLLGATE_CATALOG:-}
if [[ -z "$catalog" || "$catalog" == default ]]; then
    [[ -n "${GITHUB_ACTION_PATH:-}" ]] || bad_input "catalog 'default' needs GITHUB_ACTION_PATH (the action's directory)"
    catalog=$GITHUB_ACTION_PATH/../../catalog/default.yaml
    if [[ -n "$python" ]]; then
        catalog=$("$python" -c 'import os, sys; print(os.path.normpath(sys.argv[1]))' "$catalog")
    fi
    [[ -f "$catalog" ]] || bad_input "the catalog shipped with the action is missing ($catalog)"
elif [[ ! -f "$catalog" ]]; then
    bad_input "no catalog file '$catalog' (in $PWD): give the catalog input the path of your catalog, or 'default' for the catalog shipped with the action"
fi

evidence=${TOLLGATE_EVIDENCE:-}
[[ -n "$evidence" ]] || bad_input "the evidence input is empty: give the directory the catalog's evidence globs are relative to"
[[ -d "$evidence" ]] || bad_input "the evidence directory '$evidence' does not exist or is not a directory (in $PWD)"

out=${TOLLGATE_OUT:-}
[[ -n "$out" ]] || bad_input "the out input is empty"

args=(attest controls --catalog "$catalog" --evidence "$evidence" --out "$out")

waivers=${TOLLGATE_WAIVERS:-}
if [[ -n "$waivers" ]]; then
    [[ -f "$waivers" ]] || bad_input "the waivers file '$waivers' does not exist (in $PWD)"
    args+=(--waivers "$waivers")
fi

file_lines "trusted key" "${TOLLGATE_TRUSTED_KEYS:-}"
for line in ${lines[@]+"${lines[@]}"}; do
    args+=(--trusted-key "$line")
done
trusted_count=${#lines[@]}

[[ -z "${TOLLGATE_RELEASE:-}" ]] || args+=(--release "$TOLLGATE_RELEASE")
if [[ -n "${TOLLGATE_TEMPLATES:-}" ]]; then
    [[ -d "$TOLLGATE_TEMPLATES" ]] || bad_input "the templates directory '$TOLLGATE_TEMPLATES' does not exist (in $PWD)"
    args+=(--templates "$TOLLGATE_TEMPLATES")
fi
[[ "$pdf" == true ]] || args+=(--no-pdf)
now=${TOLLGATE_ATTEST_NOW:-}
now=${now//[[:space:]]/}
[[ -z "$now" ]] || args+=(--now "$now")

key=${TOLLGATE_KEY:-}
check_key_inputs optional

# --- run tollgate --------------------------------------------------------------------------

report=$(mktemp "$tmp_dir/tollgate-control-attestation.XXXXXX")
cli_summary="" cli_stderr=""
scratch_file cli_summary tollgate-control-attestation-summary
scratch_file cli_stderr tollgate-control-attestation-stderr

write_key_file
[[ -z "$key" ]] || args+=(--key "$key")

echo "tollgate attest controls: catalog $catalog, evidence $evidence, ${waivers:+waivers $waivers, }${trusted_count} trusted key(s), $([[ "$signing" == true ]] && echo signed || echo unsigned), out $out"

# The only run: the JSON report is the verdict of record; tollgate's own step summary goes to
# a scratch file (see above); stderr is kept to annotate bad input.
set +e
GITHUB_STEP_SUMMARY=$cli_summary with_password \
    "$tollgate" --format json --color never --output "$report" "${args[@]}" 2>"$cli_stderr"
exit_code=$?
set -e
forget_key
cat -- "$cli_stderr" >&2

# --- outputs -------------------------------------------------------------------------------

# The facts on the first line, separated by \x1f (a tab would merge empty fields), then the
# annotations, one workflow command a line.
read_report "$report" '
def one_line(s):
    return ("" if s is None else str(s)).replace("\r", " ").replace("\n", " ").replace("\t", " ").replace("\x1f", " ")

def facts(r):
    d = r.get("data") or {}
    s = d.get("summary") or {}
    out_dir = os.path.abspath(d["outDir"]) if d.get("outDir") else ""
    def product(name):
        p = os.path.join(out_dir, name) if out_dir else ""
        return p if p and os.path.isfile(p) else ""
    attestation = os.path.abspath(d["attestation"]) if d.get("attestation") else ""
    signature = d.get("signature") or {}
    signed = product(signature.get("envelope") or "attestation.dsse.json") if d.get("signed") else ""
    values = [
        r["verdict"], r.get("exitCode", ""),
        s.get("passed", ""), s.get("failed", ""), s.get("waived", ""), s.get("total", ""),
        out_dir if out_dir and os.path.isdir(out_dir) else "",
        attestation if attestation and os.path.isfile(attestation) else product("attestation.json"),
        signed, product("vsa.json"), product("vsa.dsse.json") if signed else "",
        product("oscal-assessment-results.json"), product("control-map.csv"),
        product("report.md"), product("report.html"), product("report.pdf"),
        signature.get("keyid") or "",
    ]
    print("\x1f".join(one_line(x) for x in values))
    for line in annotations(r, workspace=True):
        print(line)
'
annotations=""
IFS=$'\x1f' read -r verdict report_exit passed failed waived total out_dir attestation signed_attestation \
    vsa signed_vsa oscal control_map report_md report_html report_pdf key_id <<<"${parsed%%$'\n'*}"
[[ "$parsed" != *$'\n'* ]] || annotations=${parsed#*$'\n'}
settle_verdict "$report_exit"
if [[ -z "$parsed" && -n "$report" && -z "$python" ]]; then
    annotate warning "python3 is not installed: the paths, counts and annotations are not read from tollgate's report"
fi
if [[ "$signing" == true && $exit_code -ne 2 && -z "$signed_attestation" ]]; then
    annotate warning "a key was given but no signed attestation was written"
fi

# Annotations: the report's diagnostics; without a report, tollgate's error lines.
if [[ -n "$annotations" ]]; then
    printf '%s\n' "$annotations"
elif [[ $exit_code -ne 0 ]]; then
    errors_to_annotations "$cli_stderr" "tollgate attest controls failed with exit code $exit_code"
fi

# The job summary, once: report.md, else tollgate's own summary, else the error lines.
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    if [[ -n "$report_md" && -s "$report_md" ]]; then
        cat -- "$report_md" >>"$GITHUB_STEP_SUMMARY"
        summary ""
    elif [[ -s "$cli_summary" ]]; then
        cat -- "$cli_summary" >>"$GITHUB_STEP_SUMMARY"
    else
        error_summary "$cli_stderr" "tollgate attest controls exited with code $exit_code"
    fi
fi

set_outputs
echo "tollgate attest controls: verdict ${verdict}, exit code ${exit_code}, ${passed:-?} passed, ${failed:-?} failed, ${waived:-?} waived of ${total:-?} control(s)${attestation:+, attestation $attestation}${signed_attestation:+, signed $signed_attestation}"
if [[ $exit_code -eq 1 && "$fail_on_deny" == false ]]; then
    annotate warning "a required control failed; the step passes because fail-on-deny is false"
    summary "" "_fail-on-deny is false: the step passed although a required control failed._" ""
    exit 0
fi
exit "$exit_code"
