/// `core/v1.Service`.
public struct Service: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "Service"
    public static let resource = "services"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// ClusterIP (the default), NodePort, LoadBalancer or ExternalName.
    public var type: String?
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var externalName: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case type, selector, ports, clusterIP, clusterIPs, externalName
    }

    public init(type: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil) {
        self.type = type
        self.selector = selector
        self.ports = ports
    }
}

public struct ServicePort: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String?
    public var `protocol`: String?
    public var port: Int32
    public var targetPort: IntOrString?
    public var nodePort: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, `protocol`, port, targetPort, nodePort
    }

    public init(name: String? = nil, protocol: String? = nil, port: Int32, targetPort: IntOrString? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
    }
}

public struct ServiceStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case loadBalancer, conditions
    }

    public init(loadBalancer: LoadBalancerStatus? = nil) {
        self.loadBalancer = loadBalancer
    }
}

/// The load-balancer addresses of a Service or an Ingress.
public struct LoadBalancerStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var ingress: [LoadBalancerIngress]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case ingress
    }

    public init(ingress: [LoadBalancerIngress]? = nil) {
        self.ingress = ingress
    }
}

public struct LoadBalancerIngress: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var ip: String?
    public var hostname: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case ip, hostname
    }

    public init(ip: String? = nil, hostname: String? = nil) {
        self.ip = ip
        self.hostname = hostname
    }
}

/// `networking.k8s.io/v1.Ingress`.
public struct Ingress: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "networking.k8s.io/v1"
    public static let kind = "Ingress"
    public static let resource = "ingresses"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: IngressSpec?
    public var status: IngressStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: IngressSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct IngressSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var ingressClassName: String?
    public var defaultBackend: IngressBackend?
    public var rules: [IngressRule]?
    public var tls: [IngressTLS]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case ingressClassName, defaultBackend, rules, tls
    }

    public init(ingressClassName: String? = nil, rules: [IngressRule]? = nil, tls: [IngressTLS]? = nil) {
        self.ingressClassName = ingressClassName
        self.rules = rules
        self.tls = tls
    }
}

public struct IngressRule: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var host: String?
    public var http: HTTPIngressRuleValue?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case host, http
    }

    public init(host: String? = nil, http: HTTPIngressRuleValue? = nil) {
        self.host = host
        self.http = http
    }
}

public struct HTTPIngressRuleValue: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var paths: [HTTPIngressPath]
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case paths
    }

    public init(paths: [HTTPIngressPath]) {
        self.paths = paths
    }
}

public struct HTTPIngressPath: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var path: String?
    /// Exact, Prefix or ImplementationSpecific.
    public var pathType: String
    public var backend: IngressBackend
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case path, pathType, backend
    }

    public init(path: String? = nil, pathType: String, backend: IngressBackend) {
        self.path = path
        self.pathType = pathType
        self.backend = backend
    }
}

/// Where an Ingress path sends traffic; a `resource` backend stays in `unknownFields`.
public struct IngressBackend: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var service: IngressServiceBackend?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case service
    }

    public init(service: IngressServiceBackend? = nil) {
        self.service = service
    }
}

public struct IngressServiceBackend: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var port: ServiceBackendPort?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, port
    }

    public init(name: String, port: ServiceBackendPort? = nil) {
        self.name = name
        self.port = port
    }
}

/// A Service port by number or by name (exactly one is set).
public struct ServiceBackendPort: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String?
    public var number: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, number
    }

    public init(name: String? = nil, number: Int32? = nil) {
        self.name = name
        self.number = number
    }
}

public struct IngressTLS: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var hosts: [String]?
    public var secretName: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case hosts, secretName
    }

    public init(hosts: [String]? = nil, secretName: String? = nil) {
        self.hosts = hosts
        self.secretName = secretName
    }
}

public struct IngressStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var loadBalancer: LoadBalancerStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case loadBalancer
    }

    public init(loadBalancer: LoadBalancerStatus? = nil) {
        self.loadBalancer = loadBalancer
    }
}
