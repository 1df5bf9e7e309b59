import ArgumentParser
import Protos

extension Fleet_V1_Cloud {
    static func parse(_ text: String) throws(ValidationError) -> Self {
        switch text.lowercased() {
        case "gke", "gcp": return .gke
        case "aks", "azure": return .aks
        case "eks", "aws": return .eks
        case "onprem", "on-prem": return .onprem
        default: throw ValidationError("unknown cloud \"\(text)\" (gke, aks, eks or onprem)")
        }
    }
}

/// `KEY=VALUE` pairs, as --env and --node-label take them.
func parsePairs(_ pairs: [String], flag: String) throws(ValidationError) -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("\(flag) \"\(pair)\" is not KEY=VALUE")
        }
        result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return result
}

/// A request ID for commands that need one and were given none: unique enough for idempotency.
func generatedRequestID() -> String {
    var generator = SystemRandomNumberGenerator()
    let value = generator.next() as UInt64
    let hex = String(value, radix: 16)
    return "fleetctl-" + String(repeating: "0", count: 16 - hex.count) + hex
}

/// Per-replica or per-node resources.
struct ResourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CPU, e.g. 500m or 2.", valueName: "quantity"))
    var cpu: String?

    @Option(help: ArgumentHelp("Memory, e.g. 4Gi or 512Mi.", valueName: "quantity"))
    var memory: String?

    @Option(help: ArgumentHelp("Accelerators, TYPE=COUNT, e.g. nvidia-tesla-a100=2.", valueName: "type=count"))
    var gpu: String?

    /// Applies the flags given over `base`.
    func resources(over base: Fleet_V1_Resources?) throws(ValidationError) -> Fleet_V1_Resources? {
        guard cpu != nil || memory != nil || gpu != nil else { return base }
        var resources = base ?? Fleet_V1_Resources()
        do {
            if let cpu { resources.cpuMillis = try Quantities.cpuMillis(cpu) }
            if let memory { resources.memoryBytes = try Quantities.bytes(memory) }
            if let gpu { (resources.acceleratorType, resources.acceleratorCount) = try Quantities.accelerator(gpu) }
        } catch {
            throw ValidationError(error.description)
        }
        return resources
    }
}

/// Where a workload or reservation may go.
struct PlacementOptions: ParsableArguments {
    @Option(name: .customLong("cloud"), help: ArgumentHelp("Allowed cloud (repeatable): gke, aks, eks, onprem.", valueName: "cloud"))
    var clouds: [String] = []

    @Option(name: .customLong("region"), help: ArgumentHelp("Allowed region (repeatable).", valueName: "region"))
    var regions: [String] = []

    @Option(name: .customLong("cluster"), help: ArgumentHelp("Allowed cluster (repeatable).", valueName: "name"))
    var clusters: [String] = []

    @Option(name: .customLong("node-label"), help: ArgumentHelp("Required node label, KEY=VALUE (repeatable).", valueName: "key=value"))
    var nodeLabels: [String] = []

    func constraints(over base: Fleet_V1_PlacementConstraints?) throws(ValidationError) -> Fleet_V1_PlacementConstraints? {
        guard !clouds.isEmpty || !regions.isEmpty || !clusters.isEmpty || !nodeLabels.isEmpty else { return base }
        var constraints = base ?? Fleet_V1_PlacementConstraints()
        if !clouds.isEmpty {
            var parsed: [Fleet_V1_Cloud] = []
            for cloud in clouds { parsed.append(try Fleet_V1_Cloud.parse(cloud)) }
            constraints.clouds = parsed
        }
        if !regions.isEmpty { constraints.regions = regions }
        if !clusters.isEmpty { constraints.clusters = clusters }
        if !nodeLabels.isEmpty { constraints.nodeLabels = try parsePairs(nodeLabels, flag: "--node-label") }
        return constraints
    }
}

/// Which clusters' capacity to show.
struct CapacityFilterOptions: ParsableArguments {
    @Option(name: .customLong("cloud"), help: ArgumentHelp("Only this cloud (repeatable).", valueName: "cloud"))
    var clouds: [String] = []

    @Option(name: .customLong("region"), help: ArgumentHelp("Only this region (repeatable).", valueName: "region"))
    var regions: [String] = []

    @Option(name: .customLong("cluster"), help: ArgumentHelp("Only this cluster (repeatable).", valueName: "name"))
    var clusters: [String] = []

    @Option(name: .customLong("accelerator"), help: ArgumentHelp("Only clusters with this accelerator type (repeatable).", valueName: "type"))
    var acceleratorTypes: [String] = []

    func filter() throws(ValidationError) -> Fleet_V1_CapacityFilter {
        var filter = Fleet_V1_CapacityFilter()
        for cloud in clouds { filter.clouds.append(try Fleet_V1_Cloud.parse(cloud)) }
        filter.regions = regions
        filter.clusters = clusters
        filter.acceleratorTypes = acceleratorTypes
        return filter
    }
}

/// Prints `value` as the chosen output format.
func emit(_ output: OutputFormat, table: () -> String, json: () -> JSONValue) {
    switch output {
    case .table: print(table())
    case .json: print(json().render())
    }
}
