/// Where a kind lives in the REST API: `/api/v1/...` for the core group,
/// `/apis/<group>/<version>/...` otherwise, under `namespaces/<ns>/` when namespaced.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public var group: String
    public var version: String
    /// The lower-case plural of REST paths, e.g. "deployments".
    public var plural: String
    public var kind: String
    public var isNamespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, isNamespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.isNamespaced = isNamespaced
    }

    public init<Object: KubernetesObject>(_ type: Object.Type) {
        self.init(group: Object.group, version: Object.version, plural: Object.resource, kind: Object.kind, isNamespaced: Object.isNamespaced)
    }

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// "deployments.apps", "pods": how the apiserver names a resource in messages.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection's path; a nil namespace means across all namespaces (or a cluster-scoped kind).
    public func collectionPath(namespace: String?) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if isNamespaced, let namespace {
            path += "/namespaces/" + PathSegment.escape(namespace)
        }
        return path + "/" + plural
    }

    public func objectPath(namespace: String?, name: String) -> String {
        collectionPath(namespace: namespace) + "/" + PathSegment.escape(name)
    }
}

extension ResourceDescriptor {
    public static let namespaces = ResourceDescriptor(Namespace.self)
    public static let nodes = ResourceDescriptor(Node.self)
    public static let pods = ResourceDescriptor(Pod.self)
    public static let services = ResourceDescriptor(Service.self)
    public static let configMaps = ResourceDescriptor(ConfigMap.self)
    public static let resourceQuotas = ResourceDescriptor(ResourceQuota.self)
    public static let deployments = ResourceDescriptor(Deployment.self)
    public static let jobs = ResourceDescriptor(Job.self)
    public static let cronJobs = ResourceDescriptor(CronJob.self)
    public static let ingresses = ResourceDescriptor(Ingress.self)
    public static let priorityClasses = ResourceDescriptor(PriorityClass.self)
    public static let leases = ResourceDescriptor(Lease.self)

    /// Every kind KubeBackend has a model for.
    public static let all: [ResourceDescriptor] = [
        namespaces, nodes, pods, services, configMaps, resourceQuotas, deployments, jobs, cronJobs, ingresses,
        priorityClasses, leases,
    ]
}

/// Percent-encoding for path segments and query values: everything but RFC 3986's
/// unreserved characters. '+' in particular must be escaped, since Go's query parser
/// reads a bare '+' as a space.
enum PathSegment {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0f)])
            }
        }
        return result
    }

    /// `a=1&b=x%3Dy`, in the order given.
    static func query(_ items: [(String, String)]) -> String {
        items.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}
