#!/usr/bin/env bash
# Lint the GitHub Actions and workflows, then run the actions' test suite
# (tests/actions/test_actions.py: actions/setup against a release server on 127.0.0.1, and
# actions/sbom-validate, with the real binary from TOLLGATE_BIN or target/release/tollgate when
# it is there). Arguments select tests (e.g. SetupActionTest). Exits non-zero on any failure. Called by
# `make test`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/actionlint.sh

echo "== tests/actions"
python3 tests/actions/test_actions.py "$@"
