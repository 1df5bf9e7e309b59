"""Bad input over real sockets. In every case the server answers as the protocol says,
stays up, and keeps serving other connections."""
import os
import socket
import struct
import time

import grpc
import h2.errors
import h2.events
import h2.settings
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import serve
from h2client import RawH2, grpc_frame

EMPTY_CALL = "/grpc.testing.TestService/EmptyCall"


@pytest.fixture(scope="module")
def server():
    yield from serve("interop-server")


def assert_still_serving(server):
    assert server.alive()
    with grpc.insecure_channel(server.address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def test_garbage_instead_of_preface_gets_goaway_and_close(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    sock.close()
    # Frames: 9-byte header, type 0x7 is GOAWAY. The server sends its SETTINGS, then GOAWAY.
    types, offset = [], 0
    while offset + 9 <= len(received):
        length = int.from_bytes(received[offset:offset + 3], "big")
        types.append(received[offset + 3])
        offset += 9 + length
    assert 0x7 in types, f"no GOAWAY in {received!r}"
    assert_still_serving(server)


def test_get_is_405(server):
    c = RawH2(server.port)
    headers, _ = c.response(c.request(EMPTY_CALL, method="GET", content_type=None, end_stream=True))
    assert headers[":status"] == "405"
    c.close()
    assert_still_serving(server)


def test_wrong_content_type_is_415(server):
    c = RawH2(server.port)
    sid = c.request(EMPTY_CALL, content_type="application/json")
    c.send(sid, b"{}", end_stream=True)
    headers, _ = c.response(sid)
    assert headers[":status"] == "415"
    c.close()
    assert_still_serving(server)


def test_length_prefix_cut_off_by_end_stream_is_internal(server):
    c = RawH2(server.port)
    sid = c.request(EMPTY_CALL)
    c.send(sid, b"\x00\x00\x00", end_stream=True)
    headers, _ = c.response(sid)
    assert headers[":status"] == "200"
    assert headers["grpc-status"] == str(grpc.StatusCode.INTERNAL.value[0])
    c.close()
    assert_still_serving(server)


def test_declared_length_over_limit_is_resource_exhausted(server):
    c = RawH2(server.port)
    sid = c.request("/grpc.testing.TestService/UnaryCall")
    c.send(sid, b"\x00" + struct.pack(">I", 5 * 1024 * 1024) + b"\x00" * 100)
    headers, _ = c.response(sid)
    assert headers["grpc-status"] == str(grpc.StatusCode.RESOURCE_EXHAUSTED.value[0])
    assert "larger than max" in headers["grpc-message"]
    # The client had not finished sending, so the server also resets the stream.
    c.pump(lambda e: isinstance(e, h2.events.StreamReset) and e.stream_id == sid)
    c.close()
    assert_still_serving(server)


def test_header_block_over_limit_is_431(server):
    c = RawH2(server.port)
    sid = c.request(EMPTY_CALL, extra=[("x-big", "a" * 9000)])
    c.send(sid, grpc_frame(b""), end_stream=True)
    headers, _ = c.response(sid)
    assert headers[":status"] == "431"
    # The connection itself stays usable.
    sid2 = c.request(EMPTY_CALL)
    c.send(sid2, grpc_frame(b""), end_stream=True)
    headers, _ = c.response(sid2)
    assert headers["grpc-status"] == "0"
    c.close()
    assert_still_serving(server)


def test_grpc_timeout_at_its_extremes(server):
    """The largest grpc-timeout the protocol allows (8 digits of hours) is a deadline that
    never comes, not an overflow; the smallest still ends the call."""
    c = RawH2(server.port)
    sid = c.request(EMPTY_CALL, extra=[("grpc-timeout", "99999999H")])
    c.send(sid, grpc_frame(b""), end_stream=True)
    headers, _ = c.response(sid)
    assert headers["grpc-status"] == "0"
    sid = c.request("/grpc.testing.TestService/StreamingInputCall", extra=[("grpc-timeout", "1n")])
    headers, _ = c.response(sid)
    assert headers["grpc-status"] == str(grpc.StatusCode.DEADLINE_EXCEEDED.value[0])
    c.close()
    assert_still_serving(server)


def test_deadlines_on_one_connection_end_their_calls_in_due_order(server):
    """Calls that wait for input end at their own deadlines, whatever order they came in;
    a call that finishes first is not disturbed by its deadline later."""
    c = RawH2(server.port)
    waiting = {}
    for timeout in ("900m", "300m", "600m"):
        waiting[c.request("/grpc.testing.TestService/StreamingInputCall", extra=[("grpc-timeout", timeout)])] = timeout
    finished = c.request(EMPTY_CALL, extra=[("grpc-timeout", "200m")])
    c.send(finished, grpc_frame(b""), end_stream=True)
    headers, _ = c.response(finished)
    assert headers["grpc-status"] == "0"
    for sid in waiting:
        headers, _ = c.response(sid)
        assert headers["grpc-status"] == str(grpc.StatusCode.DEADLINE_EXCEEDED.value[0])
    ended = [e.stream_id for e in c.events if isinstance(e, h2.events.StreamEnded) and e.stream_id in waiting]
    assert [waiting[sid] for sid in ended] == ["300m", "600m", "900m"]
    c.close()


def test_rapid_reset_of_10000_streams(server):
    c = RawH2(server.port)
    try:
        for _ in range(100):
            for _ in range(100):
                sid = c.conn.get_next_available_stream_id()
                c.conn.send_headers(sid, [(":method", "POST"), (":scheme", "http"), (":path", EMPTY_CALL),
                                          (":authority", "localhost"), ("content-type", "application/grpc")])
                c.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
            c.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server has already hung up on the flood
    # nghttp2's reset rate limit answers the flood with GOAWAY and closes the connection.
    try:
        terminated = c.goaway(timeout=15)
    except ConnectionResetError:
        terminated = next((e for e in c.events if isinstance(e, h2.events.ConnectionTerminated)), None)
    assert terminated is not None
    c.close()
    assert_still_serving(server)


def test_a_burst_of_cancellations_keeps_a_healthy_connection(server):
    """A client whose 500 deadlines expire at once is not a flood."""
    c = RawH2(server.port)
    ids = []
    for _ in range(500):
        sid = c.request("/grpc.testing.TestService/StreamingInputCall")
        ids.append(sid)
    for sid in ids:
        c.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
    c.flush()
    sid = c.request(EMPTY_CALL)
    c.send(sid, grpc_frame(b""), end_stream=True)
    headers, _ = c.response(sid)
    assert headers["grpc-status"] == "0"
    assert not any(isinstance(e, h2.events.ConnectionTerminated) for e in c.events)
    c.close()


def test_1000_idle_connections(server):
    before = rss_kib(server.process.pid)
    idle = [RawH2(server.port) for _ in range(1000)]
    time.sleep(0.5)
    assert_still_serving(server)
    grown = rss_kib(server.process.pid) - before
    for c in idle:
        c.close()
    # Each idle connection holds an nghttp2 session and a channel; bound the total.
    assert grown < 100 * 1024, f"1000 idle connections grew RSS by {grown} KiB"


def test_client_that_never_reads_does_not_grow_server_memory(server, stubs):
    """A 100 MB response stream to a client that stops reading: HTTP/2 flow control holds the
    server back, so its memory stays bounded, and it serves others meanwhile."""
    m = stubs["messages"]
    request = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=1024 * 1024)] * 100)
    before = rss_kib(server.process.pid)
    c = RawH2(server.port)
    sid = c.request("/grpc.testing.TestService/StreamingOutputCall")
    c.send(sid, grpc_frame(request.SerializeToString()), end_stream=True)
    time.sleep(2)  # never reading: the socket buffers and the window fill up
    assert_still_serving(server)
    grown = rss_kib(server.process.pid) - before
    assert grown < 32 * 1024, f"server RSS grew by {grown} KiB for an unread stream"

    # Now read it all: every byte of the 100 messages arrives, then an OK status.
    headers, body = c.response(sid, timeout=120)
    assert headers["grpc-status"] == "0"
    assert len(body) == 100 * (5 + len(m.StreamingOutputCallResponse(
        payload=m.Payload(body=b"\0" * 1024 * 1024)).SerializeToString()))
    c.close()


def test_too_many_pings_get_enhance_your_calm(server):
    c = RawH2(server.port)
    for i in range(5):
        c.conn.ping(struct.pack(">Q", i))
        c.flush()
    terminated = c.goaway()
    assert terminated is not None
    assert terminated.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    assert terminated.additional_data == b"too_many_pings"
    c.close()
    assert_still_serving(server)


def test_server_advertises_its_limits(server):
    c = RawH2(server.port)
    c.pump(lambda e: isinstance(e, h2.events.RemoteSettingsChanged))
    changed = next(e for e in c.events if isinstance(e, h2.events.RemoteSettingsChanged)).changed_settings
    settings = {int(k): v.new_value for k, v in changed.items()}
    assert settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] == 1000
    assert settings[h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE] == 8192
    c.close()
