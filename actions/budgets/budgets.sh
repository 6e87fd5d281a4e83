#!/usr/bin/env bash
# Run `tollgate budget perf` and/or `tollgate budget cost` for actions/budgets/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN                   the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_SUMMARY               k6 summary ("" skips the perf gate)
#   TOLLGATE_BASELINE              baseline k6 summary ("" or a missing file: no baseline)
#   TOLLGATE_BUDGETS               budgets file ("" for none)
#   TOLLGATE_INFRACOST             Infracost JSON ("" skips the cost gate)
#   TOLLGATE_IGNORE_K6_THRESHOLDS  "true" adds --ignore-k6-thresholds
#   TOLLGATE_UPDATE_BASELINE       path for --update-baseline ("" for none)
# Each gate runs once with --format json (the verdict of record, which also appends the
# Markdown table to the job summary) and once with --format github (pull-request annotations).
# Writes the outputs verdict, exit-code, perf-verdict, cost-verdict, perf-report and cost-report
# to GITHUB_OUTPUT and exits with the worst exit code: 0 pass, 1 deny, 2 bad input.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate budgets"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code perf-verdict cost-verdict perf-report cost-report
exit_code=0

k6_summary=${TOLLGATE_SUMMARY:-}
baseline=${TOLLGATE_BASELINE:-}
budgets=${TOLLGATE_BUDGETS:-}
infracost=${TOLLGATE_INFRACOST:-}
update=${TOLLGATE_UPDATE_BASELINE:-}
parse_bool ignore-k6-thresholds "${TOLLGATE_IGNORE_K6_THRESHOLDS:-}" false
ignore=$flag
[[ -n "$k6_summary" || -n "$infracost" ]] || bad_input "set the summary input (k6), the infracost input, or both"
if [[ -n "$update" && -z "$k6_summary" ]]; then
    bad_input "update-baseline needs the summary input"
fi

# run_gate NAME ARGS...: the JSON run (verdict of record, job summary) then the annotations run.
# Sets gate_rc and gate_report.
run_gate() {
    local name=$1
    shift
    gate_report=$(mktemp "$tmp_dir/tollgate-budget-$name.XXXXXX")
    set +e
    "$tollgate" --format json --color never --output "$gate_report" "$@"
    gate_rc=$?
    set -e
    # Annotations only: no second job summary, no second baseline update.
    local args=()
    local skip=false
    for a in "$@"; do
        if [[ "$skip" == true ]]; then
            skip=false
            continue
        fi
        if [[ "$a" == --update-baseline ]]; then
            skip=true
            continue
        fi
        args+=("$a")
    done
    set +e
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "${args[@]}" 2>/dev/null
    local github_rc=$?
    set -e
    if [[ $github_rc -ne $gate_rc ]]; then
        annotate warning "the $name annotations run exited $github_rc, the JSON run $gate_rc"
    fi
    [[ -s "$gate_report" ]] || gate_report=""
    if ((gate_rc > exit_code)); then
        exit_code=$gate_rc
    fi
}

if [[ -n "$k6_summary" ]]; then
    args=(budget perf --current "$k6_summary")
    if [[ -n "$baseline" ]]; then
        if [[ -f "$baseline" ]]; then
            args+=(--baseline "$baseline")
        else
            annotate warning "no baseline at '$baseline' (in $PWD); relative budgets are not checked this time"
        fi
    fi
    [[ -z "$budgets" ]] || args+=(--budgets "$budgets")
    [[ "$ignore" == false ]] || args+=(--ignore-k6-thresholds)
    [[ -z "$update" ]] || args+=(--update-baseline "$update")
    echo "tollgate budget perf: summary $k6_summary, baseline ${baseline:-none}, budgets ${budgets:-none}"
    run_gate perf "${args[@]}"
    perf_verdict=$(verdict_of "$gate_rc")
    perf_report=$gate_report
fi

if [[ -n "$infracost" ]]; then
    args=(budget cost --infracost "$infracost")
    [[ -z "$budgets" ]] || args+=(--budgets "$budgets")
    echo "tollgate budget cost: infracost $infracost, budgets ${budgets:-none}"
    run_gate cost "${args[@]}"
    cost_verdict=$(verdict_of "$gate_rc")
    cost_report=$gate_report
fi

verdict=$(verdict_of "$exit_code")
set_outputs
echo "tollgate budgets: verdict $verdict, exit code ${exit_code}, perf ${perf_verdict:-not run}, cost ${cost_verdict:-not run}"
exit "$exit_code"
