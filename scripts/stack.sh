#!/usr/bin/env bash
# The local stack Tandem runs on: Temporal dev server, Redis, the sandbox client apps (claims
# system, payroll portal, CRM).
#   start   start what is not running yet, wait until each answers, print the env
#   stop    stop everything this state dir started (also the demo's workers and API)
#   status  one line per component
#   env     KEY=VALUE lines for every port, URL and path (what the tests and workers read)
#   reset   stop, then delete the state dir (Temporal history, Redis data, logs)
# Profile and ports come from scripts/lib/env.sh: TANDEM_PROFILE=test gives the tests' own stack.
# `--profile NAME` is the same as TANDEM_PROFILE=NAME. The `cluster` profile runs the Temporal server
# itself on PostgreSQL (scripts/lib/cluster.sh) and starts the app on it: two orchestration workers,
# two bot workers, the notifier and the API, each its own process; `stop` stops them all.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  echo "usage: bash scripts/stack.sh start|stop|status|env|reset [--profile NAME]   (npm run stack -- <command> [--profile NAME])" >&2
  exit 2
}

command="" # parsed before env.sh, which derives everything from the profile
while (($# > 0)); do
  case $1 in
    --profile) (($# >= 2)) || usage; export TANDEM_PROFILE=$2; shift 2 ;;
    --profile=*) export TANDEM_PROFILE=${1#--profile=}; shift ;;
    start | stop | status | env | reset) [[ -z $command ]] || usage; command=$1; shift ;;
    *) usage ;;
  esac
done

source "$here/lib/env.sh"
source "$here/lib/proc.sh"
source "$here/lib/cluster.sh"
cd "$TANDEM_ROOT"

# One start/stop at a time per state dir (fd 9; start_bg closes it in children).
take_lock() {
  mkdir -p "$TANDEM_RUN_DIR"
  exec 9>"$TANDEM_RUN_DIR/.lock"
  flock -w 180 9 || die "another stack.sh is busy with $TANDEM_STATE_DIR for over 180s"
}

launch_temporal() {
  [[ $TANDEM_TEMPORAL_EXTERNAL == 0 ]] || return 0
  [[ $TANDEM_TEMPORAL_SERVER == dev ]] || { launch_temporal_server; return 0; }
  TEMPORAL_CLI="$(bash "$here/ensure-temporal.sh")"
  proc_pid temporal >/dev/null && { say "temporal already running (pid $(proc_pid temporal))"; return 0; }
  local attrs flag extra=()
  attrs="$("$TSX" scripts/print-search-attributes.ts)" || die "scripts/print-search-attributes.ts failed"
  mkdir -p "$TANDEM_STATE_DIR/temporal"
  local args=(server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT"
    --http-port "$TEMPORAL_HTTP_PORT" --metrics-port "$TEMPORAL_METRICS_PORT"
    --db-filename "$TANDEM_STATE_DIR/temporal/temporal.db" --log-level warn
    --ui-codec-endpoint "$TANDEM_API_URL/codec") # the UI decodes encrypted payloads through our API
  # SQLite pragmas, TANDEM_SQLITE_PRAGMAS (comma-separated; `none`: the dev server's own rollback
  # journal with synchronous=FULL, an fsync per commit). Default WAL + synchronous=NORMAL: a write
  # costs a few ms instead of ~45 ms of fsyncs (200 starts took 0.7 s instead of 11 s here); a machine
  # crash may lose the last moments of history, never corrupt the file. The bench and the demo set it.
  local pragma pragmas=${TANDEM_SQLITE_PRAGMAS:-journal_mode=wal,synchronous=normal}
  [[ $pragmas == none ]] && pragmas=""
  for pragma in ${pragmas//,/ }; do args+=(--sqlite-pragma "$pragma"); done
  [[ $TEMPORAL_NAMESPACE == default ]] || args+=(--namespace "$TEMPORAL_NAMESPACE")
  while IFS= read -r flag; do [[ -z $flag ]] || args+=(--search-attribute "$flag"); done <<<"$attrs"
  read -ra extra <<<"${TEMPORAL_EXTRA_ARGS:-}"
  start_bg temporal "$TEMPORAL_CLI" "${args[@]}" "${extra[@]}"
}

temporal_answers() {
  "$TEMPORAL_CLI" operator namespace describe -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" \
    "${TEMPORAL_CLI_TLS[@]}" --command-timeout 5s
}

wait_temporal() {
  if [[ $TANDEM_TEMPORAL_EXTERNAL == 1 ]]; then
    say "using the Temporal at $TEMPORAL_ADDRESS (TEMPORAL_ADDRESS was set): not starting one"
    return 0
  fi
  [[ $TANDEM_TEMPORAL_SERVER == dev ]] || { wait_temporal_server; return 0; }
  say "waiting for Temporal on $TEMPORAL_ADDRESS"
  wait_ready temporal "${TANDEM_TEMPORAL_START_TIMEOUT:-60}" temporal_answers
}

# With TLS (scripts/lib/cluster.sh) Redis listens on REDIS_PORT for TLS only, with client certificates.
redis_answers() { [[ "$(redis-cli "${REDIS_CLI_TLS[@]}" -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

start_redis() {
  if [[ $TANDEM_REDIS_EXTERNAL == 1 ]]; then
    say "using the Redis at $REDIS_URL (REDIS_URL was set): not starting one"
    return 0
  fi
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    die "redis-server/redis-cli not found: run 'npm run setup' (or set REDIS_URL to a Redis of yours)"
  fi
  mkdir -p "$TANDEM_STATE_DIR/redis"
  start_bg redis redis-server "${REDIS_LISTEN[@]}" --bind 127.0.0.1 --dir "$TANDEM_STATE_DIR/redis" \
    --appendonly yes --maxmemory-policy noeviction --save '' --daemonize no
  wait_ready redis 30 redis_answers
}

SANDBOX_STARTED=0
# The sandbox client apps, by pid-file name: the folder under sandbox/ and the URL they answer on.
sandbox_dir() {
  case $1 in sandbox-claims) echo claims-system ;; sandbox-payroll) echo payroll-portal ;; sandbox-crm) echo client-crm ;; esac
}
sandbox_url() {
  case $1 in sandbox-claims) echo "$SANDBOX_CLAIMS_URL" ;; sandbox-payroll) echo "$SANDBOX_PAYROLL_URL" ;; sandbox-crm) echo "$SANDBOX_CRM_URL" ;; esac
}
sandbox_port_var() {
  case $1 in sandbox-claims) echo SANDBOX_CLAIMS_PORT ;; sandbox-payroll) echo SANDBOX_PAYROLL_PORT ;; sandbox-crm) echo SANDBOX_CRM_PORT ;; esac
}

