#!/usr/bin/env bash
# Installs what the render tests (tests/render.rs) look at the Control Attestation with: headless
# Chromium (HTML report -> DOM + screenshot), poppler-utils (pdftoppm, pdftotext, pdfinfo for the
# PDF), a font for Chromium, and python3 (decodes the PNGs). Idempotent: does nothing when every
# tool is already there. Debian/Ubuntu (apt) only.
set -euo pipefail

have_chromium() {
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

missing=()
have_chromium || missing+=(chromium)
{ command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 &&
	command -v pdfinfo >/dev/null 2>&1; } || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v python3 >/dev/null 2>&1 || missing+=(python3)

if [ ${#missing[@]} -eq 0 ]; then
	echo "render tools: chromium, poppler-utils, fonts-dejavu-core, python3 present"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "render tools: missing ${missing[*]} and no apt-get here; install them by hand" >&2
	exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	SUDO=(sudo)
fi

echo "render tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
