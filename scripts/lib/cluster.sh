# shellcheck shell=bash
# The production-shaped Temporal of stack.sh (TANDEM_TEMPORAL_SERVER=postgres, the `cluster`
# profile): Debian's PostgreSQL on a private port with its data in the state dir, the Temporal server
# itself (scripts/ensure-temporal-server.sh builds it once per machine) configured by
# deploy/temporal-server.yaml, the file docker-compose.yml mounts too. And, on any profile with
# TANDEM_STACK_APP=1, the app as separate processes: N orchestration workers, N bot workers, the
# notifier and the API.
# Needs env.sh and proc.sh first.

# --- transport security ---------------------------------------------------------------------------
# The production-shaped stack runs as users deploy it: TLS with client certificates (mTLS) to the
# Temporal frontend (and between the server's services) and to Redis. TANDEM_TLS=1 is the default
# with TANDEM_TEMPORAL_SERVER=postgres (the cluster profile, the chaos suite's cluster stack); the dev
# and test profiles stay in clear (TANDEM_TLS=1 gives them TLS Redis; their dev server has no TLS).
# The certificates are made once per stack in its state dir (scripts/lib/tls-certs.sh): the CA's key
# never leaves it, and only file paths go into the environment and stack.env.
if [[ -z ${TANDEM_TLS:-} ]]; then
  if [[ $TANDEM_TEMPORAL_SERVER == postgres ]]; then TANDEM_TLS=1; else TANDEM_TLS=0; fi
fi
[[ $TANDEM_TLS == 0 || $TANDEM_TLS == 1 ]] || die "TANDEM_TLS must be 0 or 1 (got '$TANDEM_TLS')"
TANDEM_TLS_DIR="$TANDEM_STATE_DIR/tls"
# The name the server certificates carry and clients check (the address stays 127.0.0.1).
TANDEM_TLS_SERVER_NAME=localhost
REDIS_LISTEN=(--port "$REDIS_PORT") # redis-server's listening flags; with TLS, TLS only
REDIS_CLI_TLS=()                    # what redis-cli and the Temporal CLI need to be let in
TEMPORAL_CLI_TLS=()
TANDEM_ENV_VARS+=(TANDEM_TLS)
if [[ $TANDEM_TLS == 1 && $TANDEM_REDIS_EXTERNAL == 0 ]]; then
  REDIS_URL="rediss://127.0.0.1:$REDIS_PORT"
  REDIS_TLS_CA="$TANDEM_TLS_DIR/ca.crt" REDIS_TLS_CERT="$TANDEM_TLS_DIR/client.crt" REDIS_TLS_KEY="$TANDEM_TLS_DIR/client.key"
  REDIS_LISTEN=(--port 0 --tls-port "$REDIS_PORT" --tls-cert-file "$TANDEM_TLS_DIR/server.crt" --tls-key-file "$TANDEM_TLS_DIR/server.key"
    --tls-ca-cert-file "$REDIS_TLS_CA" --tls-auth-clients yes)
  REDIS_CLI_TLS=(--tls --cacert "$REDIS_TLS_CA" --cert "$REDIS_TLS_CERT" --key "$REDIS_TLS_KEY")
  TANDEM_ENV_VARS+=(REDIS_TLS_CA REDIS_TLS_CERT REDIS_TLS_KEY)
fi
if [[ $TANDEM_TLS == 1 && $TANDEM_TEMPORAL_EXTERNAL == 0 && $TANDEM_TEMPORAL_SERVER == postgres ]]; then
  TEMPORAL_TLS_CA="$TANDEM_TLS_DIR/ca.crt" TEMPORAL_TLS_CERT="$TANDEM_TLS_DIR/client.crt" TEMPORAL_TLS_KEY="$TANDEM_TLS_DIR/client.key"
  TEMPORAL_TLS_SERVER_NAME=$TANDEM_TLS_SERVER_NAME
  TEMPORAL_CLI_TLS=(--tls-ca-path "$TEMPORAL_TLS_CA" --tls-cert-path "$TEMPORAL_TLS_CERT" --tls-key-path "$TEMPORAL_TLS_KEY"
    --tls-server-name "$TEMPORAL_TLS_SERVER_NAME")
  TANDEM_ENV_VARS+=(TEMPORAL_TLS_CA TEMPORAL_TLS_CERT TEMPORAL_TLS_KEY TEMPORAL_TLS_SERVER_NAME)
