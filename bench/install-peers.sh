#!/usr/bin/env bash
# Install the peer validators that bench/run.sh compares tollgate against, into bench/.peers/.
# Idempotent: re-running with the same pins does nothing slow. Versions are pinned so results
# are comparable across runs; override with the env vars below to try newer peers.
#
#   bench/.peers/venv   python venv: check-jsonschema, cyclonedx-python-lib, spdx-tools (pyspdxtools)
#   bench/.peers/npm    npm prefix:  @cyclonedx/cdxgen (provides the `cdx-validate` bin)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS="$HERE/.peers"

CHECK_JSONSCHEMA_VERSION="${CHECK_JSONSCHEMA_VERSION:-0.39.0}"
CYCLONEDX_PYTHON_LIB_VERSION="${CYCLONEDX_PYTHON_LIB_VERSION:-11.12.0}"
SPDX_TOOLS_VERSION="${SPDX_TOOLS_VERSION:-0.8.5}"
CDXGEN_VERSION="${CDXGEN_VERSION:-12.8.4}"

mkdir -p "$PEERS"

# --- Python peers -----------------------------------------------------------------------------
PY="${PYTHON:-python3}"
if [ ! -x "$PEERS/venv/bin/python" ]; then
    echo "install-peers: creating venv at $PEERS/venv" >&2
    "$PY" -m venv "$PEERS/venv"
fi
VPY="$PEERS/venv/bin/python"

want_py=(
    "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
    # the [json-validation] extra pulls in jsonschema, which JsonStrictValidator needs
    "cyclonedx-python-lib[json-validation]==$CYCLONEDX_PYTHON_LIB_VERSION"
    "spdx-tools==$SPDX_TOOLS_VERSION"
)
have_all=1
for spec in "${want_py[@]}"; do
    name="${spec%%[*}"; name="${name%%==*}"; ver="${spec##*==}"
    got="$("$VPY" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)"
    [ "$got" = "$ver" ] || have_all=0
done
if [ "$have_all" = 0 ]; then
    echo "install-peers: pip install ${want_py[*]}" >&2
    "$VPY" -m pip install --quiet --upgrade pip >&2
    "$VPY" -m pip install --quiet "${want_py[@]}" >&2
else
    echo "install-peers: python peers already installed" >&2
fi

# --- npm peer ---------------------------------------------------------------------------------
NPM_PREFIX="$PEERS/npm"
got="$(node -p "require('$NPM_PREFIX/node_modules/@cyclonedx/cdxgen/package.json').version" 2>/dev/null || true)"
if [ "$got" != "$CDXGEN_VERSION" ]; then
    echo "install-peers: npm install @cyclonedx/cdxgen@$CDXGEN_VERSION" >&2
    mkdir -p "$NPM_PREFIX"
    # --omit=optional: skip cdxgen's optional native plugins (binary downloads), which
    # cdx-validate does not use.
    npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --omit=optional \
        "@cyclonedx/cdxgen@$CDXGEN_VERSION" >&2
else
    echo "install-peers: cdxgen $CDXGEN_VERSION already installed" >&2
fi

# --- versions, for the report -----------------------------------------------------------------
"$VPY" - "$NPM_PREFIX" > "$PEERS/versions.json" <<'PYEOF'
import json, sys, subprocess
from importlib.metadata import version
prefix = sys.argv[1]
out = {
    "python": sys.version.split()[0],
    "check-jsonschema": version("check-jsonschema"),
    "jsonschema": version("jsonschema"),
    "cyclonedx-python-lib": version("cyclonedx-python-lib"),
    "spdx-tools": version("spdx-tools"),
}
pkg = json.load(open(f"{prefix}/node_modules/@cyclonedx/cdxgen/package.json"))
out["@cyclonedx/cdxgen"] = pkg["version"]
out["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
json.dump(out, sys.stdout, indent=2)
print()
PYEOF
cat "$PEERS/versions.json"