launch_sandbox() {
  local name
  for name in "${TANDEM_SANDBOX_PROCS[@]}"; do
    start_bg "$name" "$TSX" "sandbox/$(sandbox_dir "$name")/server.ts"
    [[ $STARTED_NOW != 1 ]] || SANDBOX_STARTED=1
  done
}

wait_sandbox() {
  local name
  for name in "${TANDEM_SANDBOX_PROCS[@]}"; do
    say "waiting for the sandbox app $(sandbox_dir "$name") on $(sandbox_url "$name")"
    wait_ready "$name" "${TANDEM_SANDBOX_START_TIMEOUT:-60}" http_ok "$(sandbox_url "$name")/__health"
  done
  # The bots' credential store (encrypted; scripts/credentials.ts). Refilled from the sandbox when it
  # (re)starts, as its logins derive from the stack's secret; a TANDEM_CREDENTIALS_FILE of the user's
  # own outside the state dir is never written. The passwords go through a pipe, never a file.
  local f=$TANDEM_CREDENTIALS_FILE
  [[ $SANDBOX_STARTED == 1 || ! -s $f ]] || return 0
  [[ ! -s $f || $f == "$TANDEM_STATE_DIR"/* ]] || return 0
  mkdir -p "$(dirname "$f")"
  if ! "$TSX" sandbox/print-credentials.ts | "$TSX" scripts/credentials.ts import --replace >&2; then
    die "could not fill the credential store $f from the sandbox logins"
  fi
  say "filled the bots' credential store $f (encrypted) with the sandbox logins"
}

# The payload encryption key file: one fresh random key when there is none. Never rewritten: history
# encrypted with a lost key cannot be read. Skipped for inline keys (TANDEM_PAYLOAD_KEYS) or when
# TANDEM_PAYLOAD_KEYS_FILE is empty (no encryption).
ensure_payload_keys() {
  local f=$TANDEM_PAYLOAD_KEYS_FILE tmp key
  [[ -n $f && -z ${TANDEM_PAYLOAD_KEYS:-} && ! -e $f ]] || return 0
  mkdir -p "$(dirname "$f")"
  key="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))')" || die "could not generate a payload key"
  tmp="$f.tmp.$$"
  if ! (umask 077 && printf 'k%s:%s\n' "$(date -u +%Y%m%d)" "$key" >"$tmp"); then
    rm -f "$tmp"
    die "could not write the payload key file $f"
  fi
  chmod 600 "$tmp"
  mv -f "$tmp" "$f"
  say "created the payload encryption key file $f (mode 600); keep it as long as the history it encrypts"
}

# Before starting anything: every port we are about to listen on must be free, so that a clash
# fails at once instead of leaving half a stack behind.
preflight() {
  require_tsx
  if [[ $TANDEM_TEMPORAL_EXTERNAL == 0 ]] && ! proc_pid temporal >/dev/null; then
    if [[ $TANDEM_TEMPORAL_SERVER == dev ]]; then
      require_free_ports temporal TEMPORAL_PORT TEMPORAL_UI_PORT TEMPORAL_HTTP_PORT TEMPORAL_METRICS_PORT
    else
      require_free_ports temporal TEMPORAL_PORT TEMPORAL_HTTP_PORT TEMPORAL_METRICS_PORT TEMPORAL_FRONTEND_MEMBERSHIP_PORT \
        TEMPORAL_HISTORY_PORT TEMPORAL_HISTORY_MEMBERSHIP_PORT TEMPORAL_MATCHING_PORT TEMPORAL_MATCHING_MEMBERSHIP_PORT \
        TEMPORAL_WORKER_PORT TEMPORAL_WORKER_MEMBERSHIP_PORT
    fi
  fi
  if [[ $TANDEM_TEMPORAL_SERVER == postgres && $TANDEM_TEMPORAL_EXTERNAL == 0 ]] && ! proc_pid postgres >/dev/null; then
    require_free_ports postgres TANDEM_POSTGRES_PORT
  fi
  if [[ $TANDEM_REDIS_EXTERNAL == 0 ]] && ! proc_pid redis >/dev/null; then
    require_free_ports redis REDIS_PORT
  fi
  local name
  for name in "${TANDEM_SANDBOX_PROCS[@]}"; do
    proc_pid "$name" >/dev/null || require_free_ports "$name" "$(sandbox_port_var "$name")"
  done
}

cmd_start() {
  local t0=$SECONDS
  take_lock
  mkdir -p "$TANDEM_STATE_DIR" "$TANDEM_LOG_DIR"
  touch "$TANDEM_STATE_DIR/.tandem-state"
  preflight
  ensure_payload_keys
  ensure_tls_certs
  TANDEM_DIE_HINT="what did start keeps running: 'bash scripts/stack.sh stop' (TANDEM_PROFILE=$TANDEM_PROFILE) stops it"
  say "starting the local stack (profile $TANDEM_PROFILE, state in ${TANDEM_STATE_DIR#"$TANDEM_ROOT"/})"
  if [[ $TANDEM_TEMPORAL_SERVER == dev ]]; then
    # Temporal takes longest: launch it first and wait for it last.
    launch_temporal
    start_redis
    launch_sandbox
  else
    # The Temporal server opens a burst of connections as it starts (its services to each other, to
    # PostgreSQL), and their source ports come from the ephemeral range our ports sit in: one once
    # took Redis's port from under it. So Redis and the sandbox bind their ports first.
    start_redis
    launch_sandbox
    launch_temporal
  fi
  wait_temporal
  wait_sandbox
  write_env_file
  [[ $TANDEM_STACK_APP == 0 ]] || start_stack_app
  unset TANDEM_DIE_HINT
  if [[ $TANDEM_TEMPORAL_SERVER == postgres ]]; then
    say "stack ready in $((SECONDS - t0))s: Temporal server on $TEMPORAL_ADDRESS (PostgreSQL on 127.0.0.1:$TANDEM_POSTGRES_PORT, no UI)"
  else
    say "stack ready in $((SECONDS - t0))s. Temporal UI: $TEMPORAL_UI_URL/namespaces/$TEMPORAL_NAMESPACE/workflows"
  fi
  [[ $TANDEM_STACK_APP == 0 ]] || say "the app: ${TANDEM_APP_PROCS[*]}; API on $TANDEM_API_URL"
  tandem_print_env
}

# What this stack decided (ports, URLs, paths; no secrets), for anything started by hand: an npm
# script reads it through platform/local-stack.ts when the variables are not in its environment.
write_env_file() {
  local f="$TANDEM_STATE_DIR/$TANDEM_ENV_FILE" tmp
  tmp="$f.tmp.$$"
  tandem_print_env >"$tmp" || { rm -f "$tmp"; die "could not write $f"; }
  mv -f "$tmp" "$f"
}

cmd_stop() {
  [[ -d $TANDEM_RUN_DIR ]] || { say "nothing running for profile $TANDEM_PROFILE"; return 0; }
  take_lock
  local f name others=() any=0
  for f in "$TANDEM_RUN_DIR"/*.pid; do
    [[ -e $f ]] || continue
    name="$(basename "$f" .pid)"
    proc_pid "$name" >/dev/null && any=1
    [[ " ${TANDEM_STACK_PROCS[*]} " == *" $name "* ]] || others+=("$name")
  done
  ((any)) || say "nothing running for profile $TANDEM_PROFILE"
  # The app first (it talks to the stack), then the sandbox, then Redis and Temporal together.
  ((${#others[@]} == 0)) || stop_procs "${others[@]}"
  stop_procs "${TANDEM_SANDBOX_PROCS[@]}"
  stop_procs redis temporal
  # PostgreSQL last: the Temporal server writes to it until it has stopped.
  [[ $TANDEM_TEMPORAL_SERVER == dev ]] || stop_postgres
}

cmd_status() {
  local name pid state where ok=0
  for name in "${TANDEM_STACK_PROCS[@]}" "${TANDEM_APP_PROCS[@]}"; do
    case $name in
      temporal) where="$TEMPORAL_ADDRESS  UI $TEMPORAL_UI_URL"
        [[ $TANDEM_TEMPORAL_SERVER == dev ]] || where="$TEMPORAL_ADDRESS  (Temporal server on PostgreSQL, no UI)" ;;
      redis) where="$REDIS_URL" ;;
      postgres) where="127.0.0.1:$TANDEM_POSTGRES_PORT  data ${PG_DATA#"$TANDEM_ROOT"/}" ;;
      sandbox-*) where="$(sandbox_url "$name")" ;; api) where="$TANDEM_API_URL" ;; *) where="" ;;
    esac
    if [[ ($name == temporal && $TANDEM_TEMPORAL_EXTERNAL == 1) || ($name == redis && $TANDEM_REDIS_EXTERNAL == 1) ]]; then
      state="external"
    elif pid="$(proc_pid "$name")"; then
      state="running (pid $pid)"
    else
      state="stopped"
      if [[ " ${TANDEM_STACK_PROCS[*]} " == *" $name "* ]]; then
        ok=3
      fi
    fi
    printf '%-23s %-20s %s\n' "$name" "$state" "$where"
  done
  return "$ok"
}

cmd_reset() {
  cmd_stop
  local dir=$TANDEM_STATE_DIR
  [[ -d $dir ]] || { say "nothing to delete: $dir does not exist"; return 0; }
  if [[ $dir != "$TANDEM_ROOT/.state/"* && ! -f $dir/.tandem-state ]]; then
    die "refusing to delete $dir: it is not under .state/ and has no .tandem-state marker"
  fi
  say "deleting $dir"
  rm -rf -- "$dir"
}

case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) tandem_print_env ;;
  reset) cmd_reset ;;
  *) usage ;;
esac
