#!/usr/bin/env bash
# Smoke test of the container's way of running, without a Docker engine.
#
# Runs the web service's command line (from docker-compose.yml) with the environment the
# container gets (the Dockerfile's ENV plus docker-compose.yml's, read through
# `docker-compose config` with .env.example), against a fresh PostgreSQL database on the
# local server and a private Redis on a port of its own. Then: migrations as the `migrate`
# service runs them, an import as `docker compose run --rm web python -m webapp import`
# runs it, the Celery worker with its command and compose healthcheck, the health, API and
# dashboard answers, recovery after the database killed every app connection, and pages
# still answering with Redis gone.
# Everything it starts is stopped again, on failure too. Exit status 0 only if all passed.
#
# Settings: SMOKE_POSTGRES_URL (an admin connection, default the local `test` database),
# SMOKE_REDIS_PORT (default 6390), PYTHON (default .venv/bin/python).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
ADMIN_URL=${SMOKE_POSTGRES_URL:-postgresql://root@127.0.0.1:5432/test}
REDIS_PORT=${SMOKE_REDIS_PORT:-6390}
FIXTURE=tests/deploy/fixtures/smoke.pgn
DB_NAME="oe_smoke_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/oe-smoke.XXXXXX")
GUNICORN_PID=""
WORKER_PID=""
REDIS_STARTED=""
DB_CREATED=""
passed=0
failed=0

