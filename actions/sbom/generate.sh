#!/usr/bin/env bash
# Run `tollgate sbom generate` then `tollgate sbom validate` for actions/sbom/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN            the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_PATH           directory searched for lockfiles
#   TOLLGATE_SBOM_FORMAT    cyclonedx-json | spdx-json
#   TOLLGATE_SPEC_VERSION   1.6 | 1.5
#   TOLLGATE_OUTPUT         SBOM path ("" → sbom.cdx.json / sbom.spdx.json)
#   TOLLGATE_EXCLUDE        globs separated by spaces or newlines
#   TOLLGATE_EXCLUDE_DEV    "true" adds --exclude-dev
#   TOLLGATE_ROOTFS         root filesystem directory or ""
#   TOLLGATE_ARTIFACTS      artifact globs separated by spaces or newlines (expanded by tollgate)
#   TOLLGATE_LOCKFILES      "false" adds --no-lockfiles
#   TOLLGATE_ROOT_NAME      --root-name or ""
#   TOLLGATE_ROOT_VERSION   --root-version or ""
#   TOLLGATE_STRICT         "true" adds --strict
#   TOLLGATE_PROFILE        "", ntia or cisa-2025, for the validation run
# Writes the outputs sbom, verdict, exit-code, components, ecosystems, report and
# validate-exit-code to GITHUB_OUTPUT, a job summary with the component count per ecosystem,
# and exits with the worse exit code of the two runs: 0 pass, 1 deny, 2 bad input.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate sbom"
heading="tollgate sbom generate"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs sbom verdict exit-code components ecosystems report validate-exit-code=validate_exit

# --- arguments -----------------------------------------------------------------------------

format=${TOLLGATE_SBOM_FORMAT:-cyclonedx-json}
case "$format" in
    cyclonedx-json) default_out=sbom.cdx.json ;;
    spdx-json) default_out=sbom.spdx.json ;;
    *) bad_input "sbom-format must be 'cyclonedx-json' or 'spdx-json', got '$format'" ;;
esac
spec=${TOLLGATE_SPEC_VERSION:-1.6}
case "$spec" in
    1.5 | 1.6) ;;
    *) bad_input "spec-version must be '1.6' or '1.5', got '$spec'" ;;
esac
profile=${TOLLGATE_PROFILE:-}
case "$profile" in
    "" | ntia | cisa-2025) ;;
    *) bad_input "profile must be empty, 'ntia' or 'cisa-2025', got '$profile'" ;;
esac
parse_bool exclude-dev "${TOLLGATE_EXCLUDE_DEV:-}" false
exclude_dev=$flag
parse_bool strict "${TOLLGATE_STRICT:-}" false
strict=$flag
parse_bool lockfiles "${TOLLGATE_LOCKFILES:-}" true
lockfiles=$flag
out=${TOLLGATE_OUTPUT:-$default_out}
dir=${TOLLGATE_PATH:-.}

args=(sbom generate --out "$out" --sbom-format "$format" --spec-version "$spec")
# Globs split on whitespace, not expanded: tollgate expands them itself.
split_words "${TOLLGATE_EXCLUDE:-}"
for e in ${words[@]+"${words[@]}"}; do args+=(--exclude "$e"); done
split_words "${TOLLGATE_ARTIFACTS:-}"
for a in ${words[@]+"${words[@]}"}; do args+=(--artifact "$a"); done
[[ "$exclude_dev" == false ]] || args+=(--exclude-dev)
[[ "$strict" == false ]] || args+=(--strict)
[[ "$lockfiles" == true ]] || args+=(--no-lockfiles)
[[ -z "${TOLLGATE_ROOTFS:-}" ]] || args+=(--rootfs "$TOLLGATE_ROOTFS")
[[ -z "${TOLLGATE_ROOT_NAME:-}" ]] || args+=(--root-name "$TOLLGATE_ROOT_NAME")
[[ -z "${TOLLGATE_ROOT_VERSION:-}" ]] || args+=(--root-version "$TOLLGATE_ROOT_VERSION")
args+=(-- "$dir")

