import KubeBackend
import Synchronization

/// `/openapi/v3`: the index of group-version documents and each document, built from
/// the official component schemas (`OpenAPIDefinitions`) and the paths of the kinds a
/// catalog serves. kubectl reads them for `explain`, for the patch metadata of
/// client-side apply, and to learn that the server validates fields itself.
final class OpenAPIDocuments: Sendable {
    /// One served document and the hash its index entry carries.
    struct Document: Sendable {
        let bytes: [UInt8]
        let hash: String
    }

    static let prefix = "/openapi/v3"

    private let catalog: ResourceCatalog
    private let cache = Mutex<[String: Document]>([:])

    init(catalog: ResourceCatalog) {
        self.catalog = catalog
    }

    /// Nil when `path` is not under /openapi/v3; 404 for an unknown group version.
    func response(for path: String) throws(APIError) -> APIResponse? {
        guard path == Self.prefix || path.hasPrefix(Self.prefix + "/") else { return nil }
        let relative = String(path.dropFirst(Self.prefix.count).drop { $0 == "/" })
        if relative.isEmpty { return .json(200, index()) }
        guard let document = document(for: relative) else {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return .full(status: 200, headers: [("Content-Type", "application/json"), ("Etag", "\"\(document.hash)\"")], body: document.bytes)
    }

    /// "api/v1", "apis/apps/v1", ... in discovery order.
    var groupVersionPaths: [String] {
        ["api/v1"] + catalog.groupVersions.map { "apis/\($0.group)/\($0.version)" }
    }

    private func index() -> JSONValue {
        var paths = JSONObject()
        for path in groupVersionPaths {
            guard let document = document(for: path) else { continue }
            paths[path] = ["serverRelativeURL": .string("\(Self.prefix)/\(path)?hash=\(document.hash)")]
        }
        return ["paths": .object(paths)]
    }

    private func document(for path: String) -> Document? {
        if let cached = cache.withLock({ $0[path] }) { return cached }
        let segments = path.split(separator: "/").map(String.init)
        let types: [ResourceType]
        switch segments.count {
        case 2 where segments == ["api", "v1"]: types = catalog.types(group: "", version: "v1")
        case 3 where segments[0] == "apis": types = catalog.types(group: segments[1], version: segments[2])
        default: return nil
        }
        guard !types.isEmpty else { return nil }
        let bytes = KubeJSON.serialize(Self.build(types))
        let document = Document(bytes: bytes, hash: Self.hash(bytes))
        cache.withLock { $0[path] = document }
        return document
    }

    private static func build(_ types: [ResourceType]) -> JSONValue {
        var paths = JSONObject()
        var roots = OpenAPIPaths.metaDefinitions
        for type in types {
            for entry in OpenAPIPaths(type: type).pathItems() { paths[entry.key] = entry.value }
            roots.append(OpenAPIPaths.definitionName(type))
            roots.append(OpenAPIPaths.definitionName(type) + "List")
            if OpenAPIPaths.hasScale(type) { roots.append(OpenAPIPaths.scaleDefinition) }
        }
        var schemas = JSONObject()
        for name in OfficialSchemas.closure(of: roots) { schemas[name] = OfficialSchemas.definitions[name] }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string("v" + OpenAPIDefinitions.kubernetesVersion)],
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": ["BearerToken": ["type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"]],
            ],
        ]
    }

    /// FNV-1a, twice with different seeds: a stable 128-bit content hash for cache busting.
    private static func hash(_ bytes: [UInt8]) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var value = seed
            for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return value
        }
        let high = String(fnv(0xcbf2_9ce4_8422_2325), radix: 16, uppercase: true)
        let low = String(fnv(0x84222325_cbf29ce4), radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}

/// The official component schemas, parsed once per process.
enum OfficialSchemas {
    static let definitions: JSONObject = {
        guard let parsed = try? KubeJSON.parse(Array(OpenAPIDefinitions.json.utf8)).objectValue else {
            preconditionFailure("OpenAPIDefinitions.json is not a JSON object: regenerate it with scripts/gen-kubesim-openapi.py")
        }
        return parsed
    }()

    static let referencePrefix = "#/components/schemas/"

    /// `roots` and every definition they reference, transitively, sorted.
    static func closure(of roots: [String]) -> [String] {
        var seen = Set<String>()
        var pending = roots
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let schema = definitions[name] else { continue }
            collectReferences(in: schema, into: &pending)
        }
        return seen.filter { definitions[$0] != nil }.sorted()
    }

    /// The schema of one definition, by name.
    static func schema(named name: String) -> JSONValue? { definitions[name] }

    private static func collectReferences(in value: JSONValue, into names: inout [String]) {
        switch value {
        case .object(let object):
            for entry in object {
                if entry.key == "$ref", let reference = entry.value.stringValue, reference.hasPrefix(referencePrefix) {
                    names.append(String(reference.dropFirst(referencePrefix.count)))
                } else {
                    collectReferences(in: entry.value, into: &names)
                }
            }
        case .array(let items):
            for item in items { collectReferences(in: item, into: &names) }
        default:
            break
        }
    }
}
