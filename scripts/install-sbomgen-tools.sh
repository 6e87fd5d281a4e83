#!/usr/bin/env bash
# Install the package managers that make the `sbom generate` fixtures, and the peer SBOM
# generators bench/sbom-generate.sh compares against, into .tools/ (gitignored). Idempotent;
# versions are pinned so fixtures and benchmark results are reproducible. Needs the network
# (PyPI and the npm registry); nothing in `cargo test` calls it.
#
#   .tools/sbomgen-venv  python venv: uv, poetry, pipenv, cyclonedx-bom (cyclonedx-py)
#   .tools/sbomgen-npm   npm prefix:  pnpm, yarn (classic), @yarnpkg/cli-dist (yarn Berry, since
#                        repo.yarnpkg.com may be unreachable), @cyclonedx/cdxgen, @cyclonedx/cyclonedx-npm
#
# Prints the versions as JSON on stdout (also kept in .tools/sbomgen-versions.json).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
UV_VERSION="${UV_VERSION:-0.9.5}"
POETRY_VERSION="${POETRY_VERSION:-2.2.1}"
CYCLONEDX_BOM_VERSION="${CYCLONEDX_BOM_VERSION:-7.2.1}"
PIPENV_VERSION="${PIPENV_VERSION:-2024.4.0}"
PNPM_VERSION="${PNPM_VERSION:-10.20.0}"
YARN_VERSION="${YARN_VERSION:-1.22.22}"
CDXGEN_VERSION="${CDXGEN_VERSION:-12.8.4}"
CDX_NPM_VERSION="${CDX_NPM_VERSION:-4.1.2}"
YARN_BERRY_VERSION="${YARN_BERRY_VERSION:-4.5.3}"

mkdir -p "$TOOLS"
VENV="$TOOLS/sbomgen-venv"
if [ ! -x "$VENV/bin/python" ]; then
    echo "install-sbomgen-tools: creating $VENV" >&2
    "${PYTHON:-python3}" -m venv "$VENV"
fi
want_py=("uv==$UV_VERSION" "poetry==$POETRY_VERSION" "cyclonedx-bom==$CYCLONEDX_BOM_VERSION" "pipenv==$PIPENV_VERSION")
have_all=1
for spec in "${want_py[@]}"; do
    got="$("$VENV/bin/python" -m pip show "${spec%%==*}" 2>/dev/null | sed -n 's/^Version: //p' || true)"
    [ "$got" = "${spec##*==}" ] || have_all=0
done
if [ "$have_all" = 0 ]; then
    echo "install-sbomgen-tools: pip install ${want_py[*]}" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${want_py[@]}" >&2
fi

NPM_PREFIX="$TOOLS/sbomgen-npm"
want_npm=("pnpm@$PNPM_VERSION" "yarn@$YARN_VERSION" "@cyclonedx/cdxgen@$CDXGEN_VERSION" "@cyclonedx/cyclonedx-npm@$CDX_NPM_VERSION" "@yarnpkg/cli-dist@$YARN_BERRY_VERSION")
have_all=1
for spec in "${want_npm[@]}"; do
    name="${spec%@*}"
    got="$(node -p "require('$NPM_PREFIX/node_modules/$name/package.json').version" 2>/dev/null || true)"
    [ "$got" = "${spec##*@}" ] || have_all=0
done
if [ "$have_all" = 0 ]; then
    echo "install-sbomgen-tools: npm install ${want_npm[*]}" >&2
    mkdir -p "$NPM_PREFIX"
    # --omit=optional: skip cdxgen's optional native plugins (binary downloads).
    npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --omit=optional "${want_npm[@]}" >&2
fi

"$VENV/bin/python" - "$NPM_PREFIX" > "$TOOLS/sbomgen-versions.json" <<'PYEOF'
import json, sys, subprocess
from importlib.metadata import version
prefix = sys.argv[1]
out = {"python": sys.version.split()[0]}
for p in ("uv", "poetry", "cyclonedx-bom", "pipenv"):
    out[p] = version(p)
for p in ("pnpm", "yarn", "@yarnpkg/cli-dist", "@cyclonedx/cdxgen", "@cyclonedx/cyclonedx-npm"):
    out[p] = json.load(open(f"{prefix}/node_modules/{p}/package.json"))["version"]
out["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
out["npm"] = subprocess.run(["npm", "--version"], capture_output=True, text=True).stdout.strip()
json.dump(out, sys.stdout, indent=2)
print()
PYEOF
cat "$TOOLS/sbomgen-versions.json"
