#!/usr/bin/env bash
# Sluice, NGINX and HAProxy side by side, as the project compares proxies: each proxy with one
# worker / nbthread 1 / one event loop pinned to CPU 0; the load generator (wrk, h2load) and three
# NGINX backends on CPU 1; round robin with upstream keep-alive; access logs off. Cases are
# interleaved (every proxy runs a case before the next case or repeat starts) so that drift hits
# all alike. For each run it reads the proxy's own CPU time (/proc/<pid>/stat, workers included)
# and CPU 0's and the machine's steal time (/proc/stat): req/s per busy proxy core is req/s over
# the proxy's CPU share; a run where CPU 0 was busier than the proxy by 10 points, or steal was
# above 5 %, is flagged "disturbed".
#
#   perf/run.sh [REPEATS] [SECONDS]        from the project root (builds the jar when missing)
#   CASES="h1-100 h1-close" PROXIES="nginx sluice" perf/run.sh 3 10     a subset, for a before/after
#   SLUICE_JAVA_OPTS="... -XX:StartFlightRecording=filename=/tmp/s.jfr"  a profile of Sluice meanwhile
#   SLUICE_JAR=before.jar SLUICE_B_JAR=after.jar CASES=h1-100 PROXIES="sluice sluice-b" perf/run.sh
#                                          two builds of Sluice, interleaved: a before/after
#   SLUICE_B_JAR=same.jar SLUICE_B_JAVA_OPTS="..." ...                   or two sets of JVM options
#   MEM_ONLY=1 [MEM_CONNECTIONS=9000] perf/run.sh                       the memory case alone
#
# Writes perf/results/<date>-<host>.md (the table, the commands, the machine) and its chart
# <date>-<host>.png (a subset writes /tmp/sluice-perf/subset.md and .png) and prints it.
# Installs nginx-light, haproxy, wrk, nghttp2-client and openssl from Debian when missing (as
# root). Bounded: a 40 s warm-up round, then 3 repeats x (1 + 6 cases x 3 proxies + 2 ingress runs)
# x (SECONDS + 1 s), 3 profiled runs, then the memory case (about 2 minutes): about 15 minutes at
# the defaults; every process it starts is stopped by PID on exit.
set -euo pipefail
REPEATS=${1:-3}
SECONDS_PER_RUN=${2:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=/tmp/sluice-perf
mkdir -p "$WORK" "$HERE/results"
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores (proxy on CPU 0, load on CPU 1)" >&2; exit 2; }

missing=()
for tool in nginx:nginx-light haproxy:haproxy wrk:wrk h2load:nghttp2-client openssl:openssl; do
  command -v "${tool%%:*}" > /dev/null || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > "$WORK/apt.log"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
JAR=${SLUICE_JAR:-$ROOT/proxy-admin/target/sluice.jar}
# A full run measures what ingress protection costs (h1-ingress): the same build a second time, as
# sluice-ingress, with shedding and both rate limits on (limits far above the load). Two JVMs of
# one build differ by up to 10 % here; perf/README.md derives the cost from JMH as well.
if [ -z "${CASES:-}${PROXIES:-}${MEM_ONLY:-}${SLUICE_B_JAR:-}" ]; then SLUICE_B_JAR=$JAR; SLUICE_B_INGRESS=1; fi
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT
trap 'exit 1' INT TERM   # a signal ends the script through its EXIT trap, which stops what it started
wait_port() { for _ in $(seq 1 150); do (echo > "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

# ---- configurations, written where they run ---------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2> /dev/null
cat "$WORK/tls.crt" "$WORK/tls.key" > "$WORK/tls.pem"
head -c 100 /dev/zero | tr '\0' 'x' > "$WORK/100"
head -c 16384 /dev/zero | tr '\0' 'x' > "$WORK/16k"

cat > "$WORK/backends.conf" << EOF
worker_processes 1; daemon off; pid $WORK/backends.pid; error_log $WORK/backends.err warn;
events { worker_connections 8192; }
http {
  access_log off; keepalive_requests 1000000; default_type text/plain;
  server { listen 127.0.0.1:19101; root $WORK; }
  server { listen 127.0.0.1:19102; root $WORK; }
  server { listen 127.0.0.1:19103; root $WORK; }
}
EOF
cat > "$WORK/nginx.conf" << EOF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err warn;
events { worker_connections 16384; }
http {
  access_log off; keepalive_requests 1000000;
  upstream b { server 127.0.0.1:19101; server 127.0.0.1:19102; server 127.0.0.1:19103; keepalive 256; }
  server {
    listen 127.0.0.1:19110; listen 127.0.0.1:19120 ssl http2;
    ssl_certificate $WORK/tls.crt; ssl_certificate_key $WORK/tls.key;
    location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server { listen 127.0.0.1:19130 http2; location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
EOF
cat > "$WORK/haproxy.cfg" << EOF
global
  nbthread 1
  maxconn 9000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend in
  bind 127.0.0.1:19111
  bind 127.0.0.1:19121 ssl crt $WORK/tls.pem alpn h2,http/1.1
  bind 127.0.0.1:19131 proto h2
  default_backend b
backend b
  balance roundrobin
  server a 127.0.0.1:19101
  server b 127.0.0.1:19102
  server c 127.0.0.1:19103
EOF
cat > "$WORK/sluice.yaml" << EOF
server: { eventLoopThreads: 1, configWatchInterval: 0s }
listeners:
  - { name: plain, bind: "127.0.0.1:19112", maxConnections: 20000 }
  - { name: tls, bind: "127.0.0.1:19122", maxConnections: 20000, tls: { certificate: "$WORK/tls.crt", privateKey: "$WORK/tls.key" } }
admin: { bind: "127.0.0.1:19113" }
accessLog: { enabled: false }
routes: [ { match: { pathPrefix: / }, cluster: b } ]
clusters:
  - { name: b, backends: [ { address: "127.0.0.1:19101" }, { address: "127.0.0.1:19102" }, { address: "127.0.0.1:19103" } ] }
EOF

# ---- processes --------------------------------------------------------------------------------
taskset -c 1 "$NGINX" -c "$WORK/backends.conf" -p "$WORK" & PIDS+=($!)
taskset -c 0 "$NGINX" -c "$WORK/nginx.conf" -p "$WORK" & NGINX_PID=$!; PIDS+=($NGINX_PID)
taskset -c 0 "$HAPROXY" -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.out" 2>&1 & HAPROXY_PID=$!; PIDS+=($HAPROXY_PID)
# start_sluice JAR CONFIG OUT "JVM OPTIONS" [EXTRA OPTION]: one Sluice JVM on CPU 0 with one active
# processor; its PID in STARTED (and in PIDS, to be stopped on exit)
start_sluice() {
  # shellcheck disable=SC2086 # the options are words
  taskset -c 0 java $4 -XX:ActiveProcessorCount=1 -XX:FlightRecorderOptions=stackdepth=160 ${5:-} \
    -Dio.netty.leakDetection.level=disabled -jar "$1" --config "$2" > "$3" 2>&1 &
  STARTED=$!; PIDS+=($STARTED)
}
DEFAULT_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseParallelGC"
start_sluice "$JAR" "$WORK/sluice.yaml" "$WORK/sluice.out" "${SLUICE_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}"; SLUICE_PID=$STARTED
if [ -n "${SLUICE_B_JAR:-}" ]; then
  sed -e 's/19112/19142/; s/19113/19143/; s/19122/19152/' "$WORK/sluice.yaml" > "$WORK/sluice-b.yaml"
  if [ -n "${SLUICE_B_INGRESS:-}" ]; then
    printf '%s\n' "shedding: { maxInFlight: 100000 }" "rateLimits:" "  perIp: { rate: 100000000/s, burst: 100000000 }" \
      "  perPartition: { key: { header: X-Tenant-Id }, rate: 100000000/s, burst: 100000000 }" >> "$WORK/sluice-b.yaml"
  fi
  start_sluice "$SLUICE_B_JAR" "$WORK/sluice-b.yaml" "$WORK/sluice-b.out" "${SLUICE_B_JAVA_OPTS:-${SLUICE_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}}"
  SLUICE_B_PID=$STARTED
  wait_port 19142; wait_port 19152
fi
for p in 19101 19102 19103 19110 19111 19112 19120 19121 19122 19130 19131; do wait_port "$p"; done
# NGINX's h2c is on its own port (an http2 listen is h2 only); HAProxy's and Sluice's plain ports take both.
declare -A PORT=([nginx:h1]=19110 [haproxy:h1]=19111 [sluice:h1]=19112 [nginx:tls]=19120 [haproxy:tls]=19121 [sluice:tls]=19122
                 [nginx:h2c]=19130 [haproxy:h2c]=19131 [sluice:h2c]=19112
                 [sluice-b:h1]=19142 [sluice-b:tls]=19152 [sluice-b:h2c]=19142 [sluice-ingress:h1]=19142)
declare -A PID=([nginx]=$NGINX_PID [haproxy]=$HAPROXY_PID [sluice]=$SLUICE_PID [sluice-b]=${SLUICE_B_PID:-0}
                [sluice-ingress]=${SLUICE_B_PID:-0})


# CPU seconds (user + system, in clock ticks) of a process and its children threads/workers.
cpu_ticks() { local total=0 p; for p in "$1" $(pgrep -P "$1" || true); do
  total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2> /dev/null || echo 0))); done; echo "$total"; }
# busy and steal ticks of cpu0, and steal and total ticks of the machine
cpu0() { awk '$1 == "cpu0" {print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat; }
machine() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t}' /proc/stat; }
HZ=$(getconf CLK_TCK)

# load CASE PORT: the load command of a case, on CPU 1, for SECONDS_PER_RUN (or $2 for a warm-up)
load() {
  local case=$1 port=$2 secs=$3
  case "$case" in
    direct) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency "http://127.0.0.1:19101/100" ;;
    h1-100) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency "http://127.0.0.1:$port/100" ;;
    h1-16k) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency "http://127.0.0.1:$port/16k" ;;
    h1-ingress) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency -H "X-Tenant-Id: tenant-1" "http://127.0.0.1:$port/100" ;;
    h1-close) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency -H "Connection: close" "http://127.0.0.1:$port/100" ;;
    h2c-100) taskset -c 1 h2load -c10 -m10 -D"$secs" "http://127.0.0.1:$port/100" ;;
    tls-h2) taskset -c 1 h2load -c10 -m10 -D"$secs" "https://127.0.0.1:$port/100" ;;
    tls-h1) taskset -c 1 wrk -t1 -c50 -d"${secs}s" --latency "https://127.0.0.1:$port/100" ;;
  esac
}
port_of() { case "$2" in h2c-100) echo "${PORT[$1:h2c]}" ;; tls-*) echo "${PORT[$1:tls]}" ;; *) echo "${PORT[$1:h1]}" ;; esac; }

