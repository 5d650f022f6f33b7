#!/usr/bin/env bash
# Pilot's push benchmark: 1,000 services x 5 endpoints, 1,000 VirtualServices, 1,000
# DestinationRules, 100 subscribed proxies. Prints, for 5 rounds of 100 fresh proxies, the time to
# full sync (with the control plane's CPU time for it), the time for one VirtualService change to
# reach all 100, and the control plane's heap after GC; then a RESULT line whose figure is the
# first (cold JIT) round's, with the later rounds and the machine's load average. Targets: <= 2 s,
# <= 200 ms, <= 512 MB. Runs io.mizzen.kernel.pilot.bench.PilotBench from the kernel's test classes:
# build them first (this script does, offline, through the reactor).
# This JVM is the control plane, started cold. The 100 proxies (gRPC clients with the sidecar
# agent's HTTP/2 settings) run in a second JVM (PilotBenchClients) on the same 2 cores, standing
# for sidecars on other machines: warmed against a control plane of their own first, as running
# proxies are when a control plane restarts and they all reconnect at once. By default they read
# each snapshot's framing (versions, item counts; the items of svc-0 decoded) instead of decoding
# 100 x 2.2 MB of protobuf on the control plane's cores; DECODE=full makes them decode every item,
# as an agent does.
# JOPTS adds JVM flags to the control plane's JVM (-Xlog:gc, perf-map options, ...);
# -Dpilot.bench.marks=true prints each round's CLOCK_MONOTONIC window for perf report --time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
# One reactor run builds (package, so the kernel's test-plugin copy finds jars in a fresh clone)
# and writes each module's classpath to the same file; the kernel's comes last.
mvn -B -q -o -pl kernel -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file"
# The kernel's test plugins (one fails on purpose) stay off: the bench boots a plain control plane.
deps=$(tr ':' '\n' < "$cp_file" | grep -v -e test-plugin -e sample-header-stamp | paste -sd: -)
# The control plane's JVM flags as bin/mizzen starts it (SerialGC: G1 would treat every 2 MB
# snapshot buffer as a humongous allocation and collect far more often).
java ${JOPTS:-} -XX:+UseSerialGC -Xss512k -Xmx${HEAP:-1g} ${DECODE:+-Dpilot.bench.decode=$DECODE} -cp "kernel/target/test-classes:kernel/target/classes:$deps" \
  io.mizzen.kernel.pilot.bench.PilotBench
