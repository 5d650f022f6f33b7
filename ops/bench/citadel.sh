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
# upstream app <- server sidecar inbound <- client sidecar outbound) with mutual TLS on (ISTIO_MUTUAL,
# STRICT inbound, TLS 1.3 with session resumption) against off (plain text): requests/s with wrk
# at 50 connections through the pair, and the handshake rate (new TLS connections/s with a client
# certificate) against the STRICT inbound with openssl s_time -new. Needs wrk and openssl (Debian
# packages), a JDK and Maven (offline build of proxy/). TLS_PROVIDER=jdk measures the JDK provider
# instead of BoringSSL.
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
  for mode in off on; do
    java -Xmx512m ${TLS_PROVIDER:+-Dmizzen.tls.provider=$TLS_PROVIDER} -cp "$cp" io.mizzen.proxy.tls.MeshPairBench "$mode" "$run" > "$run/out" 2>"$run/err" & pid=$!
    for _ in $(seq 1 300); do grep -q READY "$run/out" 2>/dev/null && break; sleep 0.1; done
    read -r _ outp inp < <(grep READY "$run/out") || { cat "$run/err" >&2; exit 1; }
    wrk -t1 -c50 -d5s -H "Host: bench" "http://127.0.0.1:$outp/" >/dev/null 2>&1   # warm-up (JIT)
    rps=$(wrk -t1 -c50 -d"${secs}"s -H "Host: bench" "http://127.0.0.1:$outp/" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
    echo "mtls $mode: $rps requests/s through the sidecar pair (wrk -t1 -c50, ${secs} s)"
    eval "rps_$mode=$rps"
    if [ "$mode" = on ]; then
      hs=$(openssl s_time -connect "127.0.0.1:$inp" -new -time "$secs" -cert "$run/cert-chain.pem" -key "$run/key.pem" \
        -CAfile "$run/root-cert.pem" 2>/dev/null | awk '/connections in [0-9]+ real seconds/ {printf "%.0f connections/s", $1 / $4; exit}')
      echo "handshakes: ${hs:-?} (openssl s_time -new, TLS 1.3 with a client certificate, one client)"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
  awk -v on="$rps_on" -v off="$rps_off" 'BEGIN { printf "mTLS costs %.1f%% of throughput (on/off = %.2f)\n", (1 - on / off) * 100, on / off }'
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
