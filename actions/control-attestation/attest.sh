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
set -euo pipefail

# The secrets leave the environment first, so that no other command ever sees them.
key_pem=${TOLLGATE_KEY_PEM:-}
password=${TOLLGATE_SIGN_PASSWORD:-}
unset TOLLGATE_KEY_PEM TOLLGATE_SIGN_PASSWORD

title="tollgate control-attestation"
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
attestation=""
signed_attestation=""
vsa=""
signed_vsa=""
oscal=""
control_map=""
report_md=""
report_html=""
report_pdf=""
out_dir=""
passed=""
failed=""
waived=""
total=""
key_id=""
report=""

tmp_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
key_file=""
cli_summary=""
cli_stderr=""
cleanup() {
    if [[ -n "$key_file" ]]; then
        rm -f -- "$key_file"
    fi
    if [[ -n "$cli_summary" ]]; then
        rm -f -- "$cli_summary" "$cli_stderr"
    fi
}
trap cleanup EXIT

set_outputs() {
    [[ -n "${GITHUB_OUTPUT:-}" ]] || return 0
    {
        printf 'verdict=%s\n' "$verdict"
        printf 'exit-code=%s\n' "$exit_code"
        printf 'attestation=%s\n' "$attestation"
        printf 'signed-attestation=%s\n' "$signed_attestation"
        printf 'vsa=%s\n' "$vsa"
        printf 'signed-vsa=%s\n' "$signed_vsa"
        printf 'oscal=%s\n' "$oscal"
        printf 'control-map=%s\n' "$control_map"
        printf 'report-md=%s\n' "$report_md"
        printf 'report-html=%s\n' "$report_html"
        printf 'report-pdf=%s\n' "$report_pdf"
        printf 'out-dir=%s\n' "$out_dir"
        printf 'passed=%s\n' "$passed"
        printf 'failed=%s\n' "$failed"
        printf 'waived=%s\n' "$waived"
        printf 'total=%s\n' "$total"
        printf 'key-id=%s\n' "$key_id"
        printf 'report=%s\n' "$report"
    } >>"$GITHUB_OUTPUT"
}

summary() {
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '%s\n' "$@" >>"$GITHUB_STEP_SUMMARY"
    fi
}

# escape_data TEXT: TEXT escaped for a workflow command's message (as @actions/core does).
escape_data() {
    local s=${1//'%'/%25}
    s=${s//$'\r'/%0D}
    printf '%s' "${s//$'\n'/%0A}"
}

# bad_input MESSAGE: an ::error annotation, a line in the job summary, exit 2.
bad_input() {
    echo "::error title=$title::$(escape_data "$1")"
    summary "### $title: error" "" "$1" ""
    set_outputs
    exit 2
}

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done

# --- arguments -----------------------------------------------------------------------------

fail_on_deny=${TOLLGATE_FAIL_ON_DENY:-true}
case "$fail_on_deny" in
    true | True | TRUE | "") fail_on_deny=true ;;
    false | False | FALSE) fail_on_deny=false ;;
    *) bad_input "fail-on-deny must be 'true' or 'false', got '$fail_on_deny'" ;;
esac
pdf=${TOLLGATE_PDF:-true}
case "$pdf" in
    true | True | TRUE | "") pdf=true ;;
    false | False | FALSE) pdf=false ;;
    *) bad_input "pdf must be 'true' or 'false', got '$pdf'" ;;
esac

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

trusted_count=0
while IFS= read -r line || [[ -n "$line" ]]; do
    line=${line%$'\r'}
    # Trim surrounding whitespace; a path may contain spaces inside.
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -n "$line" ]] || continue
    [[ -f "$line" ]] || bad_input "the trusted key file '$line' does not exist (in $PWD)"
    args+=(--trusted-key "$line")
    trusted_count=$((trusted_count + 1))
done <<<"${TOLLGATE_TRUSTED_KEYS:-}"

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
if [[ -n "$key" && -n "$key_pem" ]]; then
    bad_input "give either key (a path) or key-pem (the PEM text), not both"
