import KubeBackend

/// Named resource amounts in milli-units ("cpu" 1500 = 1.5 cores), as the scheduler
/// and quota admission add and compare them.
struct ResourceAmounts: Sendable, Hashable {
    private(set) var milli: [String: Int64] = [:]

    init() {}

    /// From a `{name: quantity}` object such as status.allocatable; unparsable entries are skipped.
    init(_ object: JSONValue?) {
        for entry in object?.objectValue ?? [:] {
            if let amount = Self.milliValue(entry.value) { milli[entry.key] = amount }
        }
    }

    subscript(resource: String) -> Int64 {
        get { milli[resource] ?? 0 }
        set { milli[resource] = newValue }
    }

    var resources: [String] { milli.keys.sorted() }

    static func + (lhs: ResourceAmounts, rhs: ResourceAmounts) -> ResourceAmounts {
        var result = lhs
        for (resource, amount) in rhs.milli { result[resource] += amount }
        return result
    }

    static func - (lhs: ResourceAmounts, rhs: ResourceAmounts) -> ResourceAmounts {
        var result = lhs
        for (resource, amount) in rhs.milli { result[resource] -= amount }
        return result
    }

    static func += (lhs: inout ResourceAmounts, rhs: ResourceAmounts) { lhs = lhs + rhs }
    static func -= (lhs: inout ResourceAmounts, rhs: ResourceAmounts) { lhs = lhs - rhs }

    /// The canonical quantity text of an amount, in the format (binary or decimal
    /// suffixes) of `reference`, as the apiserver keeps the format of a sum's first operand.
    static func format(milli amount: Int64, like reference: JSONValue? = nil) -> String {
        let format = reference?.stringValue.flatMap { try? Quantity(parsing: $0) }?.format ?? .decimalSI
        return Quantity(milliValue: amount, format: format).description
    }

    static func milliValue(_ value: JSONValue?) -> Int64? {
        let text: String
        switch value {
        case .string(let string)?: text = string
        case .number(let number)?: text = number.text
        default: return nil
        }
        return (try? Quantity(parsing: text))?.milliValue
    }
}

/// What a pod asks of a node and of a quota, computed as Kubernetes does: the sum over
/// containers, at least the largest init container; a request missing where a limit is
/// set defaults to the limit.
struct PodResources {
    let requests: ResourceAmounts
    let limits: ResourceAmounts
    private let containers: [JSONValue]

    init(_ pod: JSONValue) {
        let spec = pod["spec"]
        let containers = spec?["containers"]?.arrayValue ?? []
        let initContainers = spec?["initContainers"]?.arrayValue ?? []
        var requests = ResourceAmounts(), limits = ResourceAmounts()
        for container in containers {
            requests += Self.requests(of: container)
            limits += ResourceAmounts(container["resources"]?["limits"])
        }
        for container in initContainers {
            let initRequests = Self.requests(of: container)
            for resource in initRequests.resources where initRequests[resource] > requests[resource] {
                requests[resource] = initRequests[resource]
            }
            let initLimits = ResourceAmounts(container["resources"]?["limits"])
            for resource in initLimits.resources where initLimits[resource] > limits[resource] {
                limits[resource] = initLimits[resource]
            }
        }
        if let overhead = spec?["overhead"] { requests += ResourceAmounts(overhead) }
        self.requests = requests
        self.limits = limits
        self.containers = containers
    }

    /// The containers that set `resource` neither as a request nor, for requests, as a limit.
    func containersNotSetting(_ resource: String, limitsOnly: Bool) -> [String] {
        containers.compactMap { container in
            let resources = container["resources"]
            let named = resources?["limits"]?[resource] != nil || (!limitsOnly && resources?["requests"]?[resource] != nil)
            return named ? nil : container["name"]?.stringValue ?? ""
        }
    }

    private static func requests(of container: JSONValue) -> ResourceAmounts {
        let resources = container["resources"]
        var result = ResourceAmounts(resources?["limits"])
        for entry in resources?["requests"]?.objectValue ?? [:] {
            if let amount = ResourceAmounts.milliValue(entry.value) { result[entry.key] = amount }
        }
        return result
    }
}

/// Reading pod state from untyped JSON.
extension JSONValue {
    var podPhase: String { self["status"]?["phase"]?.stringValue ?? "Pending" }
    var isTerminalPod: Bool { podPhase == "Succeeded" || podPhase == "Failed" }
    var nodeName: String? {
        guard let name = self["spec"]?["nodeName"]?.stringValue, !name.isEmpty else { return nil }
        return name
    }

    func conditionStatus(_ type: String) -> String? {
        (self["status"]?["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }

    var isReadyPod: Bool { podPhase == "Running" && conditionStatus("Ready") == "True" }
}
