#!/usr/bin/env bash
# Build the chat widget: web/src + socket.io-client -> web/dist/widget.js (committed, so
# `make run` needs no Node). Run this after changing anything under web/src or web/package*.json.
#   scripts/build_web.sh           rebuild web/dist/widget.js
#   scripts/build_web.sh --check   build to a temporary file; fail if the committed one differs
# Needs Node.js 18+ and npm; packages come from web/package-lock.json (npm ci).
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Building the widget needs Node.js and npm (scripts/install_system_packages.sh)." >&2
  exit 1
fi

# Install exactly the locked packages, only when missing or when the lockfile changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp --suffix=.js)
  trap 'rm -f "$tmp"' EXIT
  node build.mjs "$tmp"
  if ! cmp -s "$tmp" dist/widget.js; then
    echo "web/dist/widget.js does not match web/src: run scripts/build_web.sh and commit the result." >&2
    exit 1
  fi
  echo "web/dist/widget.js matches its sources."
else
  node build.mjs dist/widget.js
  echo "Built web/dist/widget.js ($(wc -c < dist/widget.js) bytes)."
fi
