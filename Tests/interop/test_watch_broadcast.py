"""rpc-echo-server's /bench.v1.Bench/Watch over real sockets: an RPCBroadcastGroup fed by one
ticker, as ../shared/peers serve it, with stock grpcio clients and a raw client that never reads."""
import os
import time

import grpc
import h2.events
import pytest

from conftest import RunningServer
from h2client import RawH2, grpc_frame

WATCH = "/bench.v1.Bench/Watch"


@pytest.fixture(scope="module")
def echo_server():
    old = os.environ.get("WATCH_PERIOD_MS")
    os.environ["WATCH_PERIOD_MS"] = "20"
    try:
        server = RunningServer("rpc-echo-server")
    finally:
        if old is None:
            del os.environ["WATCH_PERIOD_MS"]
        else:
            os.environ["WATCH_PERIOD_MS"] = old
    yield server
    assert server.alive(), f"rpc-echo-server died during the tests; log {server.log.name}"
    server.stop()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_every_stream_gets_the_same_stamped_message_from_one_ticker(echo_server):
    with grpc.insecure_channel(echo_server.address) as ch:
        calls = [ch.unary_stream(WATCH)(b"", timeout=10) for _ in range(3)]
        got = [[next(call) for _ in range(4)] for call in calls]
        for call in calls:
            call.cancel()
    now = time.monotonic_ns()
    for messages in got:
        assert all(len(m) == 100 and m[8:] == bytes(92) for m in messages)
        stamps = [int.from_bytes(m[:8], "little") for m in messages]
        assert stamps == sorted(stamps) and len(set(stamps)) == 4
        assert all(0 <= now - s < 5e9 for s in stamps)
    # One ticker: the streams share stamps (the first ones may differ by when each joined).
    assert set(int.from_bytes(m[:8], "little") for m in got[0][1:]) & \
        set(int.from_bytes(m[:8], "little") for m in got[1])


def test_response_headers_come_before_the_first_tick(echo_server):
    client = RawH2(echo_server.port)
    try:
        stream = client.request(WATCH)
        client.send(stream, grpc_frame(b""), end_stream=True)
        events = client.pump(lambda e: isinstance(e, h2.events.ResponseReceived), timeout=5)
        response = next(e for e in events if isinstance(e, h2.events.ResponseReceived))
        assert dict(response.headers)[":status"] == "200"
    finally:
        client.close()


def test_a_subscriber_that_never_reads_does_not_grow_the_server(echo_server):
    # Windows of 1 KiB that are never reopened: the server soon cannot send, and must skip.
    stuck = RawH2(echo_server.port, window=1024)
    try:
        for _ in range(200):
            stream = stuck.request(WATCH)
            stuck.send(stream, grpc_frame(b""), end_stream=True)
        time.sleep(0.5)
        before = rss_kib(echo_server.process.pid)
        time.sleep(3)  # 150 ticks: 3 MiB for the 200 stuck streams if nothing were skipped
        grown = rss_kib(echo_server.process.pid) - before
        assert grown < 1536, f"RSS grew by {grown} KiB with 200 stuck subscribers"
        # Everyone else is still served.
        with grpc.insecure_channel(echo_server.address) as ch:
            call = ch.unary_stream(WATCH)(b"", timeout=10)
            assert len(next(call)) == 100
            call.cancel()
    finally:
        stuck.close()
