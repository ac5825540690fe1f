#!/usr/bin/env bash
# Fuzzes the API against its own OpenAPI document with schemathesis, then sends hand-made probes
# (methods, content types, malformed URLs and HTTP), and reports: requests sent, 5xx responses,
# error responses that are not application/problem+json, failures per operation.
#   bash scripts/fuzz-api.sh     starts a stack of its own (profile 'fuzz', reset first: Temporal,
#                                Redis, sandbox, both workers, the API), fuzzes it, stops it
#   TANDEM_API_URL=http://127.0.0.1:PORT TANDEM_FUZZ_TOKEN=<bearer token> bash scripts/fuzz-api.sh
#                                fuzzes an API that is already running (loopback addresses only)
# Fuzzing writes: it starts runs, decides tasks, creates schedules and webhook subscriptions (their
# URLs forced to a closed loopback port). Never point it at data you keep. It never starts the
# notifier (webhook deliveries), refuses to run beside one, and wipes its own profile's state
# (logs kept in the report folder) when it is done.
# Knobs: TANDEM_FUZZ_MAX_EXAMPLES (25 per operation), TANDEM_FUZZ_SEED (20261122),
# TANDEM_FUZZ_OUT (reports; default .state/fuzz-reports/<time>), TANDEM_FUZZ_PROFILE (fuzz).
# Exit 0 when there is no 5xx, every error is problem+json and schemathesis found no failure.
set -euo pipefail
# Read before env.sh, which derives TANDEM_API_URL from the profile's ports.
user_api_url="${TANDEM_API_URL:-}"
user_token="${TANDEM_FUZZ_TOKEN:-}"
export TANDEM_PROFILE="${TANDEM_FUZZ_PROFILE:-fuzz}"
unset TANDEM_API_URL
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/env.sh"
source "$here/lib/proc.sh"
cd "$TANDEM_ROOT"

SCHEMATHESIS_VERSION=4.32.5
max_examples="${TANDEM_FUZZ_MAX_EXAMPLES:-25}"
seed="${TANDEM_FUZZ_SEED:-20261122}"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/tandem/fuzz-venv"
out="${TANDEM_FUZZ_OUT:-$TANDEM_ROOT/.state/fuzz-reports/$(date -u +%Y%m%dT%H%M%SZ)}"
[[ $max_examples =~ ^[1-9][0-9]*$ ]] || die "TANDEM_FUZZ_MAX_EXAMPLES must be a positive number (got '$max_examples')"
[[ $seed =~ ^[0-9]+$ ]] || die "TANDEM_FUZZ_SEED must be a number (got '$seed')"