fi
export "${TANDEM_ENV_VARS[@]}"

# The stack's CA and certificates, made on the first start (kept after: restarts keep them).
ensure_tls_certs() {
  [[ $TANDEM_TLS == 1 ]] || return 0
  [[ -s $TANDEM_TLS_DIR/ca.crt ]] || say "making the stack's TLS CA and certificates in ${TANDEM_TLS_DIR#"$TANDEM_ROOT"/}"
  bash "$TANDEM_ROOT/scripts/lib/tls-certs.sh" "$TANDEM_TLS_DIR" "$TANDEM_TLS_SERVER_NAME" 127.0.0.1 ||
    die "could not make the TLS certificates in $TANDEM_TLS_DIR"
}

PG_DATA="$TANDEM_STATE_DIR/postgres/data"
PG_SECRETS="$TANDEM_STATE_DIR/postgres/secrets"
TEMPORAL_SERVER_CONFIG="$TANDEM_ROOT/deploy/temporal-server.yaml"

# The PostgreSQL programs: TANDEM_POSTGRES_BIN_DIR, else Debian's newest /usr/lib/postgresql/<v>/bin.
postgres_bin_dir() {
  local dir
  if [[ -n ${TANDEM_POSTGRES_BIN_DIR:-} ]]; then
    [[ -x $TANDEM_POSTGRES_BIN_DIR/initdb ]] || die "TANDEM_POSTGRES_BIN_DIR=$TANDEM_POSTGRES_BIN_DIR has no initdb"
    printf '%s\n' "$TANDEM_POSTGRES_BIN_DIR"
    return 0
  fi
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n $dir && -x $dir/initdb && -x $dir/postgres ]] ||
    die "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb). On Debian: sudo apt-get install postgresql (the stack runs its own server on a private port; the system one may stay stopped), or set TANDEM_POSTGRES_BIN_DIR"
  printf '%s\n' "$dir"
}

# PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user Debian's package made.
as_postgres() {
  if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}

# A random password per role, made once (mode 600), read by whoever connects; never on a command line.
db_password() {
  local f="$PG_SECRETS/$1-password"
  if [[ ! -s $f ]]; then
    mkdir -p "$PG_SECRETS"
    chmod 700 "$PG_SECRETS"
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))' >"$f.tmp.$$") ||
      die "could not write $f"
    mv -f "$f.tmp.$$" "$f"
  fi
  cat "$f"
}

postgres_answers() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$TANDEM_POSTGRES_PORT"; }

# psql as the cluster's superuser over TCP (the password through the environment).
admin_psql() {
  PGPASSWORD="$(db_password postgres)" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TANDEM_POSTGRES_PORT" -U postgres -d postgres "$@"
}

