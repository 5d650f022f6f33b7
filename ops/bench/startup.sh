#!/usr/bin/env bash
# Cold start to ready: starts `mizzen control-plane` from the built distribution, polls
# /healthz/ready until it answers 200, stops it; 5 runs (RUNS=n to change); prints each and
# the median. Build first: mvn -B -q -DskipTests package
# PLUGINS_DIR=<dir> measures with another plugins folder; an empty one measures the kernel and its
# built-in functions alone, the default the shipped control plane with all nine plugins. The
# first run after a build records the class-data archive (see bin/mizzen) and is the slowest.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
launcher="$root/ops/dist/target/mizzen/bin/mizzen"
[ -x "$launcher" ] || { echo "build the distribution first: mvn -B -q -DskipTests package" >&2; exit 2; }
command -v curl >/dev/null || { echo "startup.sh needs curl (Debian package curl)" >&2; exit 2; }
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
admin=$(( 20000 + RANDOM % 20000 ))
cat > "$work/mizzen.yaml" <<YAML
pluginsDir: ${PLUGINS_DIR:-$root/ops/dist/target/mizzen/plugins}
stateDir: $work/state
ports: {admin: $admin, grpc: 0, grpcTls: 0, mixer: 0, monitoring: 0, outbound: 0, inbound: 0, health: 0, prometheus: 0}
YAML
times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$launcher" --config "$work/mizzen.yaml" control-plane >"$work/log" 2>&1 &
  pid=$!
  ready=""
  for _ in $(seq 1 3000); do   # bounded: at most ~30 s
    if curl -sf -o /dev/null "http://127.0.0.1:$admin/healthz/ready"; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$ready" ] || { echo "run $i: never became ready:" >&2; cat "$work/log" >&2; exit 1; }
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  echo "run $i: ${ms} ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median cold start to ready over $runs runs: ${median} ms (target <= 1000 ms)"
