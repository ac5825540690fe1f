#!/usr/bin/env bash
# The main job, locally: the stack (Temporal, Redis, sandbox claims app), the orchestration worker,
# the bot worker, the notifier (webhooks) and the API; then it starts one claim-review run and shows
# how to finish it.
#   bash scripts/demo.sh            runs in the foreground; Ctrl-C stops everything it started
#   bash scripts/demo.sh --detach   leaves it all running; 'npm run stack stop' stops it
# Run again, it resumes the claim's open run or takes the next claim nobody has worked yet.
# TANDEM_DEMO_KEY sets the prefix of the start's Idempotency-Key (default demo-YYYYMMDD-HHMMSS).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/env.sh"
source "$here/lib/proc.sh"
cd "$TANDEM_ROOT"

detach=0
for arg in "$@"; do
  case $arg in
    --detach) detach=1 ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$arg' (usage: bash scripts/demo.sh [--detach])" ;;
  esac
done

require_tsx
missing=()
for f in workers/orchestration.ts workers/bot.ts workers/notifier.ts api/server.ts; do [[ -f $f ]] || missing+=("$f"); done
if ((${#missing[@]} > 0)); then
  die "cannot run the demo: ${missing[*]} not written yet in this checkout. The stack alone runs with 'npm run stack start'."
fi

# JSON from stdin: json_get KEY... walks objects and arrays (numbers index arrays); prints "" if absent.
json_get() {
  if command -v jq >/dev/null; then
    jq -r '($ARGS.positional | map(if test("^[0-9]+$") then tonumber else . end)) as $p
      | getpath($p) // empty | if type == "string" then . else tojson end' --args "$@" 2>/dev/null || true
  else
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      let v; try { v = JSON.parse(s); } catch { return; }
      for (const k of process.argv.slice(1)) v = v == null ? undefined : v[k];
      if (v != null) process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
    });' "$@"
  fi
}

cleaned=0
cleanup() {
  ((cleaned == 0)) || return 0
  cleaned=1
  trap '' INT TERM PIPE # finish the cleanup whatever happens to the terminal or a pipe
  set +e
  say "stopping the demo"
  stop_procs "${TANDEM_APP_PROCS[@]}"
  wait 2>/dev/null || true # reap our children
  bash "$here/stack.sh" stop || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_app_logs() { local n; for n in "${TANDEM_APP_PROCS[@]}"; do show_log "$n" 20; done; }

say "starting the local stack"
# Settings fit for load (scripts/stack.sh): WAL journal, fsync at checkpoints rather than per commit.
TANDEM_SQLITE_PRAGMAS=${TANDEM_SQLITE_PRAGMAS:-journal_mode=wal,synchronous=normal} bash "$here/stack.sh" start >/dev/null
TANDEM_DIE_HINT="logs: $TANDEM_LOG_DIR/"
if ! proc_pid api >/dev/null; then require_free_ports api TANDEM_API_PORT; fi
start_bg orchestration-worker "$TSX" workers/orchestration.ts
start_bg bot-worker "$TSX" workers/bot.ts
start_bg notifier "$TSX" workers/notifier.ts
start_bg api "$TSX" api/server.ts

say "waiting for the API on $TANDEM_API_URL/health"
deadline=$((SECONDS + ${TANDEM_API_START_TIMEOUT:-90}))
until http_ok "$TANDEM_API_URL/health"; do
  for n in "${TANDEM_APP_PROCS[@]}"; do
    if ! proc_pid "$n" >/dev/null; then
      show_log "$n" 40
      die "$n exited during start-up (its log is above)"
    fi
  done
  if ((SECONDS >= deadline)); then
    show_app_logs
    die "the API did not answer $TANDEM_API_URL/health within ${TANDEM_API_START_TIMEOUT:-90}s"
  fi
  sleep 0.5
done

# The demo's stand-in for an identity provider: a bearer token per person of the roster.
tokens="$TANDEM_STATE_DIR/tokens.env"
(umask 077 && "$TSX" scripts/print-tokens.ts >"$tokens") || die "could not mint the demo's tokens (scripts/print-tokens.ts)"
# shellcheck disable=SC1090
source "$tokens"
auth_sam=(-H "Authorization: Bearer $TOKEN_SAM_RIVERA")

# One run per claim: a claim worked by an earlier demo is not paid again. The demo resumes the
# claim's run while it is open, and otherwise takes the next claim nobody has worked yet
# (CLM-1002, then CLM-1002000001, … : the sandbox takes these as new claims like CLM-1002).
run_id="" claim_ref=""
for ((n = 0; n < 200; n++)); do
  claim_ref="CLM-1002"
  ((n == 0)) || claim_ref="$(printf 'CLM-1002%06d' "$n")"
  key="${TANDEM_DEMO_KEY:-demo-$(date +%Y%m%d-%H%M%S)}-$claim_ref"
  body="$(mktemp)"
  code="$(curl -sS -o "$body" -w '%{http_code}' -X POST "$TANDEM_API_URL/processes/claim-review/runs" "${auth_sam[@]}" \
    -H 'content-type: application/json' -H "Idempotency-Key: $key" \
    -d "{\"client\":\"acme-health\",\"claimRef\":\"$claim_ref\"}")" || code=000
  response="$(cat "$body")"
  rm -f "$body"
  case "$code:$(json_get type <<<"$response")" in
    2??:*)
      run_id="$(json_get runId <<<"$response")"
      say "started a claim-review run for acme-health / $claim_ref"
      break
      ;;
    409:urn:tandem:problem:business-item-open)
      run_id="$(json_get run runId <<<"$response")"
      say "acme-health / $claim_ref already has an open run from an earlier demo: resuming it"
      break
      ;;
    409:urn:tandem:problem:business-item-done) continue ;; # worked by an earlier demo: take the next claim
  esac
  break
