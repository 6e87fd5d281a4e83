#!/usr/bin/env bash
# Run `tollgate evidence pack`, then `tollgate evidence verify` on the new pack, for
# actions/evidence-pack/action.yml.
#
# Environment (set by action.yml):
#   TOLLGATE_BIN               the tollgate executable (default: tollgate on PATH)
#   TOLLGATE_DIR               the evidence directory ("" for none)
#   TOLLGATE_FILES             more files: glob patterns separated by spaces or newlines (bash
#                              globstar); a name without glob characters must exist
#   TOLLGATE_ATTESTATION       the Control Attestation file ("" for none)
#   TOLLGATE_ORG               organisation ("" for GITHUB_REPOSITORY_OWNER)
#   TOLLGATE_RELEASE           release name ("" for the tag name on a tag, else the short SHA)
#   TOLLGATE_OUT               the pack file ("" for tollgate's default name)
#   TOLLGATE_COMPRESSION       gzip or zstd
#   TOLLGATE_KEY               path of the private signing key ("" for none), or
#   TOLLGATE_KEY_PEM           the private key itself (PEM); written to a 0600 file in RUNNER_TEMP
#                              and deleted after the pack command; never printed
#   TOLLGATE_SIGN_PASSWORD     the key's password ("" for none); given to the pack command only,
#                              as TOLLGATE_PASSWORD; never printed
#   TOLLGATE_VERIFY_KEYS       public key files to verify the pack with, one per line (required
#                              when signing; without them an unsigned pack is verified with
#                              --allow-unsigned)
#   TOLLGATE_PACK_NOW          RFC 3339 time passed as --now ("" for the current time)
#   TOLLGATE_UPLOAD            "true" or "false" (only checked here; action.yml uploads)
#   TOLLGATE_UPLOAD_NAME       the workflow artifact's name ("" for the pack's file name)
#   TOLLGATE_ATTACH            "true" or "false": attach to the release on a tag (release.sh)
# Writes the outputs pack, pack-name, sha256, size, merkle-root, artifacts, release, signed,
# key-id, verdict, exit-code, report, verify-report, and for the later steps upload-name and
# attach-tag (the tag to attach the pack to, only on a tag, with attach "true", after a pass), to
# GITHUB_OUTPUT, and exits 0 pass, 1 deny (the pack did not verify), 2 bad input or a failed pack.
#
# The job summary: the pack's name, SHA-256, Merkle root, signature and the artifact table (from
# the reports); tollgate's own step summaries go to scratch files. Annotations: the verify
# report's diagnostics, or on bad input the `error:` lines of stderr.
# shellcheck disable=SC2034 # the outputs are read by name (declare_outputs in actions/lib/common.sh)
set -euo pipefail

title="tollgate evidence-pack"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
locate_tollgate
declare_outputs pack pack-name sha256 size merkle-root artifacts release signed key-id verdict exit-code \
    report verify-report upload-name attach-tag
signed=false
find_python

# --- arguments -----------------------------------------------------------------------------

parse_bool upload "${TOLLGATE_UPLOAD:-}" true
upload=$flag
parse_bool attach-to-release "${TOLLGATE_ATTACH:-}" true
attach=$flag

compression=${TOLLGATE_COMPRESSION:-gzip}
case "$compression" in
    gzip | zstd) ;;
    *) bad_input "compression must be 'gzip' or 'zstd', got '$compression'" ;;
esac

