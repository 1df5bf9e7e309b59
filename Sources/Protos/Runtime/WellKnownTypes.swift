// Conveniences for the well-known types (the generated structs are in Generated/).

extension Google_Protobuf_Any {
    /// The type URL prefix Google's libraries write.
    public static let defaultTypeURLPrefix = "type.googleapis.com/"

    /// An `Any` holding `message`, with type URL `type.googleapis.com/<full name>`.
    public init<M: ProtoMessage>(packing message: M, typeURLPrefix: String = Self.defaultTypeURLPrefix) throws {
        self.init()
        self.typeUrl = typeURLPrefix + M.protoMessageName
        self.value = try message.serializedBytes()
    }

    /// The full message name of the type URL: what follows its last `/`.
    public var messageName: String {
        guard let slash = typeUrl.lastIndex(of: "/") else { return typeUrl }
        return String(typeUrl[typeUrl.index(after: slash)...])
    }

    /// Whether it holds an `M`.
    public func holds<M: ProtoMessage>(_: M.Type) -> Bool {
        messageName == M.protoMessageName
    }

    /// The `M` it holds, or nil when it holds another type; throws when the bytes are invalid.
    public func unpack<M: ProtoMessage>(_: M.Type) throws -> M? {
        guard holds(M.self) else { return nil }
        return try M(serializedBytes: value)
    }
}

extension Google_Protobuf_Duration {
    /// A duration of `seconds` and `nanos` (same sign, |nanos| < 1e9).
    public init(seconds: Int64, nanos: Int32 = 0) {
        self.init()
        self.seconds = seconds
        self.nanos = nanos
    }

    /// From a Swift `Duration` (sub-nanosecond precision is dropped).
    public init(_ duration: Swift.Duration) {
        let (s, attos) = duration.components
        self.init(seconds: s, nanos: Int32(truncatingIfNeeded: attos / 1_000_000_000))
    }

    /// As a Swift `Duration`.
    public var duration: Swift.Duration {
        .seconds(seconds) + .nanoseconds(Int64(nanos))
    }
}

extension Google_Protobuf_Timestamp {
    /// A time `seconds` and `nanos` (0 ≤ nanos < 1e9) after the Unix epoch.
    public init(seconds: Int64, nanos: Int32 = 0) {
        self.init()
        self.seconds = seconds
        self.nanos = nanos
    }
}

extension Google_Rpc_Status {
    /// A status with `code` (a gRPC status code), `message` and details packed in `Any`.
    public init(code: Int32, message: String, details: [Google_Protobuf_Any] = []) {
        self.init()
        self.code = code
        self.message = message
        self.details = details
    }
}
