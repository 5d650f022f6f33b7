#!/usr/bin/env bash
# How close can a proxy on the JVM and Netty get to nginx here? Measures, with one worker each,
# pinned to CPU 0 (nginx upstream and wrk -c50 on CPU 1), in alternating rounds after a warm-up:
#   raw     io.mizzen.proxy.bench.RawRelay: bytes relayed as received on one io_uring event loop,
#           no HTTP parsing, no per-request work: the floor under any Netty-based proxy;
#   mizzen  io.mizzen.proxy.bench.BenchProxy, as in proxy.sh (VirtualService, DestinationRule, metrics);
#   nginx   nginx as a reverse proxy with upstream keepalive (../shared/bench/nginx-proxy.conf.tmpl).
# Prints each target's median req/s and CPU µs per request, and the ratios raw/nginx,
# mizzen/nginx and mizzen/raw (medians of each round's ratios). Loopback only; every run bounded.
#
# Usage: ops/bench/floor.sh [--quick]     Needs: wrk, nginx, taskset, a JDK, Maven (offline).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MIZZEN_SHARED:-$ROOT/../shared}
[ -d "$SHARED/bench" ] || SHARED=/work/shared
RUN=${RUN:-/tmp/mizzen-floor}
WARM=${WARM:-25}; DUR=${DUR:-10}; ROUNDS=${ROUNDS:-5}
if [ "${1:-}" = "--quick" ]; then WARM=5; DUR=3; ROUNDS=2; fi
UP=18180; RAW=18181; MIZ=18182; NGX=18183

for tool in wrk nginx taskset java mvn; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx util-linux)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs: the proxies on CPU 0, load and upstream on CPU 1" >&2; exit 1; }

mkdir -p "$RUN/nginx-upstream/tmp" "$RUN/nginx-proxy/tmp"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

render() { # template [KEY=VALUE...]
  local out; out=$(cat "$SHARED/bench/$1"); shift
  for kv in "$@"; do out=${out//@${kv%%=*}@/${kv#*=}}; done
  printf '%s\n' "$out"
}
wait_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not open" >&2; return 1
}
family() { echo "$1"; pgrep -P "$1" || true; }
cpu_ticks() { local t=0; for p in $(family "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
rps() { taskset -c 1 wrk -t1 -c50 -d"$2"s -H "Host: bench" "http://127.0.0.1:$1/" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }

echo "== building the proxy (offline)"
(cd "$ROOT" && mvn -B -o -q -pl proxy -am compile dependency:build-classpath -Dmdep.outputFile="$RUN/cp.txt" -Dmdep.includeScope=runtime >/dev/null)
CP="$ROOT/proxy/target/classes:$ROOT/spi/target/classes:$(cat "$RUN/cp.txt")"
# The same JVM flags as proxy.sh's Mizzen.
JVM_FLAGS="-XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=48m \
  -XX:MaxDirectMemorySize=32m -XX:CICompilerCount=2 -XX:-UsePerfData -Dio.netty.leakDetection.level=disabled"

render nginx-upstream.conf.tmpl RUN="$RUN" PORT=$UP > "$RUN/nginx-upstream.conf"
taskset -c 1 nginx -c "$RUN/nginx-upstream.conf" -g 'daemon off;' & PIDS+=($!)
render nginx-proxy.conf.tmpl RUN="$RUN" NAME=nginx-proxy WORKERS=1 PORT=$NGX UPPORT=$UP > "$RUN/nginx-proxy.conf"
taskset -c 0 nginx -c "$RUN/nginx-proxy.conf" -g 'daemon off;' & PIDS+=($!); NGX_PID=$!
MALLOC_ARENA_MAX=2 taskset -c 0 java $JVM_FLAGS -cp "$CP" io.mizzen.proxy.bench.RawRelay $RAW $UP > "$RUN/raw.log" 2>&1 &
PIDS+=($!); RAW_PID=$!
MALLOC_ARENA_MAX=2 taskset -c 0 java $JVM_FLAGS -cp "$CP" io.mizzen.proxy.bench.BenchProxy $MIZ $UP 1 > "$RUN/mizzen.log" 2>&1 &
PIDS+=($!); MIZ_PID=$!
for p in $UP $NGX $RAW $MIZ; do wait_port $p; done

echo "== warm-up: ${WARM}s each (JIT)"
for p in $RAW $MIZ $NGX; do rps $p "$WARM" >/dev/null; done

LOG="$RUN/rounds.txt"; : > "$LOG"
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  line="$r"
  for t in raw:$RAW:$RAW_PID mizzen:$MIZ:$MIZ_PID nginx:$NGX:$NGX_PID; do
    IFS=: read -r name port pid <<< "$t"
    before=$(cpu_ticks "$pid"); req=$(rps "$port" "$DUR"); after=$(cpu_ticks "$pid")
    us=$(awk -v t=$((after - before)) -v hz="$hz" -v r="$req" -v d="$DUR" 'BEGIN {printf "%.1f", t * 1e6 / hz / (r * d)}')
    line="$line $req $us"
  done
  echo "$line" | tee -a "$LOG" | awk '{printf "round %d: raw %.0f req/s (%s µs), mizzen %.0f (%s), nginx %.0f (%s)\n", $1, $2, $3, $4, $5, $6, $7}'
done

echo "== medians over $ROUNDS rounds (1 worker each, pinned)"
awk '
  function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { n++; rr[n] = $2; ru[n] = $3; mr[n] = $4; mu[n] = $5; nr[n] = $6; nu[n] = $7
    q1[n] = $2 / $6; q2[n] = $4 / $6; q3[n] = $4 / $2 }
  END {
    printf "%-8s %10s %8s\n", "target", "req/s", "µs/req"
    printf "%-8s %10.0f %8.1f\n", "raw", med(rr, n), med(ru, n)
    printf "%-8s %10.0f %8.1f\n", "mizzen", med(mr, n), med(mu, n)
    printf "%-8s %10.0f %8.1f\n", "nginx", med(nr, n), med(nu, n)
    printf "raw/nginx %.2f   mizzen/nginx %.2f   mizzen/raw %.2f\n", med(q1, n), med(q2, n), med(q3, n)
  }' "$LOG"
