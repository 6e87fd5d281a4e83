#!/usr/bin/env bash
# Run `tollgate hermetic check` and/or `tollgate hermetic run` for actions/hermetic/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN          the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_LOGS         log globs separated by spaces or newlines (bash globstar; a pattern
#                         without glob characters is passed through as a file name)
#   TOLLGATE_ALLOW_HOSTS  host globs separated by spaces or newlines
#   TOLLGATE_RULES        extra patterns file ("" for none)
#   TOLLGATE_COMPOSE      compose files separated by spaces or newlines ("" for none)
#   TOLLGATE_COMMAND      a bash command to run isolated ("" for none)
#   TOLLGATE_ATTEST       where to write the signed statement ("" for none)
#   TOLLGATE_KEY          the signing key (with TOLLGATE_ATTEST)
#   TOLLGATE_ARTIFACTS    artifact globs (the statement's subjects)
#   TOLLGATE_RECORD_ENV   variable names to record, separated by spaces
#   TOLLGATE_SARIF_FILE   where to write SARIF of the log check ("" for none)
# Writes the outputs verdict, exit-code, findings, logs, run-exit-code, attestation, sarif,
# report and run-report to GITHUB_OUTPUT; the job summary lists every finding, linked to its log line when the
# log is a file of the repository. Exit code: the check's (0 pass, 1 deny, 2 bad input), or the
# command's when only a command ran; the worse of the two when both did.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate hermetic"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code findings logs=log_count run-exit-code=run_exit attestation sarif=sarif_out \
    report run-report
log_count=0

# --- arguments -----------------------------------------------------------------------------

split_words "${TOLLGATE_ALLOW_HOSTS:-}"
allow_hosts=(${words[@]+"${words[@]}"})
split_words "${TOLLGATE_ARTIFACTS:-}"
artifacts=(${words[@]+"${words[@]}"})
split_words "${TOLLGATE_RECORD_ENV:-}"
record_env=(${words[@]+"${words[@]}"})
split_words "${TOLLGATE_LOGS:-}"
patterns=(${words[@]+"${words[@]}"})
split_words "${TOLLGATE_COMPOSE:-}"
compose_files=(${words[@]+"${words[@]}"})
command_text=${TOLLGATE_COMMAND:-}
attest=${TOLLGATE_ATTEST:-}
key=${TOLLGATE_KEY:-}