elif [[ -n "$key" && ! -f "$key" ]]; then
    bad_input "the key file '$key' does not exist (in $PWD)"
elif [[ -n "$key_pem" && "$key_pem" != *"-----BEGIN "* ]]; then
    bad_input "key-pem is not PEM text (no -----BEGIN line); its content is not shown"
elif [[ -z "$key" && -z "$key_pem" && -n "$password" ]]; then
    bad_input "a password is given but no key: give key (a path to a private key file) or key-pem (the PEM text)"
fi
signing=false
[[ -z "$key" && -z "$key_pem" ]] || signing=true

# --- run tollgate --------------------------------------------------------------------------

report=$(mktemp "$tmp_dir/tollgate-control-attestation.XXXXXX")
cli_summary=$(mktemp "$tmp_dir/tollgate-control-attestation-summary.XXXXXX")
cli_stderr=$(mktemp "$tmp_dir/tollgate-control-attestation-stderr.XXXXXX")

if [[ -n "$key_pem" ]]; then
    key_file=$(umask 077 && mktemp "$tmp_dir/tollgate-key.XXXXXX")
    chmod 600 "$key_file"
    printf '%s\n' "$key_pem" >"$key_file"
    key=$key_file
fi
key_pem=""
[[ -z "$key" ]] || args+=(--key "$key")

echo "tollgate attest controls: catalog $catalog, evidence $evidence, ${waivers:+waivers $waivers, }${trusted_count} trusted key(s), $([[ "$signing" == true ]] && echo signed || echo unsigned), out $out"

# The only run: the JSON report is the verdict of record; tollgate's own step summary goes to
# a scratch file (see above); stderr is kept to annotate bad input.
set +e
if [[ -n "$password" ]]; then
    TOLLGATE_PASSWORD=$password GITHUB_STEP_SUMMARY=$cli_summary \
        "$tollgate" --format json --color never --output "$report" "${args[@]}" 2>"$cli_stderr"
    exit_code=$?
else
    GITHUB_STEP_SUMMARY=$cli_summary \
        "$tollgate" --format json --color never --output "$report" "${args[@]}" 2>"$cli_stderr"
    exit_code=$?
fi
set -e
password=""
if [[ -n "$key_file" ]]; then
    rm -f -- "$key_file"
    key_file=""
fi
cat -- "$cli_stderr" >&2

# --- outputs -------------------------------------------------------------------------------