done
if [[ -z $run_id ]]; then
  printf '%s\n' "$response" >&2
  show_app_logs
  die "POST /processes/claim-review/runs answered HTTP $code without a runId (response above)"
fi

say "run $run_id: waiting for its human task"
deadline=$((SECONDS + ${TANDEM_DEMO_TASK_TIMEOUT:-60}))
task_id="" status=""
while :; do
  run_json="$(curl -sS --max-time 5 "${auth_sam[@]}" "$TANDEM_API_URL/runs/$run_id" 2>/dev/null || true)"
  task_id="$(json_get openTasks 0 taskId <<<"$run_json")"
  [[ -z $task_id ]] || break
  status="$(json_get status <<<"$run_json")"
  case "${status,,}" in
    completed | failed | cancelled | canceled | terminated | timed*out)
      warn "run $run_id is already $status (its claim was decided meanwhile); run the demo again for the next claim"
      break
      ;;
  esac
  if ((SECONDS >= deadline)); then
    printf '%s\n' "$run_json" >&2
    show_app_logs
    die "run $run_id has no open task after ${TANDEM_DEMO_TASK_TIMEOUT:-60}s (last GET /runs/$run_id above)"
  fi
  sleep 1
done
unset TANDEM_DIE_HINT

cat <<EOF

Tandem demo (profile $TANDEM_PROFILE)
  web inbox    $TANDEM_API_URL/inbox#access_token=$TOKEN_ANA_LIMA
  tokens       source $tokens   (TOKEN_ANA_LIMA operator, TOKEN_SAM_RIVERA supervisor, …)
  run          curl $TANDEM_API_URL/runs/$run_id -H "Authorization: Bearer \$TOKEN_ANA_LIMA"
  team inbox   curl $TANDEM_API_URL/teams/claims-review/tasks -H "Authorization: Bearer \$TOKEN_ANA_LIMA"
  Temporal UI  $TEMPORAL_UI_URL/namespaces/$TEMPORAL_NAMESPACE/workflows
  client apps  claims $SANDBOX_CLAIMS_URL  payroll $SANDBOX_PAYROLL_URL  CRM $SANDBOX_CRM_URL
  payroll run  curl -X POST $TANDEM_API_URL/processes/payroll-run/runs -H "Authorization: Bearer \$TOKEN_SAM_RIVERA" -H 'content-type: application/json' -d '{"client":"acme-health","period":"2026-11"}'
               (then: GET /runs/<runId> → batches[0].batchId → GET /batches/<batchId>; tasks for payroll-ops: TOKEN_PRIYA_NAIR)
  logs         $TANDEM_LOG_DIR/
EOF
if [[ -n $task_id ]]; then
  cat <<EOF

The run waits for a reviewer. Approve its task as operator ana.lima:
  source $tokens
  curl -X POST $TANDEM_API_URL/tasks/$task_id/complete -H "Authorization: Bearer \$TOKEN_ANA_LIMA" -H 'content-type: application/json' -d '{"action":"approve","data":{"reason":"Looks right"}}'
EOF
fi
cat <<EOF

Watch the run finish:
  curl $TANDEM_API_URL/runs/$run_id -H "Authorization: Bearer \$TOKEN_ANA_LIMA"

EOF

if ((detach)); then
  trap - EXIT INT TERM
  say "left running (profile $TANDEM_PROFILE): 'npm run stack stop' stops it all"
  exit 0
fi
say "running; Ctrl-C stops the demo and the stack"
while :; do
  for n in "${TANDEM_APP_PROCS[@]}"; do
    if ! proc_pid "$n" >/dev/null; then
      show_log "$n" 40
      die "$n stopped unexpectedly (its log is above)"
    fi
  done
  sleep 2 &
  wait $! || true
done
