#!/usr/bin/env bash
# `make run`: the migrations, the demo desk, then the job queue's worker and the web server together.
# Ctrl-C (or TERM) stops both: the worker finishes its running jobs, the web server exits.
# HOST and PORT choose where the web server listens (default 127.0.0.1:5000).
set -euo pipefail

BIN="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
FLASK=("$BIN/flask" --app wsgi)
"${FLASK[@]}" db upgrade
"${FLASK[@]}" demo load
base="http://${HOST:-127.0.0.1}:${PORT:-5000}"
echo "The desk (log in with one of the above): $base/desk"
echo "The readers' pages (no login):           $base/"

"${FLASK[@]}" worker &
worker=$!
web=""
stop() {
  trap - INT TERM EXIT
  [ -n "$web" ] && kill -TERM "$web" 2>/dev/null || true
  kill -INT "$worker" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"${FLASK[@]}" run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" &
web=$!
# Whichever stops first (Ctrl-C, or one of them failing) stops the other.
wait -n "$worker" "$web" || true
