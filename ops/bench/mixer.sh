#!/usr/bin/env bash
# Mixer figures: JMH for a check served from the proxy's cache (target <= 2 us), for the engine's
# Report path per attribute set with Istio's standard metrics (what an embedded sidecar pays) and for
# a sidecar's report written for a remote Mixer (what a remote sidecar pays instead), then the remote
# load driver: uncached remote check p50/p99 one at a time (target p99 <= 1 ms), checks/s with 64
# in flight (target >= 50,000), report attribute sets/s (target >= 200,000), all on 127.0.0.1.
# Then the proxy figure (target >= 0.90): the proxy's inbound listener in front of one nginx
# upstream, loaded by wrk (50 connections) without Mixer (off), with the Mixer hook calling the
# engine in the proxy's own JVM (embedded: plugins.settings.mixer.embedded, config pushed by Pilot,
# check cache on, bags built to what the config reads), and with the hook talking to a Mixer
# server in its own JVM (remote: check cache on, reports batched and delta-encoded); both Mixers
# serve Istio's deny-by-header rule through the real denier. It prints every pair, then each
# mode's median ratio to off.
# It builds what it needs itself (the reactor, offline, tests skipped).
# SECONDS_PER_PHASE=n (default 10: under 10 s the JIT is still warming) bounds each remote phase;
# JMH_ARGS passes options to JMH; PROXY_SECONDS (default 10) each wrk run of the PROXY_ROUNDS
# (default 10) pairs, after PROXY_WARM (default 60) s of warm-up. The warm-up is long because the
# proxy with Mixer reaches its steady state late: its send path (a batch of 1,000 sets) runs once
# per 1,000 requests, so C2 gets to it last, in the proxy and in Mixer's server alike; in 8 s
# windows one run (with batches of 100) climbed 5.5k, 14.4k, 17.2k, 18.7k, 21.8k, 23.5k req/s;
# TELEMETRY=1 adds Istio's standard metrics (istio-samples mixer-testdata/metrics.yaml, tcpmetrics.yaml and
# prometheus.yaml, through the real prometheus adapter) to both Mixers' config, so every report
# becomes metric instances. MIXER_WARM (default 90) seconds of load through the proxy with a
# remote Mixer come first in remote mode, for Mixer's server JVM to reach its steady state (see
# below). SKIP=jmh,load,proxy skips parts; MODES=embedded (or remote) runs one
# proxy mode. PIN=1 pins the proxy's JVM to CPU 0 and wrk, nginx and Mixer's server to CPU 1 (as
# proxy.sh and citadel.sh do): the proxy's own cost per request decides its throughput, rather
# than how the scheduler shares the 2 cores with Mixer's server (default 0: unpinned).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench="$root/ops/mixer-bench"
jar="$bench/target/mixer-bench-0.1.0-SNAPSHOT.jar"
cp_file="$bench/target/classpath.txt"
# Through the reactor (never `mvn install`): reactor modules resolve to their built jars; every
# module writes the file and the bench module, built last, writes it last.
(cd "$root" && mvn -B -q -o -pl ops/mixer-bench -am package dependency:build-classpath -DskipTests -Djacoco.skip=true \
  -Dmdep.outputFile="$cp_file") || { echo "the build failed" >&2; exit 2; }
cp="$jar:$(cat "$cp_file")"
skip=",${SKIP:-},"
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
shared=${MIZZEN_SHARED:-$root/../shared}
[ -d "$shared/bench" ] || shared=/work/shared
if [[ $skip != *,jmh,* ]]; then
  echo "== cached check (JMH, average time per check)"
  java -cp "$cp" org.openjdk.jmh.Main CachedCheckBenchmark ${JMH_ARGS:-} | grep -E "^Benchmark|cachedCheck"
  echo "== the engine's Report path per attribute set, deny rule and Istio's standard metrics (JMH)"
  java -Dmizzen.telemetry="$shared/istio-samples" -cp "$cp" org.openjdk.jmh.Main ReportDispatchBenchmark ${JMH_ARGS:-} \
    | grep -E "^Benchmark|reportPerSet"
  echo "== a sidecar's report per request for a remote Mixer: the bag built and delta-encoded onto the wire (JMH)"
  java -Dmizzen.telemetry="$shared/istio-samples" -cp "$cp" org.openjdk.jmh.Main ReportWriteBenchmark ${JMH_ARGS:-} \
    | grep -E "^Benchmark|writePerSet"
fi
if [[ $skip != *,load,* ]]; then
  echo "== remote Mixer (MixerLoad, ${SECONDS_PER_PHASE:-10} s per phase)"
  java -Xmx512m -cp "$cp" io.mizzen.bench.mixer.MixerLoad "${SECONDS_PER_PHASE:-10}"
fi
[[ $skip == *,proxy,* ]] && exit 0

