import RPCServer

/// The two fields of a `fleet.v1.CapacityUpdate` a subscriber's log needs, read straight
/// from the protobuf wire bytes; every other field is skipped, not decoded. Ten thousand
/// subscribers receive a hundred thousand updates a second, and a full decode of each made
/// the load generator, not the server, the limit of the measurement.
struct CapacityUpdateHeader: RPCMessage, Equatable {
    enum Kind: UInt64 {
        case unspecified = 0, snapshot, delta, heartbeat
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    var revision: UInt64 = 0
    var kind: Kind = .unspecified
    /// `time`: when the fleet manager recorded the change of `revision`, in ns since 1970.
    var recordedAtNanos: Int64?

    init(revision: UInt64, kind: Kind, recordedAtNanos: Int64? = nil) {
        self.revision = revision
        self.kind = kind
        self.recordedAtNanos = recordedAtNanos
    }

    init(serializedBytes bytes: [UInt8]) throws {
        var reader = WireReader(bytes: bytes)
        while !reader.isAtEnd {
            let key = try reader.varint()
            let field = key >> 3
            switch (field, key & 7) {
            case (1, 0): revision = try reader.varint()
            case (2, 0): kind = Kind(rawValue: try reader.varint()) ?? .unspecified
            case (6, 2): recordedAtNanos = try reader.timestampNanos()
            case (_, let wireType): try reader.skip(wireType: wireType)
            }
        }
    }

    func serializedBytes() throws -> [UInt8] {
        throw Malformed(description: "CapacityUpdateHeader is only read, never sent")
    }
}

/// A cursor over protobuf wire bytes.
private struct WireReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw CapacityUpdateHeader.Malformed(description: "truncated varint at byte \(offset)")
    }

    /// A google.protobuf.Timestamp (seconds = 1, nanos = 2) as ns since 1970.
    mutating func timestampNanos() throws -> Int64 {
        let length = Int(try varint())
        guard length <= bytes.count - offset else {
            throw CapacityUpdateHeader.Malformed(description: "a field runs past the end of the message")
        }
        let end = offset + length
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        while offset < end {
            let key = try varint()
            switch (key >> 3, key & 7) {
            case (1, 0): seconds = Int64(bitPattern: try varint())
            case (2, 0): nanos = Int64(Int32(truncatingIfNeeded: try varint()))
            case (_, let wireType): try skip(wireType: wireType)
            }
        }
        guard offset == end else { throw CapacityUpdateHeader.Malformed(description: "a Timestamp runs past its length") }
        return seconds * 1_000_000_000 + nanos
    }

    mutating func skip(wireType: UInt64) throws {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(by: 8)
        case 2: try advance(by: Int(try varint()))
        case 5: try advance(by: 4)
        default: throw CapacityUpdateHeader.Malformed(description: "wire type \(wireType) at byte \(offset)")
        }
    }

    private mutating func advance(by count: Int) throws {
        guard count >= 0, count <= bytes.count - offset else {
            throw CapacityUpdateHeader.Malformed(description: "a field runs past the end of the message")
        }
        offset += count
    }
}
