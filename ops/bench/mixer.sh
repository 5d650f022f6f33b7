#!/usr/bin/env bash
# Mixer figures: JMH for a check served from the proxy's cache (target <= 2 us), then the remote
# load driver: uncached remote check p50/p99 one at a time (target p99 <= 1 ms), checks/s with 64
# in flight (target >= 50,000), report attribute sets/s (target >= 200,000), all on 127.0.0.1.
# Then the proxy figure (target >= 0.90): the proxy's inbound listener in front of one nginx
# upstream, loaded by wrk (50 connections) without Mixer, then with the Mixer hook (check cache on,
# reports batched) talking to a Mixer server in its own JVM; it prints both and the ratio.
# It builds what it needs itself (the reactor, offline, tests skipped).
# SECONDS_PER_PHASE=n (default 10: under 10 s the JIT is still warming) bounds each remote phase;
# JMH_ARGS passes options to JMH; PROXY_SECONDS (default 15, after a PROXY_WARM = 60 s warm-up)
# each wrk run. The warm-up is long because the proxy with Mixer reaches its steady state late:
# its send path (a batch of 500 sets, encoded as they were queued, sent) runs once per 500
# requests, so C2 gets to it last, in the proxy and in Mixer's server alike; in 8 s windows one
# run (with batches of 100) climbed 5.5k, 14.4k, 17.2k, 18.7k, 21.8k, 23.5k req/s, and the ratio
# read 0.41-0.57 after 20 s, 0.72 after 60 s, 0.71 after 150 s;
# SKIP=jmh,load,proxy skips parts.
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
if [[ $skip != *,jmh,* ]]; then
  echo "== cached check (JMH, average time per check)"
  java -cp "$cp" org.openjdk.jmh.Main CachedCheckBenchmark ${JMH_ARGS:-} | grep -E "^Benchmark|cachedCheck"
fi
if [[ $skip != *,load,* ]]; then
  echo "== remote Mixer (MixerLoad, ${SECONDS_PER_PHASE:-10} s per phase)"
  java -Xmx512m -cp "$cp" io.mizzen.bench.mixer.MixerLoad "${SECONDS_PER_PHASE:-10}"
fi
[[ $skip == *,proxy,* ]] && exit 0

echo "== proxy with and without Mixer (wrk, 50 connections, ${PROXY_SECONDS:-15} s after a ${PROXY_WARM:-60} s warm-up)"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx)" >&2; exit 1; }
done
shared=${MIZZEN_SHARED:-$root/../shared}
[ -d "$shared/bench" ] || shared=/work/shared
run=${RUN:-/tmp/mizzen-mixer-bench}
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
nginx -c "$run/nginx-upstream.conf" -g 'daemon off;' & pids+=($!)
wait_port $UP
java -Xmx256m -cp "$cp" io.mizzen.bench.mixer.MixerProxyBench mixer $MIX > "$run/mixer.log" 2>&1 & pids+=($!)
wait_port $MIX
rps() { wrk -t1 -c50 -d"$1"s -H "Host: ratings" "http://127.0.0.1:$PROXY/" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
# The proxy's own CPU per request as well as req/s: on a loaded machine req/s follows the share of
# the cores the proxy gets (and with Mixer on, Mixer's JVM competes for the same 2 cores), while
# CPU per request is what the hook costs the proxy; on a core of its own req/s = 1 / CPU per request.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The event loop's own ticks: the requests' work, without the JIT compiler and GC threads (which on
# a starved machine are still busy after the warm-up and weigh on a slower run's per-request CPU).
loop_ticks() { local t=0; for task in /proc/$1/task/*; do
  grep -q '^vert.x-eventloo' "$task/comm" && t=$((t + $(awk '{print $14 + $15}' "$task/stat"))); done; echo $t; }
per_request() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v r="$2" -v d="${PROXY_SECONDS:-15}" 'BEGIN {printf "%.1f", t * 1000000 / hz / (r * d)}'; }
declare -A result cpu loop
for mode in off mixer; do
  extra=""; [ $mode = mixer ] && extra=$MIX
  java -Xmx128m -cp "$cp" io.mizzen.bench.mixer.MixerProxyBench proxy $PROXY $UP 1 $extra > "$run/proxy-$mode.log" 2>&1 & ppid=$!; pids+=($ppid)
  wait_port $PROXY
  rps "${PROXY_WARM:-60}" >/dev/null
  before=$(cpu_ticks $ppid); lbefore=$(loop_ticks $ppid)
  result[$mode]=$(rps "${PROXY_SECONDS:-15}")
  after=$(cpu_ticks $ppid); lafter=$(loop_ticks $ppid)
  cpu[$mode]=$(per_request $((after - before)) "${result[$mode]}")
  loop[$mode]=$(per_request $((lafter - lbefore)) "${result[$mode]}")
  kill $ppid; wait $ppid 2>/dev/null || true
  echo "proxy, Mixer $mode: ${result[$mode]} req/s, ${cpu[$mode]} µs of proxy CPU per request (${loop[$mode]} µs on its event loop)"
done
awk -v on="${result[mixer]}" -v off="${result[off]}" -v con="${cpu[mixer]}" -v coff="${cpu[off]}" \
  -v lon="${loop[mixer]}" -v loff="${loop[off]}" 'BEGIN {
  printf "with Mixer / without: %.2f by req/s, %.2f by proxy CPU per request, %.2f by event-loop CPU per request (target >= 0.90)\n",
    on / off, coff / con, loff / lon}'
echo "== machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
