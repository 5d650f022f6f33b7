#!/usr/bin/env bash
# CSR signing throughput of the BouncyCastle CA (certificates/s, ECDSA P-256 and RSA 2048), through
# its public API: CSR checks, signing and the worker-pool hop. Runs the JMH SigningBenchmark that
# lives in plugins/ca-bouncycastle/src/test (never run by surefire: tests do not time things).
#
# Usage: ops/bench/citadel.sh [--quick]   (--quick: 1 warm-up and 2 measured iterations of 2 s)
# Extra JMH options can follow, e.g. ops/bench/citadel.sh -p workloadKey=EC
# Needs: a JDK and Maven (offline build of plugins/ca-bouncycastle).
#
# ops/bench/citadel.sh mtls [seconds]: the data path. A sidecar pair (proxy/src/test MeshPairBench:
# upstream app <- server sidecar inbound <- client sidecar outbound, each sidecar on an event loop of
# its own as two processes would be; SPLIT=false shares 2 loops between them) with mutual TLS on (ISTIO_MUTUAL,
# STRICT inbound, TLS 1.3 with session resumption) against off (plain text): requests/s with wrk
# at 50 connections through the pair, and the handshake rate (new TLS connections/s with a client
# certificate) against the STRICT inbound with openssl s_time -new. Needs wrk and openssl (Debian
# packages), a JDK and Maven (offline build of proxy/). TLS_PROVIDER=jdk measures the JDK provider
# instead of BoringSSL; ROUNDS=n (default 3) alternating off/on rounds, reported as medians, with
# the JVM's CPU µs per request. PIN=1 (the default on 2+ cores) runs the JVM on CPU 0 and wrk on
# CPU 1, as proxy.sh's one-worker layout: the figure is then the CPU cost of mTLS on one core.
# PIN=0 lets the scheduler place the JVM's three event loops and wrk on any core; on 2 cores that
# placement, not the TLS work, decides a run (off-rounds steady, on-rounds bimodal: 7-30% loss).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = "mtls" ]; then
  secs=${2:-20}
  for tool in wrk openssl java mvn; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk openssl)" >&2; exit 1; }
  done
  module="$root/proxy"
  echo "== building proxy (offline)" >&2
  (cd "$root" && mvn -B -o -q -pl proxy -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$module/target/cp.txt" -Dmdep.includeScope=test >/dev/null)
  cp="$module/target/test-classes:$module/target/classes:$root/spi/target/classes:$(cat "$module/target/cp.txt")"
  run=$(mktemp -d); pid=
  trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$run"' EXIT
  rounds=${ROUNDS:-3}
  pin_jvm=(); pin_wrk=()
  if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    pin_jvm=(taskset -c 0); pin_wrk=(taskset -c 1)
    echo "== the JVM (both sidecars and the app) pinned to CPU 0, wrk to CPU 1 (PIN=0: unpinned)"
  fi
  tick=$(getconf CLK_TCK)
  # Off and on alternate, each in a fresh JVM, so drift in the machine's load hits both alike;
  # the figures are the medians over the rounds.
  for round in $(seq 1 "$rounds"); do
    for mode in off on; do
      "${pin_jvm[@]}" java -Xmx512m ${TLS_PROVIDER:+-Dmizzen.tls.provider=$TLS_PROVIDER} -cp "$cp" io.mizzen.proxy.tls.MeshPairBench "$mode" "$run" > "$run/out" 2>"$run/err" & pid=$!
      for _ in $(seq 1 300); do grep -q READY "$run/out" 2>/dev/null && break; sleep 0.1; done
      read -r _ outp inp < <(grep READY "$run/out") || { cat "$run/err" >&2; exit 1; }
      # Warm-up: 20 s, as NOTES.md measured the JIT needs (the TLS path compiles more code).
      "${pin_wrk[@]}" wrk -t1 -c50 -d"${WARM:-20}"s -H "Host: bench" "http://127.0.0.1:$outp/" >/dev/null 2>&1
      cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      rps=$("${pin_wrk[@]}" wrk -t1 -c50 -d"${secs}"s -H "Host: bench" "http://127.0.0.1:$outp/" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
      cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      us=$(awk -v c="$((cpu1 - cpu0))" -v t="$tick" -v r="$rps" -v s="$secs" 'BEGIN { printf "%.1f", c / t * 1e6 / (r * s) }')
      echo "round $round, mtls $mode: $rps requests/s through the sidecar pair (wrk -t1 -c50, ${secs} s), $us µs of CPU per request (both sidecars and the app)"
      echo "$rps $us" >> "$run/$mode"
      if [ "$mode" = on ] && [ "$round" = "$rounds" ]; then
        hs=$(openssl s_time -connect "127.0.0.1:$inp" -new -time "$secs" -cert "$run/cert-chain.pem" -key "$run/key.pem" \
          -CAfile "$run/root-cert.pem" 2>/dev/null | awk '/connections in [0-9]+ real seconds/ {printf "%.0f connections/s", $1 / $4; exit}')
        echo "handshakes: ${hs:-?} (openssl s_time -new, TLS 1.3 with a client certificate, one client)"
      fi
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    done
  done
  median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  rps_off=$(awk '{print $1}' "$run/off" | median); rps_on=$(awk '{print $1}' "$run/on" | median)
  us_off=$(awk '{print $2}' "$run/off" | median); us_on=$(awk '{print $2}' "$run/on" | median)
  awk -v on="$rps_on" -v off="$rps_off" -v uon="$us_on" -v uoff="$us_off" -v n="$rounds" 'BEGIN {
    printf "medians of %d rounds: off %.0f req/s, %.1f µs/req; on %.0f req/s, %.1f µs/req\n", n, off, uoff, on, uon
    printf "mTLS costs %.1f%% of throughput (on/off = %.2f); CPU per request +%.1f%%\n", (1 - on / off) * 100, on / off, (uon / uoff - 1) * 100 }'
  exit 0
fi
module="$root/plugins/ca-bouncycastle"
jmh=()
if [ "${1:-}" = "--quick" ]; then jmh=(-wi 1 -w 2s -i 2 -r 2s); shift; fi
echo "== building plugins/ca-bouncycastle (offline)" >&2
(cd "$root" && mvn -B -o -q -pl plugins/ca-bouncycastle -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$module/target/cp.txt" -Dmdep.includeScope=test >/dev/null)
cp="$module/target/test-classes:$module/target/classes:$root/spi/target/classes:$(cat "$module/target/cp.txt")"
exec java -cp "$cp" org.openjdk.jmh.Main "${jmh[@]}" "$@" SigningBenchmark
