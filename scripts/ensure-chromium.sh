#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is at /usr/bin/chromium, for the viewer's browser
# test (playwright-core drives it; no browser is downloaded from the internet by playwright).
# Idempotent and quiet: does nothing when the browser is there; otherwise installs the `chromium`
# package (and a font, for text in screenshots) with apt-get, as root or through passwordless
# sudo, and says why when it cannot.
set -euo pipefail
BROWSER=/usr/bin/chromium
if [ -x "$BROWSER" ]; then
  exit 0
fi
fail() {
  echo "ensure-chromium: $1" >&2
  echo "ensure-chromium: install it by hand (Debian/Ubuntu: apt-get install -y chromium) so that $BROWSER exists." >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || fail "$BROWSER is missing and apt-get is not available on this system."
if [ "$(id -u)" -eq 0 ]; then
  AS_ROOT=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  AS_ROOT=(sudo -n)
else
  fail "$BROWSER is missing and installing it needs root (run as root, or allow passwordless sudo)."
fi
echo "ensure-chromium: installing Debian's chromium package (one time)..." >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! "${AS_ROOT[@]}" apt-get update -qq >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get update failed (no network or no package mirror?)."
fi
if ! "${AS_ROOT[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get install chromium failed."
fi
[ -x "$BROWSER" ] || fail "the chromium package installed, but $BROWSER is still missing."
echo "ensure-chromium: $("$BROWSER" --version 2>/dev/null || echo chromium) installed." >&2