[[ ${#patterns[@]} -gt 0 || -n "$command_text" ]] || bad_input "nothing to do: give logs to check, a command to run, or both"
if [[ -n "$attest" ]]; then
    [[ -n "$command_text" ]] || bad_input "attest needs a command to run"
    [[ -n "$key" ]] || bad_input "attest needs a key"
    [[ ${#artifacts[@]} -gt 0 ]] || bad_input "attest needs artifacts (the statement's subjects)"
fi

expand_globs warn "" "${TOLLGATE_LOGS:-}"
logs=(${expanded[@]+"${expanded[@]}"})
log_count=${#logs[@]}
if [[ ${#patterns[@]} -gt 0 && $log_count -eq 0 ]]; then
    bad_input "no logs matched '${patterns[*]}' (in $PWD)"
fi

find_python

check_code=""
# --- hermetic check ------------------------------------------------------------------------

if [[ $log_count -gt 0 ]]; then
    args=(hermetic check)
    for h in ${allow_hosts[@]+"${allow_hosts[@]}"}; do
        args+=(--allow-host "$h")
    done
    [[ -z "${TOLLGATE_RULES:-}" ]] || args+=(--rules "$TOLLGATE_RULES")
    for c in ${compose_files[@]+"${compose_files[@]}"}; do
        args+=(--compose "$c")
    done
    args+=(--)
    args+=("${logs[@]}")

    report=$(mktemp "$tmp_dir/tollgate-hermetic.XXXXXX")
    echo "tollgate hermetic check: ${log_count} log(s)"
    set +e
    # The JSON run is the verdict of record; this script writes the job summary (with links).
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format json --color never --output "$report" "${args[@]}"
    check_code=$?
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "${args[@]}" 2>/dev/null
    sarif_file=${TOLLGATE_SARIF_FILE:-}
    if [[ -n "$sarif_file" ]]; then
        mkdir -p "$(dirname "$sarif_file")"
        env -u GITHUB_STEP_SUMMARY "$tollgate" --format sarif --color never --output "$sarif_file" "${args[@]}" 2>/dev/null
        [[ -f "$sarif_file" ]] && sarif_out=$(absolute "$sarif_file")
    fi
    set -e
    [[ -s "$report" ]] || report=""

    if [[ -n "$report" && -n "$python" ]]; then
        # Findings (denying ones) and the job summary, linked to the log lines that are files
        # of the repository at GITHUB_SHA.
        findings=$("$python" - "$report" <<'PY'
import json, os, subprocess, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
repo, sha = os.environ.get("GITHUB_REPOSITORY", ""), os.environ.get("GITHUB_SHA", "")
ws = os.path.realpath(os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")

def repo_path(path):
    """The path relative to the repository root when the log is a tracked file, else None."""
    if not (repo and sha):
        return None
    full = os.path.realpath(path)
    if os.path.commonpath([full, ws]) != ws:
        return None
    rel = os.path.relpath(full, ws)
    try:
        ok = subprocess.run(["git", "-C", ws, "ls-files", "--error-unmatch", "--", rel],
                            capture_output=True).returncode == 0
    except OSError:
        ok = False
    return rel if ok else None

def esc(s):
    return s.replace("|", "\\|").replace("`", "'")

denied = 0
lines = []
for log in (r.get("data") or {}).get("logs", []):
    rel = repo_path(log["path"])
    for f in log.get("findings", []):
        if not f.get("allowed"):
            denied += 1
        where = f'{log["path"]}:{f["line"]}'
        if rel:
            where = f'[{where}]({server}/{repo}/blob/{sha}/{rel}#L{f["line"]})'
        code = "HRM006" if f.get("allowed") else ("HRM001" if f["kind"] == "network" else "HRM002")
        lines.append(f'| {where} | `{code}` | {f["tool"]} | {f.get("host") or "—"} | `{esc(f["text"])}` |')
    if not log.get("recognised"):
        lines.append(f'| {log["path"]} | `HRM003` | — | — | unrecognised log: no verdict |')
summary = os.environ.get("GITHUB_STEP_SUMMARY")
if summary:
    verdict = r.get("verdict", "error").upper()
    with open(summary, "a", encoding="utf-8") as out:
        out.write(f"### tollgate hermetic check: {verdict}\n\n")
        out.write(f'{len((r.get("data") or {}).get("logs", []))} log(s), {denied} network finding(s)\n\n')
        if lines:
            out.write("| line | code | tool | host | text |\n| --- | --- | --- | --- | --- |\n")
            out.write("\n".join(lines) + "\n\n")
print(denied)
PY
        ) || findings=""
    fi
fi

# --- hermetic run --------------------------------------------------------------------------

if [[ -n "$command_text" ]]; then
    args=(hermetic run)
    if [[ -n "$attest" ]]; then
        args+=(--attest "$attest" --key "$key")
        for a in "${artifacts[@]}"; do
            args+=(--artifact "$a")
        done
    fi
    for v in ${record_env[@]+"${record_env[@]}"}; do
        args+=(--record-env "$v")
    done
    args+=(-- bash -c "$command_text")
    echo "tollgate hermetic run: $command_text"
    run_report=$(mktemp "$tmp_dir/tollgate-hermetic-run.XXXXXX")
    set +e
    # The command's output streams through; tollgate's report of the run (JSON: isolation, exit
    # code, duration, attestation, findings) is written to run_report.
    env -u GITHUB_STEP_SUMMARY "$tollgate" --color never --format json --output "$run_report" "${args[@]}"
    run_exit=$?
    set -e
    [[ -s "$run_report" ]] || run_report=""
    if [[ -n "$attest" && -f "$attest" ]]; then
        attestation=$(absolute "$attest")
    fi
    run_facts=""
    if [[ -n "$run_report" && -n "$python" ]]; then
        run_facts=$("$python" - "$run_report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
d = r.get("data") or {}
iso = d.get("isolation") or {}
parts = []
if iso:
    parts.append(f'isolation `{iso.get("method")}` (interfaces: {",".join(iso.get("interfaces", []))})')
if d.get("durationSeconds") is not None:
    parts.append(f'{d["durationSeconds"]} s')
for f in r.get("diagnostics", []):
    parts.append(f'{f.get("code")}: {f.get("message", "").replace("`", chr(39))}')
print("; ".join(parts))
PY
        ) || run_facts=""
        [[ -z "$run_facts" ]] || echo "tollgate hermetic run: $run_facts"
    fi
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        {
            printf '### tollgate hermetic run: exit code %s\n\n' "$run_exit"
            printf 'Command (no network, loopback only): `%s`\n\n' "${command_text//\`/\'}"
            [[ -z "$run_facts" ]] || printf '%s\n\n' "$run_facts"
            [[ -z "$attestation" ]] || printf 'Signed statement: `%s`\n\n' "$attest"
        } >>"$GITHUB_STEP_SUMMARY"
    fi
fi

# --- verdict -------------------------------------------------------------------------------

if [[ -n "$check_code" ]]; then
    exit_code=$check_code
fi
if [[ -n "$run_exit" ]]; then
    if [[ -z "$check_code" ]]; then
        exit_code=$run_exit
    elif [[ $run_exit -ne 0 && $exit_code -eq 0 ]]; then
        exit_code=$run_exit
    elif [[ $run_exit -eq 2 ]]; then
        exit_code=2
    fi
fi
case "$exit_code" in
    0) verdict=pass ;;
    1) verdict=deny ;;
    2) verdict=error ;;
    *) verdict=deny ;;
esac
set_outputs
echo "tollgate hermetic: verdict ${verdict}, exit code ${exit_code}, ${findings:-0} network finding(s)"
exit "$exit_code"
