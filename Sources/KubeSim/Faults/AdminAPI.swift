import Foundation
import KubeBackend

/// The simulator's own endpoints under /kubesim/, behind the same bearer token as the
/// Kubernetes API and never subject to injected faults:
///
/// - `GET /kubesim/faults`: the active rules; `POST` adds one (a FaultRule as JSON);
///   `DELETE` removes all, `DELETE /kubesim/faults/{id}` one.
/// - `POST /kubesim/watches/drop` and `/kubesim/watches/expire`: interrupt every open watch.
/// - `GET /kubesim/clock`; `POST /kubesim/clock/advance` with `{"seconds": N}` moves the
///   simulated clock (CronJobs, Job run times).
struct AdminAPI {
    static let prefix = "/kubesim/"

    let faults: FaultInjector
    let clock: SimulationClock?

    func handle(_ request: APIRequest) throws(APIError) -> APIResponse {
        let segments = request.path.split(separator: "/").dropFirst().map(String.init)
        switch (request.method, segments) {
        case ("GET", ["faults"]):
            return .json(200, ["kind": "FaultRuleList", "items": .array(faults.rules.map(encode))])
        case ("POST", ["faults"]):
            let rule: FaultRule
            do {
                rule = try JSONDecoder().decode(FaultRule.self, from: Data(request.body))
            } catch {
                throw APIError.badRequest("invalid fault rule: \(error)")
            }
            guard (0...1).contains(rule.probability) else { throw APIError.badRequest("invalid fault rule: probability must be within 0...1") }
            return .json(201, encode(faults.add(rule)))
        case ("DELETE", ["faults"]):
            let count = faults.rules.count
            faults.removeAll()
            return .json(200, ["removed": .number(JSONNumber(count))])
        case ("DELETE", let path) where path.count == 2 && path[0] == "faults":
            guard let id = Int(path[1]), faults.remove(id: id) else {
                throw APIError(code: 404, reason: "NotFound", message: "fault rule \"\(path[1])\" not found")
            }
            return .json(200, ["removed": 1])
        case ("POST", ["watches", "drop"]):
            return .json(200, ["interrupted": .number(JSONNumber(faults.interruptWatches(.drop)))])
        case ("POST", ["watches", "expire"]):
            return .json(200, ["interrupted": .number(JSONNumber(faults.interruptWatches(.expire)))])
        case ("GET", ["clock"]):
            let clock = try requireClock()
            return .json(200, clockState(clock))
        case ("POST", ["clock", "advance"]):
            let clock = try requireClock()
            guard let body = try? KubeJSON.parse(request.body), let seconds = body["seconds"]?.numberValue?.doubleValue, seconds >= 0 else {
                throw APIError.badRequest("expected {\"seconds\": N} with N >= 0")
            }
            clock.advance(by: seconds)
            return .json(200, clockState(clock))
        default:
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    private func requireClock() throws(APIError) -> SimulationClock {
        guard let clock else { throw APIError(code: 404, reason: "NotFound", message: "this server simulates no cluster: start it with a profile") }
        return clock
    }

    private func clockState(_ clock: SimulationClock) -> JSONValue {
        ["now": .string(Timestamp(clock.now()).rawValue), "manual": .bool(clock.isManual)]
    }

    private func encode(_ rule: FaultRule) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(rule), let value = try? KubeJSON.parse(Array(data)) else { return .null }
        return value
    }
}
