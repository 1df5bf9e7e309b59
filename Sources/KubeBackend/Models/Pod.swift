/// `core/v1.Pod`.
public struct Pod: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "v1"
    public static let kind = "Pod"
    public static let resource = "pods"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct PodSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var nodeName: String?
    public var nodeSelector: [String: String]?
    public var tolerations: [Toleration]?
    /// Kept opaque; fleetd places with nodeSelector and tolerations.
    public var affinity: JSONValue?
    public var priorityClassName: String?
    public var priority: Int32?
    public var restartPolicy: String?
    public var serviceAccountName: String?
    public var schedulerName: String?
    public var terminationGracePeriodSeconds: Int64?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case containers, initContainers, nodeName, nodeSelector, tolerations, affinity, priorityClassName
        case priority, restartPolicy, serviceAccountName, schedulerName, terminationGracePeriodSeconds
    }

    public init(
        containers: [Container], nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil,
        priorityClassName: String? = nil, restartPolicy: String? = nil
    ) {
        self.containers = containers
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.priorityClassName = priorityClassName
        self.restartPolicy = restartPolicy
    }
}

public struct Container: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    public var ports: [ContainerPort]?
    public var resources: ResourceRequirements?
    public var imagePullPolicy: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, image, command, args, env, ports, resources, imagePullPolicy
    }

    public init(
        name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil,
        env: [EnvVar]? = nil, ports: [ContainerPort]? = nil, resources: ResourceRequirements? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.ports = ports
        self.resources = resources
    }
}

/// An environment variable; `valueFrom` stays in `unknownFields`.
public struct EnvVar: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var value: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, value
    }

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

public struct ContainerPort: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String?
    public var containerPort: Int32
    public var `protocol`: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, containerPort, `protocol`
    }

    public init(name: String? = nil, containerPort: Int32, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

/// Requests and limits, e.g. `["cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "1"]`.
public struct ResourceRequirements: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var requests: [String: Quantity]?
    public var limits: [String: Quantity]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case requests, limits
    }

    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// `core/v1.Toleration`.
public struct Toleration: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var key: String?
    /// "Exists" or "Equal" (the default).
    public var `operator`: String?
    public var value: String?
    /// "NoSchedule", "PreferNoSchedule" or "NoExecute"; nil matches all effects.
    public var effect: String?
    public var tolerationSeconds: Int64?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case key, `operator`, value, effect, tolerationSeconds
    }

    public init(key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil, tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

public struct PodStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// Pending, Running, Succeeded, Failed or Unknown.
    public var phase: String?
    public var conditions: [Condition]?
    public var reason: String?
    public var message: String?
    public var hostIP: String?
    public var podIP: String?
    public var nominatedNodeName: String?
    public var qosClass: String?
    public var startTime: Timestamp?
    public var containerStatuses: [ContainerStatus]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case phase, conditions, reason, message, hostIP, podIP, nominatedNodeName, qosClass, startTime
        case containerStatuses
    }

    public init(phase: String? = nil, conditions: [Condition]? = nil) {
        self.phase = phase
        self.conditions = conditions
    }
}

/// A container's status; its `state` and `lastState` stay in `unknownFields`.
public struct ContainerStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var ready: Bool
    public var restartCount: Int32
    public var started: Bool?
    public var image: String?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case name, ready, restartCount, started, image
    }

    public init(name: String, ready: Bool, restartCount: Int32) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
    }
}

/// `core/v1.PodTemplateSpec`.
public struct PodTemplateSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case metadata, spec
    }

    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

// MARK: Reading without Decoder (see JSONObjectDecodable); every coding key, as Decodable reads it.

extension Pod: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let apiVersion: String? = try fields.stringIfPresent(.apiVersion)
        let kind: String? = try fields.stringIfPresent(.kind)
        let metadata: ObjectMeta = try fields.object(.metadata, as: ObjectMeta.self)
        let spec: PodSpec? = try fields.objectIfPresent(.spec, as: PodSpec.self)
        let status: PodStatus? = try fields.objectIfPresent(.status, as: PodStatus.self)
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension PodSpec: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let containers: [Container] = try fields.objects(.containers)
        let initContainers: [Container]? = try fields.objectsIfPresent(.initContainers)
        let nodeName: String? = try fields.stringIfPresent(.nodeName)
        let nodeSelector: [String: String]? = try fields.stringMapIfPresent(.nodeSelector)
        let tolerations: [Toleration]? = try fields.objectsIfPresent(.tolerations)
        let affinity: JSONValue? = fields.jsonIfPresent(.affinity)
        let priorityClassName: String? = try fields.stringIfPresent(.priorityClassName)
        let priority: Int32? = try fields.integerIfPresent(.priority)
        let restartPolicy: String? = try fields.stringIfPresent(.restartPolicy)
        let serviceAccountName: String? = try fields.stringIfPresent(.serviceAccountName)
        let schedulerName: String? = try fields.stringIfPresent(.schedulerName)
        let terminationGracePeriodSeconds: Int64? = try fields.integerIfPresent(.terminationGracePeriodSeconds)
        self.containers = containers
        self.initContainers = initContainers
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.affinity = affinity
        self.priorityClassName = priorityClassName
        self.priority = priority
        self.restartPolicy = restartPolicy
        self.serviceAccountName = serviceAccountName
        self.schedulerName = schedulerName
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }
}

