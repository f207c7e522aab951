#!/usr/bin/env bash
# Start the action server and the Rasa server together (`make run`); Ctrl-C stops both.
# Used by `make run` and by the end-to-end tests (which set other ports and databases).
# This script sets the environment; scripts/rasa_serve.py supervises the two servers: a server
# that crashes is restarted with back-off while the other keeps answering, and their logs
# (LOG_DIR) are appended and rotated, never truncated. Rasa is started through that launcher so
# its API token never appears on a command line (see its docstring).
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything created from here on (the token file, logs, SQLite databases with conversations
# and the journal) is readable by this user only.
umask 077

if [ -f .env ]; then set -a; . ./.env; set +a; fi

export RASA_PORT=${RASA_PORT:-5005}
export ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///var/tracker.db}
export JOURNAL_DB_URL=${JOURNAL_DB_URL:-sqlite:///var/journal.db}
# Web pages allowed to call the server: by default only the server's own pages (/chat). "*"
# (any page) must be asked for explicitly, and only where nobody else can reach the server.
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-http://localhost:${RASA_PORT},http://127.0.0.1:${RASA_PORT}}
# Rasa fails on an unset ${VAR} in credentials.yml: every variable it names defaults to empty
# here. Empty phone numbers fall back to bot/config.py; empty tokens keep Telegram and
# WhatsApp off; an empty REST_WEBHOOK_SECRET leaves the REST webhook open (local use). An
# empty RASA_AUTH_TOKEN means: the launcher reads var/auth_token (RASA_AUTH_TOKEN_FILE).
for var in $(grep -oE '\$\{[A-Z_][A-Z0-9_]*\}' credentials.yml | tr -d '${}' | sort -u); do
  export "$var=${!var:-}"
done
export RASA_TELEMETRY_ENABLED=false
export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export MODEL=${MODEL:-models/gentle-hands.tar.gz}
export VENV=${VENV:-.venv}
export LOG_DIR=${LOG_DIR:-var/log}
mkdir -p var "$LOG_DIR"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$RASA_PORT" "$ACTION_PORT"; do
  if port_busy "$p"; then
    echo "Port $p is already in use: Gentle Hands may already be running (stop it with Ctrl-C in" >&2
    echo "its terminal), or another program uses it. Set RASA_PORT / ACTION_PORT to use others." >&2
    exit 2
  fi
done
[ -f "$MODEL" ] || { echo "No trained model at $MODEL: run 'make run' (it trains first)." >&2; exit 1; }

# The supervisor takes this process's place: Ctrl-C and SIGTERM reach it (and it stops both).
exec "$VENV/bin/python" scripts/rasa_serve.py supervise
