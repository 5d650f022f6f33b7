#!/usr/bin/env bash
# CSR signing throughput of the BouncyCastle CA (certificates/s, ECDSA P-256 and RSA 2048), through
# its public API: CSR checks, signing and the worker-pool hop. Runs the JMH SigningBenchmark that
# lives in plugins/ca-bouncycastle/src/test (never run by surefire: tests do not time things).
#
# Usage: ops/bench/citadel.sh [--quick]   (--quick: 1 warm-up and 2 measured iterations of 2 s)
# Extra JMH options can follow, e.g. ops/bench/citadel.sh -p workloadKey=EC
# Needs: a JDK and Maven (offline build of plugins/ca-bouncycastle).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
module="$root/plugins/ca-bouncycastle"
jmh=()
if [ "${1:-}" = "--quick" ]; then jmh=(-wi 1 -w 2s -i 2 -r 2s); shift; fi
echo "== building plugins/ca-bouncycastle (offline)" >&2
(cd "$root" && mvn -B -o -q -pl plugins/ca-bouncycastle -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$module/target/cp.txt" -Dmdep.includeScope=test >/dev/null)
cp="$module/target/test-classes:$module/target/classes:$root/spi/target/classes:$(cat "$module/target/cp.txt")"
exec java -cp "$cp" org.openjdk.jmh.Main "${jmh[@]}" "$@" SigningBenchmark
