public import RPCServer

/// A generated protobuf message: a value type that encodes to the protobuf wire format
/// and back, through libprotobuf-c.
public protocol ProtoMessage: RPCMessage, Hashable {
    /// The fully-qualified proto name, e.g. `grpc.testing.SimpleRequest`.
    static var protoMessageName: String { get }
    /// A message with every field at its default.
    init()
}

/// The bytes are not a valid encoding of the message.
public struct ProtobufDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The message could not be encoded (libprotobuf-c packed a different size than it announced).
public struct ProtobufEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
