#!/usr/bin/env bash
# Installs what Tandem needs on this machine (Debian/Ubuntu), skipping whatever is already there:
#   - Redis, Chromium (and curl, fonts) from apt;
#   - the Temporal CLI, which carries the dev server (scripts/ensure-temporal.sh; built once a machine);
#   - Temporal's Java test server for time-skipping tests, with Maven (scripts/ensure-test-server.sh; once a machine);
#   - node modules with `npm ci`, unless node_modules already matches package-lock.json.
# Safe to run again: a second run on a ready machine takes about a second.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib/env.sh"
cd "$TANDEM_ROOT"
t0=$SECONDS

# --- Node.js --------------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "Node.js 20.19 or newer (with npm) is required and was not found on PATH"
fi
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js 20.19 or newer is required; found $(node --version)"

# --- system packages ------------------------------------------------------------------------------
need=()
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || need+=(redis-server)
if [[ ! -x $CHROMIUM_PATH ]]; then
  [[ $CHROMIUM_PATH == /usr/bin/chromium ]] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
  need+=(chromium)
fi
command -v curl >/dev/null || need+=(curl)
if command -v dpkg-query >/dev/null; then
  dpkg-query -W -f='${Status}' fonts-liberation 2>/dev/null | grep -q 'ok installed' || need+=(fonts-liberation)
fi
if ((${#need[@]} > 0)); then
  command -v apt-get >/dev/null || die "missing: ${need[*]}; this script installs them with apt-get, which this machine lacks: install them by hand"
  apt_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${need[*]}"
  [[ $(id -u) == 0 ]] || die "missing: ${need[*]}. Install them as root, then run this again:  sudo sh -c '$apt_cmd'"
  say "installing with apt-get: ${need[*]}"
  apt-get update -qq >&2 || die "apt-get update failed (output above)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
    die "apt-get install ${need[*]} failed (output above)"
else
  say "system packages present: redis-server, chromium, curl, fonts-liberation"
fi

# --- Temporal CLI -----------------------------------------------------------------------------------
temporal_cli="$(bash "$here/ensure-temporal.sh")"
say "Temporal CLI: $temporal_cli"

# --- Temporal's Java test server (time-skipping tests) ---------------------------------------------
test_server="$(bash "$here/ensure-test-server.sh")"
say "Java test server: $test_server"

# --- node modules ---------------------------------------------------------------------------------
# node_modules/.tandem-lock-hash records the package-lock.json (and Node major) it was installed from.
# Without that stamp (installed by hand), npm's own record of the tree, node_modules/.package-lock.json,
# is compared with package-lock.json instead, so a tree already in step is not reinstalled.
stamp=node_modules/.tandem-lock-hash
tree_matches_lock() {
  [[ -f node_modules/.package-lock.json ]] || return 1
  node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const tree = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    for (const [path, entry] of Object.entries(lock)) {
      if (path === "") continue;
      const got = tree[path];
      if (got === undefined ? !entry.optional : got.version !== entry.version) process.exit(1);
    }
    for (const path of Object.keys(tree)) if (!(path in lock)) process.exit(1);
  '
}
# npm ci installs exactly package-lock.json and never rewrites it, so set-up leaves the tree clean.
# If it refuses the lock (out of step with package.json), that is a bug in the commit: say so.
npm_ci() {
  npm ci --no-audit --no-fund >&2 ||
    die "npm ci failed (output above); if it says package.json and package-lock.json are out of step, run npm install and commit package-lock.json"
}
if [[ -f package-lock.json ]]; then
  want="$({ cat package-lock.json; node -p 'process.versions.node.split(".")[0]'; } | sha256sum | cut -d' ' -f1)"
  if [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
    say "node modules match package-lock.json"
  elif tree_matches_lock; then
    say "node modules match package-lock.json (stamp written)"
    printf '%s\n' "$want" >"$stamp"
  else
    say "installing node modules: npm ci (about a minute)"
    npm_ci
    printf '%s\n' "$want" >"$stamp"
  fi
else
  say "no package-lock.json: npm install"
  npm install --no-audit --no-fund >&2 || die "npm install failed (output above)"
fi

# --- what we have ---------------------------------------------------------------------------------
version() {
  local out
  out="$("$@" 2>/dev/null)" && printf '%s' "${out%%$'\n'*}" || printf '?'
}
say "ready in $((SECONDS - t0))s:"
{
  printf '  node      %s (npm %s)\n' "$(node --version)" "$(npm --version 2>/dev/null)"
  printf '  tsx       %s\n' "$(version "$TSX" --version)"
  printf '  temporal  %s\n' "$(version "$temporal_cli" --version)"
  printf '  redis     %s\n' "$(version redis-server --version)"
  printf '  chromium  %s\n' "$(version "$CHROMIUM_PATH" --version)"
} >&2
