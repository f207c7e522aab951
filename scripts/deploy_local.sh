#!/usr/bin/env bash
# The production topology on one machine (`make deploy-local`): nginx on NGINX_PORT in front of
# 2 Rasa replicas (RASA_PORTS), 1 action server, the PostgreSQL tracker store and journal, and
# the atomic Redis lock store (deploy/endpoints.yml). PostgreSQL and Redis must be running;
# nginx comes from Debian (installed with apt when missing and we are root). Logs and the
# rendered nginx config go to DEPLOY_DIR. Ctrl-C stops everything this script started.
#
# Production settings are required, not defaulted: REST_WEBHOOK_SECRET (unless CREDENTIALS
# names no REST channel) and ALLOWED_ORIGINS (the hospice's own web origins, never "*").
# Without them this script stops before starting anything, and says why. The replicas are
# started through scripts/rasa_serve.py, which reads the HTTP API token from RASA_AUTH_TOKEN
# or var/auth_token (mode 0600), so it is never on a command line.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f .env ]; then set -a; . ./.env; set +a; fi

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
DEPLOY_DIR=${DEPLOY_DIR:-var/deploy}
MODEL=${MODEL:-models/gentle-hands.tar.gz}
ENDPOINTS=${ENDPOINTS:-deploy/endpoints.yml}
CREDENTIALS=${CREDENTIALS:-credentials.yml}
NGINX_PORT=${NGINX_PORT:-8080}
RASA_PORTS=${RASA_PORTS:-"5006 5007"}
ACTION_PORT=${ACTION_PORT:-5056}
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
export TRACKER_DB_URL=${TRACKER_DB_URL:-$PG_URL/gentle_hands}
export JOURNAL_DB_URL=${JOURNAL_DB_URL:-$PG_URL/gentle_hands_journal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
export RATE_LIMIT=${RATE_LIMIT:-5r/s}
export RATE_BURST=${RATE_BURST:-20}
export CONN_LIMIT=${CONN_LIMIT:-20}
export NGINX_EXTRA=${NGINX_EXTRA:-}
export SANIC_WORKERS=${SANIC_WORKERS:-1}
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-}
export REST_WEBHOOK_SECRET=${REST_WEBHOOK_SECRET:-}
# Rasa fails on an unset ${VAR} in the credentials file: every one it names defaults to empty
# (empty channel tokens keep those channels off), as in scripts/run.sh.
for var in $(grep -oE '\$\{[A-Z_][A-Z0-9_]*\}' "$CREDENTIALS" | tr -d '${}' | sort -u); do
  export "$var=${!var:-}"
done
export RASA_TELEMETRY_ENABLED=false
export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export DEPLOY_DIR
mkdir -p "$DEPLOY_DIR/nginx-tmp"
DEPLOY_DIR=$(cd "$DEPLOY_DIR" && pwd)  # nginx needs absolute paths

# Refuse an open REST webhook and "*" or missing origins here, before anything is installed
# or started (the replicas check again). Also creates var/auth_token (0600) when RASA_AUTH_TOKEN
# is not set, once, before two replicas would race to.
token_where=$("$PY" scripts/rasa_serve.py preflight --production --credentials "$CREDENTIALS")

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing nginx from Debian (apt-get install nginx-light)..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
      >"$DEPLOY_DIR/apt.log" 2>&1 || { tail "$DEPLOY_DIR/apt.log" >&2; exit 1; }
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  else
    echo "nginx is not installed: run 'sudo apt-get install nginx-light' (or set NGINX=)." >&2
    exit 1
  fi
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$NGINX_PORT" $RASA_PORTS "$ACTION_PORT"; do
  if port_busy "$p"; then
    echo "Port $p is in use (is the topology already running?). Set NGINX_PORT, RASA_PORTS" >&2
    echo "or ACTION_PORT to use others." >&2
    exit 2
  fi
done
[ -f "$MODEL" ] || { echo "No trained model at $MODEL: run 'make train' first." >&2; exit 1; }

# The databases (created when missing) and Redis must answer before anything starts.
"$PY" - <<'PY'
import os, sys
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

