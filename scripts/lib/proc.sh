# shellcheck shell=bash disable=SC2034 # STARTED_NOW is for the caller
# Background processes with pid files, readiness waits and port checks. Needs env.sh first.
#
# A pid file holds "PID STARTTIME" (STARTTIME from /proc/PID/stat), so a recycled pid is never
# mistaken for ours. Every process is started with setsid: it leads its own process group, and
# stopping it signals the whole group (tsx runs node as a child; the group takes both).

pid_file() { printf '%s/%s.pid\n' "$TANDEM_RUN_DIR" "$1"; }

# _proc_stat PID -> "STATE STARTTIME" (fields 3 and 22 of /proc/PID/stat; comm may hold spaces).
_proc_stat() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  awk '{ print $1, $20 }' <<<"$stat"
}

# proc_pid NAME: prints the pid and succeeds if NAME's recorded process is alive (not a zombie).
proc_pid() {
  local file pid start state now
  file="$(pid_file "$1")"
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || true
  [[ ${pid:-} =~ ^[0-9]+$ ]] || return 1
  read -r state now <<<"$(_proc_stat "$pid")" || return 1
  [[ -n ${now:-} && $state != Z && (-z ${start:-} || $start == "$now") ]] || return 1
  printf '%s\n' "$pid"
}

# start_bg NAME COMMAND...: starts COMMAND in the background unless NAME already runs. Output goes
# to $TANDEM_LOG_DIR/NAME.log (appended). Sets STARTED_NOW=1 if it started it, 0 if it was running.
STARTED_NOW=0
start_bg() {
  local name=$1 pid log
  shift
  if pid="$(proc_pid "$name")"; then
    say "$name already running (pid $pid)"
    STARTED_NOW=0
    return 0
  fi
  mkdir -p "$TANDEM_RUN_DIR" "$TANDEM_LOG_DIR"
  log="$TANDEM_LOG_DIR/$name.log"
  {
    printf '\n=== %s starting %s:' "$(date -u +%FT%TZ)" "$name"
    printf ' %q' "$@"
    printf '\n'
  } >>"$log"
  # fd 9 is the stack lock: the child must not keep it open.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s %s\n' "$pid" "$(_proc_stat "$pid" | awk '{ print $2 }')" >"$(pid_file "$name")"
  say "started $name (pid $pid, log ${log#"$TANDEM_ROOT"/})"
  STARTED_NOW=1
}

# _descendants PID: every live descendant of PID (Chromium, started detached by Playwright, has a
# process group of its own: a KILL to the worker's group alone would orphan it).
_descendants() {
  local f line pid ppid p c i=0
  local -A kids=()
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    pid=${line%% *}
    line=${line##*) }
    read -r _ ppid _ <<<"$line"
    kids[$ppid]+=" $pid"
  done
  local queue=("$1")
  while ((i < ${#queue[@]})); do
    p=${queue[i]}
    i=$((i + 1))
    for c in ${kids[$p]:-}; do
      printf '%s\n' "$c"
      queue+=("$c")
    done
  done
}

# stop_procs NAME...: TERM every named process group, wait up to $TANDEM_STOP_TIMEOUT (10) seconds,
# then KILL what is left. Removes the pid files.
stop_procs() {
  local name pid waited=0 limit=$((${TANDEM_STOP_TIMEOUT:-10} * 10)) left
  local -a pids=() names=()
  for name in "$@"; do
    if pid="$(proc_pid "$name")"; then
      say "stopping $name (pid $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("$name")
    fi
  done
  while ((${#pids[@]} > 0)); do
    left=0
    for name in "${names[@]}"; do proc_pid "$name" >/dev/null && left=1; done
    ((left)) || break
    if ((waited >= limit)); then
      for name in "${names[@]}"; do
        if pid="$(proc_pid "$name")"; then
          warn "$name (pid $pid) ignored TERM for ${TANDEM_STOP_TIMEOUT:-10}s: sending KILL"
          left="$(_descendants "$pid")"
          kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
          # shellcheck disable=SC2086 # one pid per word
          [[ -z $left ]] || kill -KILL $left 2>/dev/null || true
        fi
      done
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  for name in "$@"; do rm -f "$(pid_file "$name")"; done
}

# show_log NAME [LINES]: the tail of NAME's log, to stderr.
show_log() {
  local log="$TANDEM_LOG_DIR/$1.log"
  [[ -f $log ]] || return 0
  printf -- '---- last %s lines of %s ----\n' "${2:-30}" "$log" >&2
  tail -n "${2:-30}" "$log" >&2
  printf -- '----\n' >&2
}

# wait_ready NAME TIMEOUT_S COMMAND...: runs COMMAND (quietly) until it succeeds. Fails early if the
# process NAME has died; on failure shows its log tail and exits.
wait_ready() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -f "$(pid_file "$name")" ]] && ! proc_pid "$name" >/dev/null; then
      show_log "$name"
      die "$name exited during start-up (log above; full log: $TANDEM_LOG_DIR/$name.log)"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$name"
      die "$name not ready after ${timeout}s (log above; full log: $TANDEM_LOG_DIR/$name.log)"
    fi
    sleep 0.25
  done
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_ports NAME VAR...: dies naming the variable if a port is taken by someone else.
require_free_ports() {
  local name=$1 var
  shift
  for var in "$@"; do
    if port_in_use "${!var}"; then
      die "cannot start $name: port ${!var} ($var) is already in use by another process. Set $var (or TANDEM_PORT_BASE) to a free port, or stop what holds it."
    fi
  done
}

http_ok() { curl -sf -o /dev/null --max-time 2 "$1"; }
