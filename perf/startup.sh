#!/usr/bin/env bash
# Milliseconds from starting the JVM to the first proxied answer: starts `sluice.jar --demo`
# (Sluice on 127.0.0.1:8080 and its three demo backends), sends GET / every 5 ms until one is
# answered 200 through the proxy, prints the time, and stops the JVM it started.
#
#   perf/startup.sh [RUNS] [JAVA OPTIONS...]     from the project root, default 5 runs
set -euo pipefail
RUNS=${1:-5}; shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/proxy-admin/target/sluice.jar"
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
command -v curl > /dev/null || { echo "needs curl" >&2; exit 2; }
for _ in $(seq 1 "$RUNS"); do
  start=$(date +%s%N)
  java "$@" -jar "$JAR" --demo > /tmp/sluice-startup.out 2>&1 & pid=$!
  code=000
  for _ in $(seq 1 2000); do   # at most 10 s
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 http://127.0.0.1:8080/ || true)
    [ "$code" = 200 ] && break
    sleep 0.005
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2> /dev/null || true
  [ "$code" = 200 ] || { echo "no answer within 10 s" >&2; exit 1; }
  echo "$(( (end - start) / 1000000 )) ms to the first proxied 200"
done
