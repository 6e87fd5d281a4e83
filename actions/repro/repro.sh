#!/usr/bin/env bash
# Run `tollgate repro run` (or `tollgate repro compare`) for actions/repro/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN          the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_COMMAND      a bash command that builds ("" for compare mode)
#   TOLLGATE_ARTIFACTS    artifact globs, relative to the build directory (run mode)
#   TOLLGATE_RUNS         how many builds (2 to 10)
#   TOLLGATE_SOURCE       the source tree copied into each build directory
#   TOLLGATE_DIR_A, TOLLGATE_DIR_B   the two directories (compare mode)
#   TOLLGATE_LIST_A, TOLLGATE_LIST_B artifact lists in place of either directory (compare mode)
#   TOLLGATE_MIN_RATIO    the lowest ratio that passes
#   TOLLGATE_REPORT_FILE  where to write the reproducibility report
# Writes the outputs verdict, exit-code, ratio, identical, total and report to GITHUB_OUTPUT;
# tollgate's JSON run appends the job summary. Exits with tollgate's exit code.
set -euo pipefail

title="tollgate repro"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs verdict exit-code ratio identical total report

command_text=${TOLLGATE_COMMAND:-}
runs=${TOLLGATE_RUNS:-2}
[[ "$runs" =~ ^[0-9]+$ ]] || bad_input "runs must be a number from 2 to 10, got '$runs'"
min_ratio=${TOLLGATE_MIN_RATIO:-1}
[[ "$min_ratio" =~ ^[0-9]*\.?[0-9]+$ ]] || bad_input "min-ratio must be a number from 0 to 1, got '$min_ratio'"
report_file=${TOLLGATE_REPORT_FILE:-tollgate-repro.json}
[[ -n "$report_file" ]] || bad_input "report-file must not be empty"
mkdir -p "$(dirname "$report_file")"

split_words "${TOLLGATE_ARTIFACTS:-}"
artifacts=(${words[@]+"${words[@]}"})

if [[ -n "$command_text" ]]; then
    [[ ${#artifacts[@]} -gt 0 ]] || bad_input "artifacts must name what the command builds (globs)"
    args=(repro run --runs "$runs" --source "${TOLLGATE_SOURCE:-.}")
    for a in "${artifacts[@]}"; do
        args+=(--artifact "$a")
    done
    args+=(--min-ratio "$min_ratio" --report "$report_file" -- bash -c "$command_text")
    echo "tollgate repro run: $runs builds of: $command_text"
else
    args=(repro compare)
    for side in A B; do
        dir_var=TOLLGATE_DIR_$side
        list_var=TOLLGATE_LIST_$side
        dir=${!dir_var:-}
        list=${!list_var:-}
        lower=${side,,}
        if [[ -n "$dir" && -n "$list" ]]; then
            bad_input "give dir-$lower or list-$lower, not both"
        elif [[ -n "$list" ]]; then
            args+=("--list-$lower" "$list")
        elif [[ -n "$dir" ]]; then
            args+=("$dir")
        else
            bad_input "give a command to build, or dir-a/list-a and dir-b/list-b to compare"
        fi
    done
    # A positional DIR_B after --list-a is the second build; no positional is ever ambiguous.
    args+=(--min-ratio "$min_ratio" --report "$report_file")
    echo "tollgate repro compare: ${args[*]:2}"
fi

# One run (a build can be expensive): the JSON report goes to RUNNER_TEMP and appends the job
# summary; the reproducibility report is written by --report.
set +e
"$tollgate" --color never --format json --output "$tmp_dir/tollgate-repro-report.json" "${args[@]}"
exit_code=$?
set -e

if [[ -f "$report_file" ]]; then
    report=$(absolute "$report_file")
    find_python
    if [[ -n "$python" ]]; then
        read -r ratio identical total < <("$python" -c '
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
print(r.get("ratio", ""), r.get("identical", ""), r.get("total", ""))
' "$report") || true
    fi
fi
verdict=$(verdict_of "$exit_code")
set_outputs
echo "tollgate repro: verdict ${verdict}, exit code ${exit_code}, ratio ${ratio:-?} (${identical:-?}/${total:-?} identical)"
exit "$exit_code"
