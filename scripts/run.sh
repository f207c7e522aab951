#!/usr/bin/env bash
# Start the action server and the Rasa server together; Ctrl-C stops both.
# Used by `make run` and by the end-to-end tests (which set other ports and databases).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f .env ]; then set -a; . ./.env; set +a; fi

export RASA_PORT=${RASA_PORT:-5005}
export ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///var/tracker.db}
export JOURNAL_DB_URL=${JOURNAL_DB_URL:-sqlite:///var/journal.db}
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-*}
# Rasa fails on an unset ${VAR} in credentials.yml: every variable it names defaults to empty
# here (RASA_AUTH_TOKEN is set below). Empty phone numbers fall back to actions/settings.py;
# empty tokens keep Telegram and WhatsApp off; an empty REST_WEBHOOK_SECRET leaves the REST
# webhook open.
for var in $(grep -oE '\$\{[A-Z_][A-Z0-9_]*\}' credentials.yml | tr -d '${}' | sort -u); do
  export "$var=${!var:-}"
done
export RASA_TELEMETRY_ENABLED=false
export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
MODEL=${MODEL:-models/gentle-hands.tar.gz}
VENV=${VENV:-.venv}
LOG_DIR=${LOG_DIR:-var/log}
mkdir -p var "$LOG_DIR"

if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  # A generated token for local use, kept across runs in var/ (never committed).
  [ -s var/auth_token ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))' > var/auth_token
  RASA_AUTH_TOKEN=$(cat var/auth_token)
fi
export RASA_AUTH_TOKEN

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$RASA_PORT" "$ACTION_PORT"; do
  if port_busy "$p"; then
    echo "Port $p is already in use: Gentle Hands may already be running (stop it with Ctrl-C in" >&2
    echo "its terminal), or another program uses it. Set RASA_PORT / ACTION_PORT to use others." >&2
    exit 2
  fi
done
[ -f "$MODEL" ] || { echo "No trained model at $MODEL: run 'make run' (it trains first)." >&2; exit 1; }

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Sanic closes a new connection that has not sent its request within the keep-alive timeout
# (5 s by default). Rasa connects to the action server, and when its event loop is then busy
# with other messages for more than 5 s (several arriving at once while it warms up), the
# action fails with "Cannot write to closing transport". The action server waits longer (as
# in scripts/deploy_local.sh).
SANIC_KEEP_ALIVE_TIMEOUT=${ACTIONS_KEEP_ALIVE_TIMEOUT:-75} \
  "$VENV/bin/rasa" run actions --actions actions --port "$ACTION_PORT" \
  >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)

# One --cors per origin. Split on commas without letting the shell expand a "*" into the
# names of the files here (it did: the default "*" became "--cors Makefile --cors README.md...").
# cors:begin (tests/deploy/test_deploy_files.py runs these lines)
cors_args=()
IFS=',' read -r -a origins <<< "$ALLOWED_ORIGINS"
for origin in "${origins[@]}"; do
  origin="${origin// /}"
  if [ -n "$origin" ]; then cors_args+=(--cors "$origin"); fi
done
# cors:end

"$VENV/bin/rasa" run --model "$MODEL" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml \
  --enable-api --auth-token "$RASA_AUTH_TOKEN" "${cors_args[@]}" \
  >"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)

echo "Starting Gentle Hands (logs in $LOG_DIR/)..."
for _ in $(seq 1 240); do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A server stopped while starting; the end of its log:" >&2
      tail -n 20 "$LOG_DIR/rasa.log" "$LOG_DIR/actions.log" >&2
      exit 1
    fi
  done
  if "$VENV/bin/python" - "$RASA_PORT" <<'PY' 2>/dev/null; then break; fi
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
  sleep 0.5
done

cat <<MSG
Gentle Hands is ready.
  Chat in a browser: http://localhost:$RASA_PORT/chat
  Chat over REST:  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  HTTP API token:  $RASA_AUTH_TOKEN   (kept in var/auth_token; set RASA_AUTH_TOKEN to choose one)
Press Ctrl-C to stop both servers.
MSG
wait -n "${pids[@]}" || true
echo "A server stopped; shutting down the other." >&2
