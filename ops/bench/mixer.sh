#!/usr/bin/env bash
# Mixer figures: JMH for a check served from the proxy's cache (target <= 2 us), then the remote
# load driver: uncached remote check p50/p99 one at a time (target p99 <= 1 ms), checks/s with 64
# in flight (target >= 50,000), report attribute sets/s (target >= 200,000), all on 127.0.0.1.
# It builds what it needs itself (the reactor, offline, tests skipped).
# SECONDS_PER_PHASE=n (default 5) bounds each remote phase; JMH_ARGS passes options to JMH.
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
echo "== cached check (JMH, average time per check)"
java -cp "$cp" org.openjdk.jmh.Main CachedCheckBenchmark ${JMH_ARGS:-} | grep -E "^Benchmark|cachedCheck"
echo "== remote Mixer (MixerLoad, ${SECONDS_PER_PHASE:-5} s per phase)"
java -Xmx512m -cp "$cp" io.mizzen.bench.mixer.MixerLoad "${SECONDS_PER_PHASE:-5}"
