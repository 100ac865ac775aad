#!/usr/bin/env bash
# `make run`: the Zoom and GoTo Webinar sandboxes, the worker and the web app, wired together for a demo.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-5000}
SANDBOX_PORT=${SANDBOX_PORT:-5055}
GOTO_SANDBOX_PORT=${GOTO_SANDBOX_PORT:-5056}

if [ -z "${REDIS_URL:-}" ]; then bash scripts/ensure-redis.sh; fi

# Point the portal at the sandbox unless real Zoom settings were given.
export ZOOM_OAUTH_BASE_URL=${ZOOM_OAUTH_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}
export ZOOM_API_BASE_URL=${ZOOM_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT/v2}
# The same for GoTo Webinar, with the GoTo sandbox's demo credentials.
export GOTO_OAUTH_BASE_URL=${GOTO_OAUTH_BASE_URL:-http://127.0.0.1:$GOTO_SANDBOX_PORT}
export GOTO_API_BASE_URL=${GOTO_API_BASE_URL:-http://127.0.0.1:$GOTO_SANDBOX_PORT}
export GOTO_CLIENT_ID=${GOTO_CLIENT_ID:-sbx-goto-client-id}
export GOTO_CLIENT_SECRET=${GOTO_CLIENT_SECRET:-sbx-goto-client-secret}
export GOTO_WEBHOOK_SECRET_KEY=${GOTO_WEBHOOK_SECRET_KEY:-sbx-goto-webhook-secret-key}
export PORTAL_URL=${PORTAL_URL:-http://127.0.0.1:$PORT}
export FLASK_APP=wsgi.py

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$PY -m flask db upgrade
$PY -m flask demo

if [ -d providers/zoom/sandbox ]; then
  $PY -m providers.zoom.sandbox --port "$SANDBOX_PORT" --portal-webhook-url "$PORTAL_URL/webhooks/zoom" &
  pids+=($!)
fi
if [ -d providers/goto/sandbox ]; then
  $PY -m providers.goto.sandbox --port "$GOTO_SANDBOX_PORT" --portal-webhook-url "$PORTAL_URL/webhooks/goto" &
  pids+=($!)
fi
$PY -m flask worker &
pids+=($!)
echo "Lectern on $PORTAL_URL  (Ctrl-C stops web, worker and sandboxes)"
$PY -m flask run --host 127.0.0.1 --port "$PORT" --no-reload &
pids+=($!)
wait -n "${pids[@]}"
