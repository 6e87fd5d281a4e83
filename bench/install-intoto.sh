#!/usr/bin/env bash
# Install the in-toto reference implementation (PyPI `in-toto`: in-toto-run, in-toto-verify, …)
# that bench/verify.sh compares `tollgate verify provenance` against, into its own venv at
# bench/.peers/intoto/ (gitignored; kept apart from bench/install-peers.sh's venv so the two
# sets of pins cannot clash). This is the only step of bench/verify.sh that needs the network.
# Idempotent: re-running with the same pins does nothing slow.
#
#   bench/install-intoto.sh           prints the installed versions as JSON
#
# Environment: IN_TOTO_VERSION (pin below), PYTHON (python3).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.peers/intoto"
IN_TOTO_VERSION="${IN_TOTO_VERSION:-3.1.0}"

PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "install-intoto: creating venv at $VENV" >&2
    mkdir -p "$HERE/.peers"
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

got="$("$VPY" -m pip show in-toto 2>/dev/null | sed -n 's/^Version: //p' || true)"
# `cryptography` is what securesystemslib's signers need for ECDSA/Ed25519 keys; in-toto 3
# declares it only as an optional extra, so name it explicitly.
if [ "$got" != "$IN_TOTO_VERSION" ] || ! "$VPY" -c 'import cryptography' 2>/dev/null; then
    echo "install-intoto: pip install in-toto==$IN_TOTO_VERSION cryptography" >&2
    "$VPY" -m pip install --quiet --upgrade pip >&2
    "$VPY" -m pip install --quiet "in-toto==$IN_TOTO_VERSION" cryptography >&2
else
    echo "install-intoto: in-toto $IN_TOTO_VERSION already installed" >&2
fi

"$VPY" - > "$VENV/versions.json" <<'PYEOF'
import json, sys
from importlib.metadata import version
json.dump({
    "python": sys.version.split()[0],
    "in-toto": version("in-toto"),
    "securesystemslib": version("securesystemslib"),
    "cryptography": version("cryptography"),
}, sys.stdout, indent=2)
print()
PYEOF
cat "$VENV/versions.json"
