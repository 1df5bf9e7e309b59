/// One REST resource the simulated API server serves: where it lives in the URL
/// space and what discovery says about it.
public struct ResourceType: Sendable, Hashable {
    /// "" for the core group.
    public let group: String
    public let version: String
    /// Lower-case plural used in paths, e.g. "deployments".
    public let resource: String
    public let singular: String
    public let kind: String
    public let namespaced: Bool
    public let shortNames: [String]
    /// Whether it has a `/status` subresource whose writes touch only `.status`.
    public let hasStatusSubresource: Bool
    /// Names are DNS-1035 labels (Services), DNS-1123 labels (Namespaces) or
    /// DNS-1123 subdomains (everything else).
    public let nameRule: NameRule
    /// Field labels accepted in fieldSelector besides metadata.name and metadata.namespace.
    public let extraFieldLabels: [String]
    /// Whether metadata.generation is set and bumped on spec changes.
    public let tracksGeneration: Bool
    /// Whether it has an autoscaling/v1 `/scale` subresource over `.spec.replicas`.
    public let hasScaleSubresource: Bool

    public enum NameRule: Sendable, Hashable {
        case dns1123Subdomain, dns1123Label, dns1035Label
    }

    public init(
        group: String, version: String, resource: String, singular: String, kind: String, namespaced: Bool,
        shortNames: [String] = [], hasStatusSubresource: Bool = true, nameRule: NameRule = .dns1123Subdomain,
        extraFieldLabels: [String] = [], tracksGeneration: Bool = false,
        hasScaleSubresource: Bool = false
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.hasStatusSubresource = hasStatusSubresource
        self.nameRule = nameRule
        self.extraFieldLabels = extraFieldLabels
        self.tracksGeneration = tracksGeneration
        self.hasScaleSubresource = hasScaleSubresource
    }

    /// "v1" or "apps/v1".
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// How the apiserver names the resource in messages: "pods", "deployments.apps".
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }

    public var key: ResourceKey { ResourceKey(group: group, version: version, resource: resource) }

    public static let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
}

/// group/version/resource: the first level of the store's keys.
public struct ResourceKey: Sendable, Hashable, CustomStringConvertible {
    public let group: String
    public let version: String
    public let resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    public var description: String { group.isEmpty ? "\(version)/\(resource)" : "\(group)/\(version)/\(resource)" }
}
