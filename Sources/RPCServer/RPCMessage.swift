/// A message that RPCServer can carry: anything that turns into bytes and back.
///
/// RPCServer knows nothing of protobuf; the generated bindings in `Protos` conform.
public protocol RPCMessage: Sendable {
    /// Decodes a message; throws when the bytes are not a valid encoding.
    init(serializedBytes: [UInt8]) throws
    /// Encodes the message.
    func serializedBytes() throws -> [UInt8]
}