start_postgres() {
  PG_BIN="$(postgres_bin_dir)"
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    say "creating the PostgreSQL cluster in ${PG_DATA#"$TANDEM_ROOT"/} ($("$PG_BIN/postgres" --version))"
    mkdir -p "$PG_DATA"
    local password pwfile="$TANDEM_STATE_DIR/postgres/.initdb-password"
    password="$(db_password postgres)"
    (umask 077 && printf '%s\n' "$password" >"$pwfile")
    if ((EUID == 0)); then chown postgres:postgres "$PG_DATA" "$pwfile"; fi
    chmod 700 "$PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
      --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >>"$TANDEM_LOG_DIR/postgres-initdb.log" 2>&1 ||
      { rm -f "$pwfile"; die "initdb failed: see $TANDEM_LOG_DIR/postgres-initdb.log"; }
    rm -f "$pwfile"
  fi
  if ((EUID == 0)); then chown -R postgres:postgres "$PG_DATA"; fi
  # TCP on loopback only, no Unix socket (its path could exceed the 107-byte limit in a deep checkout).
  local run=()
  ((EUID != 0)) || run=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  start_bg postgres "${run[@]}" "$PG_BIN/postgres" -D "$PG_DATA" \
    -c listen_addresses=127.0.0.1 -c port="$TANDEM_POSTGRES_PORT" -c unix_socket_directories= \
    -c max_connections=100 -c shared_buffers=128MB
  wait_ready postgres 60 postgres_answers
  # The role Temporal connects as: may create its two databases, nothing more.
  if [[ "$(admin_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'temporal'")" != 1 ]]; then
    admin_psql -c "CREATE ROLE temporal LOGIN CREATEDB PASSWORD '$(db_password temporal)'" || die "could not create the temporal role"
    say "created the PostgreSQL role temporal"
  fi
}

# The schemas, as docker-compose.yml's temporal-schema service makes them: each step is idempotent
# (an existing database is kept, the version tables are never downgraded, update-schema applies only
# the versions a database lacks, e.g. after a server upgrade). The schema files are embedded in the tool.
migrate_temporal_databases() {
  local db schema out
  export SQL_USER=temporal SQL_PASSWORD
  SQL_PASSWORD="$(db_password temporal)"
  for db in temporal:temporal temporal_visibility:visibility; do
    schema="postgresql/v12/${db#*:}"
    db="${db%%:*}"
    local tool=("$TEMPORAL_SQL_TOOL" --plugin postgres12 --ep 127.0.0.1 -p "$TANDEM_POSTGRES_PORT" --db "$db")
    out="$("${tool[@]}" create-database 2>&1 && "${tool[@]}" setup-schema -v 0.0 2>&1 &&
      "${tool[@]}" update-schema --schema-name "$schema" 2>&1)" || die "preparing the database $db failed: $out"
  done
  say "databases temporal and temporal_visibility are up to date"
  unset SQL_USER SQL_PASSWORD
}

launch_temporal_server() {
  [[ $TANDEM_TEMPORAL_EXTERNAL == 0 ]] || return 0
  TEMPORAL_CLI="$(bash "$TANDEM_ROOT/scripts/ensure-temporal.sh")"
  { read -r TEMPORAL_SERVER_BIN_PATH; read -r TEMPORAL_SQL_TOOL; } < <(bash "$TANDEM_ROOT/scripts/ensure-temporal-server.sh") ||
    die "no Temporal server binary (scripts/ensure-temporal-server.sh failed)"
  [[ -n ${TEMPORAL_SQL_TOOL:-} ]] || die "scripts/ensure-temporal-server.sh printed no SQL tool path"
  start_postgres
  migrate_temporal_databases
  proc_pid temporal >/dev/null && { say "temporal already running (pid $(proc_pid temporal))"; return 0; }
  # deploy/temporal-server.yaml reads these when the server starts (the password never on the command line).
  # With TLS, the server's own certificate (server.crt also allows client use: internode, system
  # workers); an empty TEMPORAL_SERVER_TLS_CERT leaves the server in plain text.
  local tls_dir=""
  [[ $TANDEM_TLS == 0 ]] || tls_dir=$TANDEM_TLS_DIR
  TEMPORAL_SERVER_TLS_CERT="${tls_dir:+$tls_dir/server.crt}" TEMPORAL_SERVER_TLS_KEY="${tls_dir:+$tls_dir/server.key}" \
    TEMPORAL_SERVER_TLS_CA="${tls_dir:+$tls_dir/ca.crt}" TEMPORAL_SERVER_TLS_NAME="$TANDEM_TLS_SERVER_NAME" \
    TEMPORAL_DB_PORT=$TANDEM_POSTGRES_PORT TEMPORAL_DB_PASSWORD="$(db_password temporal)" TEMPORAL_LOG_LEVEL=${TEMPORAL_LOG_LEVEL:-warn} \
    start_bg temporal "$TEMPORAL_SERVER_BIN_PATH" --config-file "$TEMPORAL_SERVER_CONFIG" --allow-no-auth start
}

