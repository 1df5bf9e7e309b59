"""A raw HTTP/2 client on a real socket (hyper-h2), for cases a well-behaved gRPC client never
produces: bad prefaces, odd methods and content types, floods, clients that never read."""
import socket
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


def grpc_frame(payload, compressed=False):
    return bytes([1 if compressed else 0]) + struct.pack(">I", len(payload)) + payload


class RawH2:
    def __init__(self, port, window=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.flush()
        self.events = []
        self.closed = False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="POST", content_type="application/grpc", extra=(), end_stream=False):
        stream_id = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")]
        if content_type:
            headers.append(("content-type", content_type))
        headers += [("te", "trailers"), *extra]
        self.conn.send_headers(stream_id, headers, end_stream=end_stream)
        self.flush()
        return stream_id

    def send(self, stream_id, data, end_stream=False):
        self.conn.send_data(stream_id, data, end_stream=end_stream)
        self.flush()

    def pump(self, until, timeout=10.0):
        """Reads and handles frames until `until(event)` is true for an event seen; returns all events."""
        deadline = time.monotonic() + timeout
        if any(until(e) for e in self.events):
            return self.events
        while True:
            if self.closed:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching event; saw {self.events[-5:]}")
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
                break
            done = False
            for event in self.conn.receive_data(data):
                self.events.append(event)
                if isinstance(event, h2.events.DataReceived):
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                done = done or until(event)
            self.flush()
            if done:
                break
        return self.events

    def response(self, stream_id, timeout=10.0):
        """Headers and trailers of a stream that ends, merged; plus its DATA bytes."""
        def ended(e):
            return isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == stream_id
        self.pump(ended, timeout)
        headers, chunks = {}, []
        for e in self.events:
            if getattr(e, "stream_id", None) != stream_id:
                continue
            if isinstance(e, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                headers.update(dict(e.headers))
            elif isinstance(e, h2.events.DataReceived):
                chunks.append(e.data)
        return headers, b"".join(chunks)

    def goaway(self, timeout=10.0):
        events = self.pump(lambda e: isinstance(e, h2.events.ConnectionTerminated), timeout)
        return next((e for e in events if isinstance(e, h2.events.ConnectionTerminated)), None)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
