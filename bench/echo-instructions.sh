#!/usr/bin/env bash
# Instructions per unary echo request, counted by callgrind: a figure that does not move with
# the shared VM's speed, for A/B comparisons of changes to the request path. Counts user space
# only (no kernel, no cache misses), so confirm a change in time with compare.sh afterwards.
#
#   bench/echo-instructions.sh [SERVER_BINARY] [REQUESTS] [SERVER_ARGUMENTS...]
#     SERVER_BINARY     default .build-static/release/rpc-echo-server; any server that takes
#                       --port N and serves /bench.v1.Bench/Echo (the nghttp2 C ceiling takes
#                       the port as its only argument: pass CEILING=1)
#     REQUESTS          default 10000, sent by h2load with CONNECTIONS (default 4) x STREAMS
#                       (default 8) concurrent streams; CONNECTIONS=1 STREAMS=1 is ping-pong
#     SERVER_ARGUMENTS  passed on to the server, such as --async-echo
#
# Needs valgrind and h2load (apt-get install valgrind nghttp2-client).
set -euo pipefail
BIN=${1:-.build-static/release/rpc-echo-server}
REQUESTS=${2:-10000}
shift $(($# < 2 ? $# : 2))
PORT=${PORT:-50095}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# valgrind cannot read the DWARF of a binary with the Swift runtime linked in statically;
# the symbol table is enough for callgrind.
strip -g -o "$WORK/server" "$BIN"
if [[ ${CEILING:-0} == 1 ]]; then ARGS=("$PORT"); else ARGS=(--port "$PORT" --threads 1 "$@"); fi
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.out" \
  "$WORK/server" "${ARGS[@]}" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 300); do ss -Hltn "sport = :$PORT" | grep -q LISTEN && break; sleep 0.2; done
python3 -c 'import sys; p=bytes(range(100)); sys.stdout.buffer.write(b"\0"+len(p).to_bytes(4,"big")+p)' >"$WORK/body"
H2=(-c "${CONNECTIONS:-4}" -m "${STREAMS:-8}" -d "$WORK/body" -H 'content-type: application/grpc' -H 'te: trailers'
    "http://127.0.0.1:$PORT/bench.v1.Bench/Echo")
h2load -n 2000 "${H2[@]}" >/dev/null                      # warm-up, not counted
callgrind_control -i on "$PID" >/dev/null 2>&1
h2load -n "$REQUESTS" "${H2[@]}" >"$WORK/h2load.txt"
callgrind_control -i off "$PID" >/dev/null 2>&1
callgrind_control -d "$PID" >/dev/null 2>&1
grep -q " $REQUESTS succeeded" "$WORK/h2load.txt" || { cat "$WORK/h2load.txt" >&2; echo "requests failed" >&2; exit 1; }
total=$(cat "$WORK"/callgrind.out* | awk '/^totals:/ {s += $2} END {print s}')
echo "$(basename "$BIN"): $((total / REQUESTS)) instructions per request ($REQUESTS requests)"
if [[ -n ${KEEP:-} ]]; then cp "$WORK"/callgrind.out* "$KEEP"/; echo "callgrind output copied to $KEEP"; fi
