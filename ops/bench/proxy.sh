#!/usr/bin/env bash
# Benchmarks the Mizzen sidecar against nginx and HAProxy on loopback, same upstream, same load.
#
# For 1 then 2 workers/threads/event loops: requests/s at 50 and 200 connections (wrk), latency
# p50/p90/p99 at a fixed 1,000 req/s (hey), the proxy's CPU microseconds per request, its RSS, and
# the ratios Mizzen/nginx and Mizzen/HAProxy. The three proxies run side by side, each warmed up
# (JIT: 20 s+), then measured at 50 connections in ROUNDS (5) alternating rounds: req/s and CPU per
# request are the medians, and the ratios the medians of each round's ratios, since throughput on
# this host is bimodal from run to run (round to round 0.75-0.95 of nginx at times, for every
# proxy) and one run each is a draw. With one worker the proxies are pinned to CPU 0 and the load
# generator and upstream to CPU 1, the fairest per-core figure on a 2-core machine. The latency
# load is warmed up too (LAT_WARM, 10 s), and so is the 200-connection load (WARM200, 20 s, for
# every target: a JVM warmed at 50 connections recompiles at 200, and measured cold its draw is
# a third below the draws that follow). Loopback only; every run is bounded.
#
# Usage: ops/bench/proxy.sh [--quick]     (--quick: 5 s runs, 2 rounds, for trying the script out)
# Needs: wrk, hey, nginx, haproxy (Debian packages), a JDK, Maven (offline build of proxy/).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MIZZEN_SHARED:-$ROOT/../shared}
[ -d "$SHARED/bench" ] || SHARED=/work/shared
RUN=${RUN:-/tmp/mizzen-bench}
WARM=${WARM:-20}; DUR=${DUR:-10}; LAT=${LAT:-10}; LAT_WARM=${LAT_WARM:-10}; ROUNDS=${ROUNDS:-5}; WARM200=${WARM200:-20}
if [ "${1:-}" = "--quick" ]; then WARM=5; DUR=5; LAT=5; LAT_WARM=2; ROUNDS=2; WARM200=2; fi
UP=18080; NGX=18081; HAP=18082; MIZ=18083
CPUS=$(nproc)

for tool in wrk hey nginx haproxy java mvn; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk hey nginx haproxy)" >&2; exit 1; }
done

mkdir -p "$RUN"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