RAW="$WORK/runs.tsv"
: > "$RAW"
CASES_SET=${CASES:-}${PROXIES:-}${MEM_ONLY:-}
read -r -a CASES <<< "${CASES:-direct h1-100 h1-16k h2c-100 h1-close tls-h2 tls-h1 h1-ingress}"
read -r -a PROXIES <<< "${PROXIES:-nginx haproxy sluice}"
if [ -n "${MEM_ONLY:-}" ]; then CASES=(); REPEATS=0; fi   # MEM_ONLY=1: the memory case alone
# One unrecorded round first, 5 s per case for each Sluice: a JVM pinned to one core needs it for
# its JIT (Sluice does a fifth of its steady rate in its first seconds). NGINX and HAProxy, compiled
# ahead, get the 1 s warm-up every run has.
# the proxies a case runs on: h1-ingress compares Sluice without and with ingress protection
proxies_of() { if [ "$1" = direct ]; then echo none; elif [ "$1" = h1-ingress ]; then echo sluice ${SLUICE_B_INGRESS:+sluice-ingress};
  else echo "${PROXIES[@]}"; fi; }
for case in "${CASES[@]}"; do
  [ "$case" = direct ] && continue
  read -r -a proxies <<< "$(proxies_of "$case")"
  for proxy in "${proxies[@]}"; do
    [[ "$proxy" == sluice* ]] || continue
    load "$case" "$(port_of "$proxy" "$case")" 5 > /dev/null 2>&1 || true
  done
