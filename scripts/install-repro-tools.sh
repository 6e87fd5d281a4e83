#!/usr/bin/env bash
# Install the Debian packages the reproducibility bench (bench/repro.sh) compares against:
# reprotest (the reference), faketime (time variation for both tools) and diffoscope-minimal
# (difference summaries). Uses apt-get; sudo only when not root. Idempotent.
#
# Usage: scripts/install-repro-tools.sh [--with-bubblewrap]
#   --with-bubblewrap  also install bubblewrap (an alternative isolation for `hermetic run`)
set -euo pipefail

pkgs=(reprotest faketime diffoscope-minimal)
[[ "${1:-}" != --with-bubblewrap ]] || pkgs+=(bubblewrap)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-repro-tools.sh: ${pkgs[*]} already installed"
    exit 0
fi
command -v apt-get >/dev/null || { echo "install-repro-tools.sh: apt-get is needed (Debian/Ubuntu); install ${missing[*]} by hand" >&2; exit 2; }
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-repro-tools.sh: not root and no sudo" >&2; exit 2; }
    sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-repro-tools.sh: installed ${missing[*]}"
