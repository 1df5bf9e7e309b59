internal import CZlib

/// A message compression algorithm, named as in `grpc-encoding`.
public protocol MessageCompression: Sendable {
    var name: String { get }
    func compress(_ bytes: [UInt8]) throws -> [UInt8]
    /// Decompresses; throws ``DecompressionLimitExceeded`` when the output would pass `limit`.
    func decompress(_ bytes: [UInt8], limit: Int) throws -> [UInt8]
}

public struct DecompressionLimitExceeded: Error {}

public struct CompressionFailure: Error, CustomStringConvertible {
    public let description: String
}

/// gzip (RFC 1952) on zlib.
public struct GzipCompression: MessageCompression {
    public let name = "gzip"
    public let level: Int32

    public init(level: Int32 = 6) { self.level = level }

    public func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard fleetd_deflate_init_gzip(&stream, level) == Z_OK else {
            throw CompressionFailure(description: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let written = try bytes.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else {
                    throw CompressionFailure(description: "deflate did not finish")
                }
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }

    public func decompress(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard fleetd_inflate_init_gzip(&stream) == Z_OK else {
            throw CompressionFailure(description: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                guard output.count + produced <= limit else { throw DecompressionLimitExceeded() }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw CompressionFailure(description: "truncated gzip data")
                default:
                    throw CompressionFailure(description: "invalid gzip data (zlib status \(status))")
                }
            }
        }
        return output
    }
}
