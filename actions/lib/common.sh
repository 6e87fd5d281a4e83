# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here are for the scripts that source this file
# The shell shared by the actions' scripts (actions/*/*.sh but setup/install.sh, which runs
# before tollgate exists). Sourced, never run: a script sets `title` (the annotations' title;
# `heading`, when set, names the job summary's error heading instead) and sources this file
# through its own path, without running a command:
#
#   title="tollgate verify"
#   # shellcheck source=actions/lib/common.sh
#   source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
#   locate_tollgate
#
# so it is found wherever the repository is: `uses: ./actions/NAME`, `uses:
# OWNER/tollgate/actions/NAME@REF` (the runner downloads the whole repository) and
# tests/actions/run_action.py alike (the scripts are run by path, as action.yml does).
#
# The signing secrets (TOLLGATE_KEY_PEM, TOLLGATE_SIGN_PASSWORD) leave the environment in the
# first lines below, into key_pem and password, so that no other command ever sees them: keep
# everything above the functions free of commands that are not builtins.
#
# Globals set here (the scripts do not use these names for anything else): key_pem, password,
# tollgate, python, tmp_dir, key_file, scratch_files, flag, words, expanded, lines, signing,
# verdict, exit_code, sarif_out, output_names, parsed.

# The secrets first; then the bash check, in POSIX sh so that bash 3 reaches it.
key_pem=${TOLLGATE_KEY_PEM:-}
password=${TOLLGATE_SIGN_PASSWORD:-}
unset TOLLGATE_KEY_PEM TOLLGATE_SIGN_PASSWORD

if [ "${BASH_VERSINFO:-0}" -lt 4 ]; then
    echo "::error title=${title:-tollgate}::bash 4 or newer is needed (found ${BASH_VERSION:-no bash})"
    exit 2
fi

title=${title:-tollgate}
tmp_dir=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
verdict=error
exit_code=2
key_file=""
scratch_files=()
output_names=()

