#!/usr/bin/env bash
# Runs the fleet-bench measurements of bench/FLEET-BENCH.md in one invocation and keeps
# every raw output in $OUT. Servers are pinned to CPU 0 and fleet-bench to CPU 1.
#
#   bench/fleet-bench.sh [BUILD_DIR]     # default .build-static/release, built with
#   swift build --scratch-path .build-static -c release --static-swift-stdlib --product X
#
# 1. rpc-echo-server Echo and fleetd Deploy dry_run, closed loop, same client settings.
# 2. Real Deploy+DeleteDeployment pairs on fleetd's embedded simulated fleet.
# 3. The same pairs against four separately run kubesim processes (CPU 1), spread over
#    the four clusters, so fleetd's own cost is measured apart from the simulators'; the
#    simulators' CPU for the run is reported too.
# 4. WatchCapacity with 10,000 subscribers on 12 connections, 10 changes/s.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build-static/release}
OUT=${OUT:-/tmp/fleet-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
for tool in fleetd fleet-bench kubesim rpc-echo-server; do
  [[ -x $BIN/$tool ]] || { echo "missing $BIN/$tool: swift build --scratch-path .build-static -c release --static-swift-stdlib --product $tool first" >&2; exit 1; }
done

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start NAME PATTERN COMMAND...: runs COMMAND on CPU 0, waits for PATTERN in its stdout.
start() {
  local name=$1 pattern=$2; shift 2
  taskset -c 0 "$@" >"$OUT/$name.out" 2>"$OUT/$name.log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 300); do grep -q "$pattern" "$OUT/$name.out" && return; sleep 0.1; done
  echo "$name did not start; see $OUT/$name.log" >&2; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
bench() { local name=$1; shift; echo "== $name: fleet-bench $*" | tee -a "$OUT/summary.md"
  taskset -c 1 "$BIN/fleet-bench" "$@" --server-pid "$SERVER_PID" --json "$OUT/$name.json" 2>"$OUT/$name.progress" | tee -a "$OUT/summary.md"; }

echo "# fleet-bench run $(date -u '+%F %T') UTC, commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.md"

start echo "listening" "$BIN/rpc-echo-server" --port 50160
bench echo unary --server 127.0.0.1:50160 --closed-loop --concurrency 64 --connections 2 --mix echo --duration 10s
stop

start fleetd-embedded "listening" "$BIN/fleetd" --listen 127.0.0.1:50161 --metrics-listen 127.0.0.1:0
bench dry-run unary --server 127.0.0.1:50161 --closed-loop --concurrency 64 --connections 2 --mix deploy-dry-run --duration 10s
bench pairs-embedded unary --server 127.0.0.1:50161 --closed-loop --concurrency 32 --mix deploy-delete --spread-clusters --duration 20s
bench watch-10k watch --server 127.0.0.1:50161 --subscribers 10000 --connections 12 --change-rate 10 --duration 10s --grace 3s
stop

# Four simulated clusters in their own processes, on the client's core.
CONFIG=$OUT/fleetd.yaml
SIMS=()
{ echo "managementCluster: onprem-dc1"; echo "clusters:"; } >"$CONFIG"
for entry in onprem-dc1:onprem:dc1 gke-us-central1:gke:us-central1 aks-westeurope:aks:westeurope eks-us-east-1:eks:us-east-1; do
  IFS=: read -r profile cloud region <<<"$entry"
  taskset -c 1 "$BIN/kubesim" --port 0 --token bench --profile "$profile" --kubeconfig "$OUT/$profile.kubeconfig" \
    >"$OUT/$profile.out" 2>"$OUT/$profile.log" &
  PIDS+=("$!")
  SIMS+=("$!")
  echo "  - {name: $profile, cloud: $cloud, region: $region, kubeconfig: $OUT/$profile.kubeconfig, context: kubesim, ingressDomain: $profile.example, qps: 5000, burst: 5000}" >>"$CONFIG"
done
printf 'teams:\n  - name: ml-platform\n' >>"$CONFIG"
for _ in $(seq 100); do [[ $(cat "$OUT"/*.kubeconfig 2>/dev/null | grep -c server:) -ge 4 ]] && break; sleep 0.1; done
start fleetd-external "listening" "$BIN/fleetd" --config "$CONFIG" --listen 127.0.0.1:50162 --metrics-listen 127.0.0.1:0
# utime + stime of the simulators, in clock ticks (fields 14 and 15 of /proc/PID/stat).
sims_ticks() { local pid; for pid in "${SIMS[@]}"; do cat "/proc/$pid/stat"; done | awk '{ t += $14 + $15 } END { print t }'; }
before=$(sims_ticks)
bench pairs-external unary --server 127.0.0.1:50162 --closed-loop --concurrency 32 --mix deploy-delete --spread-clusters --duration 20s
echo "The 4 kubesim processes used $(awk -v a="$before" -v b="$(sims_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }') CPU-s during that run (warm-up included)." | tee -a "$OUT/summary.md"
stop

echo "== end $(date -u '+%T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg); raw output in $OUT" | tee -a "$OUT/summary.md"