pass() { echo "PASS  $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1${2:+: $2}"; failed=$((failed + 1)); }
check() {  # check NAME COMMAND...: PASS or FAIL by the command's exit status
  local name=$1; shift
  local output
  if output=$("$@" 2>&1); then
    pass "$name${output:+ ($(tail -n 1 <<<"$output"))}"
  else
    fail "$name" "$(tail -n 3 <<<"$output")"
  fi
}
finish() {
  if [[ $failed -eq 0 ]]; then
    echo "smoke test PASSED: all $passed steps"
  else
    echo "smoke test FAILED: $failed of $((passed + failed)) steps"
  fi
  [[ $failed -eq 0 ]]
  exit $?
}
require() {  # like check, but a failure ends the run (later steps need this one)
  check "$@" || true
  [[ $failed -eq 0 ]] || { show_logs; finish; }
}
show_logs() {
  for log in "$WORK"/*.log; do
    [[ -s $log ]] || continue
    echo "---- last lines of $(basename "$log")"
    tail -n 25 "$log"
  done
}

stop_process() {  # stop_process PID: TERM, wait up to 10 s, then KILL
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null
}

cleanup() {
  stop_process "$GUNICORN_PID"
  stop_process "$WORKER_PID"
  if [[ -n $REDIS_STARTED ]] && [[ -s $WORK/redis.pid ]]; then
    local redis_pid
    redis_pid=$(cat "$WORK/redis.pid")
    [[ $(ps -o comm= -p "$redis_pid" 2>/dev/null) == redis-server* ]] && kill -TERM "$redis_pid"
  fi
  if [[ -n $DB_CREATED ]]; then
    psql -q -X "$ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 \
      || echo "warning: could not drop database $DB_NAME"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers -------------------------------------------------------------------------

# The container's environment and commands, as `KEY=value` lines and JSON command lists.
container_spec() {
  "$PYTHON" - "$@" <<'PY'
import json, shlex, subprocess, sys
import yaml

def final_stage_env(path="Dockerfile"):
    """ENV of the Dockerfile's last stage (KEY=value pairs, with line continuations)."""
    lines, env, current = open(path).read().replace("\\\n", " ").splitlines(), {}, None
    for line in lines:
        words = line.strip().split(None, 1)
        if not words:
            continue
        if words[0].upper() == "FROM":
            env = {}
        elif words[0].upper() == "ENV":
            for pair in shlex.split(words[1]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env

compose = yaml.safe_load(subprocess.run(
    ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config"],
    check=True, capture_output=True, text=True).stdout)
image_env = final_stage_env()
services = compose["services"]
for name in ("web", "migrate", "worker"):
    env = {**image_env, **{k: str(v) for k, v in services[name]["environment"].items()}}
    with open(f"{sys.argv[1]}/{name}.env", "w") as out:
        for key, value in sorted(env.items()):
            if key != "PATH":
                out.write(f"{key}={value}\n")
    with open(f"{sys.argv[1]}/{name}.cmd", "w") as out:
        json.dump(services[name]["command"], out)
test = services["worker"]["healthcheck"]["test"]
assert test[0] == "CMD-SHELL", test
with open(f"{sys.argv[1]}/worker.healthcheck", "w") as out:
    out.write(test[1].replace("$$", "$"))  # compose's escape for a literal $
PY
}

# .env.example's secrets are placeholders the server refuses, as an operator's .env must
# replace them: the smoke run draws its own
SMOKE_SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')
SMOKE_OPERATOR_TOKEN=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')

# Run a command with a service's environment (the container's, with local overrides);
# exec, so that a backgrounded `( with_env ... ) &` has the command's own pid.
with_env() {  # with_env SERVICE COMMAND...
  local service=$1; shift
  local -a assignments=()
  while IFS= read -r line; do assignments+=("$line"); done <"$WORK/$service.env"
  exec env "${assignments[@]}" \
    PATH="$(dirname "$PYTHON"):$PATH" \
    PYTHONPATH="$ROOT" DATA_DIR="$WORK/data" PORT="$APP_PORT" \
    DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" \
    SECRET_KEY="$SMOKE_SECRET_KEY" OPERATOR_TOKEN="$SMOKE_OPERATOR_TOKEN" \
    "$@"
}

service_command() {  # the compose command of a service, one word per line
  "$PYTHON" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$WORK/$1.cmd"
}

# GET a path; print "STATUS BODY-FILE". Never fails (the status says it all).
get() {
  local body="$WORK/body.$RANDOM"
  local status
  status=$(curl -s -m 30 -o "$body" -w '%{http_code}' "http://127.0.0.1:$APP_PORT$1") || status=000
  echo "$status $body"
}

expect_json() {  # expect_json PATH STATUS PYTHON-EXPR: the answer has STATUS and EXPR holds on `j`
  local path=$1 want=$2 expr=$3 status body
  read -r status body < <(get "$path")
  if [[ $status != "$want" ]]; then
    echo "GET $path answered $status, expected $want: $(head -c 300 "$body" 2>/dev/null)"
    return 1
  fi
  "$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
print(("" if ok else "not: " + sys.argv[2] + " in ") + json.dumps(j)[:200])
sys.exit(0 if ok else 1)' "$body" "$expr"
}

expect_dash_page() {
  local status body
  read -r status body < <(get /)
  [[ $status == 200 ]] || { echo "GET / answered $status"; return 1; }
  grep -q 'react-entry-point' "$body" && grep -q '_dash-renderer' "$body" \
    || { echo "GET / is not a Dash page: $(head -c 200 "$body")"; return 1; }
  echo "Dash page, $(wc -c <"$body") bytes"
}

games_after() {  # games_after MOVE: games in the fixture whose first move is MOVE, by python-chess
  "$PYTHON" - "$FIXTURE" "$1" <<'PY'
import sys
import chess.pgn
count = 0
with open(sys.argv[1]) as handle:
    while (game := chess.pgn.read_game(handle)) is not None:
        moves = list(game.mainline_moves())
        count += bool(moves) and moves[0].uci() == sys.argv[2]
print(count)
PY
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_health() {
  for _ in $(seq 120); do
    kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "gunicorn exited"; return 1; }
    [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APP_PORT/health") == 200 ]] \
      && { echo "pid $GUNICORN_PID on port $APP_PORT"; return 0; }
    sleep 0.5
  done
  echo "no 200 from /health within 60 s"
  return 1
}

# ---- the run -------------------------------------------------------------------------

echo "smoke test: gunicorn as in the container, PostgreSQL database $DB_NAME, Redis :$REDIS_PORT"
APP_PORT=$(free_port)
BASE_URL=${ADMIN_URL%/*}
DATABASE_URL="$BASE_URL/$DB_NAME"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

require "container environment and commands from Dockerfile + docker-compose config" \
  container_spec "$WORK"

create_database() {
  psql -q -X -v ON_ERROR_STOP=1 "$ADMIN_URL" -c "CREATE DATABASE \"$DB_NAME\""
}
DB_CREATED=1  # cleanup drops it IF EXISTS
require "fresh database $DB_NAME" create_database

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "port $REDIS_PORT is taken by another Redis; set SMOKE_REDIS_PORT"
    return 1
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --daemonize yes --pidfile "$WORK/redis.pid" --dir "$WORK" --logfile "$WORK/redis.log" \
    || return 1
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && { echo "port $REDIS_PORT"; return 0; }
    sleep 0.1
  done
  return 1
}
REDIS_STARTED=1  # cleanup stops the process named by our own pid file, if any
require "private Redis" start_redis

run_migrations() {
  local -a command
  mapfile -t command < <(service_command migrate)
  (with_env migrate "${command[@]}") >"$WORK/migrate.log" 2>&1 \
    || { tail -n 20 "$WORK/migrate.log"; return 1; }
  echo "${command[*]}: $(tail -n 1 "$WORK/migrate.log")"
}
require "migrations as the migrate service runs them" run_migrations

import_fixture() {
  (with_env web python -m webapp import "$FIXTURE") >"$WORK/import.log" 2>&1 \
    || { tail -n 20 "$WORK/import.log"; return 1; }
  echo "$(tail -n 1 "$WORK/import.log")"
}
require "import $FIXTURE (python -m webapp import, web's environment)" import_fixture

start_gunicorn() {
  local -a command
  mapfile -t command < <(service_command web)
  (with_env web "${command[@]}") >"$WORK/gunicorn.log" 2>&1 &
  GUNICORN_PID=$!
  echo "${command[*]}"
}
start_gunicorn >/dev/null
require "gunicorn started with web's command ($(service_command web | tr '\n' ' ' | sed 's/ $//')) answers /health" \
  wait_for_health

start_worker() {
  local -a command
  mapfile -t command < <(service_command worker)
  (with_env worker "${command[@]}") >"$WORK/worker.log" 2>&1 &
  WORKER_PID=$!
}
worker_healthcheck() {  # the worker service's compose healthcheck, retried as compose would
  local output
  for _ in $(seq 20); do
    kill -0 "$WORKER_PID" 2>/dev/null || { echo "celery worker exited"; return 1; }
    if output=$( (with_env worker HOSTNAME="$HOSTNAME" sh -c "$(cat "$WORK/worker.healthcheck")") 2>&1); then
      echo "$(grep -m1 -o 'pong' <<<"$output" || echo ok): $(cat "$WORK/worker.healthcheck")"
      return 0
    fi
    sleep 2
  done
  echo "$output"
  return 1
}
start_worker
check "celery worker started with worker's command passes its compose healthcheck" worker_healthcheck

E4_GAMES=$(games_after e2e4)
D4_GAMES=$(games_after d2d4)
NF3_GAMES=$(games_after g1f3)
check "/health: database and cache ok" \
  expect_json /health 200 'j["database"] == "ok" and j["cache"] == "ok"'
check "/api/explorer?play=e2e4: $E4_GAMES games (python-chess count of the fixture)" \
  expect_json "/api/explorer?play=e2e4" 200 "j['games'] == $E4_GAMES and j['games'] > 0"
check "/ is the Dash page" expect_dash_page

terminate_connections() {
  local killed
  killed=$(psql -q -X -t -A "$ADMIN_URL" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$DB_NAME' AND pid <> pg_backend_pid()") \
    || return 1
  echo "$killed connections terminated"
  [[ $killed -gt 0 ]]
}
check "pg_terminate_backend on every app connection" terminate_connections
for attempt in 1 2 3 4 5 6; do
  check "after the kill, request $attempt: /health database ok" \
    expect_json /health 200 'j["database"] == "ok"'
done
check "after the kill: uncached /api/explorer?play=d2d4 has $D4_GAMES games" \
  expect_json "/api/explorer?play=d2d4" 200 "j['games'] == $D4_GAMES"
check "after the kill: gunicorn master still running" kill -0 "$GUNICORN_PID"

stop_redis() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || { echo "stopped"; return 0; }
    sleep 0.1
  done
  return 1
}
check "stop the private Redis" stop_redis
check "Redis down: /health answers 200, cache unreachable" \
  expect_json /health 200 'j["database"] == "ok" and j["cache"] == "unreachable"'
check "Redis down: /api/explorer?play=e2e4 still $E4_GAMES games" \
  expect_json "/api/explorer?play=e2e4" 200 "j['games'] == $E4_GAMES"
check "Redis down: uncached /api/explorer?play=g1f3 has $NF3_GAMES games" \
  expect_json "/api/explorer?play=g1f3" 200 "j['games'] == $NF3_GAMES"
check "Redis down: / is the Dash page" expect_dash_page
check "gunicorn still running at the end" kill -0 "$GUNICORN_PID"

[[ $failed -eq 0 ]] || show_logs
finish
