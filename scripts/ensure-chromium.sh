#!/usr/bin/env bash
# Make sure Debian's Chromium and the Noto fonts (Arabic script, colour emoji) are installed, for the browser
# tests of the web widget (tests/browser/). Playwright's own browser download needs the
# internet and a supported distribution; the system package works everywhere Debian does.
#
# Idempotent: does nothing when both are there. Installs non-interactively otherwise, as root
# or through sudo.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
[ -x "$chromium" ] || missing+=(chromium)
installed fonts-noto-core || missing+=(fonts-noto-core)
installed fonts-noto-color-emoji || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${missing[*]}. Install Chromium and Noto fonts with your package manager," >&2
  echo "or set CHROMIUM_PATH to a Chromium binary." >&2
  exit 1
fi

run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
  run_as_root=(sudo)
fi

echo "installing ${missing[*]} for the browser tests …"
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update
"${run_as_root[@]}" apt-get install -y "${missing[@]}"
[ -x "$chromium" ] || { echo "$chromium is still missing after the install" >&2; exit 1; }