echo "== proxy with and without Mixer (wrk, 50 connections, ${PROXY_ROUNDS:-10} pairs of ${PROXY_SECONDS:-10} s after a ${PROXY_WARM:-60} s warm-up; Mixer config: deny by header${TELEMETRY:+ and the Istio standard metrics})"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx)" >&2; exit 1; }
done
run=${RUN:-/tmp/mizzen-mixer-bench}
pin_proxy=(); pin_load=()
if [ "${PIN:-0}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  pin_proxy=(taskset -c 0); pin_load=(taskset -c 1)
  echo "== the proxies' JVM pinned to CPU 0; wrk, nginx and Mixer's server to CPU 1"
fi
UP=18180; MIX=18191; PROXY=18183
mkdir -p "$run/nginx-upstream/tmp"
pids=()
cleanup() {
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 did not open" >&2; return 1
}
tmpl=$(cat "$shared/bench/nginx-upstream.conf.tmpl"); tmpl=${tmpl//@RUN@/$run}; tmpl=${tmpl//@PORT@/$UP}
printf '%s\n' "$tmpl" > "$run/nginx-upstream.conf"
"${pin_load[@]}" nginx -c "$run/nginx-upstream.conf" -g 'daemon off;' & pids+=($!)
wait_port $UP
config=(); [ -n "${TELEMETRY:-}" ] && config=(-Dmizzen.telemetry="$shared/istio-samples")
"${pin_load[@]}" java -Xmx256m "${config[@]}" -cp "$cp" io.mizzen.bench.mixer.MixerProxyBench mixer $MIX > "$run/mixer.log" 2>&1 & pids+=($!)
wait_port $MIX
# The event loop's own ticks: the requests' work, without the JIT compiler and GC threads; with
# Mixer remote its server's JVM competes for the same 2 cores, which req/s shows and this does not.
loop_ticks() { local t=0; for task in /proc/$1/task/*; do
  grep -q '^vert.x-eventloo' "$task/comm" && t=$((t + $(awk '{print $14 + $15}' "$task/stat"))); done; echo $t; }
per_request() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v r="$2" -v d="${PROXY_SECONDS:-10}" 'BEGIN {printf "%.1f", t * 1000000 / hz / (r * d)}'; }
# One JVM per mode holds two proxies on one event loop, one without Mixer and one with it, and wrk
# loads them in turn, PROXY_ROUNDS pairs of PROXY_SECONDS each after PROXY_WARM seconds of the same
# alternation: both are measured with the same JIT state. (In separate JVMs the same build differs
# by up to ±10% from one JVM to the next, and on this 2-core host a 10 s window by as much again,
# so one pair decides nothing: the figure is over many pairs.)
OFF=$PROXY; ON=$((PROXY + 1))
load() { "${pin_load[@]}" wrk -t1 -c50 -d"$2"s -H "Host: ratings" "http://127.0.0.1:$1/" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
for mode in ${MODES:-embedded remote}; do
  extra=embedded; [ $mode = remote ] && extra=$MIX
  "${pin_proxy[@]}" java -Xmx128m "${config[@]}" -cp "$cp" io.mizzen.bench.mixer.MixerProxyBench pair $OFF $ON $UP $extra > "$run/proxy-$mode.log" 2>&1 & ppid=$!; pids+=($ppid)
  wait_port $OFF; wait_port $ON
  if [ $mode = remote ]; then
    # Mixer's server JVM (idle while the embedded pairs ran) warms late: its batch path runs ~35
    # times a second, so C2 gets to it last and keeps recompiling for a while. Measured: its CPU
    # per 10 s of load fell 265 -> 172 -> 108 -> 92 -> 75 -> 60 ticks over the first two minutes,
    # the proxy's req/s rising 20k -> 32k -> 35-39k. It gets MIXER_WARM seconds of load first.
    echo "== Mixer's server warming up: ${MIXER_WARM:-90} s of load through the proxy with Mixer"
    for _ in $(seq 1 $(( ${MIXER_WARM:-90} / 10 ))); do load $ON 10 >/dev/null; done
  fi
  for _ in $(seq 1 $(( ${PROXY_WARM:-60} / 10 ))); do load $OFF 5 >/dev/null; load $ON 5 >/dev/null; done
  : > "$run/pairs-$mode"
  for round in $(seq 1 "${PROXY_ROUNDS:-10}"); do
    line="$round"
    for port in $OFF $ON; do
      l0=$(loop_ticks $ppid); r=$(load $port "${PROXY_SECONDS:-10}"); l1=$(loop_ticks $ppid)
      line="$line $r $(per_request $((l1 - l0)) "$r")"
    done
    echo "$line" >> "$run/pairs-$mode"
    awk -v m=$mode '{printf "Mixer %s, pair %d: %.0f req/s without, %.0f with (%.2f); event loop %.1f vs %.1f µs per request\n", m, $1, $2, $4, $4 / $2, $3, $5}' <<<"$line"
  done
  kill $ppid; wait $ppid 2>/dev/null || true
  median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
  by_rps=$(awk '{print $4 / $2}' "$run/pairs-$mode" | median)
  by_cpu=$(awk '{print $3 / $5}' "$run/pairs-$mode" | median)
  awk -v m=$mode -v r="$by_rps" -v c="$by_cpu" '{on += $4; off += $2} END {
    printf "with Mixer %s / without, over %d pairs: median %.2f by req/s (all pairs together %.2f), median %.2f by event-loop CPU per request (target >= 0.90)\n", m, NR, r, on / off, c}' "$run/pairs-$mode"
done
echo "== machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