# --- generate ------------------------------------------------------------------------------

# Both runs below must describe the same moment, so the SBOM is written identically twice.
if [[ -z "${TOLLGATE_NOW:-}" && -z "${SOURCE_DATE_EPOCH:-}" ]]; then
    TOLLGATE_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    export TOLLGATE_NOW
fi

report=$(mktemp "$tmp_dir/tollgate-sbom-generate.XXXXXX")
mkdir -p "$(dirname "$out")"
echo "tollgate sbom generate: $dir → $out ($format)"
set +e
# The summary is written below (counts per ecosystem), not by tollgate itself.
env -u GITHUB_STEP_SUMMARY "$tollgate" --format json --color never --output "$report" "${args[@]}"
exit_code=$?
# Annotations (unreadable lockfiles) for the pull request; the SBOM is rewritten identically
# (same inputs, same TOLLGATE_NOW).
env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "${args[@]}" 2>/dev/null
set -e

if [[ -f "$out" ]]; then
    sbom=$(absolute "$out")
    vargs=(sbom validate)
    [[ -z "$profile" ]] || vargs+=(--profile "$profile")
    set +e
    env -u GITHUB_STEP_SUMMARY "$tollgate" --format github --color never "${vargs[@]}" -- "$sbom"
    validate_exit=$?
    set -e
    if [[ $validate_exit -gt $exit_code ]]; then
        exit_code=$validate_exit
    fi
fi

# --- outputs and summary -------------------------------------------------------------------

find_python
summary_md=""
if [[ -s "$report" && -n "$python" ]]; then
    parsed=$("$python" - "$report" "$sbom" "${validate_exit:-}" <<'PYEOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
except Exception as e:  # noqa: BLE001 - an unreadable report falls back to the exit code
    print("unreadable JSON report:", e, file=sys.stderr)
    sys.exit(1)
d = r.get("data") or {}
eco = d.get("ecosystems") or {}
lines = [f"### tollgate sbom generate: {r.get('verdict', '?')}", ""]
if d.get("written"):
    lines.append(f"`{sys.argv[2]}`: {d.get('format', '')}, {d.get('components', 0)} components"
                 f" from {len(d.get('projects') or [])} project(s); validation exit code {sys.argv[3] or '-'}")
else:
    lines.append("No SBOM was written.")
lines.append("")
if eco:
    lines += ["| ecosystem | components |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(eco.items())]
    lines.append("")
for diag in r.get("diagnostics") or []:
    if diag.get("severity") == "error":
        loc = diag.get("location") or {}
        where = ":".join(str(x) for x in (loc.get("file"), loc.get("line"), loc.get("column")) if x)
        lines.append(f"- **{diag.get('code')}** {where}: {diag.get('message')}")
print(json.dumps({
    "verdict": r.get("verdict", ""),
    "components": d.get("components", "") if d.get("written") else "",
    "ecosystems": json.dumps(eco, sort_keys=True, separators=(",", ":")) if d.get("written") else "",
    "summary": "\n".join(lines) + "\n",
}))
PYEOF
) || parsed=""
    if [[ -n "$parsed" ]]; then
        verdict=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["verdict"])' "$parsed")
        components=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["components"])' "$parsed")
        ecosystems=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["ecosystems"])' "$parsed")
        summary_md=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["summary"])' "$parsed")
    fi
fi
[[ -s "$report" ]] || report=""
verdict=$(verdict_of "$exit_code")
if [[ -n "$summary_md" ]]; then
    summary "$summary_md"
else
    summary "### $heading: $verdict" "" "exit code $exit_code" ""
fi

set_outputs
echo "tollgate sbom generate: verdict ${verdict}, exit code ${exit_code}, ${components:-?} component(s)"
exit "$exit_code"
