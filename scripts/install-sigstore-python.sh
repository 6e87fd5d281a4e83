#!/usr/bin/env bash
# Install sigstore-python (PyPI `sigstore`) into a virtualenv under .tools/ (gitignored), for
# bench/sigstore.sh. Idempotent.
#
#   scripts/install-sigstore-python.sh        # prints the path of the `sigstore` executable
#
# Environment: SIGSTORE_PY_VERSION (default pinned below).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${SIGSTORE_PY_VERSION:-4.5.1}
VENV=.tools/sigstore-python-$VERSION
if [[ ! -x $VENV/bin/sigstore ]]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "sigstore==$VERSION" >&2
fi
echo "$VENV/bin/sigstore"