for var in ("TRACKER_DB_URL", "JOURNAL_DB_URL"):
    url = make_url(os.environ[var])
    if not url.drivername.startswith("postgresql"):
        continue
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            exists = c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                               {"d": url.database}).scalar()
            if not exists:
                c.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
                print(f"Created database {url.database}.")
    except Exception as e:
        sys.exit(f"PostgreSQL for {var} is not reachable: {e}")
    finally:
        admin.dispose()
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=3).ping()
except Exception as e:
    sys.exit(f"Redis at REDIS_URL is not reachable: {e}")
PY

upstreams=""
for p in $RASA_PORTS; do upstreams+="server 127.0.0.1:$p max_fails=3 fail_timeout=5s; "; done
export RASA_UPSTREAM_SERVERS="$upstreams" NGINX_LISTEN="127.0.0.1:$NGINX_PORT"
"$PY" deploy/render_template.py deploy/nginx/gentle-hands.conf.template > "$DEPLOY_DIR/gentle-hands.conf"
"$PY" deploy/render_template.py deploy/nginx/nginx.conf.template > "$DEPLOY_DIR/nginx.conf"
"$NGINX" -t -q -p "$DEPLOY_DIR" -c "$DEPLOY_DIR/nginx.conf" -g 'daemon off;'

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Rasa's aiohttp client keeps idle connections to the action server for 15 s; Sanic closes them
# after 5 s by default, and a request written into a closing connection fails the action
# ("Can not write request body"). The server keeps them longer than the client does.
SANIC_KEEP_ALIVE_TIMEOUT=${ACTIONS_KEEP_ALIVE_TIMEOUT:-75} \
  "$VENV/bin/rasa" run actions --actions actions --port "$ACTION_PORT" \
  >>"$DEPLOY_DIR/actions.log" 2>&1 &
pids+=($!)

i=0
for p in $RASA_PORTS; do
  i=$((i + 1))
  # Rasa in the launcher's process: the token is read there, from the environment or the
  # token file, never passed as an argument (`ps` shows every process's arguments).
  "$PY" scripts/rasa_serve.py run --production --model "$MODEL" --port "$p" \
    --interface 127.0.0.1 --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" --enable-api \
    >>"$DEPLOY_DIR/rasa-$i.log" 2>&1 &
  pids+=($!)
  echo "$!" > "$DEPLOY_DIR/rasa-$i.pid"
done

"$NGINX" -p "$DEPLOY_DIR" -c "$DEPLOY_DIR/nginx.conf" -g 'daemon off;' &
pids+=($!)

echo "Starting the topology (logs in $DEPLOY_DIR/)..."
ready() {
  "$PY" - "$@" <<'PY' 2>/dev/null
import sys, urllib.request
for url in sys.argv[1:]:
    with urllib.request.urlopen(url, timeout=1) as r:
        if r.status != 200:
            sys.exit(1)
PY
}
urls=("http://127.0.0.1:$ACTION_PORT/health")
for p in $RASA_PORTS; do urls+=("http://127.0.0.1:$p/"); done
urls+=("http://127.0.0.1:$NGINX_PORT/")
for _ in $(seq 1 ${START_TIMEOUT:-480}); do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A process stopped while starting; the ends of the logs:" >&2
      tail -n 15 "$DEPLOY_DIR"/*.log >&2
      exit 1
    fi
  done
  if ready "${urls[@]}"; then break; fi
  sleep 0.5
done
ready "${urls[@]}" || { echo "The topology did not start in time (see $DEPLOY_DIR/)." >&2; exit 1; }

mask() { sed -E 's#//[^/@]*@#//***@#' <<<"$1"; }
cat <<MSG
Gentle Hands (production topology) is ready.
  Through nginx:  curl -s localhost:$NGINX_PORT/webhooks/rest/webhook -H "X-Webhook-Secret: \$REST_WEBHOOK_SECRET" -d '{"sender":"me","message":"hi"}'
  Replicas:       $(for p in $RASA_PORTS; do printf 'http://127.0.0.1:%s ' "$p"; done)
  $token_where
  Web origins:    $ALLOWED_ORIGINS (ALLOWED_ORIGINS)
  Stores:         tracker $(mask "$TRACKER_DB_URL"), journal $(mask "$JOURNAL_DB_URL"), locks $(mask "$REDIS_URL")
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}" || true
echo "A process stopped; shutting down the others." >&2
