/// One fault the simulated API server injects into matching requests. Read from a
/// profile's `faults:` list, from JSON posted to `/kubesim/faults`, or built in Swift.
///
/// Matching: every non-empty list must contain the request's value. Verbs are the
/// apiserver's (get, list, watch, create, update, patch, delete, deletecollection);
/// resources are plural names ("pods", "deployments").
public struct FaultRule: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        /// Delay the answer by `latencyMilliseconds`, then serve it.
        case latency
        /// Answer with `status` (default 500) and a Status body.
        case error
        /// Answer 429 with Retry-After `retryAfterSeconds` (default 1).
        case throttle
        /// Start the watch, then close the connection after `afterSeconds` (default 0).
        case dropWatch
        /// Answer a watch with an ERROR event carrying 410 Expired.
        case expireWatch
        /// Close the connection without answering, as an unreachable cluster would.
        case disconnect
    }

    /// Assigned when the rule is added.
    public var id: Int?
    public var action: Action
    public var verbs: [String]
    public var resources: [String]
    public var namespaces: [String]
    /// The chance, 0...1, that a matching request is hit.
    public var probability: Double
    /// How many more requests to hit; nil for no limit. The rule goes away at zero.
    public var count: Int?
    public var latencyMilliseconds: Int?
    public var status: Int?
    public var message: String?
    public var retryAfterSeconds: Int?
    public var afterSeconds: Double?

    public init(
        action: Action, verbs: [String] = [], resources: [String] = [], namespaces: [String] = [],
        probability: Double = 1, count: Int? = nil, latencyMilliseconds: Int? = nil, status: Int? = nil,
        message: String? = nil, retryAfterSeconds: Int? = nil, afterSeconds: Double? = nil
    ) {
        self.action = action
        self.verbs = verbs
        self.resources = resources
        self.namespaces = namespaces
        self.probability = probability
        self.count = count
        self.latencyMilliseconds = latencyMilliseconds
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.afterSeconds = afterSeconds
    }

    enum CodingKeys: String, CodingKey {
        case id, action, verbs, resources, namespaces, probability, count, latencyMilliseconds, status, message,
             retryAfterSeconds, afterSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(Int.self, forKey: .id)
        action = try container.decode(Action.self, forKey: .action)
        verbs = try container.decodeIfPresent([String].self, forKey: .verbs) ?? []
        resources = try container.decodeIfPresent([String].self, forKey: .resources) ?? []
        namespaces = try container.decodeIfPresent([String].self, forKey: .namespaces) ?? []
        probability = try container.decodeIfPresent(Double.self, forKey: .probability) ?? 1
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        latencyMilliseconds = try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        afterSeconds = try container.decodeIfPresent(Double.self, forKey: .afterSeconds)
    }

    // MARK: Building rules in Swift

    public static func latency(milliseconds: Int, verbs: [String] = [], resources: [String] = [], probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .latency, verbs: verbs, resources: resources, probability: probability, count: count, latencyMilliseconds: milliseconds)
    }

    public static func serverError(_ status: Int = 500, verbs: [String] = [], resources: [String] = [], probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .error, verbs: verbs, resources: resources, probability: probability, count: count, status: status)
    }

    public static func throttle(retryAfterSeconds: Int = 1, verbs: [String] = [], resources: [String] = [], probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .throttle, verbs: verbs, resources: resources, probability: probability, count: count, retryAfterSeconds: retryAfterSeconds)
    }

    public static func dropWatch(afterSeconds: Double = 0, resources: [String] = [], probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .dropWatch, verbs: ["watch"], resources: resources, probability: probability, count: count, afterSeconds: afterSeconds)
    }

    public static func expireWatch(resources: [String] = [], probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .expireWatch, verbs: ["watch"], resources: resources, probability: probability, count: count)
    }

    public static func unreachable(probability: Double = 1, count: Int? = nil) -> FaultRule {
        FaultRule(action: .disconnect, probability: probability, count: count)
    }

    func matches(_ request: RequestAttributes) -> Bool {
        if !verbs.isEmpty, !verbs.contains(request.verb) { return false }
        if !resources.isEmpty, !resources.contains(request.resource) { return false }
        if !namespaces.isEmpty, !namespaces.contains(request.namespace ?? "") { return false }
        if (action == .dropWatch || action == .expireWatch), request.verb != "watch" { return false }
        return true
    }
}

/// What fault rules match on: the apiserver's verb, the resource and the namespace.
public struct RequestAttributes: Sendable, Hashable {
    public var verb: String
    /// Plural resource name; "" for discovery and other non-resource paths.
    public var resource: String
    public var namespace: String?

    public init(verb: String, resource: String, namespace: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
    }
}
