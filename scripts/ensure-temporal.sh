#!/usr/bin/env bash
# Prints the path of a `temporal` CLI (it carries the dev server), building one if there is none:
#   1. $TEMPORAL_BIN, if set and executable;
#   2. `temporal` on PATH;
#   3. ${XDG_CACHE_HOME:-~/.cache}/tandem/bin/temporal, if present;
#   4. otherwise builds that one from source with the Go toolchain (a few minutes, once a machine).
# Progress goes to stderr; stdout is only the path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
cache_bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/tandem/bin"
cached="$cache_bin_dir/temporal"

if [[ -n ${TEMPORAL_BIN:-} ]]; then
  [[ -x $TEMPORAL_BIN ]] || die "TEMPORAL_BIN=$TEMPORAL_BIN is not an executable file"
  printf '%s\n' "$TEMPORAL_BIN"
  exit 0
fi
if found="$(command -v temporal 2>/dev/null)"; then
  printf '%s\n' "$found"
  exit 0
fi
if [[ -x $cached ]]; then
  printf '%s\n' "$cached"
  exit 0
fi

# Build it. One build at a time per machine: a second caller waits for the first and uses its result.
mkdir -p "$cache_bin_dir"
exec 8>"$cache_bin_dir/.build.lock"
if ! flock -n 8; then
  say "another process is building the Temporal CLI into $cache_bin_dir; waiting for it"
  flock 8
fi
if [[ -x $cached ]]; then
  printf '%s\n' "$cached"
  exit 0
fi

go_bin="$(command -v go 2>/dev/null || true)"
[[ -n $go_bin || ! -x /usr/local/go/bin/go ]] || go_bin=/usr/local/go/bin/go
[[ -n $go_bin ]] || die "no Temporal CLI found and no Go toolchain to build one. Either install Go (1.21 or newer; it fetches the toolchain the CLI needs) or download the temporal CLI and set TEMPORAL_BIN=/path/to/temporal"

say "building the Temporal CLI $TEMPORAL_CLI_VERSION from source into $cache_bin_dir"
say "this takes a few minutes (about 3-8 on 2 cores), once per machine; later runs reuse it"
build_dir="$(mktemp -d "$cache_bin_dir/.build.XXXXXX")"
trap 'rm -rf "$build_dir"' EXIT
started=$SECONDS
# GOTOOLCHAIN=auto lets an older Go fetch the toolchain the CLI's go.mod asks for.
if ! GOBIN="$build_dir" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
  "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2; then
  die "building the Temporal CLI failed (output above). Alternative: set TEMPORAL_BIN=/path/to/temporal"
fi
mv -f "$build_dir/temporal" "$cached"
say "built $cached in $((SECONDS - started))s"
printf '%s\n' "$cached"
