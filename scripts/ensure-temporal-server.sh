#!/usr/bin/env bash
# Prints two lines: the path of a Temporal server binary and of its SQL schema tool (the cluster
# profile's Temporal, not the CLI's dev server), building them if there are none:
#   1. $TEMPORAL_SERVER_BIN and $TEMPORAL_SQL_TOOL_BIN, if set and executable;
#   2. ${XDG_CACHE_HOME:-~/.cache}/tandem/bin/temporal-server-<version> and temporal-sql-tool-<version>;
#   3. otherwise builds them from the Go module go.temporal.io/server (7-8 min on 2 cores, once a machine).
# The SQL tool carries the schema files (`--schema-name postgresql/v12/temporal`), so nothing else
# of the module is needed at run time.
# Progress goes to stderr; stdout is only the paths.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

# v1.32.1 is the newest tag that builds with the Go this machine has and GOTOOLCHAIN=local
# (v1.32.2 and v1.31.5 ask for Go >= 1.26.10); docker-compose.yml pins the same server version.
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.1}"
cache_bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/tandem/bin"
server_cached="$cache_bin_dir/temporal-server-$TEMPORAL_SERVER_VERSION"
sql_cached="$cache_bin_dir/temporal-sql-tool-$TEMPORAL_SERVER_VERSION"

go_bin="$(command -v go 2>/dev/null || true)"
[[ -n $go_bin || ! -x /usr/local/go/bin/go ]] || go_bin=/usr/local/go/bin/go

if [[ -n ${TEMPORAL_SERVER_BIN:-} || -n ${TEMPORAL_SQL_TOOL_BIN:-} ]]; then
  [[ -x ${TEMPORAL_SERVER_BIN:-} ]] || die "TEMPORAL_SERVER_BIN='${TEMPORAL_SERVER_BIN:-}' is not an executable file (set it with TEMPORAL_SQL_TOOL_BIN)"
  [[ -x ${TEMPORAL_SQL_TOOL_BIN:-} ]] || die "TEMPORAL_SQL_TOOL_BIN='${TEMPORAL_SQL_TOOL_BIN:-}' is not an executable file (set it with TEMPORAL_SERVER_BIN)"
  printf '%s\n%s\n' "$TEMPORAL_SERVER_BIN" "$TEMPORAL_SQL_TOOL_BIN"
  exit 0
fi
if [[ -x $server_cached && -x $sql_cached ]]; then
  printf '%s\n%s\n' "$server_cached" "$sql_cached"
  exit 0
fi

# Build them. One build at a time per machine: a second caller waits for the first and uses its result.
mkdir -p "$cache_bin_dir"
exec 8>"$cache_bin_dir/.build-server.lock"
if ! flock -n 8; then
  say "another process is building the Temporal server into $cache_bin_dir; waiting for it"
  flock 8
fi
if [[ -x $server_cached && -x $sql_cached ]]; then
  printf '%s\n%s\n' "$server_cached" "$sql_cached"
  exit 0
fi
[[ -n $go_bin ]] || die "no Temporal server found and no Go toolchain to build one. Install Go 1.26 (https://go.dev/dl), or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL_BIN to binaries of server $TEMPORAL_SERVER_VERSION"

say "building the Temporal server $TEMPORAL_SERVER_VERSION and its SQL tool from source into $cache_bin_dir"
say "this takes about 7-8 minutes on 2 cores, once per machine; later runs reuse it"
build_dir="$(mktemp -d "$cache_bin_dir/.build-server.XXXXXX")"
trap 'rm -rf "$build_dir"' EXIT
started=$SECONDS
if ! GOBIN="$build_dir" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" "$go_bin" install \
  "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" >&2; then
  die "building the Temporal server failed (output above). A newer tag may need GOTOOLCHAIN=auto; or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL_BIN"
fi
mv -f "$build_dir/sql" "$sql_cached"
mv -f "$build_dir/server" "$server_cached"
say "built $server_cached and $sql_cached in $((SECONDS - started))s"
printf '%s\n%s\n' "$server_cached" "$sql_cached"
