#!/usr/bin/env bash
# Install the tools bench/evidence.sh compares `tollgate evidence` against and measures with:
# pigz (parallel gzip), zstd, and GNU time (/usr/bin/time -v, for the peak RSS). Debian/Ubuntu
# packages via apt-get; sudo is used only when not running as root. Idempotent: does nothing when
# all three are already installed.
#
#   bench/install-evidence-tools.sh
set -euo pipefail

missing=()
command -v pigz >/dev/null 2>&1 || missing+=(pigz)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-evidence-tools: pigz, zstd and /usr/bin/time already installed" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-evidence-tools: no apt-get; install ${missing[*]} with your package manager" >&2
    exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-evidence-tools: not root and no sudo; install ${missing[*]} as root" >&2
        exit 1
    }
    sudo=(sudo)
fi
echo "install-evidence-tools: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
