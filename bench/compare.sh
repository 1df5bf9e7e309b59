#!/usr/bin/env bash
# compare.sh - rpc-echo-server side by side with the peers in ../shared/peers, in one run:
#   1. release build of rpc-echo-server (Swift runtime linked statically);
#   2. run-peers.sh (unary echo) with rpc-echo-server against C++ gRPC, grpc-swift-2 and the
#      nghttp2 C ceiling, twice: Echo as a synchronous handler (fleetd-echo) and as an async one
#      (fleetd-echo-async, on PORT+1);
#   3. run-fanout.sh (Watch fan-out, 1,000 and 10,000 subscribers) with rpc-echo-server against
#      the C++ and Swift gRPC peers;
#   4. bench/RESULTS.md: the machine, the versions, the exact commands, each script's own tables,
#      and a table of ratios per benchmark. The previous results move under "History".
#
# Usage: bench/compare.sh [--no-build] [--quick] [--skip unary|fanout]
#   --no-build  reuse the peers already built under PEERS_BUILD and the existing rpc-echo-server
#   --quick     the peer scripts' --quick protocol (for trying the script, not for results)
# Env: SCRATCH_PATH (swift build scratch path, default .build-static), PEERS_DIR (default ../shared/peers),
#      PEERS_BUILD (default /tmp/peers-build), UNARY_PEERS (default cpp-grpc,swift-grpc,nghttp2-c),
#      FANOUT_PEERS (default cpp-grpc,swift-grpc), PORT (default 50060), FANOUT_BUDGET (default 900 s),
#      RESULTS (default bench/RESULTS.md); the peer scripts' own variables (DURATION, REPS, NS, ...) pass through.
# Only the processes the peer scripts start are ever signalled (they stop their own PIDs).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CMD_COMPARE="bench/compare.sh${*:+ $*}"
cd "$ROOT"
SCRATCH_PATH=${SCRATCH_PATH:-.build-static}
PEERS_DIR=$(cd "${PEERS_DIR:-../shared/peers}" && pwd) || { echo "compare.sh: no peers directory" >&2; exit 1; }
export PEERS_BUILD=${PEERS_BUILD:-/tmp/peers-build}
UNARY_PEERS=${UNARY_PEERS:-cpp-grpc,swift-grpc,nghttp2-c}
FANOUT_PEERS=${FANOUT_PEERS:-cpp-grpc,swift-grpc}
PORT=${PORT:-50060}
RESULTS=${RESULTS:-bench/RESULTS.md}
BUILD=1 QUICK=() SKIP=""
while (($#)); do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --quick) QUICK=(--quick); shift ;;
    --skip) SKIP=$2; shift 2 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

OUT=$PEERS_BUILD/results/compare-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(loadavg)
log "results in $OUT; load average $LOAD_START"

# Statically linked Swift runtime, as a server is shipped: its calls into the runtime (retain,
# release, task-local state) are then direct, which measured 12% fewer CPU-s per echo request.
BUILD_CMD=(swift build --scratch-path "$SCRATCH_PATH" -c release --static-swift-stdlib --product rpc-echo-server)
if ((BUILD)); then
  log "${BUILD_CMD[*]}"
  "${BUILD_CMD[@]}" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; exit 1; }
fi
BIN=$(swift build --scratch-path "$SCRATCH_PATH" -c release --show-bin-path)/rpc-echo-server
[[ -x $BIN ]] || { echo "compare.sh: $BIN is missing (build it, or run without --no-build)" >&2; exit 1; }
SERVER="fleetd-echo|$PORT|$BIN --port $PORT"
# The same binary with Echo as an async handler, in a task of its own: unary only.
ASYNC_SERVER="fleetd-echo-async|$((PORT + 1))|$BIN --port $((PORT + 1)) --async-echo"
PEER_BUILD_FLAG=(); ((BUILD)) || PEER_BUILD_FLAG=(--no-build)

UNARY_CMD=("$PEERS_DIR/run-peers.sh" "${PEER_BUILD_FLAG[@]}" "${QUICK[@]}" --only "$UNARY_PEERS" --server "$SERVER" --server "$ASYNC_SERVER")
FANOUT_CMD=("$PEERS_DIR/run-fanout.sh" "${PEER_BUILD_FLAG[@]}" "${QUICK[@]}" --only "$FANOUT_PEERS" --server "$SERVER")
if [[ $SKIP != unary ]]; then
  log "unary: ${UNARY_CMD[*]}"
  RESULTS_DIR=$OUT/unary "${UNARY_CMD[@]}" 2>&1 | tee "$OUT/unary.log" >&2
fi
if [[ $SKIP != fanout ]]; then
  log "fan-out: ${FANOUT_CMD[*]}"
  RESULTS_DIR=$OUT/fanout BUDGET=${FANOUT_BUDGET:-900} "${FANOUT_CMD[@]}" 2>&1 | tee "$OUT/fanout.log" >&2
fi
LOAD_END=$(loadavg)

# ---------------------------------------------------------------- bench/RESULTS.md
quote() { local a out=""; for a; do [[ $a =~ [^[:alnum:]_./=,:-] ]] && a="'${a//\'/\'\\\'\'}'"; out+="$a "; done; echo "${out% }"; }
export CMD_BUILD="$(quote "${BUILD_CMD[@]}")"
export CMD_UNARY="RESULTS_DIR=$OUT/unary $(quote "${UNARY_CMD[@]}")"
export CMD_FANOUT="RESULTS_DIR=$OUT/fanout BUDGET=${FANOUT_BUDGET:-900} $(quote "${FANOUT_CMD[@]}")"
export CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
export CPU_COUNT="$(nproc --all)"
export SWIFT_VERSION="$(swift --version 2>&1 | grep -o 'Swift version [0-9.]*' | head -1)"
export NGHTTP2_VERSION="$(pkg-config --modversion libnghttp2 2>/dev/null)"
export GRPCPP_VERSION="$(pkg-config --modversion grpc++ 2>/dev/null)"
export GRPC_SWIFT_VERSION="$(grep -o 'grpc/[a-z0-9-]*\.git", exact: "[0-9.]*"' "$PEERS_DIR/swift-grpc/Package.swift" \
  | sed 's#grpc/\([a-z0-9-]*\)\.git", exact: "\([0-9.]*\)"#\1 \2#' | paste -sd, | sed 's/,/, /g')"
export KERNEL="$(uname -r)" COMMIT="$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo '+changes')"
export LOAD_START LOAD_END OUT
python3 "$ROOT/bench/write_results.py" "$OUT" "$RESULTS" || exit 1
log "wrote $RESULTS (load average at start $LOAD_START, at end $LOAD_END)"
