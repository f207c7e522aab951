#!/usr/bin/env bash
# Create or refresh the project's Python 3.10 virtualenv (Rasa 3.6 refuses 3.11).
set -euo pipefail
venv=${1:-.venv}

find_python() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10; return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local v
    v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V | tail -n 1 || true)
    if [ -n "$v" ]; then echo "$(pyenv root)/versions/$v/bin/python3.10"; return; fi
  fi
  for p in /usr/bin/python3.10 /usr/local/bin/python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
    [ -x "$p" ] && { echo "$p"; return; }
  done
  return 1
}

if ! py=$(find_python); then
  echo "Python 3.10 is needed (Rasa 3.6 does not run on 3.11 or later)." >&2
  echo "Install it, for example with 'pyenv install 3.10' or your system's python3.10 package." >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "Creating $venv with $py"
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade "pip==24.2"
echo "Installing pinned requirements (a few minutes the first time)..."
"$venv/bin/python" -m pip install --quiet -r requirements-dev.txt -c constraints.txt