done
for rep in $(seq 1 "$REPEATS"); do
  for case in "${CASES[@]}"; do
    read -r -a proxies <<< "$(proxies_of "$case")"
    for proxy in "${proxies[@]}"; do
      port=$( [ "$proxy" = none ] && echo 19101 || port_of "$proxy" "$case")
      load "$case" "$port" 1 > /dev/null 2>&1 || true   # warm-up: pools, connections, TLS sessions
      before=$([ "$proxy" = none ] && echo 0 || cpu_ticks "${PID[$proxy]}")
      read -r c0b s0b < <(cpu0); read -r stb tb < <(machine)
      out=$(load "$case" "$port" "$SECONDS_PER_RUN" 2>&1 || true)
      read -r c0a s0a < <(cpu0); read -r sta ta < <(machine)
      after=$([ "$proxy" = none ] && echo 0 || cpu_ticks "${PID[$proxy]}")
      if [[ "$case" == h2c-100 || "$case" == tls-h2 ]]; then
        rps=$(awk '/finished in/ {gsub(",", ""); for (i = 1; i <= NF; i++) if ($i ~ /req\/s/) print $(i - 1)}' <<< "$out")
        p50=n/a; p99=n/a
        errors=$(awk '/^requests:/ {print $10 " failed, " $12 " errored"}' <<< "$out")
      else
        rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
        p50=$(awk '$1 == "50%" {print $2}' <<< "$out"); p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
        errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<< "$out")
      fi
      share=$(awk -v a="$after" -v b="$before" -v hz="$HZ" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.3f", (a - b) / hz / s}')
      other=$(awk -v c="$((c0a - c0b))" -v p="$((after - before))" -v hz="$HZ" -v s="$SECONDS_PER_RUN" \
        'BEGIN {printf "%.3f", c / hz / s - p / hz / s}')
      steal=$(awk -v d="$((sta - stb))" -v t="$((ta - tb))" 'BEGIN {printf "%.3f", (t > 0 ? d / t : 0)}')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$case" "$proxy" "${rps:-0}" "$share" "$p50" "$p99" "$other" "$steal" "${errors:-}" >> "$RAW"
      echo "run $rep $case $proxy: ${rps:-0} req/s, proxy CPU ${share}, other on CPU0 ${other}, steal ${steal} ${errors:-}" >&2
    done
  done
done

# ---- profiles: one more run per case under JFR, summarised next to the results -----------------
# PROFILE_CASES (a full run: h1-100 h2c-100 h1-close) each get one unrecorded run of SECONDS on
# Sluice with a JFR recording started and stopped around it (jcmd), then dev.sluice.perf.JfrTop's
# top frames of the event loop and the bytes it allocated per request.
PROFILE_CASES=${PROFILE_CASES-$([ -n "$CASES_SET" ] || echo "h1-100 h2c-100 h1-close")}
PROFILES="$WORK/profiles.md"
: > "$PROFILES"
for case in $PROFILE_CASES; do
  BENCH="$ROOT/perf/target/benchmarks.jar"
  [ -f "$BENCH" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
  port=$(port_of sluice "$case")
  # JFR's first start in a running JVM stalls it for a moment: start it once before, for nothing
  jcmd "$SLUICE_PID" JFR.start name=first settings=profile > /dev/null; jcmd "$SLUICE_PID" JFR.stop name=first > /dev/null
  load "$case" "$port" 2 > /dev/null 2>&1 || true
  jcmd "$SLUICE_PID" JFR.start name=perf settings=profile > /dev/null
  out=$(load "$case" "$port" "$SECONDS_PER_RUN" 2>&1 || true)
  jcmd "$SLUICE_PID" JFR.stop name=perf filename="$WORK/$case.jfr" > /dev/null
  if [[ "$case" == h2c-100 || "$case" == tls-h2 ]]; then
    done_requests=$(awk '/^requests:/ {print $8}' <<< "$out")
  else
    done_requests=$(awk '/requests in/ {print $1}' <<< "$out")
  fi
  { echo "## $case (Sluice $(git -C "$ROOT" rev-parse --short HEAD), one run of ${SECONDS_PER_RUN} s under JFR)"; echo
    java -cp "$BENCH" dev.sluice.perf.JfrTop "$WORK/$case.jfr" sluice-loop 20 "${done_requests:-0}"; echo; } >> "$PROFILES"
  echo "profiled $case: ${done_requests:-0} requests" >&2
done

# ---- memory: RSS growth per idle keep-alive connection -----------------------------------------
# MEM_CONNECTIONS (9000 by default: this machine's hard limit of 20000 descriptors caps HAProxy's
# maxconn at about 9000, two descriptors each) connections of one request each, held idle by
# perf's IdleConnections client on CPU 1, for each proxy and protocol. RSS is read from
# /proc/<pid>/status (NGINX's worker included) before they open and once all are answered and
# 3 s have passed, each after 3 s of load. For Sluice, a JVM with native memory tracking is started for this phase,
# and the class histogram (live objects, after the full GC it forces) and the NMT categories are
# compared too: the heap, direct memory and per-connection objects.
MEM_CONNECTIONS=${MEM_CONNECTIONS:-9000}
MEM="$WORK/memory.tsv"
: > "$MEM"
rss_kib() { local total=0 p; for p in "$1" $(pgrep -P "$1" || true); do
  total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2> /dev/null || echo 0))); done; echo "$total"; }
