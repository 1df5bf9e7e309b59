import Foundation
import KubeBackend

/// A tiny HTTP/1.1 (keep-alive) server in Python, on 127.0.0.1 and an ephemeral
/// port, for transport tests. It exits when its stdin closes.
final class LocalHTTPServer: @unchecked Sendable {
    static let script = #"""
    import json, socket, sys, threading, time
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    from urllib.parse import urlparse, parse_qs

    # Scripted responses, for API fault tests: POST /__script {"key": "GET /path", "responses": [...]}
    # queues responses for requests whose method and path match ("GET /path?watch" for watches).
    # Each response is {"status", "headers", "body"} or, for a stream, {"status", "lines", "end"},
    # where end is "finish" (a clean end), "drop" (the connection breaks mid-body) or "hang"
    # (stays open, silent). A request with nothing queued for it hangs like a quiet watch.
    # GET /__requests answers every request received so far, in order.
    lock = threading.Lock()
    scripts = {}
    requests_seen = []

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

        def write_chunk(self, data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def hang(self, seconds=20):
            deadline = time.time() + seconds
            while time.time() < deadline:
                time.sleep(0.05)

        def scripted(self, url, query, body):
            if url.path == "/__script":
                script = json.loads(body)
                with lock:
                    scripts.setdefault(script["key"], []).extend(script["responses"])
                self.send_payload(200, b"{}")
                return True
            if url.path == "/__requests":
                with lock:
                    payload = json.dumps(requests_seen).encode()
                self.send_payload(200, payload)
                return True
            if not (url.path.startswith("/api/") or url.path.startswith("/apis/")):
                return False
            key = self.command + " " + url.path + ("?watch" if query.get("watch") == ["true"] else "")
            with lock:
                requests_seen.append({"method": self.command, "path": url.path,
                                      "query": {name: values[0] for name, values in query.items()},
                                      "body": body.decode(), "authorization": self.headers.get("Authorization")})
                queue = scripts.get(key) or []
                response = queue.pop(0) if queue else None
            if response is None:
                self.close_connection = True
                self.hang()
                return True
            status = response.get("status", 200)
            if "lines" not in response:
                self.send_response(status)
                for name, value in response.get("headers", {}).items():
                    self.send_header(name, value)
                body = response.get("body", {})
                payload = body["__text"] if isinstance(body, dict) and "__text" in body else json.dumps(body)
                payload = payload.encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return True
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for line in response["lines"]:
                self.write_chunk((json.dumps(line) + "\n").encode())
            end = response.get("end", "finish")
            if end == "finish":
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            elif end == "drop":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.close_connection = True
                self.hang()
            return True

        def handle_any(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.scripted(url, query, body):
                return
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

    var baseURL: URL { url("") }
}

/// A response the scripted server sends once, in the order queued.
struct ScriptedResponse {
    var json: JSONValue

    static func reply(_ status: Int = 200, _ body: JSONValue, headers: JSONValue = [:]) -> ScriptedResponse {
        ScriptedResponse(json: ["status": .number(JSONNumber(status)), "body": body, "headers": headers])
    }

    /// A non-JSON body, such as a proxy's error page.
    static func text(_ status: Int, _ body: String) -> ScriptedResponse {
        ScriptedResponse(json: ["status": .number(JSONNumber(status)), "body": ["__text": .string(body)]])
    }

    enum StreamEnd: String {
        case finish, drop, hang
    }

    static func stream(_ lines: [JSONValue], end: StreamEnd) -> ScriptedResponse {
        ScriptedResponse(json: ["status": 200, "lines": .array(lines), "end": .string(end.rawValue)])
    }
}

/// One request the scripted server received.
struct ReceivedRequest {
    var method: String
    var path: String
    var query: [String: String]
    var body: String
    var authorization: String?
}

extension LocalHTTPServer {
    /// Queues responses for `method path`; `watch` for the watch requests of that path.
    func script(_ method: String, _ path: String, watch: Bool = false, _ responses: ScriptedResponse...) async throws {
        let client = try CurlHTTPClient()
        let key = method + " " + path + (watch ? "?watch" : "")
        let body: JSONValue = ["key": .string(key), "responses": .array(responses.map(\.json))]
        let response = try await client.send(HTTPRequest(method: "POST", url: url("/__script"), body: KubeJSON.serialize(body)))
        precondition(response.status == 200)
    }

    func receivedRequests() async throws -> [ReceivedRequest] {
        let client = try CurlHTTPClient()
        let response = try await client.send(HTTPRequest(url: url("/__requests")))
        return try KubeJSON.parse(response.body).arrayValue!.map { entry in
            var query: [String: String] = [:]
            for field in entry["query"]?.objectValue ?? [:] { query[field.key] = field.value.stringValue }
            return ReceivedRequest(
                method: entry["method"]!.stringValue!, path: entry["path"]!.stringValue!, query: query,
                body: entry["body"]?.stringValue ?? "", authorization: entry["authorization"]?.stringValue)
        }
    }
}
