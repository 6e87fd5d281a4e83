#!/usr/bin/env bash
# Attach the verified Evidence Pack to the GitHub release of a tag, for
# actions/evidence-pack/action.yml (run only on a tag, with attach-to-release "true", after
# pack.sh passed): `gh release upload TAG PACK --clobber` with the runner's gh CLI.
#
# Environment (set by action.yml):
#   GH_TOKEN       the github-token input (needs contents: write); never printed
#   GH_REPO        the repository (github.repository); empty to let gh find it from the checkout
#   TOLLGATE_TAG   the tag (GITHUB_REF without refs/tags/)
#   TOLLGATE_PACK  the pack file
# Writes the output tag, and exits 0 when attached, 2 when gh is missing or no token is given,
# or gh's exit status when the upload fails (e.g. no release for the tag yet).
set -euo pipefail

title="tollgate evidence-pack"
# Found without running a command: the library first takes the secrets out of the environment.
# shellcheck source=actions/lib/common.sh
source "${BASH_SOURCE[0]%/*}/../lib/common.sh"
tag=${TOLLGATE_TAG:-}
pack=${TOLLGATE_PACK:-}

# fail MESSAGE CODE: an ::error annotation, the message in the job summary, exit CODE.
fail() {
    annotate error "$1"
    summary "$1" ""
    exit "$2"
}

[[ -n "$tag" && -f "$pack" ]] || fail "nothing to attach (tag '$tag', pack '$pack')" 2
command -v gh >/dev/null 2>&1 || fail "the gh CLI is not on PATH, so the pack cannot be attached to the release of $tag (set attach-to-release to false, or install gh)" 2
[[ -n "${GH_TOKEN:-}" ]] || fail "github-token is empty, so the pack cannot be attached to the release of $tag (give a token with contents: write, or set attach-to-release to false)" 2
[[ -n "${GH_REPO:-}" ]] || unset GH_REPO

echo "gh release upload $tag $pack --clobber${GH_REPO:+ (repository $GH_REPO)}"
set +e
gh release upload "$tag" "$pack" --clobber
status=$?
set -e
if [[ $status -ne 0 ]]; then
    fail "gh release upload $tag failed with exit code $status: does the release for $tag exist, and may the token write to it (permissions: contents: write)?" "$status"
fi
set_output tag "$tag"
echo "attached $(basename "$pack") to the release of $tag"
summary "Attached \`$(basename "$pack")\` to the GitHub release of \`$tag\`." ""
