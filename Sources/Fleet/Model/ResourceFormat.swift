/// Human-readable resource amounts for messages, in Kubernetes quantity notation.
public enum ResourceFormat {
    public static func cpu(_ millis: Int64) -> String {
        millis % 1000 == 0 ? "\(millis / 1000)" : "\(millis)m"
    }

    public static func memory(_ bytes: Int64) -> String {
        let units: [(String, Int64)] = [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        for (suffix, size) in units where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(suffix)"
        }
        return "\(bytes)"
    }

    public static func describe(_ request: ReplicaRequest) -> String {
        var parts = ["cpu \(cpu(request.cpuMillis))", "memory \(memory(request.memoryBytes))"]
        if let type = request.acceleratorType { parts.append("\(request.acceleratorCount) \(type)") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    public static func describe(_ amount: ResourceVector, acceleratorType: String?) -> String {
        var parts = ["cpu \(cpu(amount.cpuMillis))", "memory \(memory(amount.memoryBytes))"]
        if let acceleratorType { parts.append("\(amount.accelerators) \(acceleratorType)") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
