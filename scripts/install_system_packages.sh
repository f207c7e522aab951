#!/usr/bin/env bash
# System packages the tests need (Debian/Ubuntu): headless Chromium for the widget's browser
# tests (driven by Playwright, which never downloads a browser), Node.js + npm to build the
# widget, and nginx for the production topology (tests/deploy, make deploy-local; the tests
# run it as a child process with their own configuration, never as a system service), and
# jemalloc for training. Idempotent and quiet: installs only what is missing.
# Works as root, or through sudo when it exists; otherwise says what to install and stops.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# jemalloc for training (the Makefile preloads it: no page-fault storm in TensorFlow).
ls /usr/lib/*/libjemalloc.so.2 >/dev/null 2>&1 || need+=(libjemalloc2)
# Fonts so screenshots show real text (Chromium pulls a basic set; DejaVu covers the rest).
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "Missing system packages: ${need[*]}. Install them as root (apt-get install ${need[*]})." >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install ${need[*]} with this system's package manager." >&2
  exit 1
fi

echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