# The server creates no namespace and knows none of our search attributes: both are made here, and
# made again after a reset. A new namespace takes a moment to be usable everywhere, hence the retries.
prepare_namespace() {
  local cli=("$TEMPORAL_CLI" --address "$TEMPORAL_ADDRESS" "${TEMPORAL_CLI_TLS[@]}" --command-timeout 10s) attrs existing flag name type tries
  if ! "${cli[@]}" operator namespace describe -n "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
    "${cli[@]}" operator namespace create -n "$TEMPORAL_NAMESPACE" --retention "${TEMPORAL_NAMESPACE_RETENTION:-720h}" >/dev/null ||
      die "could not create the namespace $TEMPORAL_NAMESPACE"
    say "created the namespace $TEMPORAL_NAMESPACE"
  fi
  attrs="$("$TSX" scripts/print-search-attributes.ts)" || die "scripts/print-search-attributes.ts failed"
  for ((tries = 0; ; tries++)); do
    existing="$("${cli[@]}" operator search-attribute list -n "$TEMPORAL_NAMESPACE" 2>&1)" && break
    ((tries < 40)) || die "cannot list the search attributes of $TEMPORAL_NAMESPACE: $existing"
    sleep 0.5
  done
  while IFS= read -r flag; do
    [[ -n $flag ]] || continue
    name="${flag%%=*}" type="${flag#*=}"
    grep -qw -- "$name" <<<"$existing" && continue
    "${cli[@]}" operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" >/dev/null ||
      die "could not register the search attribute $name ($type)"
    say "registered the search attribute $name ($type)"
  done <<<"$attrs"
}

wait_temporal_server() {
  [[ $TANDEM_TEMPORAL_EXTERNAL == 0 ]] || return 0
  say "waiting for the Temporal server on $TEMPORAL_ADDRESS"
  wait_ready temporal "${TANDEM_TEMPORAL_START_TIMEOUT:-90}" "$TEMPORAL_CLI" operator cluster health --address "$TEMPORAL_ADDRESS" "${TEMPORAL_CLI_TLS[@]}" --command-timeout 5s
  prepare_namespace
  wait_ready temporal 60 temporal_answers
}

stop_postgres() {
  local pid
  # Fast shutdown (SIGINT): open sessions are rolled back, the data is safe; TERM would wait for them.
  if pid="$(proc_pid postgres)"; then kill -INT "$pid" 2>/dev/null || true; fi
  stop_procs postgres
}

# The app on top: separate processes, as users run them. Each waits for its own "started" line.
app_log_offset() { local f="$TANDEM_LOG_DIR/$1.log"; [[ -f $f ]] && stat -c %s "$f" || echo 0; }
logged_since() { tail -c "+$(($2 + 1))" "$TANDEM_LOG_DIR/$1.log" 2>/dev/null | grep -q -- "$3"; }

start_stack_app() {
  local name script n offset bundle="$TANDEM_STATE_DIR/workflow-bundle.js" started=() bundled=0
  local -A offsets=()
  for name in "${TANDEM_APP_PROCS[@]}"; do
    proc_pid "$name" >/dev/null && continue
    # One bundle for the orchestration workers started now, made from this checkout's code.
    if [[ $name == orchestration-worker-* && $bundled == 0 ]]; then
      say "bundling the workflows for the orchestration workers"
      "$TSX" scripts/write-workflow-bundle.ts "$bundle" || die "bundling the workflows failed"
      bundled=1
    fi
    [[ $name != api ]] || require_free_ports api TANDEM_API_PORT
    case $name in
      orchestration-worker-*) script=workers/orchestration.ts ;;
      bot-worker-*) script=workers/bot.ts ;;
      notifier) script=workers/notifier.ts ;;
      api) script=api/server.ts ;;
    esac
    n="${name##*-}"
    offsets[$name]="$(app_log_offset "$name")"
    # Each bot worker its own metrics port (base+31, +32, ...); the rest share the exported env.
    if [[ $name == bot-worker-* && -n $TANDEM_BOT_METRICS_PORT ]]; then
      TANDEM_BOT_METRICS_PORT=$((TANDEM_PORT_BASE + 30 + n)) TANDEM_WORKFLOW_BUNDLE=$bundle start_bg "$name" "$TSX" "$script"
    else
      TANDEM_WORKFLOW_BUNDLE=$bundle start_bg "$name" "$TSX" "$script"
    fi
    started+=("$name")
  done
  for name in "${started[@]}"; do
    offset=${offsets[$name]}
    case $name in
      api) say "waiting for the API on $TANDEM_API_URL"; wait_ready api 120 http_ok "$TANDEM_API_URL/health" ;;
      *) say "waiting for $name"; wait_ready "$name" 120 logged_since "$name" "$offset" 'started' ;;
    esac
  done
}
