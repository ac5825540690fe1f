# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Sourced by every script in scripts/: the one place where Tandem's local ports, folders and URLs
# are decided. Every value can be overridden from the environment; `bash scripts/stack.sh env`
# prints the result. Sourcing it twice (a script calling another) gives the same answer.

# --- messages ------------------------------------------------------------------------------------
# Messages never fail the script (a closed stderr, e.g. `| tee` after Ctrl-C, must not stop a cleanup).
say() { printf '==> %s\n' "$*" >&2 2>/dev/null || true; }
warn() { printf '==> WARNING: %s\n' "$*" >&2 2>/dev/null || true; }
# TANDEM_DIE_HINT, if set, is printed after every error (e.g. how to clean up a half-done start).
die() {
  printf '==> ERROR: %s\n' "$*" >&2
  [[ -z ${TANDEM_DIE_HINT:-} ]] || printf '==> %s\n' "$TANDEM_DIE_HINT" >&2
  exit 1
}

# --- where we are ---------------------------------------------------------------------------------
# Always the checkout this file lives in (never inherited), so one checkout never drives another.
TANDEM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
TANDEM_PROFILE="${TANDEM_PROFILE:-dev}"
[[ $TANDEM_PROFILE =~ ^[A-Za-z0-9._-]+$ ]] || die "TANDEM_PROFILE must be letters, digits, . _ or - (got '$TANDEM_PROFILE')"
TANDEM_STATE_DIR="${TANDEM_STATE_DIR:-$TANDEM_ROOT/.state/$TANDEM_PROFILE}"
[[ $TANDEM_STATE_DIR == /* ]] || TANDEM_STATE_DIR="$PWD/$TANDEM_STATE_DIR" # children run elsewhere
TANDEM_RUN_DIR="$TANDEM_STATE_DIR/run"   # pid files
TANDEM_LOG_DIR="$TANDEM_STATE_DIR/logs"  # one log per process

# --- ports ----------------------------------------------------------------------------------------
# Each checkout gets its own block of 100 ports from 20000 up, chosen by a checksum of its path.
# Profile `dev` uses offsets 0-49 of the block and `test` offsets 50-99, so the demo and the tests
# run side by side; any other profile hashes to a block of its own (never this checkout's block).
_tandem_slot() { printf '%s' "$1" | cksum | awk '{ print $1 % 400 }'; }
if [[ -z ${TANDEM_PORT_BASE:-} ]]; then
  _slot="$(_tandem_slot "$TANDEM_ROOT")"
  case "$TANDEM_PROFILE" in
    dev) TANDEM_PORT_BASE=$((20000 + _slot * 100)) ;;
    test) TANDEM_PORT_BASE=$((20000 + _slot * 100 + 50)) ;;
    *)
      _pslot="$(_tandem_slot "$TANDEM_ROOT#$TANDEM_PROFILE")"
      [[ $_pslot -ne $_slot ]] || _pslot=$(((_slot + 1) % 400))
      TANDEM_PORT_BASE=$((20000 + _pslot * 100))
      ;;
  esac
  unset _slot _pslot
fi
if ! [[ $TANDEM_PORT_BASE =~ ^[1-9][0-9]{3,4}$ ]] || ((TANDEM_PORT_BASE < 1024 || TANDEM_PORT_BASE > 65000)); then
  die "TANDEM_PORT_BASE must be a number from 1024 to 65000 (got '$TANDEM_PORT_BASE')"
fi
TEMPORAL_PORT="${TEMPORAL_PORT:-$((TANDEM_PORT_BASE + 0))}"          # gRPC frontend
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-$((TANDEM_PORT_BASE + 1))}"
TEMPORAL_HTTP_PORT="${TEMPORAL_HTTP_PORT:-$((TANDEM_PORT_BASE + 2))}"
TEMPORAL_METRICS_PORT="${TEMPORAL_METRICS_PORT:-$((TANDEM_PORT_BASE + 3))}"
REDIS_PORT="${REDIS_PORT:-$((TANDEM_PORT_BASE + 10))}"
SANDBOX_CLAIMS_PORT="${SANDBOX_CLAIMS_PORT:-$((TANDEM_PORT_BASE + 20))}"
SANDBOX_PAYROLL_PORT="${SANDBOX_PAYROLL_PORT:-$((TANDEM_PORT_BASE + 21))}"
SANDBOX_CRM_PORT="${SANDBOX_CRM_PORT:-$((TANDEM_PORT_BASE + 22))}"
TANDEM_API_PORT="${TANDEM_API_PORT:-$((TANDEM_PORT_BASE + 30))}"
TANDEM_BOT_METRICS_PORT="${TANDEM_BOT_METRICS_PORT-$((TANDEM_PORT_BASE + 31))}" # the bot worker's /metrics; empty = off

# --- which Temporal ----------------------------------------------------------------------------------
# `dev`: the CLI's dev server on SQLite (one process, a UI). `postgres`: the Temporal server itself on
# PostgreSQL with deploy/temporal-server.yaml, the configuration docker-compose.yml deploys. The
# `cluster` profile uses it and has TANDEM_STACK_APP=1: `stack.sh start` then also starts the app,
# TANDEM_ORCHESTRATION_WORKERS orchestration and TANDEM_BOT_WORKERS bot workers (2 each), the
# notifier and the API, each its own process (any profile may ask for that; the demo starts its own).
if [[ -z ${TANDEM_TEMPORAL_SERVER:-} ]]; then
  if [[ $TANDEM_PROFILE == cluster ]]; then TANDEM_TEMPORAL_SERVER=postgres; else TANDEM_TEMPORAL_SERVER=dev; fi
fi
[[ $TANDEM_TEMPORAL_SERVER == dev || $TANDEM_TEMPORAL_SERVER == postgres ]] || die "TANDEM_TEMPORAL_SERVER must be dev or postgres (got '$TANDEM_TEMPORAL_SERVER')"
if [[ -z ${TANDEM_STACK_APP:-} ]]; then
  if [[ $TANDEM_PROFILE == cluster ]]; then TANDEM_STACK_APP=1; else TANDEM_STACK_APP=0; fi
fi
TANDEM_ORCHESTRATION_WORKERS="${TANDEM_ORCHESTRATION_WORKERS:-2}"
TANDEM_BOT_WORKERS="${TANDEM_BOT_WORKERS:-2}"
[[ $TANDEM_ORCHESTRATION_WORKERS =~ ^[1-9]$ && $TANDEM_BOT_WORKERS =~ ^[1-9]$ ]] || die "TANDEM_ORCHESTRATION_WORKERS and TANDEM_BOT_WORKERS must be 1 to 9"
TANDEM_CLUSTER_VARS=()
if [[ $TANDEM_TEMPORAL_SERVER == postgres ]]; then
  # The server's other services, and PostgreSQL.
  TEMPORAL_HISTORY_PORT="${TEMPORAL_HISTORY_PORT:-$((TANDEM_PORT_BASE + 5))}"
  TEMPORAL_MATCHING_PORT="${TEMPORAL_MATCHING_PORT:-$((TANDEM_PORT_BASE + 7))}"
  TEMPORAL_WORKER_PORT="${TEMPORAL_WORKER_PORT:-$((TANDEM_PORT_BASE + 9))}"
  TANDEM_POSTGRES_PORT="${TANDEM_POSTGRES_PORT:-$((TANDEM_PORT_BASE + 40))}"
  # The four membership (gossip) ports: the server records them in PostgreSQL in a smallint column
  # (cluster_membership.rpc_port), so they must be 32767 or less; our blocks go up to 59999. Four
  # ports from 10000 up per block of 100 (10800-12599 for the blocks this file derives).
  _mbase=$((10000 + TANDEM_PORT_BASE / 100 * 4))
  TEMPORAL_FRONTEND_MEMBERSHIP_PORT="${TEMPORAL_FRONTEND_MEMBERSHIP_PORT:-$((_mbase + 0))}"
  TEMPORAL_HISTORY_MEMBERSHIP_PORT="${TEMPORAL_HISTORY_MEMBERSHIP_PORT:-$((_mbase + 1))}"
  TEMPORAL_MATCHING_MEMBERSHIP_PORT="${TEMPORAL_MATCHING_MEMBERSHIP_PORT:-$((_mbase + 2))}"
  TEMPORAL_WORKER_MEMBERSHIP_PORT="${TEMPORAL_WORKER_MEMBERSHIP_PORT:-$((_mbase + 3))}"
  unset _mbase
  for _v in TEMPORAL_FRONTEND_MEMBERSHIP_PORT TEMPORAL_HISTORY_MEMBERSHIP_PORT TEMPORAL_MATCHING_MEMBERSHIP_PORT TEMPORAL_WORKER_MEMBERSHIP_PORT; do
    ((${!_v} <= 32767)) || die "$_v must be 32767 or less: Temporal keeps membership ports in a PostgreSQL smallint (got ${!_v})"
  done
  unset _v
  TANDEM_CLUSTER_VARS=(
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT TEMPORAL_HISTORY_PORT TEMPORAL_HISTORY_MEMBERSHIP_PORT TEMPORAL_MATCHING_PORT
    TEMPORAL_MATCHING_MEMBERSHIP_PORT TEMPORAL_WORKER_PORT TEMPORAL_WORKER_MEMBERSHIP_PORT TANDEM_POSTGRES_PORT
  )
fi

# --- external services ------------------------------------------------------------------------------
# A REDIS_URL (or TEMPORAL_ADDRESS) that the user set means "use that one, start none". The marker
# variables remember the decision so that a script called by another script (which already exported
# the derived URL) decides the same way.
if [[ -z ${TANDEM_REDIS_EXTERNAL:-} ]]; then
  if [[ -n ${REDIS_URL:-} ]]; then TANDEM_REDIS_EXTERNAL=1; else TANDEM_REDIS_EXTERNAL=0; fi
fi
if [[ -z ${TANDEM_TEMPORAL_EXTERNAL:-} ]]; then
  if [[ -n ${TEMPORAL_ADDRESS:-} ]]; then TANDEM_TEMPORAL_EXTERNAL=1; else TANDEM_TEMPORAL_EXTERNAL=0; fi
fi
[[ $TANDEM_REDIS_EXTERNAL == 1 ]] || REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
[[ $TANDEM_TEMPORAL_EXTERNAL == 1 ]] || TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
TEMPORAL_UI_URL="http://127.0.0.1:$TEMPORAL_UI_PORT"
SANDBOX_CLAIMS_URL="http://127.0.0.1:$SANDBOX_CLAIMS_PORT"
SANDBOX_PAYROLL_URL="http://127.0.0.1:$SANDBOX_PAYROLL_PORT"
SANDBOX_CRM_URL="http://127.0.0.1:$SANDBOX_CRM_PORT"
TANDEM_API_URL="http://127.0.0.1:$TANDEM_API_PORT"
TANDEM_CREDENTIALS_FILE="${TANDEM_CREDENTIALS_FILE:-$TANDEM_STATE_DIR/credentials.json}"
[[ $TANDEM_CREDENTIALS_FILE == /* ]] || TANDEM_CREDENTIALS_FILE="$PWD/$TANDEM_CREDENTIALS_FILE"
# Payload encryption keys of the workers and the API (`id:base64` a line, the first current);
# `stack.sh start` creates the file with one fresh key. Set it empty for no encryption.
TANDEM_PAYLOAD_KEYS_FILE="${TANDEM_PAYLOAD_KEYS_FILE-$TANDEM_STATE_DIR/payload-keys}"
[[ -z $TANDEM_PAYLOAD_KEYS_FILE || $TANDEM_PAYLOAD_KEYS_FILE == /* ]] || TANDEM_PAYLOAD_KEYS_FILE="$PWD/$TANDEM_PAYLOAD_KEYS_FILE"
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# The variables `stack.sh env` prints, in order. Everything here is exported for child processes.
TANDEM_ENV_VARS=(
  TANDEM_ROOT TANDEM_PROFILE TANDEM_STATE_DIR TANDEM_PORT_BASE
  TEMPORAL_PORT TEMPORAL_UI_PORT TEMPORAL_HTTP_PORT TEMPORAL_METRICS_PORT
  REDIS_PORT SANDBOX_CLAIMS_PORT SANDBOX_PAYROLL_PORT SANDBOX_CRM_PORT TANDEM_API_PORT TANDEM_BOT_METRICS_PORT
  TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_UI_URL REDIS_URL SANDBOX_CLAIMS_URL SANDBOX_PAYROLL_URL SANDBOX_CRM_URL TANDEM_API_URL
  TANDEM_CREDENTIALS_FILE TANDEM_PAYLOAD_KEYS_FILE CHROMIUM_PATH TANDEM_REDIS_EXTERNAL TANDEM_TEMPORAL_EXTERNAL
  TANDEM_TEMPORAL_SERVER TANDEM_STACK_APP "${TANDEM_CLUSTER_VARS[@]}"
)
export "${TANDEM_ENV_VARS[@]}"

# `stack.sh start` writes the same lines to this file of the state dir (platform/local-stack.ts reads it).
TANDEM_ENV_FILE=stack.env

tandem_print_env() {
  local name
  for name in "${TANDEM_ENV_VARS[@]}"; do printf '%s=%s\n' "$name" "${!name}"; done
}

# Processes of the local stack (stack.sh) and of the app on top of it (demo.sh), by pid-file name.
TANDEM_SANDBOX_PROCS=(sandbox-claims sandbox-payroll sandbox-crm)
TANDEM_STACK_PROCS=(temporal redis "${TANDEM_SANDBOX_PROCS[@]}")
[[ $TANDEM_TEMPORAL_SERVER != postgres ]] || TANDEM_STACK_PROCS=(postgres "${TANDEM_STACK_PROCS[@]}")
TANDEM_APP_PROCS=(orchestration-worker bot-worker notifier api)
if [[ $TANDEM_STACK_APP == 1 ]]; then
  TANDEM_APP_PROCS=()
  for ((_i = 1; _i <= TANDEM_ORCHESTRATION_WORKERS; _i++)); do TANDEM_APP_PROCS+=("orchestration-worker-$_i"); done
  for ((_i = 1; _i <= TANDEM_BOT_WORKERS; _i++)); do TANDEM_APP_PROCS+=("bot-worker-$_i"); done
  TANDEM_APP_PROCS+=(notifier api)
  unset _i
fi

# Our own tools, from this checkout.
TSX="$TANDEM_ROOT/node_modules/.bin/tsx"
require_tsx() {
  [[ -x $TSX ]] || die "node_modules/.bin/tsx is missing: run 'npm run setup' first"
}
