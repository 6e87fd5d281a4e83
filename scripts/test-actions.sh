#!/usr/bin/env bash
# Lint the GitHub Actions and workflows, then run the actions' test suite
# (tests/actions/test_actions.py: actions/setup against a release server on 127.0.0.1, and
# actions/sbom-validate with a fake and with the real binary). Called by `make test`.
#
# Usage: scripts/test-actions.sh [TOLLGATE_BINARY] [TestCase[.test_name]...]
# A binary given as the first argument is the real one to test with, and then its cases must
# run (TOLLGATE_ACTIONS_REQUIRE_BIN=1); without it, TOLLGATE_BIN or target/release/tollgate is
# used when present and those cases are skipped otherwise. Exits non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $# -gt 0 && ( "$1" == */* || -f "$1" ) ]]; then
    [[ -f "$1" ]] || { echo "test-actions.sh: no tollgate binary at $1" >&2; exit 2; }
    TOLLGATE_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    export TOLLGATE_BIN
    export TOLLGATE_ACTIONS_REQUIRE_BIN=${TOLLGATE_ACTIONS_REQUIRE_BIN:-1}
    shift
fi
cd "$root"

bash scripts/actionlint.sh

echo "== tests/actions"
python3 tests/actions/test_actions.py "$@"
