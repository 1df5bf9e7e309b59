import KubeBackend

/// An HTTP request as the API layer sees it, independent of the transport.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoded per segment later.
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target such as `/api/v1/pods?limit=2&labelSelector=a%3Db`.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = PercentDecoding.decode(keyValue[0], plusAsSpace: true)
                query[key] = keyValue.count > 1 ? PercentDecoding.decode(keyValue[1], plusAsSpace: true) : ""
            }
        }
        self.init(method: method, path: String(parts[0]), query: query, headers: headers, body: body)
    }

    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return value == "1" || value.lowercased() == "true"
    }
}

/// What the API layer answers: a complete response, or a watch to stream.
public enum APIResponse: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case watch(WatchPlan)

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        .full(status: status, headers: [("Content-Type", "application/json")], body: KubeJSON.serialize(value))
    }

    static func table(_ converter: TableConverter, _ table: JSONValue) -> APIResponse {
        .full(status: 200, headers: [("Content-Type", converter.contentType)], body: KubeJSON.serialize(table))
    }

    static func error(_ error: APIError) -> APIResponse {
        var headers = [("Content-Type", "application/json")]
        if let seconds = error.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        return .full(status: error.code, headers: headers, body: KubeJSON.serialize(error.statusJSON))
    }

    public var status: Int {
        switch self {
        case .full(let status, _, _): return status
        case .watch: return 200
        }
    }
}

/// A watch the transport should run: register with the store, stream each message
/// as one JSON line, and end after `timeoutSeconds`.
public struct WatchPlan: Sendable {
    public var request: WatchRequest
    public var timeoutSeconds: Int?
    /// Set when the client watches with `Accept: ...;as=Table`: each event carries a one-row Table.
    var table: TableConverter?

    init(request: WatchRequest, timeoutSeconds: Int?, table: TableConverter? = nil) {
        self.request = request
        self.timeoutSeconds = timeoutSeconds
        self.table = table
    }

    /// One newline-terminated `{"type":...,"object":...}` line.
    public func line(for message: WatchMessage) -> [UInt8] {
        switch message {
        case .event(let type, let object, _):
            guard let table else { return Self.line(type.rawValue, object) }
            let metadata: JSONObject = ["resourceVersion": object["metadata"]?["resourceVersion"] ?? ""]
            return Self.line(type.rawValue, table.table([object], metadata: metadata))
        case .bookmark(let resourceVersion, let initialEventsEnd):
            var metadata: JSONObject = ["resourceVersion": .string(String(resourceVersion))]
            if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
            if let table { return Self.line("BOOKMARK", table.table([], metadata: metadata)) }
            let object: JSONValue = ["kind": .string(request.type.kind), "apiVersion": .string(request.type.apiVersion), "metadata": .object(metadata)]
            return Self.line("BOOKMARK", object)
        }
    }

    /// The ERROR event the apiserver sends when a watch cannot continue (410 Expired).
    public static func errorLine(_ error: APIError) -> [UInt8] {
        line("ERROR", error.statusJSON)
    }

    private static func line(_ type: String, _ object: JSONValue) -> [UInt8] {
        var bytes = KubeJSON.serialize(["type": .string(type), "object": object])
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

enum PercentDecoding {
    static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusAsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
