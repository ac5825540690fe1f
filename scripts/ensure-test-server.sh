#!/usr/bin/env bash
# Prints the path of a launcher for Temporal's Java test server (the time-skipping server that
# `TestWorkflowEnvironment.createTimeSkipping` runs through `executable: { type: 'existing-path' }`),
# fetching it once a machine:
#   1. $TEMPORAL_TEST_SERVER, if set and executable;
#   2. ${XDG_CACHE_HOME:-~/.cache}/tandem/temporal-test-server-<version>/temporal-test-server, if present;
#   3. otherwise Maven copies io.temporal:temporal-test-server and its jars from Maven Central into that
#      folder, writes the launcher, and records an AppCDS archive so the JVM is up well inside the
#      SDK's hard 5 s start deadline even on a loaded machine.
# Progress goes to stderr; stdout is only the path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

version="${TEMPORAL_TEST_SERVER_VERSION:-1.38.0}"
home="${XDG_CACHE_HOME:-$HOME/.cache}/tandem/temporal-test-server-$version"
launcher="$home/temporal-test-server"

if [[ -n ${TEMPORAL_TEST_SERVER:-} ]]; then
  [[ -x $TEMPORAL_TEST_SERVER ]] || die "TEMPORAL_TEST_SERVER=$TEMPORAL_TEST_SERVER is not an executable file"
  printf '%s\n' "$TEMPORAL_TEST_SERVER"
  exit 0
fi
# The archive is tied to the JDK build: a launcher made under another java is made again.
java_id="$(java -XshowSettings:properties -version 2>&1 | grep -E 'java\.(home|vm\.version) ' | tr -d ' ' | sort | sha256sum | cut -c1-16)" ||
  die "java (17 or newer) is needed for the time-skipping test server and was not found on PATH"
if [[ -x $launcher && -f $home/app.jsa && "$(cat "$home/.java-id" 2>/dev/null)" == "$java_id" ]]; then
  printf '%s\n' "$launcher"
  exit 0
fi

mkdir -p "$home"
exec 8>"$home/.build.lock"
if ! flock -n 8; then
  say "another process is preparing the Java test server in $home; waiting for it"
  flock 8
fi
if [[ -x $launcher && -f $home/app.jsa && "$(cat "$home/.java-id" 2>/dev/null)" == "$java_id" ]]; then
  printf '%s\n' "$launcher"
  exit 0
fi

command -v mvn >/dev/null || die "mvn (Maven) is needed once to fetch io.temporal:temporal-test-server and was not found on PATH"
started=$SECONDS
if [[ ! -f $home/deps/temporal-test-server-$version.jar ]]; then
  say "fetching io.temporal:temporal-test-server:$version with Maven into $home (once per machine)"
  work="$(mktemp -d "$home/.fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.tandem</groupId><artifactId>test-server-fetch</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
  (cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/deps" >&2) ||
    die "Maven could not fetch io.temporal:temporal-test-server:$version (output above)"
  rm -rf "$home/deps" && mv "$work/deps" "$home/deps"
fi

# Fast JVM start: C1 only, serial GC, and the class-data archive recorded below.
cat >"$launcher" <<LAUNCHER
#!/usr/bin/env bash
# Temporal's Java test server; arguments: <port> [--enable-time-skipping]. Written by scripts/ensure-test-server.sh.
# exec: the SDK's kill must reach the JVM itself.
archive=()
[[ -f "$home/app.jsa" ]] && archive=(-XX:SharedArchiveFile="$home/app.jsa" -Xshare:auto)
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k "\${archive[@]}" -cp "$home/deps/*" io.temporal.testserver.TestServer "\$@"
LAUNCHER
chmod +x "$launcher"

# Record the classes a start loads into an AppCDS archive (the JVM writes it as it exits).
say "recording a class-data archive for the test server's start"
rm -f "$home/app.jsa"
port="$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:ArchiveClassesAtExit="$home/app.jsa" \
  -cp "$home/deps/*" io.temporal.testserver.TestServer "$port" --enable-time-skipping >"$home/archive.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
sleep 1
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[[ -f $home/app.jsa ]] || warn "no class-data archive was written (see $home/archive.log); the launcher starts without it"
printf '%s\n' "$java_id" >"$home/.java-id"
say "Java test server ready in $((SECONDS - started))s: $launcher"
printf '%s\n' "$launcher"
