import Foundation
import Protos
import Yams

/// A deploy request as a YAML file (`fleetctl deploy -f spec.yaml`). Quantities read like the
/// flags': `cpu: 500m`, `memory: 4Gi`, `gpu: nvidia-tesla-a100=2`.
///
/// ```yaml
/// name: llm
/// team: ml-research
/// kind: serving            # serving | batch | scheduled
/// image: ghcr.io/acme/llm:1.4
/// replicas: 2
/// resources: {cpu: "2", memory: 16Gi, gpu: nvidia-tesla-a100=1}
/// priority: high           # high | medium | low
/// constraints: {clouds: [gke, onprem], regions: [], clusters: [], nodeLabels: {pool: gpu}}
/// env: {MODEL: llama}
/// port: 8080
/// ```
struct DeploySpec: Decodable {
    struct Resources: Decodable {
        var cpu: String?
        var memory: String?
        var gpu: String?
    }

    struct Constraints: Decodable {
        var clouds: [String]?
        var regions: [String]?
        var clusters: [String]?
        var nodeLabels: [String: String]?
    }

    var requestId: String?
    var name: String?
    var team: String?
    var kind: String?
    var image: String?
    var command: [String]?
    var args: [String]?
    var env: [String: String]?
    var replicas: Int32?
    var resources: Resources?
    var priority: String?
    var constraints: Constraints?
    var reservation: String?
    var schedule: String?
    var port: Int32?

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func load(path: String) throws(Invalid) -> DeploySpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Invalid(description: "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    static func parse(_ yaml: String, source: String) throws(Invalid) -> DeploySpec {
        do {
            return try YAMLDecoder().decode(DeploySpec.self, from: yaml)
        } catch let error as DecodingError {
            throw Invalid(description: "\(source): \(Self.describe(error))")
        } catch {
            throw Invalid(description: "\(source): \(error)")
        }
    }

    /// The request the spec describes.
    func request() throws(Invalid) -> Fleet_V1_DeployRequest {
        var request = Fleet_V1_DeployRequest()
        request.requestId = requestId ?? ""
        request.name = name ?? ""
        request.team = team ?? ""
        if let kind { request.kind = try Self.kind(kind) }
        request.image = image ?? ""
        request.command = command ?? []
        request.args = args ?? []
        request.env = env ?? [:]
        request.replicas = replicas ?? 0
        if let r = resources {
            var resources = Fleet_V1_Resources()
            do {
                if let cpu = r.cpu { resources.cpuMillis = try Quantities.cpuMillis(cpu) }
                if let memory = r.memory { resources.memoryBytes = try Quantities.bytes(memory) }
                if let gpu = r.gpu { (resources.acceleratorType, resources.acceleratorCount) = try Quantities.accelerator(gpu) }
            } catch {
                throw Invalid(description: "resources: \(error.description)")
            }
            request.resources = resources
        }
        if let priority { request.priority = try Self.priority(priority) }
        if let c = constraints {
            var constraints = Fleet_V1_PlacementConstraints()
            for cloud in c.clouds ?? [] {
                do { constraints.clouds.append(try Fleet_V1_Cloud.parse(cloud)) } catch { throw Invalid(description: "constraints.clouds: \(error.message)") }
            }
            constraints.regions = c.regions ?? []
            constraints.clusters = c.clusters ?? []
            constraints.nodeLabels = c.nodeLabels ?? [:]
            request.constraints = constraints
        }
        request.reservationId = reservation ?? ""
        request.schedule = schedule ?? ""
        request.port = port ?? 0
        return request
    }

    static func kind(_ text: String) throws(Invalid) -> Fleet_V1_WorkloadKind {
        switch text.lowercased() {
        case "serving": .serving
        case "batch": .batch
        case "scheduled", "cron", "cronjob": .scheduled
        default: throw Invalid(description: "unknown kind \"\(text)\" (serving, batch or scheduled)")
        }
    }

    static func priority(_ text: String) throws(Invalid) -> Fleet_V1_Priority {
        switch text.lowercased() {
        case "high": .high
        case "medium": .medium
        case "low": .low
        default: throw Invalid(description: "unknown priority \"\(text)\" (high, medium or low)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "" : "\(path): "
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return path(context) + context.debugDescription
        case .keyNotFound(let key, let context):
            return path(context) + "missing \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}
