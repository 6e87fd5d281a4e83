#!/usr/bin/env bash
# Lint the GitHub Actions of this repository:
#   - actionlint (scripts/install-actionlint.sh) on .github/workflows/*.yml;
#   - the lint of tests/actions/run_action.py on actions/*/action.yml (parses in the supported
#     YAML subset, composite structure, declared inputs, known step ids, no `${{ inputs.* }}` in
#     scripts) and on the workflows (what actionlint cannot check: the inputs and outputs of
#     local actions used with `uses: ./actions/...`);
#   - shellcheck on the actions' scripts and these scripts, when shellcheck is installed.
# Exits non-zero on any finding.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
shopt -s nullglob
status=0

workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [[ ${#workflows[@]} -eq 0 ]]; then
    echo "actionlint: no workflow files in .github/workflows" >&2
    exit 1
fi
entry=$(bash scripts/install-actionlint.sh)
echo "== actionlint: ${workflows[*]}"
node "$entry" ".github/workflows/*.{yml,yaml}" || status=1

actions=(actions/*/action.yml)
echo "== run_action.py --lint: ${actions[*]} ${workflows[*]}"
python3 tests/actions/run_action.py --lint "${actions[@]}" "${workflows[@]}" || status=1

# The shell behind the actions (their scripts and the library they source, actions/lib/common.sh)
# and this tooling (other scripts are their owners' to lint). -x follows the `source` of the
# library (its `# shellcheck source=` path is relative to the repository root), so that what it
# defines is known in each script.
scripts=(actions/lib/common.sh)
for script in actions/*/*.sh; do
    [[ "$script" == actions/lib/common.sh ]] || scripts+=("$script")
done
scripts+=(scripts/actionlint.sh scripts/install-actionlint.sh scripts/package-release.sh scripts/test-actions.sh)
if command -v shellcheck >/dev/null 2>&1; then
    echo "== shellcheck: ${scripts[*]}"
    shellcheck -x --severity=warning "${scripts[@]}" || status=1
else
    echo "== shellcheck: not installed, skipped (apt-get install shellcheck)"
fi

if [[ $status -ne 0 ]]; then
    echo "actionlint.sh: problems found" >&2
fi
exit "$status"