extension Container: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let name: String = try fields.string(.name)
        let image: String? = try fields.stringIfPresent(.image)
        let command: [String]? = try fields.stringsIfPresent(.command)
        let args: [String]? = try fields.stringsIfPresent(.args)
        let env: [EnvVar]? = try fields.objectsIfPresent(.env)
        let ports: [ContainerPort]? = try fields.objectsIfPresent(.ports)
        let resources: ResourceRequirements? = try fields.objectIfPresent(.resources)
        let imagePullPolicy: String? = try fields.stringIfPresent(.imagePullPolicy)
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.ports = ports
        self.resources = resources
        self.imagePullPolicy = imagePullPolicy
    }
}

extension EnvVar: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let name: String = try fields.string(.name)
        let value: String? = try fields.stringIfPresent(.value)
        self.name = name
        self.value = value
    }
}

extension ContainerPort: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let name: String? = try fields.stringIfPresent(.name)
        let containerPort: Int32 = try fields.integer(.containerPort)
        let `protocol`: String? = try fields.stringIfPresent(.protocol)
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

extension ResourceRequirements: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let requests: [String: Quantity]? = try fields.quantitiesIfPresent(.requests)
        let limits: [String: Quantity]? = try fields.quantitiesIfPresent(.limits)
        self.requests = requests
        self.limits = limits
    }
}

extension Toleration: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let key: String? = try fields.stringIfPresent(.key)
        let `operator`: String? = try fields.stringIfPresent(.operator)
        let value: String? = try fields.stringIfPresent(.value)
        let effect: String? = try fields.stringIfPresent(.effect)
        let tolerationSeconds: Int64? = try fields.integerIfPresent(.tolerationSeconds)
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

extension PodStatus: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let phase: String? = try fields.stringIfPresent(.phase)
        let conditions: [Condition]? = try fields.objectsIfPresent(.conditions)
        let reason: String? = try fields.stringIfPresent(.reason)
        let message: String? = try fields.stringIfPresent(.message)
        let hostIP: String? = try fields.stringIfPresent(.hostIP)
        let podIP: String? = try fields.stringIfPresent(.podIP)
        let nominatedNodeName: String? = try fields.stringIfPresent(.nominatedNodeName)
        let qosClass: String? = try fields.stringIfPresent(.qosClass)
        let startTime: Timestamp? = try fields.timestampIfPresent(.startTime)
        let containerStatuses: [ContainerStatus]? = try fields.objectsIfPresent(.containerStatuses)
        self.phase = phase
        self.conditions = conditions
        self.reason = reason
        self.message = message
        self.hostIP = hostIP
        self.podIP = podIP
        self.nominatedNodeName = nominatedNodeName
        self.qosClass = qosClass
        self.startTime = startTime
        self.containerStatuses = containerStatuses
    }
}

extension ContainerStatus: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let name: String = try fields.string(.name)
        let ready: Bool = try fields.bool(.ready)
        let restartCount: Int32 = try fields.integer(.restartCount)
        let started: Bool? = try fields.boolIfPresent(.started)
        let image: String? = try fields.stringIfPresent(.image)
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.started = started
        self.image = image
    }
}

extension PodTemplateSpec: JSONObjectDecodable {
    init(reading fields: inout JSONObjectReader<CodingKeys>) throws {
        let metadata: ObjectMeta? = try fields.objectIfPresent(.metadata)
        let spec: PodSpec? = try fields.objectIfPresent(.spec)
        self.metadata = metadata
        self.spec = spec
    }
}

// MARK: Writing without Encoder (see JSONObjectEncodable); every coding key, in order.

extension PodTemplateSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        try fields.object(.metadata, metadata)
        try fields.object(.spec, spec)
    }
}

extension PodSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        try fields.objects(.containers, containers)
        try fields.objects(.initContainers, initContainers)
        fields.string(.nodeName, nodeName)
        fields.stringMap(.nodeSelector, nodeSelector)
        try fields.objects(.tolerations, tolerations)
        fields.json(.affinity, affinity)
        fields.string(.priorityClassName, priorityClassName)
        fields.integer(.priority, priority)
        fields.string(.restartPolicy, restartPolicy)
        fields.string(.serviceAccountName, serviceAccountName)
        fields.string(.schedulerName, schedulerName)
        fields.integer(.terminationGracePeriodSeconds, terminationGracePeriodSeconds)
    }
}

extension Container: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.name, name)
        fields.string(.image, image)
        fields.strings(.command, command)
        fields.strings(.args, args)
        try fields.objects(.env, env)
        try fields.objects(.ports, ports)
        try fields.object(.resources, resources)
        fields.string(.imagePullPolicy, imagePullPolicy)
    }
}

extension EnvVar: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.name, name)
        fields.string(.value, value)
    }
}

extension ContainerPort: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.name, name)
        fields.integer(.containerPort, containerPort)
        fields.string(.protocol, `protocol`)
    }
}

extension ResourceRequirements: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.quantities(.requests, requests)
        fields.quantities(.limits, limits)
    }
}

extension Toleration: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.key, key)
        fields.string(.operator, `operator`)
        fields.string(.value, value)
        fields.string(.effect, effect)
        fields.integer(.tolerationSeconds, tolerationSeconds)
    }
}
