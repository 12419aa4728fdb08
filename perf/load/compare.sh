#!/usr/bin/env bash
# Sluice, NGINX and HAProxy side by side on this machine: the same three backends (one NGINX
# worker answering "a", "b", "c"), each proxy with two threads/workers and upstream keep-alive,
# one proxy at a time, wrk from 127.0.0.1 only. Bounded: per proxy a warm-up and a measured run
# of DURATION seconds each. Prints one table; stops every process it started (by PID).
#
#   perf/load/compare.sh [DURATION] [CONNECTIONS]      (from the project root, after ./mvnw install)
#   SLUICE_JAVA_OPTS="-Xmx64m" perf/load/compare.sh    (JVM options for Sluice, say a capped heap)
#
# Needs nginx, haproxy and wrk (Debian: nginx-light haproxy wrk); installs them when missing.
set -euo pipefail
DURATION=${1:-10}
CONNECTIONS=${2:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=/tmp/sluice-compare
mkdir -p "$WORK"
for tool in nginx haproxy wrk; do
  if ! command -v "$tool" > /dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    apt-get install -y -q nginx-light haproxy wrk > /dev/null
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
JAR="$ROOT/proxy-admin/target/sluice.jar"
[ -f "$JAR" ] || { echo "build first: ./mvnw -q install -DskipTests" >&2; exit 2; }

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

"$NGINX" -c "$HERE/backends.nginx.conf" -p "$WORK" & PIDS+=($!)
wait_port 19001; wait_port 19002; wait_port 19003

# run NAME PORT CMD...: starts the proxy, warms it up, measures, records RSS, stops it.
run() {
  local name=$1 port=$2; shift 2
  "$@" > "$WORK/$name.out" 2>&1 & local pid=$!
  PIDS+=($pid)
  wait_port "$port"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/" > /dev/null
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$port/" > "$WORK/$name.wrk"
  # RSS of the proxy and its workers (NGINX forks its workers from the master we started).
  local rss
  rss=$(ps -o rss= --pid "$pid" --ppid "$pid" | awk '{s += $1} END {print int(s / 1024)}')
  kill "$pid"; wait "$pid" 2> /dev/null || true
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/$name.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/$name.wrk")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/$name.wrk" | tr '\n' ' ')
  printf '%-8s %10s %8s %8s %7s MiB  %s\n' "$name" "$rps" "$p50" "$p99" "$rss" "${errors:-no errors}"
}

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s after a ${DURATION}s warm-up; proxy, backends and wrk share $(nproc) cores"
printf '%-8s %10s %8s %8s %11s  %s\n' proxy req/s p50 p99 RSS errors
run nginx 19010 "$NGINX" -c "$HERE/nginx.conf" -p "$WORK"
run haproxy 19011 "$HAPROXY" -db -f "$HERE/haproxy.cfg"
# shellcheck disable=SC2086 # the options are words
run sluice 19012 java ${SLUICE_JAVA_OPTS:-} -Dio.netty.leakDetection.level=disabled -jar "$JAR" --config "$HERE/sluice.yaml"