# cleanup: removes the key file and the scratch files (the EXIT trap).
cleanup() {
    if [[ -n "$key_file" ]]; then
        rm -f -- "$key_file"
    fi
    if [[ ${#scratch_files[@]} -gt 0 ]]; then
        rm -f -- "${scratch_files[@]}"
    fi
}
trap cleanup EXIT

# --- workflow commands, job summary, outputs ----------------------------------------------

# escape_data TEXT: TEXT escaped for a workflow command's message (as @actions/core does).
escape_data() {
    local s=${1//'%'/%25}
    s=${s//$'\r'/%0D}
    printf '%s' "${s//$'\n'/%0A}"
}

# annotate LEVEL MESSAGE: an ::error, ::warning or ::notice annotation titled $title.
annotate() {
    printf '::%s title=%s::%s\n' "$1" "$title" "$(escape_data "$2")"
}

# summary LINE...: the lines appended to the job summary (when there is one).
summary() {
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '%s\n' "$@" >>"$GITHUB_STEP_SUMMARY"
    fi
}

# set_output NAME VALUE: one step output; a multi-line VALUE as NAME<<DELIMITER … DELIMITER.
set_output() {
    [[ -n "${GITHUB_OUTPUT:-}" ]] || return 0
    if [[ "$2" == *$'\n'* || "$2" == *$'\r'* ]]; then
        local delimiter="ghadelimiter_${RANDOM}${RANDOM}${RANDOM}"
        while [[ "$2" == *"$delimiter"* ]]; do
            delimiter+=$RANDOM
        done
        printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
    else
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

# declare_outputs NAME[=VAR]...: the outputs set_outputs writes, each from $VAR (by default NAME
# with - as _), in this order; a VAR not set yet starts empty.
declare_outputs() {
    local spec var
    for spec in "$@"; do
        [[ "$spec" == *=* ]] || spec="$spec=${spec//-/_}"
        var=${spec#*=}
        [[ -n "${!var+set}" ]] || printf -v "$var" '%s' ""
        output_names+=("$spec")
    done
}

# set_outputs: every declared output written to GITHUB_OUTPUT.
set_outputs() {
    local spec var
    for spec in ${output_names[@]+"${output_names[@]}"}; do
        var=${spec#*=}
        set_output "${spec%%=*}" "${!var}"
    done
}

# bad_input MESSAGE: an ::error annotation, the message in the job summary, the outputs, exit 2.
bad_input() {
    annotate error "$1"
    summary "### ${heading:-$title}: error" "" "$1" ""
    verdict=error
    exit_code=2
    set_outputs
    exit 2
}

# errors_to_annotations FILE MESSAGE: one ::error per `error:` line of FILE, else MESSAGE.
errors_to_annotations() {
    local errors line
    errors=$(grep -E '^error: ' "$1" || true)
    if [[ -n "$errors" ]]; then
        while IFS= read -r line; do
            annotate error "${line#error: }"
        done <<<"$errors"
    else
        annotate error "$2 (see the log above)"
    fi
}

# error_summary FILE MESSAGE: MESSAGE and FILE's error lines (else its tail) in the job summary.
error_summary() {
    summary "### $title: error" "" "$2:" "" '```'
    summary "$(grep -E '^error: ' "$1" || tail -n 20 "$1")"
    summary '```' ""
}

# --- tools and files -----------------------------------------------------------------------

# locate_tollgate: $tollgate from TOLLGATE_BIN, else PATH; an ::error and exit 2 without one.
locate_tollgate() {
    tollgate=${TOLLGATE_BIN:-}
    if [[ -z "$tollgate" ]]; then
        tollgate=$(command -v tollgate) || {
            annotate error "tollgate is not on PATH (use the install input or actions/setup)"
            exit 2
        }
    fi
}

# find_python: $python is python3 or python, whichever is found first, else empty.
find_python() {
    local candidate
    python=""
    for candidate in python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then
            python=$candidate
            return 0
        fi
    done
}

# scratch_file VAR NAME: VAR names a new file NAME.XXXXXX in tmp_dir, removed on exit.
scratch_file() {
    local file
    file=$(mktemp "$tmp_dir/$2.XXXXXX")
    scratch_files+=("$file")
    printf -v "$1" '%s' "$file"
}

# absolute PATH: PATH made absolute (its directory must exist).
absolute() {
    printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"
}

# verdict_of CODE: pass (0), deny (1) or error (anything else).
verdict_of() {
    case "$1" in
        0) echo pass ;;
        1) echo deny ;;
        *) echo error ;;
    esac
}

# --- inputs --------------------------------------------------------------------------------

# parse_bool NAME VALUE DEFAULT: $flag set to true or false from VALUE (empty: DEFAULT), or bad
# input naming the input NAME.
parse_bool() {
    case "${2:-$3}" in
        true | True | TRUE) flag=true ;;
        false | False | FALSE) flag=false ;;
        *) bad_input "$1 must be 'true' or 'false', got '$2'" ;;
    esac
}

# split_words VALUE: VALUE split on whitespace, without globbing, into the array `words`.
split_words() {
    words=()
    IFS=$' \t\n' read -r -d '' -a words <<<"$1" || true
}

# file_lines WHAT VALUE: the lines of VALUE, trimmed, empty ones skipped, into the array `lines`;
# each must be a file ("the WHAT file ... does not exist" is bad input).
file_lines() {
    local line
    lines=()
    while IFS= read -r line || [[ -n "$line" ]]; do
        line=${line%$'\r'}
        # Trim surrounding whitespace; a path may contain spaces inside.
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        [[ -n "$line" ]] || continue
        [[ -f "$line" ]] || bad_input "the $1 file '$line' does not exist (in $PWD)"
        lines+=("$line")
    done <<<"$2"
}

# expand_globs MODE WHAT VALUE: VALUE split into `words` (see split_words), and the files these
# patterns match (bash globstar: `**` crosses directories; dotfiles are not matched),
# deduplicated in order, into the array `expanded`. A pattern without glob characters is taken
# as a file name, which with MODE "existing" must exist. A glob matching no file is a warning, or
# with MODE "strict" bad input; either names it "WHAT pattern". Turns on globstar and nullglob.
expand_globs() {
    local mode=$1 what=${2:+$2 } pattern m n old_ifs seen=$'\n'
    local -a matches
    shopt -s globstar nullglob
    split_words "$3"
    expanded=()
    for pattern in ${words[@]+"${words[@]}"}; do
        if [[ "$pattern" == *[*?[]* ]]; then
            # IFS='' so a match is never split; the pattern itself has no whitespace.
            old_ifs=$IFS
            IFS=''
            # shellcheck disable=SC2206 # the glob is meant to expand here
            matches=($pattern)
            IFS=$old_ifs
            n=0
            for m in ${matches[@]+"${matches[@]}"}; do
                [[ -f "$m" ]] || continue
                n=$((n + 1))
                if [[ "$seen" != *$'\n'"$m"$'\n'* ]]; then
                    seen+="$m"$'\n'
                    expanded+=("$m")
                fi
            done
            if [[ $n -eq 0 && "$mode" == strict ]]; then
                bad_input "${what}pattern '$pattern' matched no files (in $PWD)"
            elif [[ $n -eq 0 ]]; then
                annotate warning "${what}pattern '$pattern' matched no files (in $PWD)"
            fi
        else
            if [[ "$mode" == existing && ! -f "$pattern" ]]; then
                bad_input "the file '$pattern' does not exist (in $PWD)"
            fi
            if [[ "$seen" != *$'\n'"$pattern"$'\n'* ]]; then
                seen+="$pattern"$'\n'
                expanded+=("$pattern")
            fi
        fi
    done
}

# --- signing keys --------------------------------------------------------------------------

# check_key_inputs REQUIRED: the script's key (a path) and key_pem (PEM text) checked, and
# signing set; with REQUIRED "required" one of them must be given, otherwise a password without
# a key is bad input.
check_key_inputs() {
    if [[ -n "$key" && -n "$key_pem" ]]; then
        bad_input "give either key (a path) or key-pem (the PEM text), not both"
    elif [[ -z "$key" && -z "$key_pem" && "$1" == required ]]; then
        bad_input "no signing key: give key (a path to a private key file) or key-pem (the PEM text, e.g. from a secret)"
    elif [[ -n "$key" && ! -f "$key" ]]; then
        bad_input "the key file '$key' does not exist (in $PWD)"
    elif [[ -n "$key_pem" && "$key_pem" != *"-----BEGIN "* ]]; then
        bad_input "key-pem is not PEM text (no -----BEGIN line); its content is not shown"
    elif [[ -z "$key" && -z "$key_pem" && -n "$password" ]]; then
        bad_input "a password is given but no key: give key (a path to a private key file) or key-pem (the PEM text)"
    fi
    signing=false
    [[ -z "$key" && -z "$key_pem" ]] || signing=true
}

# write_key_file: key_pem written to a mode-0600 file in tmp_dir that key then names (removed by
# forget_key or on exit); key_pem forgotten.
write_key_file() {
    if [[ -n "$key_pem" ]]; then
        key_file=$(umask 077 && mktemp "$tmp_dir/tollgate-key.XXXXXX")
        chmod 600 "$key_file"
        printf '%s\n' "$key_pem" >"$key_file"
        key=$key_file
    fi
    key_pem=""
}

# with_password COMMAND...: COMMAND run with the password, if any, as TOLLGATE_PASSWORD.
with_password() {
    if [[ -n "$password" ]]; then
        TOLLGATE_PASSWORD=$password "$@"
    else
        "$@"
    fi
}

# forget_key: the password forgotten and the key file written by write_key_file removed.
forget_key() {
    password=""
    if [[ -n "$key_file" ]]; then
        rm -f -- "$key_file"
        key_file=""
    fi
}

# --- running tollgate ----------------------------------------------------------------------

# run_with_annotations REPORT SARIF ARGS...: tollgate ARGS run for the JSON report in REPORT (the
# verdict of record, which also appends the job summary), then for the annotations, then for
# SARIF when SARIF is not empty; sets exit_code and sarif_out, and warns when the runs disagree.
run_with_annotations() {
    local report_file=$1 sarif_file=$2 github_rc sarif_rc=0
    shift 2
    set +e
    "$tollgate" --format json --color never --output "$report_file" "$@"
    exit_code=$?
    # Annotations for the pull request (from the log), without a second summary or error lines.
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "$@" 2>/dev/null
    github_rc=$?
    if [[ -n "$sarif_file" ]]; then
        mkdir -p "$(dirname "$sarif_file")"
        env -u GITHUB_STEP_SUMMARY "$tollgate" --format sarif --color never --output "$sarif_file" "$@" 2>/dev/null
        sarif_rc=$?
    fi
    set -e
    if [[ $github_rc -ne $exit_code ]]; then
        annotate warning "the annotations run exited $github_rc, the JSON run $exit_code"
    fi
    if [[ -n "$sarif_file" ]]; then
        if [[ -f "$sarif_file" ]]; then
            sarif_out=$(absolute "$sarif_file")
        else
            annotate warning "no SARIF was written to $sarif_file (exit $sarif_rc)"
        fi
    fi
}

# settle_verdict REPORT_EXIT: when the report was read ($parsed), a warning if the exit code it
# records, REPORT_EXIT, is not tollgate's; otherwise the verdict from exit_code, and `report`
# emptied when tollgate wrote none.
settle_verdict() {
    if [[ -n "$parsed" ]]; then
        if [[ -n "$1" && "$1" != "$exit_code" ]]; then
            annotate warning "the report says exit code $1, tollgate exited $exit_code"
        fi
    else
        verdict=$(verdict_of "$exit_code")
        [[ -s "$report" ]] || report=""
    fi
}

# read_report REPORT PYTHON: $parsed is what PYTHON's facts(r) prints for tollgate's JSON report
# r, or empty when there is no report, no python (find_python) or the report is unreadable.
read_report() {
    parsed=""
    [[ -s "$1" && -n "$python" ]] || return 0
    parsed=$("$python" -c "$py_annotations$2"'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
    facts(r)
except Exception as e:  # noqa: BLE001 - any unreadable report falls back to the exit code
    print("unreadable JSON report:", e, file=sys.stderr)
' "$1") || parsed=""
}

# The Python read_report's PYTHON can use: esc_data and esc_prop escape a workflow command's
# message and properties; annotations(report, workspace) yields the workflow commands of the
# report's diagnostics, with the file relative to GITHUB_WORKSPACE and its line and column when
# workspace is true, else with the file as given.
# shellcheck disable=SC2016 # Python, not shell
py_annotations='
import os

def esc_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

def esc_prop(s):
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")

def relative_to_workspace(file):
    workspace = os.environ.get("GITHUB_WORKSPACE") or ""
    if not workspace:
        return file
    absolute = os.path.abspath(file)
    try:
        inside = os.path.commonpath([absolute, os.path.abspath(workspace)]) == os.path.abspath(workspace)
    except ValueError:  # different drives on Windows
        inside = False
    return os.path.relpath(absolute, workspace) if inside else file

def annotations(report, workspace):
    kinds = {"error": "error", "warning": "warning", "note": "notice"}
    for diag in report.get("diagnostics") or []:
        props = []
        loc = diag.get("location") or {}
        if loc.get("file"):
            # Annotations link to files relative to the workspace (the repository root).
            file = relative_to_workspace(loc["file"]) if workspace else loc["file"]
            props.append("file=" + esc_prop(file.replace("\\", "/")))
            if workspace and loc.get("line"):
                props.append("line=%d" % loc["line"])
                if loc.get("column"):
                    props.append("col=%d" % loc["column"])
        props.append("title=" + esc_prop("%s %s" % (diag.get("code", ""), diag.get("name", ""))))
        message = diag.get("message", "")
        if loc.get("pointer"):
            message = loc["pointer"] + ": " + message
        if diag.get("help"):
            message += "\nhelp: " + diag["help"]
        yield "::%s %s::%s" % (kinds.get(diag.get("severity"), "warning"), ",".join(props), esc_data(message))
'