# --- schemathesis, in a venv of its own outside the repository ---------------------------------
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *" $SCHEMATHESIS_VERSION" ]]; then
  command -v python3 >/dev/null || die "python3 is needed for schemathesis"
  say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv" || die "could not create $venv (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" || die "pip install schemathesis failed"
fi
export PYTHONPATH="$here/fuzz${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 SCHEMATHESIS_HOOKS=hooks
py="$venv/bin/python"

# --- the API under test ---------------------------------------------------------------------------
owned=0      # 1: this script started the stack and stops it
started=()   # app processes this script started
cleanup() {
  local rc=$?
  trap '' INT TERM
  set +e
  if ((owned)); then
    # The state holds what fuzzing made (webhook subscriptions, queued deliveries, schedules):
    # delete it, so that no later notifier of this profile ever acts on it. Logs are kept.
    say "stopping the $TANDEM_PROFILE stack and deleting its state (logs: ${out#"$TANDEM_ROOT"/}/logs)"
    bash "$here/stack.sh" stop >/dev/null
    [[ ! -d $TANDEM_LOG_DIR || ! -d $out ]] || cp -r "$TANDEM_LOG_DIR" "$out/logs"
    bash "$here/stack.sh" reset >/dev/null
  elif ((${#started[@]} > 0)); then
    stop_procs "${started[@]}"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

json_field() { "$py" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else (v or {}).get(k)
print("" if v is None else v)' "$@" 2>/dev/null || true; }

if [[ -n $user_api_url || -n $user_token ]]; then
  [[ -n $user_api_url && -n $user_token ]] || die "set both TANDEM_API_URL and TANDEM_FUZZ_TOKEN to fuzz a running API (or neither)"
  api="${user_api_url%/}"
  token="$user_token"
  warn "fuzzing $api: it will create runs, schedules and webhook subscriptions there (webhook URLs point to 127.0.0.1:9)"
else
  require_tsx
  running=()
  for n in "${TANDEM_STACK_PROCS[@]}" "${TANDEM_APP_PROCS[@]}"; do proc_pid "$n" >/dev/null && running+=("$n"); done
  # The fuzzer creates webhook subscriptions: a notifier would deliver to them.
  if proc_pid notifier >/dev/null; then
    die "a notifier runs in profile $TANDEM_PROFILE: stop it ('TANDEM_PROFILE=$TANDEM_PROFILE bash scripts/stack.sh stop') before fuzzing"
  fi
  if ((${#running[@]} == 0)); then
    owned=1
    bash "$here/stack.sh" reset >/dev/null # a fresh history: seeded runs and ids do not depend on earlier fuzzing
  else
    say "profile $TANDEM_PROFILE already runs ${running[*]}: using it, stopping only what this script starts"
  fi
  bash "$here/stack.sh" start >/dev/null
  api="$TANDEM_API_URL"
  if ! proc_pid api >/dev/null; then require_free_ports api TANDEM_API_PORT; fi
  # Not the notifier: nothing the fuzzer subscribes is ever delivered.
  for n in orchestration-worker:workers/orchestration.ts bot-worker:workers/bot.ts api:api/server.ts; do
    # The fuzzer sends thousands of requests a minute from one caller.
    TANDEM_RATE_LIMIT_PER_MINUTE=100000 start_bg "${n%%:*}" "$TSX" "${n#*:}"
    ((STARTED_NOW == 0)) || started+=("${n%%:*}")
  done
  say "waiting for the API on $api/health"
  deadline=$((SECONDS + ${TANDEM_API_START_TIMEOUT:-90}))
  until http_ok "$api/health"; do
    proc_pid api >/dev/null || { show_log api 40; die "the API exited during start-up"; }
    ((SECONDS < deadline)) || { show_log api 40; die "the API did not answer within ${TANDEM_API_START_TIMEOUT:-90}s"; }
    sleep 0.5
  done
  tokens="$TANDEM_STATE_DIR/tokens.env"
  (umask 077 && "$TSX" scripts/print-tokens.ts >"$tokens") || die "could not mint tokens (scripts/print-tokens.ts)"
  token="$(sed -n 's/^TOKEN_SAM_RIVERA=//p' "$tokens")" # supervisor of claims-review, both demo clients
  [[ -n $token ]] || die "no TOKEN_SAM_RIVERA in $tokens"
fi
"$py" - "$api" <<'EOF' || die "the fuzzer only sends traffic to loopback addresses (got $api)"
import sys, urllib.parse
sys.exit(0 if urllib.parse.urlsplit(sys.argv[1]).hostname in {"127.0.0.1", "localhost", "::1"} else 1)
EOF
mkdir -p "$out"
say "reports go to ${out#"$TANDEM_ROOT"/}"

# --- seed data: real runs and tasks, so that some generated ids hit something -----------------
auth=(-H "Authorization: Bearer $token")
start_run() { # PROCESS BODY KEY -> run id
  curl -sS --max-time 30 -X POST "$api/processes/$1/runs" "${auth[@]}" -H 'content-type: application/json' \
    -H "Idempotency-Key: fuzz-seed-$3" -d "$2" | json_field runId
}
run_ids=() task_ids=()
run_ids+=("$(start_run manual-task '{"client":"acme-health","reference":"FUZZ-1","title":"Fuzz seed one","team":"claims-review"}' m1)")
run_ids+=("$(start_run manual-task '{"client":"globex-insurance","reference":"FUZZ-2","title":"Fuzz seed two","team":"claims-review"}' m2)")
run_ids+=("$(start_run claim-review '{"client":"acme-health","claimRef":"CLM-1002"}' c1)")
deadline=$((SECONDS + 90))
for r in "${run_ids[@]}"; do
  [[ -n $r ]] || continue
  until t="$(curl -sS --max-time 5 "${auth[@]}" "$api/runs/$r" 2>/dev/null | json_field openTasks 0 taskId)" && [[ -n $t ]]; do
    ((SECONDS < deadline)) || { warn "no open task on seeded run $r yet: fuzzing without it"; break; }
    sleep 1
  done
  [[ -z ${t:-} ]] || task_ids+=("$t")
done
((${#task_ids[@]} > 0)) || warn "no seeded task: task routes will mostly answer 404"
say "seeded runs: ${run_ids[*]:-none}; tasks: ${task_ids[*]:-none}"

# Generated path parameters are replaced by real ones part of the time.
toml_list() { local v s=""; for v in "$@"; do [[ -z $v ]] || s+="\"$v\", "; done; printf '[%s]' "${s%, }"; }
cat >"$out/schemathesis.toml" <<EOF
# Written by scripts/fuzz-api.sh for this run.
request-timeout = 60
max-stream-events = 1

# A request too large to read (413 body, 414 path parameter, 431 request line and headers) is
# rejected too, before any schema sees it; on top of schemathesis's default list.
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 428, 429, 431, "5XX"]

[dictionaries.runs]
values = $(toml_list "${run_ids[@]}" no-such-run)
[dictionaries.tasks]
values = $(toml_list "${task_ids[@]}" no-such-run.t1)
[dictionaries.teams]
values = ["claims-review", "claims-supervisors", "payroll"]
[dictionaries.clients]
values = ["acme-health", "globex-insurance"]
[dictionaries.webhook-urls]
values = ["http://127.0.0.1:9/fuzz-webhook", "https://127.0.0.1:9/fuzz-webhook?x=1"]

[parameters]
"path.runId" = { dictionary = "runs", probability = 0.4 }
"path.taskId" = { dictionary = "tasks", probability = 0.4 }
"path.team" = { dictionary = "teams", probability = 0.6 }
"body.client" = { dictionary = "clients", probability = 0.5 }
"body.taskIds[*]" = { dictionary = "tasks", probability = 0.4 }
# Never a subscription to an address outside this machine (port 9: nothing listens).
"body.url" = { dictionary = "webhook-urls", probability = 1.0 }
EOF

# --- schemathesis passes ------------------------------------------------------------------------
st() { "$venv/bin/schemathesis" --config-file "$out/schemathesis.toml" run "$api/openapi.json" --seed "$seed" --workers 1 --no-color "$@"; }
rc=0
say "pass 1/3: authenticated as sam.rivera (supervisor), $max_examples examples per operation, seed $seed"
# Response times: only a hang fails (30 s); the summary lists the slowest replies.
st -H "Authorization: Bearer $token" --checks all --exclude-checks positive_data_acceptance --max-response-time 30 \
  -n "$max_examples" --report har,json --report-dir "$out/authenticated" >"$out/authenticated.txt" 2>&1 || rc=1
say "pass 2/3: without credentials"
TANDEM_FUZZ_EXPECT=unauthenticated st --checks not_a_server_error,problem_json_on_error,unauthenticated_refused \
  --phases examples,fuzzing -n 10 --report har,json --report-dir "$out/no-credentials" >"$out/no-credentials.txt" 2>&1 || rc=1
say "pass 3/3: with an invalid bearer token"
TANDEM_FUZZ_EXPECT=unauthenticated st -H "Authorization: Bearer not.a.token" --checks not_a_server_error,problem_json_on_error,unauthenticated_refused \
  --phases examples,fuzzing -n 10 --report har,json --report-dir "$out/bad-token" >"$out/bad-token.txt" 2>&1 || rc=1

say "probes: methods, content types, malformed URLs and HTTP"
"$py" "$here/fuzz/probes.py" "$api" "$token" "$out/probes.json" "${run_ids[0]:-no-such-run}" "${task_ids[0]:-no-such-run.t1}" >"$out/probes.txt" 2>&1 || rc=1

"$py" "$here/fuzz/summary.py" "$out" || rc=1
echo "Full output, with a curl command reproducing each failure: $out/{authenticated,no-credentials,bad-token,probes}.txt"
exit "$rc"