render() { # template name [KEY=VALUE...]
  local tmpl=$1; shift; local out; out=$(cat "$SHARED/bench/$tmpl")
  for kv in "$@"; do out=${out//@${kv%%=*}@/${kv#*=}}; done
  printf '%s\n' "$out"
}

wait_port() { # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 did not open" >&2; return 1
}

# CPU ticks (user + system) and RSS of a process and its children (nginx's workers).
family() { echo "$1"; pgrep -P "$1" || true; }
cpu_ticks() { local t=0; for p in $(family "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rss_mb() { local k=0; for p in $(family "$1"); do k=$((k + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo $((k / 1024)); }

PIN_PROXY=""; PIN_LOAD=""
pinning() { # workers
  if [ "$1" = 1 ] && [ "$CPUS" -ge 2 ] && command -v taskset >/dev/null; then
    PIN_PROXY="taskset -c 0"; PIN_LOAD="taskset -c 1"
  else
    PIN_PROXY=""; PIN_LOAD=""
  fi
}

# Bounded wrk run; prints requests/s.
rps() { # port conns seconds
  $PIN_LOAD wrk -t1 -c"$2" -d"$3"s -H "Host: bench" "http://127.0.0.1:$1/" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

# Fixed 1,000 req/s for LAT seconds (10 workers x 100 req/s); prints p50 p90 p99 in ms.
# LAT_WARM seconds of the same load go first, unmeasured, for every target: after the throughput
# runs, the proxy JVM's first 10 s at this rate measured 4.4-4.6 ms at p99 and the next 10 s
# runs 1.2 ms (2026-11-27, pinned, with and without native-heap trimming alike).
latency() { # port
  $PIN_LOAD hey -z "${LAT_WARM}s" -c 10 -q 100 -host bench "http://127.0.0.1:$1/" >/dev/null 2>&1
  $PIN_LOAD hey -z "${LAT}s" -c 10 -q 100 -host bench "http://127.0.0.1:$1/" 2>/dev/null | awk '
    /10%% in|10% in/ {} /50% in/ {p50=$3} /90% in/ {p90=$3} /99% in/ {p99=$3}
    END {printf "%.2f %.2f %.2f", p50*1000, p90*1000, p99*1000}'
}

echo "== building the proxy (offline)"
(cd "$ROOT" && mvn -B -o -q -pl proxy -am compile dependency:build-classpath -Dmdep.outputFile="$RUN/cp.txt" -Dmdep.includeScope=runtime >/dev/null)
CP="$ROOT/proxy/target/classes:$ROOT/spi/target/classes:$(cat "$RUN/cp.txt")"
JVM_FLAGS="-XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=48m \
  -XX:MaxDirectMemorySize=32m -XX:CICompilerCount=2 -XX:-UsePerfData -Dio.netty.leakDetection.level=disabled"
# glibc keeps what the JIT freed (~22 MB of [heap] after the warm-up); trimmed every 5 s where the
# JDK knows the flag (17.0.9+), as bin/mizzen does for the proxy roles.
if java -XX:TrimNativeHeapInterval=5000 -version >/dev/null 2>&1; then
  JVM_FLAGS="$JVM_FLAGS -XX:TrimNativeHeapInterval=5000"
fi

mkdir -p "$RUN/nginx-upstream/tmp"
render nginx-upstream.conf.tmpl RUN="$RUN" PORT=$UP > "$RUN/nginx-upstream.conf"
taskset -c $((CPUS - 1)) nginx -c "$RUN/nginx-upstream.conf" -g 'daemon off;' & PIDS+=($!)
UPSTREAM_PID=$!
wait_port $UP

RESULTS="$RUN/results.txt"; : > "$RESULTS"
ROUNDS_LOG="$RUN/rounds.txt"; : > "$ROUNDS_LOG"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One round at 50 connections: appends "W name req/s µs/req" to ROUNDS_LOG.
round() { # name port pid
  local name=$1 port=$2 pid=$3 before after r50 us="-"
  before=$( [ "$pid" = - ] && echo 0 || cpu_ticks "$pid")
  r50=$(rps "$port" 50 "$DUR")
  after=$( [ "$pid" = - ] && echo 0 || cpu_ticks "$pid")
  if [ "$pid" != - ]; then
    us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk -v r="$r50" -v d="$DUR" 'BEGIN {print r * d}')" \
      'BEGIN {printf "%.1f", t * 1000000 / hz / n}')
  fi
  echo "$W $name $r50 $us" >> "$ROUNDS_LOG"
}

# After the rounds: 200 connections, the latency run and RSS; writes the target's result line.
rounds_median() { # name column (3: req/s, 4: µs/req)
  awk -v w="$W" -v n="$1" -v c="$2" '$1 == w && $2 == n {print $c}' "$ROUNDS_LOG" | median
}
finish() { # name port pid
  local name=$1 port=$2 pid=$3 r50 us="-" r200 lat rss="-"
  r50=$(rounds_median "$name" 3)
  rps "$port" 200 "$WARM200" >/dev/null
  r200=$(rps "$port" 200 "$DUR")
  lat=$(latency "$port")
  if [ "$pid" != - ]; then us=$(rounds_median "$name" 4); rss=$(rss_mb "$pid"); fi
  printf '%-9s %-8s %10s %10s %6s %6s %6s %8s %6s\n' "$W" "$name" "$r50" "$r200" $lat "$us" "$rss" | tee -a "$RESULTS"
}

for W in 1 2; do
  pinning $W
  echo "== $W worker(s)/thread(s)/event loop(s)${PIN_PROXY:+, proxies pinned to CPU 0}"
  echo "-- upstream: warm-up ${WARM}s" >&2
  rps $UP 50 "$WARM" >/dev/null
  for r in $(seq 1 "$ROUNDS"); do round upstream $UP -; done
  finish upstream $UP -

  mkdir -p "$RUN/nginx-proxy/tmp"
  render nginx-proxy.conf.tmpl RUN="$RUN" NAME=nginx-proxy WORKERS=$([ $W = 1 ] && echo 1 || echo 2) PORT=$NGX UPPORT=$UP > "$RUN/nginx-proxy.conf"
  $PIN_PROXY nginx -c "$RUN/nginx-proxy.conf" -g 'daemon off;' & NGINX_PID=$!; PIDS+=($NGINX_PID)
  render haproxy.cfg.tmpl NBTHREAD=$W PORT=$HAP UPPORT=$UP > "$RUN/haproxy.cfg"
  $PIN_PROXY haproxy -db -f "$RUN/haproxy.cfg" & HAP_PID=$!; PIDS+=($HAP_PID)
  MALLOC_ARENA_MAX=2 $PIN_PROXY java $JVM_FLAGS -cp "$CP" io.mizzen.proxy.bench.BenchProxy $MIZ $UP $W > "$RUN/mizzen-$W.log" 2>&1 & MIZ_PID=$!; PIDS+=($MIZ_PID)
  wait_port $NGX; wait_port $HAP; wait_port $MIZ
  for t in "nginx $NGX" "haproxy $HAP" "mizzen $MIZ"; do
    echo "-- ${t% *}: warm-up ${WARM}s" >&2
    rps "${t#* }" 50 "$WARM" >/dev/null
  done
  for r in $(seq 1 "$ROUNDS"); do
    echo "-- round $r of $ROUNDS" >&2
    round nginx $NGX $NGINX_PID; round haproxy $HAP $HAP_PID; round mizzen $MIZ $MIZ_PID
  done
  finish nginx $NGX $NGINX_PID; finish haproxy $HAP $HAP_PID; finish mizzen $MIZ $MIZ_PID
  echo "   (on $(grep -m1 '^transport' "$RUN/mizzen-$W.log" | cut -d' ' -f2))"
  kill $NGINX_PID $HAP_PID $MIZ_PID; wait $NGINX_PID $HAP_PID $MIZ_PID 2>/dev/null || true
done

echo
echo "workers   target      req/s c50 req/s c200    p50    p90    p99  µs/req  RSS MB   (c50 and µs/req: medians of $ROUNDS rounds)"
cat "$RESULTS"
echo
for W in 1 2; do
  ratios=$(awk -v w=$W '$1 == w {v[$2, ++n[$2]] = $3}
    END {for (i = 1; i <= n["mizzen"]; i++) printf "%.2f/%.2f ", v["mizzen", i] / v["nginx", i], v["mizzen", i] / v["haproxy", i]}' "$ROUNDS_LOG")
  mn=$(for x in $ratios; do echo "${x%/*}"; done | median)
  mh=$(for x in $ratios; do echo "${x#*/}"; done | median)
  awk -v w=$W -v mn="$mn" -v mh="$mh" -v rounds="$ratios" '$1 == w {p[$2] = $7}
    END {
      printf "%s worker(s): Mizzen/nginx %.2f  Mizzen/HAProxy %.2f (req/s at 50 connections, median of the rounds: %s); p99 added over the upstream: mizzen %.2f ms, nginx %.2f ms\n",
        w, mn, mh, rounds, p["mizzen"] - p["upstream"], p["nginx"] - p["upstream"]
    }' "$RESULTS"
done