# The facts on the first line, separated by \x1f (a tab would merge empty fields), then the
# annotations, one workflow command a line.
parsed=""
if [[ -s "$report" && -n "$python" ]]; then
    parsed=$("$python" -c '
import json, os, sys

def esc_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

def esc_prop(s):
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")

def one_line(s):
    return ("" if s is None else str(s)).replace("\r", " ").replace("\n", " ").replace("\t", " ").replace("\x1f", " ")

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
    d = r.get("data") or {}
    s = d.get("summary") or {}
    out_dir = os.path.abspath(d["outDir"]) if d.get("outDir") else ""
    def product(name):
        p = os.path.join(out_dir, name) if out_dir else ""
        return p if p and os.path.isfile(p) else ""
    attestation = os.path.abspath(d["attestation"]) if d.get("attestation") else ""
    signature = d.get("signature") or {}
    signed = product(signature.get("envelope") or "attestation.dsse.json") if d.get("signed") else ""
    facts = [
        r["verdict"], r.get("exitCode", ""),
        s.get("passed", ""), s.get("failed", ""), s.get("waived", ""), s.get("total", ""),
        out_dir if out_dir and os.path.isdir(out_dir) else "",
        attestation if attestation and os.path.isfile(attestation) else product("attestation.json"),
        signed, product("vsa.json"), product("vsa.dsse.json") if signed else "",
        product("oscal-assessment-results.json"), product("control-map.csv"),
        product("report.md"), product("report.html"), product("report.pdf"),
        signature.get("keyid") or "",
    ]
    print("\x1f".join(one_line(x) for x in facts))
    kinds = {"error": "error", "warning": "warning", "note": "notice"}
    for diag in r.get("diagnostics") or []:
        props = []
        loc = diag.get("location") or {}
        if loc.get("file"):
            # Annotations link to files relative to the workspace (the repository root).
            file = loc["file"]
            workspace = os.environ.get("GITHUB_WORKSPACE") or ""
            if workspace:
                absolute = os.path.abspath(file)
                try:
                    inside = os.path.commonpath([absolute, os.path.abspath(workspace)]) == os.path.abspath(workspace)
                except ValueError:  # different drives on Windows
                    inside = False
                if inside:
                    file = os.path.relpath(absolute, workspace)
            props.append("file=" + esc_prop(file.replace("\\", "/")))
            if loc.get("line"):
                props.append("line=%d" % loc["line"])
                if loc.get("column"):
                    props.append("col=%d" % loc["column"])
        props.append("title=" + esc_prop("%s %s" % (diag.get("code", ""), diag.get("name", ""))))
        message = diag.get("message", "")
        if loc.get("pointer"):
            message = loc["pointer"] + ": " + message
        if diag.get("help"):
            message += "\nhelp: " + diag["help"]
        print("::%s %s::%s" % (kinds.get(diag.get("severity"), "warning"), ",".join(props), esc_data(message)))
except Exception as e:  # noqa: BLE001 - any unreadable report falls back to the exit code
    print("unreadable JSON report:", e, file=sys.stderr)
' "$report") || parsed=""
fi
annotations=""
if [[ -n "$parsed" ]]; then
    IFS=$'\x1f' read -r verdict report_exit passed failed waived total out_dir attestation signed_attestation \
        vsa signed_vsa oscal control_map report_md report_html report_pdf key_id <<<"${parsed%%$'\n'*}"
    [[ "$parsed" != *$'\n'* ]] || annotations=${parsed#*$'\n'}
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
    if [[ -n "$report" && -z "$python" ]]; then
        echo "::warning title=$title::python3 is not installed: the paths, counts and annotations are not read from tollgate's report"
    fi
fi
if [[ "$signing" == true && $exit_code -ne 2 && -z "$signed_attestation" ]]; then
    echo "::warning title=$title::a key was given but no signed attestation was written"
fi

# Annotations: the report's diagnostics; without a report, tollgate's error lines.
if [[ -n "$annotations" ]]; then
    printf '%s\n' "$annotations"
elif [[ $exit_code -ne 0 ]]; then
    errors=$(grep -E '^error: ' "$cli_stderr" || true)
    if [[ -n "$errors" ]]; then
        while IFS= read -r line; do
            echo "::error title=$title::$(escape_data "${line#error: }")"
        done <<<"$errors"
    else
        echo "::error title=$title::tollgate attest controls failed with exit code $exit_code (see the log above)"
    fi
fi

# The job summary, once: report.md, else tollgate's own summary, else the error lines.
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    if [[ -n "$report_md" && -s "$report_md" ]]; then
        cat -- "$report_md" >>"$GITHUB_STEP_SUMMARY"
        summary ""
    elif [[ -s "$cli_summary" ]]; then
        cat -- "$cli_summary" >>"$GITHUB_STEP_SUMMARY"
    else
        summary "### $title: error" "" "tollgate attest controls exited with code $exit_code:" "" '```'
        summary "$(grep -E '^error: ' "$cli_stderr" || tail -n 20 "$cli_stderr")"
        summary '```' ""
    fi
fi

set_outputs
echo "tollgate attest controls: verdict ${verdict}, exit code ${exit_code}, ${passed:-?} passed, ${failed:-?} failed, ${waived:-?} waived of ${total:-?} control(s)${attestation:+, attestation $attestation}${signed_attestation:+, signed $signed_attestation}"
if [[ $exit_code -eq 1 && "$fail_on_deny" == false ]]; then
    echo "::warning title=$title::a required control failed; the step passes because fail-on-deny is false"
    summary "" "_fail-on-deny is false: the step passed although a required control failed._" ""
    exit 0
fi
exit "$exit_code"
