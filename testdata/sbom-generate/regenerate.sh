#!/usr/bin/env bash
# Regenerate the `sbom generate` fixtures with the real package managers (installed into .tools/
# by scripts/install-sbomgen-tools.sh). Needs the network (crates.io, npm, PyPI); the tests
# never run it, they read the committed lockfiles. See README.md for what is hand-written.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
"$ROOT/scripts/install-sbomgen-tools.sh" >/dev/null
VENV="$ROOT/.tools/sbomgen-venv/bin"
NPMBIN="$ROOT/.tools/sbomgen-npm/node_modules/.bin"
export UV_CACHE_DIR="$ROOT/.tools/cache/uv" npm_config_cache="$ROOT/.tools/cache/npm"
export YARN_CACHE_FOLDER="$ROOT/.tools/cache/yarn" COREPACK_HOME="$ROOT/.tools/cache/corepack"
export POETRY_CACHE_DIR="$ROOT/.tools/cache/poetry" POETRY_VIRTUALENVS_CREATE=false
step() { echo "regenerate: $*" >&2; }

step cargo;        (cd "$HERE/cargo" && cargo generate-lockfile) || echo "regenerate: FAILED" >&2
step npm v3;       (cd "$HERE/npm" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund) || echo "regenerate: FAILED" >&2
step npm v1;       (cd "$HERE/npm-v1" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --lockfile-version 1 || true) || echo "regenerate: FAILED" >&2
step yarn classic; (cd "$HERE/yarn-classic" && node "$ROOT/.tools/sbomgen-npm/node_modules/yarn/bin/yarn.js" install --ignore-scripts --no-progress --non-interactive && rm -rf node_modules) || echo "regenerate: FAILED" >&2
step yarn berry;   (cd "$HERE/yarn-berry" && touch yarn.lock && YARN_NPM_REGISTRY_SERVER=https://registry.npmjs.org YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=0 YARN_CACHE_FOLDER="$ROOT/.tools/cache/yarn-berry" node "$ROOT/.tools/sbomgen-npm/node_modules/@yarnpkg/cli-dist/bin/yarn.js" install --mode update-lockfile && rm -rf .yarn .pnp.* node_modules) || echo "regenerate: FAILED yarn berry" >&2
step pnpm v9;      (cd "$HERE/pnpm-v9" && "$NPMBIN/pnpm" install --lockfile-only --ignore-scripts) || echo "regenerate: FAILED" >&2
step pnpm v6;      (cd "$HERE/pnpm-v6" && npx --yes pnpm@8.15.9 install --lockfile-only --ignore-scripts) || echo "regenerate: FAILED" >&2
step uv;           (cd "$HERE/uv" && "$VENV/uv" lock) || echo "regenerate: FAILED" >&2
step poetry;       (cd "$HERE/poetry" && "$VENV/poetry" lock) || echo "regenerate: FAILED" >&2
step requirements; (cd "$HERE/requirements" && "$VENV/uv" pip compile --generate-hashes --no-header requirements.in -o requirements.txt) || echo "regenerate: FAILED" >&2
step pipenv;       (cd "$HERE/pipenv" && WORKON_HOME="$ROOT/.tools/cache/pipenv" PIPENV_VENV_IN_PROJECT=0 "$VENV/pipenv" lock || echo "pipenv not available") || echo "regenerate: FAILED" >&2
step monorepo;     (cd "$HERE/monorepo/api" && cargo generate-lockfile
                    cd "$HERE/monorepo/web" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund
                    cd "$HERE/monorepo/worker" && "$VENV/uv" lock) || echo "regenerate: FAILED" >&2
step done
