// The internal machinery between the generated value types and protoc-c's C structs.
// Unsafe pointers and C types never leave this module.

internal import CProtos

/// Owns every allocation made while building a C message tree for packing, or while
/// protobuf-c unpacks one: the structs, strings, byte copies and arrays. Small pieces are
/// carved from 4 KiB chunks, so a typical message costs one or two mallocs instead of one
/// per field; everything is freed at once when the arena dies.
final class _ProtoArena {
    private static let chunkSize = 4096
    /// Larger pieces get an allocation of their own, so a big field wastes no chunk.
    private static let largePiece = 1024

    private var cursor: UnsafeMutableRawPointer?
    private var end: UnsafeMutableRawPointer?
    private var blocks: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for block in blocks { block.deallocate() }
    }

    fileprivate func raw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let byteCount = max(byteCount, 1)
        if let cursor, let end {
            let start = cursor.alignedUp(toMultipleOf: alignment)
            if end - start >= byteCount {
                self.cursor = start + byteCount
                return start
            }
        }
        if byteCount > Self.largePiece {
            let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: max(alignment, 16))
            blocks.append(block)
            return block
        }
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        blocks.append(chunk)
        cursor = chunk + byteCount
        end = chunk + Self.chunkSize
        return chunk
    }

    /// Memory for one C struct; the caller initializes it with the protoc-c `__init` function.
    func allocate<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw(byteCount: MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: 1)
    }

    /// A C array holding `transform` of each element; nil when empty (protoc-c's convention).
    func array<S: Collection, T>(_ source: S, _ transform: (S.Element) -> T) -> UnsafeMutablePointer<T>? {
        let count = source.count
        if count == 0 { return nil }
        let p = raw(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
        var i = 0
        for element in source {
            (p + i).initialize(to: transform(element))
            i += 1
        }
        return p
    }

    /// A NUL-terminated copy; protobuf-c's shared empty string when empty (never NULL).
    /// protobuf-c strings end at the first NUL, so a string holding NUL is cut there.
    ///
    /// `present`: the field has explicit presence (a oneof member, an optional field).
    /// protobuf-c skips such a string when it *is* the field's default pointer (the
    /// shared empty string), so an empty one gets its own allocation to be written.
    func string(_ s: String, present: Bool = false) -> UnsafeMutablePointer<CChar> {
        if s.isEmpty && !present { return UnsafeMutablePointer(mutating: cprotos_empty_string()) }
        var s = s
        return s.withUTF8 { utf8 in
            let p = raw(byteCount: utf8.count + 1, alignment: 1).bindMemory(to: CChar.self, capacity: utf8.count + 1)
            utf8.withMemoryRebound(to: CChar.self) { chars in
                _ = UnsafeMutableBufferPointer(start: p, count: chars.count).initialize(from: chars)
            }
            p[utf8.count] = 0
            return p
        }
    }

    /// A copy of the bytes as a `ProtobufCBinaryData`.
    func bytes(_ b: [UInt8]) -> ProtobufCBinaryData {
        if b.isEmpty { return ProtobufCBinaryData(len: 0, data: nil) }
        let p = raw(byteCount: b.count, alignment: 1).bindMemory(to: UInt8.self, capacity: b.count)
        b.withUnsafeBufferPointer { src in
            _ = UnsafeMutableBufferPointer(start: p, count: src.count).initialize(from: src)
        }
        return ProtobufCBinaryData(len: b.count, data: p)
    }
}

/// Unpacks `bytes` with libprotobuf-c, converts the C tree, frees it.
/// `initialize` is the message's protoc-c `__init` function; it yields the descriptor
/// (protoc-c makes `__unpack` functions for top-level messages only, not nested ones).
func _protoDecode<C, T>(
    _ bytes: [UInt8],
    _ name: String,
    _ initialize: (UnsafeMutablePointer<C>?) -> Void,
    _ convert: (UnsafePointer<C>) -> T
) throws -> T {
    let descriptor = withUnsafeTemporaryAllocation(of: C.self, capacity: 1) { buffer in
        let p = buffer.baseAddress!
        initialize(p)
        return UnsafeRawPointer(p).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
    }
    // Unpacked into an arena: the C tree goes with it, without a walk to free each field.
    let arena = _ProtoArena()
    return try withExtendedLifetime(arena) {
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<_ProtoArena>.fromOpaque(data!).takeUnretainedValue().raw(byteCount: size, alignment: 16)
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(arena).toOpaque())
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            protobuf_c_message_unpack(descriptor, &allocator, buffer.count, buffer.baseAddress)
        }
        guard let unpacked else {
            throw ProtobufDecodingError(message: "invalid protobuf encoding of \(name) (\(bytes.count) bytes)")
        }
        return convert(UnsafeRawPointer(unpacked).assumingMemoryBound(to: C.self))
    }
}

/// Builds the C tree in an arena, then packs it with libprotobuf-c.
func _protoEncode<C>(_ build: (_ProtoArena) -> UnsafeMutablePointer<C>) throws -> [UInt8] {
    let arena = _ProtoArena()
    return try withExtendedLifetime(arena) {
        // Every protoc-c struct starts with its ProtobufCMessage header.
        let message = UnsafeRawPointer(build(arena)).assumingMemoryBound(to: ProtobufCMessage.self)
        let size = protobuf_c_message_get_packed_size(message)
        if size == 0 { return [] }
        var written = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            written = protobuf_c_message_pack(message, buffer.baseAddress)
            count = min(written, size)
        }
        guard written == size else {
            throw ProtobufEncodingError(message: "protobuf-c packed \(written) bytes, expected \(size)")
        }
        return out
    }
}

@inline(__always)
func _protoString(_ p: UnsafePointer<CChar>?) -> String {
    guard let p else { return "" }
    return String(cString: p)
}

@inline(__always)
func _protoBytes(_ d: ProtobufCBinaryData) -> [UInt8] {
    guard d.len > 0, let data = d.data else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: d.len))
}

/// A Swift array from protoc-c's `n_<field>` + pointer pair.
@inline(__always)
func _protoArray<E, T>(_ p: UnsafeMutablePointer<E>?, _ count: Int, _ transform: (E) -> T) -> [T] {
    guard let p, count > 0 else { return [] }
    return UnsafeBufferPointer(start: p, count: count).map(transform)
}

/// A dictionary from protoc-c's repeated map-entry messages; the last duplicate key wins.
func _protoMap<E, K: Hashable, V>(_ p: UnsafeMutablePointer<E>?, _ count: Int, _ transform: (E) -> (K, V)) -> [K: V] {
    guard let p, count > 0 else { return [:] }
    var result: [K: V] = [:]
    result.reserveCapacity(count)
    for e in UnsafeBufferPointer(start: p, count: count) {
        let (k, v) = transform(e)
        result[k] = v
    }
    return result
}

/// Heap storage for a message field whose type contains its owner (a value-type cycle).
final class _ProtoBox<T: Hashable & Sendable>: Hashable, Sendable {
    let value: T
    init(_ value: T) { self.value = value }
    static func == (a: _ProtoBox, b: _ProtoBox) -> Bool { a.value == b.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// The serialized FileDescriptorProto number `index` (order of ProtoFileRegistry.files).
func _protoFileDescriptorBytes(_ index: Int) -> [UInt8] {
    var length = 0
    guard let p = cprotos_file_descriptor(index, &length), length > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: length))
}