live_heap() { jcmd "$1" GC.class_histogram 2> /dev/null | awk '/^Total/ {print $3}'; }
nmt() { jcmd "$1" VM.native_memory summary 2> /dev/null | awk '/^-  *(Java Heap|Thread|Other|Internal|NIO)/ {
  gsub(/[(),=]/, " "); for (i = 1; i <= NF; i++) if ($i == "committed") {print $2 "=" $(i + 1); break} }' | tr '\n' ' '; }
# (a subset of throughput cases skips it; MEM_ONLY=1 runs it alone)
if [ "$MEM_CONNECTIONS" -gt 0 ] && { [ -z "$CASES_SET" ] || [ -n "${MEM_ONLY:-}" ]; }; then
  ulimit -n "$(ulimit -Hn)"
  BENCH="$ROOT/perf/target/benchmarks.jar"
  [ -f "$BENCH" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
  kill "$SLUICE_PID" 2> /dev/null || true; wait "$SLUICE_PID" 2> /dev/null || true
  start_sluice "$JAR" "$WORK/sluice.yaml" "$WORK/sluice-memory.out" "${SLUICE_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}" -XX:NativeMemoryTracking=summary
  SLUICE_PID=$STARTED; PID[sluice]=$SLUICE_PID
  wait_port 19112
  for proto in h1 h2c; do
    for proxy in "${PROXIES[@]}"; do
      [ "$proxy" = sluice-b ] && continue
      port=${PORT[$proxy:$proto]}
      pid=${PID[$proxy]}
      # 3 s of load first: upstream connections open, and a JVM's young generation touched, as in a
      # proxy that has been serving for a while (the growth measured is then the connections' own)
      load "$( [ "$proto" = h1 ] && echo h1-100 || echo h2c-100)" "$port" 3 > /dev/null 2>&1 || true
      sleep 1
      if [ "$proxy" = sluice ]; then heap0=$(live_heap "$pid"); nmt0=$(nmt "$pid"); fi
      rss0=$(rss_kib "$pid")
      taskset -c 1 java -Xss256k -cp "$BENCH" dev.sluice.perf.IdleConnections 127.0.0.1 "$port" "$MEM_CONNECTIONS" "$proto" 60 \
        > "$WORK/idle.out" 2>&1 & CLIENT=$!; PIDS+=($CLIENT)
      for _ in $(seq 1 600); do grep -q '^held' "$WORK/idle.out" && break; kill -0 "$CLIENT" 2> /dev/null || break; sleep 0.2; done
      sleep 3
      rss1=$(rss_kib "$pid")
      held=$(awk '/^held/ {print $2}' "$WORK/idle.out"); held=${held:-0}
      extra=""
      if [ "$proxy" = sluice ]; then
        heap1=$(live_heap "$pid"); nmt1=$(nmt "$pid")
        extra="live heap $(( (heap1 - heap0) / (held > 0 ? held : 1) )) B/conn; NMT before: $nmt0; after: $nmt1"
        jcmd "$pid" GC.class_histogram 2> /dev/null | head -25 > "$WORK/histogram-$proto.txt"
      fi
      kill "$CLIENT" 2> /dev/null || true; wait "$CLIENT" 2> /dev/null || true
      per=$(awk -v a="$rss1" -v b="$rss0" -v n="$held" 'BEGIN {printf "%.2f", (n > 0 ? (a - b) / n : 0)}')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$proto" "$proxy" "$held" "$rss0" "$rss1" "$per" "$extra" >> "$MEM"
      echo "memory $proto $proxy: $held held, RSS $rss0 -> $rss1 KiB, $per KiB per connection $extra" >&2
      sleep 2
    done
  done
fi

# ---- the table: median (min-max) over the repeats ---------------------------------------------
OUT="$HERE/results/$(date +%F)-$(hostname -s).md"
# a subset is a before/after check, not a result to commit
[ -n "${CASES_SET:-}" ] && OUT="$WORK/subset.md"
{
  echo "# perf/run.sh on $(hostname -s), $(date -u '+%F %H:%M UTC')"
  echo
  echo "$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -r); $("$NGINX" -v 2>&1 | sed 's/.*: //'),"
  echo "HAProxy $("$HAPROXY" -v | awk 'NR == 1 {print $3}'), Sluice $(git -C "$ROOT" rev-parse --short HEAD) on $(java -version 2>&1 | awk -F'"' 'NR == 1 {print $2}')."
  echo "Each proxy on CPU 0 (one worker / nbthread 1 / one event loop), wrk or h2load and three NGINX backends on CPU 1;"
  echo "A 5 s warm-up round per case for each Sluice JVM, then $REPEATS repeats of ${SECONDS_PER_RUN} s per case (each after 1 s of warm-up), interleaved; median (min-max)."
  echo "Cases: wrk -t1 -c50 (HTTP/1.1 100 B, 16 KiB, Connection: close, TLS); h2load -c10 -m10 (h2c, TLS h2 via ALPN);"
  echo "h1-ingress: HTTP/1.1 100 B with X-Tenant-Id, Sluice without (sluice) and with (sluice-ingress, a second JVM of the same build) shedding, per-IP and per-partition buckets."
  echo
  echo "| case | proxy | req/s | proxy CPU | req/s per busy proxy core | p50 | p99 | vs NGINX | vs HAProxy | runs disturbed |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                         return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { k = $2 SUBSEP $3; n[k]++; rps[k, n[k]] = $4; cpu[k, n[k]] = $5; core = ($5 > 0 ? $4 / $5 : $4); per[k, n[k]] = core
      p50[k] = $6; p99[k] = $7; if ($8 > 0.10 || $9 > 0.05) bad[k]++; order[k] = NR; cases[$2] = 1; proxies[k] = $3 }
    END {
      for (k in n) { m = n[k]; delete a; lo = 1e18; hi = 0
        for (i = 1; i <= m; i++) { a[i] = rps[k, i]; if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] } R[k] = median(a, m); LO[k] = lo; HI[k] = hi
        delete a; for (i = 1; i <= m; i++) a[i] = cpu[k, i]; C[k] = median(a, m)
        delete a; for (i = 1; i <= m; i++) a[i] = per[k, i]; P[k] = median(a, m) }
      split("direct h1-100 h1-16k h2c-100 h1-close tls-h2 tls-h1 h1-ingress", cs, " "); split("none nginx haproxy sluice sluice-b sluice-ingress", ps, " ")
      for (ci = 1; ci <= 8; ci++) for (pi = 1; pi <= 6; pi++) { k = cs[ci] SUBSEP ps[pi]; if (!(k in n)) continue
        ng = P[cs[ci] SUBSEP "nginx"]; ha = P[cs[ci] SUBSEP "haproxy"]
        printf "| %s | %s | %d (%d-%d) | %.2f | %d | %s | %s | %s | %s | %d of %d |\n", cs[ci], ps[pi], R[k], LO[k], HI[k], C[k], P[k], p50[k], p99[k],
          (ps[pi] == "none" || ng == 0) ? "" : sprintf("%.2fx", P[k] / ng), (ps[pi] == "none" || ha == 0) ? "" : sprintf("%.2fx", P[k] / ha), bad[k] + 0, n[k] }
      off = P["h1-ingress" SUBSEP "sluice"]; on = P["h1-ingress" SUBSEP "sluice-ingress"]
      if (off > 0 && on > 0) printf "\nIngress protection on (h1-ingress, sluice-ingress against sluice): %+.1f %% req/s per busy core.\n", 100 * (on / off - 1)
    }' "$RAW"
  if [ -s "$MEM" ]; then
    echo
    echo "RSS growth per idle keep-alive connection ($MEM_CONNECTIONS held by perf's IdleConnections, one request each; KiB):"
    echo
    echo "| protocol | proxy | held | RSS before (KiB) | RSS after (KiB) | KiB per connection | vs HAProxy | Sluice: live heap, NMT (KiB committed) |"
    echo "|---|---|---|---|---|---|---|---|"
    awk -F'\t' '{ k[NR] = $0; if ($2 == "haproxy") ha[$1] = $6 }
      END { for (i = 1; i <= NR; i++) { split(k[i], f, "\t")
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], (ha[f[1]] > 0 ? sprintf("%.2fx", f[6] / ha[f[1]]) : ""), f[7] } }' "$MEM"
  fi
  echo
  echo "Raw runs (repeat, case, proxy, req/s, proxy CPU share, p50, p99, other CPU 0 share, steal, errors): \`$RAW\`, copied below."
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} > "$OUT"
if [ -s "$PROFILES" ]; then
  PROFILE_OUT="${OUT%.md}-profiles.md"
  { echo "# Profiles of perf/run.sh on $(hostname -s), $(date -u '+%F %H:%M UTC')"; echo; cat "$PROFILES"; } > "$PROFILE_OUT"
  echo "Profiles (top frames, allocation per request): [$(basename "$PROFILE_OUT")]($(basename "$PROFILE_OUT"))" >> "$OUT"
fi
BENCH="$ROOT/perf/target/benchmarks.jar"
if [ -f "$BENCH" ]; then
  PNG="${OUT%.md}.png"
  java -cp "$BENCH" dev.sluice.perf.RunChart "$RAW" "$MEM" "$PNG" && echo "![chart]($(basename "$PNG"))" >> "$OUT"
fi
cat "$OUT"
