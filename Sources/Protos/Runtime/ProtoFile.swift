/// One .proto file compiled into this module, as server reflection needs it.
public struct ProtoFile: Sendable, Hashable {
    /// The name the file is imported by, e.g. `grpc/testing/test.proto`.
    public let name: String
    /// The names of the files it imports, in import order.
    public let dependencies: [String]
    /// Every fully-qualified name it declares, sorted: its package, messages (nested
    /// too, map entries included), enums, services, methods (`pkg.Service.Method`)
    /// and extensions.
    public let symbols: [String]
    /// The fully-qualified names of its services, sorted.
    public let services: [String]
    /// The serialized `google.protobuf.FileDescriptorProto` (without source info).
    public let serializedDescriptor: [UInt8]
}

extension ProtoFileRegistry {
    private static let byName: [String: ProtoFile] =
        Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    private static let bySymbol: [String: ProtoFile] = {
        var map: [String: ProtoFile] = [:]
        for file in files {
            for symbol in file.symbols where map[symbol] == nil { map[symbol] = file }
        }
        return map
    }()

    /// The file imported as `name`, e.g. `grpc/health/v1/health.proto`.
    public static func file(named name: String) -> ProtoFile? {
        byName[name]
    }

    /// The file declaring `symbol` (a message, enum, service, `Service.Method`,
    /// extension or package; no leading dot). For a package the first file wins.
    public static func file(containingSymbol symbol: String) -> ProtoFile? {
        let trimmed = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        return bySymbol[trimmed]
    }

    /// `file` followed by everything it imports, transitively, each file once
    /// (what a reflection FileDescriptorResponse carries).
    public static func withDependencies(_ file: ProtoFile) -> [ProtoFile] {
        var result: [ProtoFile] = []
        var seen: Set<String> = []
        var queue = [file]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            guard seen.insert(next.name).inserted else { continue }
            result.append(next)
            queue.append(contentsOf: next.dependencies.compactMap { byName[$0] })
        }
        return result
    }

    /// Every service of every file, sorted.
    public static var serviceNames: [String] {
        files.flatMap(\.services).sorted()
    }
}
