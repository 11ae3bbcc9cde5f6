#!/usr/bin/env bash
# Installs what the catalogue's browser test needs: Debian's chromium
# package (never a browser build downloaded by a tool) and playwright-core
# from npm, pinned in web/e2e/package-lock.json. It prints one line on
# standard output, the variable that turns the test on:
#
#   eval "$(bash scripts/browser-setup.sh)"
#   go test -run TestBrowser ./web
#
# Everything else it says goes to standard error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "browser-setup: $*" >&2; }

browser=""
for candidate in "${CHARTER_BROWSER:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
	if [ -n "$candidate" ] && [ -x "$candidate" ]; then
		browser="$candidate"
		break
	fi
done
if [ -z "$browser" ]; then
	log "installing Debian's chromium package"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
	browser=/usr/bin/chromium
fi
log "browser: $("$browser" --version 2>/dev/null | head -n 1)"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	log "installing node and npm from Debian"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >&2
fi

log "installing playwright-core in web/e2e (npm ci)"
# playwright-core ships no browser and downloads none.
(cd web/e2e && npm ci --no-audit --no-fund --loglevel=error >&2)

echo "export CHARTER_BROWSER=$browser"
