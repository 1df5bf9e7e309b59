import Foundation

/// A tiny HTTP/1.1 (keep-alive) server in Python, on 127.0.0.1 and an ephemeral
/// port, for transport tests. It exits when its stdin closes.
final class LocalHTTPServer: @unchecked Sendable {
    static let script = #"""
    import json, sys, threading, time
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    from urllib.parse import urlparse, parse_qs

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_payload(self, status, payload):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def handle_any(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/echo":
                headers = {name.lower(): value for name, value in self.headers.items()}
                self.send_payload(200, json.dumps({"method": self.command, "body": body.decode(), "headers": headers}).encode())
            elif url.path == "/slow":
                time.sleep(int(query["ms"][0]) / 1000)
                self.send_payload(200, b"late")
            elif url.path.startswith("/status/"):
                self.send_payload(int(url.path.split("/")[2]), b'{"kind":"Status"}')
            elif url.path == "/stream":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for index in range(int(query["chunks"][0])):
                        line = (json.dumps({"type": "ADDED", "n": index}) + "\n").encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                        self.wfile.flush()
                        time.sleep(int(query["ms"][0]) / 1000)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
            else:
                self.send_payload(404, b"{}")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    def stop_when_stdin_closes():
        sys.stdin.read()
        server.shutdown()
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()
    """#

    let port: Int
    private let process: Process
    private let input: Pipe
    private let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        let scriptPath = try directory.write("server.py", Self.script)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }
}
