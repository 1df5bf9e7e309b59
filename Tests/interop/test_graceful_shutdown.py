"""SIGTERM drains: the two-step GOAWAY, in-flight calls finish, then the process exits.

hyper-h2 treats the first GOAWAY as the end of the connection, so this test reads the
server's frames itself and decodes header blocks with hpack."""
import signal
import socket
import struct

import hpack

from conftest import RunningServer
from h2client import RawH2, grpc_frame

DATA, HEADERS, GOAWAY = 0x0, 0x1, 0x7
END_STREAM, PADDED, PRIORITY = 0x1, 0x8, 0x20


def read_frames(sock, buffer=b""):
    """Every frame until the server closes the connection: (type, flags, stream, payload)."""
    frames = []
    sock.settimeout(15)
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return frames
        buffer += chunk
        while len(buffer) >= 9:
            length = int.from_bytes(buffer[:3], "big")
            if len(buffer) < 9 + length:
                break
            kind, flags = buffer[3], buffer[4]
            stream = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
            frames.append((kind, flags, stream, buffer[9:9 + length]))
            buffer = buffer[9 + length:]


def header_block(flags, payload):
    if flags & PADDED:
        payload = payload[1:len(payload) - payload[0]]
    if flags & PRIORITY:
        payload = payload[5:]
    return payload


def test_sigterm_sends_two_goaways_and_lets_in_flight_calls_finish(stubs):
    server = RunningServer("interop-server")
    try:
        m = stubs["messages"]
        request = m.StreamingOutputCallRequest(
            response_parameters=[m.ResponseParameters(size=10, interval_us=300_000) for _ in range(3)])
        c = RawH2(server.port)
        sid = c.request("/grpc.testing.TestService/StreamingOutputCall")
        c.send(sid, grpc_frame(request.SerializeToString()), end_stream=True)
        # The server has accepted the connection once its SETTINGS arrive; a connection still
        # in the listen backlog when shutdown begins is never served.
        first = c.sock.recv(9)
        assert first[3] == 0x4, "the server speaks first with SETTINGS"
        server.process.send_signal(signal.SIGTERM)
        frames = read_frames(c.sock, first)

        goaways = [struct.unpack(">II", f[3][:8]) for f in frames if f[0] == GOAWAY]
        assert len(goaways) == 2, f"expected the notice and the final GOAWAY, got {goaways}"
        assert goaways[0] == (2**31 - 1, 0)
        assert goaways[1] == (sid, 0)

        decoder = hpack.Decoder()
        trailers, data = {}, b""
        for kind, flags, stream, payload in frames:
            if kind == HEADERS:
                fields = dict(decoder.decode(header_block(flags, payload)))
                if stream == sid and flags & END_STREAM:
                    trailers = fields
            elif kind == DATA and stream == sid:
                data += payload
        assert trailers.get("grpc-status") == "0"
        message = m.StreamingOutputCallResponse(payload=m.Payload(body=b"\0" * 10)).SerializeToString()
        assert data == grpc_frame(message) * 3  # all three messages arrived
        assert server.process.wait(timeout=15) == 0
    finally:
        if server.alive():
            server.process.kill()
