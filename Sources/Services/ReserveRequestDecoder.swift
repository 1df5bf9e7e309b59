import Fleet
import Foundation
import Protos

/// Turns a Reserve request into the domain's request, or every field violation in it.
struct ReserveRequestDecoder {
    let catalog: FleetCatalog
    static let maxNodes: Int32 = 1000
    static let maxDuration: TimeInterval = 90 * 24 * 3600

    func decode(_ message: Fleet_V1_ReserveRequest, now: Date = Date()) throws(FleetError) -> ReservationRequest {
        var violations: [FleetError.FieldViolation] = []
        func check(_ field: String, _ problem: String?) {
            if let problem { violations.append(.init(field: field, description: problem)) }
        }
        check("request_id", message.requestId.isEmpty ? "is required" : nil)
        check("request_id", message.requestId.utf8.count > DeployRequestDecoder.maxRequestIDLength ? "must be at most \(DeployRequestDecoder.maxRequestIDLength) characters" : nil)
        check("team", FieldRules.dnsLabel(message.team))
        check("node_count", message.nodeCount < 1 || message.nodeCount > Self.maxNodes ? "must be between 1 and \(Self.maxNodes), is \(message.nodeCount)" : nil)

        var deployDecoder = DeployRequestDecoder(catalog: catalog)
        let perNode = deployDecoder.decodeResources(message.perNode, path: "per_node")
        let constraints = deployDecoder.decodeConstraints(message.constraints ?? Fleet_V1_PlacementConstraints())
        violations += deployDecoder.violations

        var endsAt: Date?
        switch message.until {
        case .endTime(let time)?:
            let date = Date(timeIntervalSince1970: TimeInterval(time.seconds) + TimeInterval(time.nanos) / 1e9)
            if date <= now { check("end_time", "must be in the future") }
            else if date.timeIntervalSince(now) > Self.maxDuration { check("end_time", "must be within 90 days") }
            else { endsAt = date }
        case .duration(let duration)?:
            let seconds = TimeInterval(duration.seconds) + TimeInterval(duration.nanos) / 1e9
            if seconds <= 0 { check("duration", "must be positive") }
            else if seconds > Self.maxDuration { check("duration", "must be at most 90 days") }
            else { endsAt = now.addingTimeInterval(seconds) }
        case nil:
            check("until", "is required: set end_time or duration")
        }

        var quota: QuotaLimits?
        if let limits = message.quota {
            check("quota.cpu_millis", limits.cpuMillis < 0 ? "must not be negative" : nil)
            check("quota.memory_bytes", limits.memoryBytes < 0 ? "must not be negative" : nil)
            for (name, count) in limits.accelerators {
                check("quota.accelerators", FieldRules.labelKey(name).map { "\(name): \($0)" })
                check("quota.accelerators", count < 0 ? "\(name) must not be negative" : nil)
            }
            quota = QuotaLimits(cpuMillis: limits.cpuMillis, memoryBytes: limits.memoryBytes, accelerators: limits.accelerators)
        }
        guard violations.isEmpty, let perNode, let endsAt else { throw .invalidArgument(violations) }
        return ReservationRequest(requestID: message.requestId, team: message.team, nodeCount: Int(message.nodeCount),
                                  perNode: perNode, constraints: constraints, endsAt: endsAt, quota: quota)
    }
}