ref=${GITHUB_REF:-}
tag=""
if [[ "$ref" == refs/tags/* ]]; then
    tag=${ref#refs/tags/}
fi

org=${TOLLGATE_ORG:-}
[[ -n "$org" ]] || org=${GITHUB_REPOSITORY_OWNER:-}
[[ -n "$org" ]] || org=${GITHUB_REPOSITORY%%/*}
[[ -n "$org" ]] || bad_input "the org input is empty and GITHUB_REPOSITORY_OWNER is not set: give the organisation name"

release=${TOLLGATE_RELEASE:-}
if [[ -z "$release" ]]; then
    if [[ -n "$tag" ]]; then
        release=$tag
    elif [[ -n "${GITHUB_SHA:-}" ]]; then
        release=${GITHUB_SHA:0:7}
    else
        bad_input "the release input is empty and there is neither a tag (GITHUB_REF refs/tags/...) nor GITHUB_SHA: give the release name"
    fi
fi

args=(evidence pack --org "$org" --release "$release" --compression "$compression")

dir=${TOLLGATE_DIR:-}
if [[ -n "$dir" ]]; then
    [[ -d "$dir" ]] || bad_input "the evidence directory '$dir' does not exist or is not a directory (in $PWD)"
    args+=(--dir "$dir")
fi

attestation=${TOLLGATE_ATTESTATION:-}
if [[ -n "$attestation" ]]; then
    [[ -f "$attestation" ]] || bad_input "the attestation file '$attestation' does not exist (in $PWD)"
    args+=(--attestation "$attestation")
fi

expand_globs existing "" "${TOLLGATE_FILES:-}"
patterns=(${words[@]+"${words[@]}"})
files=(${expanded[@]+"${expanded[@]}"})
if [[ -z "$dir" && ${#files[@]} -eq 0 ]]; then
    if [[ ${#patterns[@]} -gt 0 ]]; then
        bad_input "no files matched '${patterns[*]}' (in $PWD) and no dir is given"
    fi
    bad_input "nothing to pack: give the dir input (an evidence directory) and/or files"
fi

out=${TOLLGATE_OUT:-}
if [[ -n "$out" ]]; then
    [[ ! -d "$out" ]] || bad_input "out '$out' is a directory: give the pack's file name"
    mkdir -p -- "$(dirname -- "$out")" || bad_input "cannot create the directory of out '$out' (in $PWD)"
    args+=(--out "$out")
fi

now=${TOLLGATE_PACK_NOW:-}
now=${now//[[:space:]]/}
global=(--format json --color never)
[[ -z "$now" ]] || global+=(--now "$now")

verify_keys=()
file_lines verify-key "${TOLLGATE_VERIFY_KEYS:-}"
for line in ${lines[@]+"${lines[@]}"}; do
    verify_keys+=(--key "$line")
done

key=${TOLLGATE_KEY:-}
check_key_inputs optional
if [[ "$signing" == true && ${#verify_keys[@]} -eq 0 ]]; then
    bad_input "the pack is signed (key or key-pem) but verify-key is empty: give the public key (tollgate cannot derive it from the private key), so that the signature is verified"
fi

# --- pack ----------------------------------------------------------------------------------

report=$(mktemp "$tmp_dir/tollgate-evidence-pack.XXXXXX")
verify_report=$(mktemp "$tmp_dir/tollgate-evidence-verify.XXXXXX")
cli_summary="" cli_stderr=""
scratch_file cli_summary tollgate-evidence-summary
scratch_file cli_stderr tollgate-evidence-stderr

write_key_file
[[ -z "$key" ]] || args+=(--key "$key")
if [[ ${#files[@]} -gt 0 ]]; then
    args+=(--)
    args+=("${files[@]}")
fi

echo "tollgate evidence pack: org $org, release $release, ${dir:+dir $dir, }${#files[@]} file(s), ${attestation:+attestation $attestation, }$compression, $([[ "$signing" == true ]] && echo signed || echo unsigned)"

set +e
GITHUB_STEP_SUMMARY=$cli_summary with_password \
    "$tollgate" "${global[@]}" --output "$report" "${args[@]}" 2>"$cli_stderr"
pack_code=$?
set -e
forget_key
cat -- "$cli_stderr" >&2

if [[ $pack_code -ne 0 ]]; then
    exit_code=$pack_code
    [[ $exit_code -eq 1 ]] && verdict=deny
    [[ -s "$report" ]] || report=""
    rm -f -- "$verify_report"
    verify_report=""
    errors_to_annotations "$cli_stderr" "tollgate evidence pack failed with exit code $pack_code"
    error_summary "$cli_stderr" "tollgate evidence pack exited with code $pack_code"
    set_outputs
    exit "$exit_code"
fi

# --- verify --------------------------------------------------------------------------------

# The pack's path and digest from the pack report (else from the default name and sha256sum).
if [[ -n "$python" ]]; then
    facts=$("$python" -c '
import json, os, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f).get("data") or {}
print("\x1f".join(str(x) for x in (
    os.path.abspath(d.get("pack") or ""), d.get("sha256") or "", d.get("size", ""),
    d.get("merkleRoot") or "", len((d.get("index") or {}).get("artifacts") or []),
    "true" if d.get("signed") else "false", d.get("keyid") or "",
)))
' "$report")
    IFS=$'\x1f' read -r pack sha256 size merkle_root artifacts signed key_id <<<"$facts"
else
    annotate warning "python3 is not installed: the Merkle root, artifact count and summary table are not read from tollgate's report"
    if [[ -n "$out" ]]; then
        pack=$out
    else
        ext=tgz
        [[ "$compression" == gzip ]] || ext=tar.zst
        pack=$(ls -t audit-pack-*."$ext" | head -n 1)
    fi
    pack=$(absolute "$pack")
    sha256=$(sha256sum "$pack" | cut -d' ' -f1)
    size=$(wc -c <"$pack" | tr -d ' ')
    signed=$signing
fi
[[ -f "$pack" ]] || bad_input "tollgate evidence pack reported success but wrote no pack ($pack)"
pack_name=$(basename "$pack")
upload_name=${TOLLGATE_UPLOAD_NAME:-}
[[ -n "$upload_name" ]] || upload_name=$pack_name

verify_args=(evidence verify "$pack")
if [[ ${#verify_keys[@]} -gt 0 ]]; then
    verify_args+=("${verify_keys[@]}")
    verify_how="verified with $(( ${#verify_keys[@]} / 2 )) public key(s)"
else
    verify_args+=(--allow-unsigned)
    verify_how="verified with --allow-unsigned: the pack is not signed, so its digests, Merkle root and contents were checked but no signature"
    annotate notice "the pack is unsigned; it was verified with --allow-unsigned (digests, Merkle root, contents; no signature)"
fi
echo "tollgate evidence verify: $pack ($verify_how)"
: >"$cli_summary"
set +e
GITHUB_STEP_SUMMARY=$cli_summary \
    "$tollgate" --format json --color never --output "$verify_report" "${verify_args[@]}" 2>"$cli_stderr"
exit_code=$?
set -e
cat -- "$cli_stderr" >&2

read_report "$verify_report" '
def facts(r):
    print(r["verdict"])
    for line in annotations(r, workspace=False):
        print(line)
'
annotations=""
if [[ -n "$parsed" ]]; then
    verdict=${parsed%%$'\n'*}
    [[ "$parsed" != *$'\n'* ]] || annotations=${parsed#*$'\n'}
else
    verdict=$(verdict_of "$exit_code")
    [[ -s "$verify_report" ]] || verify_report=""
fi
if [[ -n "$annotations" ]]; then
    printf '%s\n' "$annotations"
elif [[ $exit_code -ne 0 ]]; then
    errors_to_annotations "$cli_stderr" "tollgate evidence verify failed with exit code $exit_code"
fi

if [[ $exit_code -eq 0 && "$attach" == true && -n "$tag" ]]; then
    attach_tag=$tag
fi

# --- job summary ---------------------------------------------------------------------------

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    case "$verdict" in
        pass) mark="✅ verified" ;;
        deny) mark="❌ did not verify" ;;
        *) mark="⚠️ error" ;;
    esac
    summary "### Evidence Pack: \`$pack_name\` — $mark" ""
    summary "| | |" "|---|---|"
    summary "| Pack | \`$pack_name\` (${size:-?} bytes, $compression) |"
    summary "| SHA-256 | \`$sha256\` |"
    summary "| Merkle root | \`${merkle_root:-?}\` |"
    summary "| Release | $org / $release${GITHUB_REF:+ (\`$GITHUB_REF\`)} |"
    if [[ "$signed" == true ]]; then
        summary "| Signature | DSSE over index.json, key id \`${key_id:-?}\`; $verify_how |"
    else
        summary "| Signature | none (unsigned pack); $verify_how |"
    fi
    if [[ "$upload" == true && $exit_code -eq 0 ]]; then
        summary "| Workflow artifact | \`$upload_name\` |"
    fi
    summary ""
    if [[ -n "$python" && -s "$report" ]]; then
        "$python" -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    idx = (json.load(f).get("data") or {}).get("index") or {}
arts = idx.get("artifacts") or []
def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")
print("<details open><summary>%d artifact(s)</summary>" % len(arts))
print()
print("| Artifact | Media type | Size | SHA-256 |")
print("|---|---|---:|---|")
for a in arts:
    print("| `%s` | %s | %s | `%s` |" % (cell(a.get("name") or a.get("path")), cell(a.get("mediaType", "")),
                                     a.get("size", ""), a.get("sha256", "")))
print()
print("</details>")
print()
' "$report" >>"$GITHUB_STEP_SUMMARY" || true
    fi
    if [[ $exit_code -eq 1 && -n "$annotations" ]]; then
        summary "The pack did not verify:" ""
        summary "$(sed -E 's/^::[a-z]+ [^:]*::/- /; s/%0A/ /g; s/%0D//g; s/%25/%/g' <<<"$annotations")" ""
    elif [[ $exit_code -ne 0 ]]; then
        error_summary "$cli_stderr" "tollgate evidence verify exited with code $exit_code"
    fi
fi

set_outputs
echo "tollgate evidence-pack: verdict ${verdict}, exit code ${exit_code}, ${artifacts:-?} artifact(s), $pack (sha256 $sha256, Merkle root ${merkle_root:-?})"
exit "$exit_code"
