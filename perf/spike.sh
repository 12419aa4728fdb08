#!/usr/bin/env bash
# The spike test: perf/spike.sh [SPIKE_SECONDS [LATENCY_TOLERANCE]]
#   SPIKE_SECONDS: default 120 (about 5 minutes; 30 for a quick run); LATENCY_TOLERANCE:
#   shedding.latencyTolerance, default 1.5 (Sluice's default)
# Sluice (one event loop, CPU 0, adaptive shedding) in front of a backend of fixed capacity, under
# an open-loop load on CPU 1: steady at half the measured capacity, 5x that for SPIKE_SECONDS, then
# steady again. Writes perf/spike/spike.md, spike.tsv and spike.png (see dev.sluice.perf.SpikeTest).
# Sends to 127.0.0.1 only, stops by itself, and ends the Sluice it started.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SPIKE=${1:-120}
JAR=${SLUICE_JAR:-$ROOT/proxy-admin/target/sluice.jar}
BENCH=$ROOT/perf/target/benchmarks.jar
[ -f "$JAR" ] && [ -f "$BENCH" ] || (cd "$ROOT" && ./mvnw -q -DskipTests package)
command -v taskset >/dev/null || { echo "spike.sh needs taskset (util-linux)"; exit 1; }
taskset -c 1 java -Xms512m -Xmx512m -XX:+UseParallelGC -cp "$BENCH" dev.sluice.perf.SpikeTest "$JAR" "$SPIKE" "$ROOT/perf/spike" "${2:-1.5}"
