/// `apps/v1.Deployment`.
public struct Deployment: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "apps/v1"
    public static let kind = "Deployment"
    public static let resource = "deployments"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct DeploymentSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var replicas: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    /// Kept opaque (RollingUpdate parameters and the like).
    public var strategy: JSONValue?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, paused
        case progressDeadlineSeconds
    }

    public init(replicas: Int32? = nil, selector: LabelSelector, template: PodTemplateSpec) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

public struct DeploymentStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [Condition]?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas
        case unavailableReplicas, conditions
    }

    public init() {}
}

/// `batch/v1.Job`.
public struct Job: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "batch/v1"
    public static let kind = "Job"
    public static let resource = "jobs"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: JobSpec?
    public var status: JobStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: JobSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct JobSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var parallelism: Int32?
    public var completions: Int32?
    public var activeDeadlineSeconds: Int64?
    public var backoffLimit: Int32?
    public var selector: LabelSelector?
    public var manualSelector: Bool?
    public var template: PodTemplateSpec
    public var ttlSecondsAfterFinished: Int32?
    public var completionMode: String?
    public var suspend: Bool?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case parallelism, completions, activeDeadlineSeconds, backoffLimit, selector, manualSelector
        case template, ttlSecondsAfterFinished, completionMode, suspend
    }

    public init(template: PodTemplateSpec, parallelism: Int32? = nil, completions: Int32? = nil, backoffLimit: Int32? = nil) {
        self.template = template
        self.parallelism = parallelism
        self.completions = completions
        self.backoffLimit = backoffLimit
    }
}

public struct JobStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var conditions: [Condition]?
    public var startTime: Timestamp?
    public var completionTime: Timestamp?
    public var active: Int32?
    public var succeeded: Int32?
    public var failed: Int32?
    public var ready: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case conditions, startTime, completionTime, active, succeeded, failed, ready
    }

    public init() {}
}

/// `batch/v1.CronJob`.
public struct CronJob: KubernetesObject, PreservesUnknownFields {
    public static let apiVersion = "batch/v1"
    public static let kind = "CronJob"
    public static let resource = "cronjobs"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: CronJobSpec?
    public var status: CronJobStatus?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: CronJobSpec? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct CronJobSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    /// Five-field cron syntax.
    public var schedule: String
    public var timeZone: String?
    public var startingDeadlineSeconds: Int64?
    /// Allow, Forbid or Replace.
    public var concurrencyPolicy: String?
    public var suspend: Bool?
    public var jobTemplate: JobTemplateSpec
    public var successfulJobsHistoryLimit: Int32?
    public var failedJobsHistoryLimit: Int32?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case schedule, timeZone, startingDeadlineSeconds, concurrencyPolicy, suspend, jobTemplate
        case successfulJobsHistoryLimit, failedJobsHistoryLimit
    }

    public init(schedule: String, jobTemplate: JobTemplateSpec, concurrencyPolicy: String? = nil) {
        self.schedule = schedule
        self.jobTemplate = jobTemplate
        self.concurrencyPolicy = concurrencyPolicy
    }
}

public struct JobTemplateSpec: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var metadata: ObjectMeta?
    public var spec: JobSpec?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case metadata, spec
    }

    public init(metadata: ObjectMeta? = nil, spec: JobSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct CronJobStatus: Codable, Sendable, Hashable, PreservesUnknownFields {
    public var active: [ObjectReference]?
    public var lastScheduleTime: Timestamp?
    public var lastSuccessfulTime: Timestamp?
    public var unknownFields = JSONObject()

    enum CodingKeys: String, CodingKey {
        case active, lastScheduleTime, lastSuccessfulTime
    }

    public init() {}
}

// MARK: Writing without Encoder (see JSONObjectEncodable); every coding key, in order.
// Statuses go through Encodable: fleetd writes specs.

extension Deployment: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.apiVersion, apiVersion)
        fields.string(.kind, kind)
        try fields.object(.metadata, metadata)
        try fields.object(.spec, spec)
        try fields.encodable(.status, status)
    }
}

extension DeploymentSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.integer(.replicas, replicas)
        try fields.object(.selector, selector)
        try fields.object(.template, template)
        fields.json(.strategy, strategy)
        fields.integer(.minReadySeconds, minReadySeconds)
        fields.integer(.revisionHistoryLimit, revisionHistoryLimit)
        fields.bool(.paused, paused)
        fields.integer(.progressDeadlineSeconds, progressDeadlineSeconds)
    }
}

extension Job: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.apiVersion, apiVersion)
        fields.string(.kind, kind)
        try fields.object(.metadata, metadata)
        try fields.object(.spec, spec)
        try fields.encodable(.status, status)
    }
}

extension JobSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.integer(.parallelism, parallelism)
        fields.integer(.completions, completions)
        fields.integer(.activeDeadlineSeconds, activeDeadlineSeconds)
        fields.integer(.backoffLimit, backoffLimit)
        try fields.object(.selector, selector)
        fields.bool(.manualSelector, manualSelector)
        try fields.object(.template, template)
        fields.integer(.ttlSecondsAfterFinished, ttlSecondsAfterFinished)
        fields.string(.completionMode, completionMode)
        fields.bool(.suspend, suspend)
    }
}

extension CronJob: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.apiVersion, apiVersion)
        fields.string(.kind, kind)
        try fields.object(.metadata, metadata)
        try fields.object(.spec, spec)
        try fields.encodable(.status, status)
    }
}

extension CronJobSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        fields.string(.schedule, schedule)
        fields.string(.timeZone, timeZone)
        fields.integer(.startingDeadlineSeconds, startingDeadlineSeconds)
        fields.string(.concurrencyPolicy, concurrencyPolicy)
        fields.bool(.suspend, suspend)
        try fields.object(.jobTemplate, jobTemplate)
        fields.integer(.successfulJobsHistoryLimit, successfulJobsHistoryLimit)
        fields.integer(.failedJobsHistoryLimit, failedJobsHistoryLimit)
    }
}

extension JobTemplateSpec: JSONObjectEncodable {
    func write(to fields: inout JSONObjectWriter<CodingKeys>) throws {
        try fields.object(.metadata, metadata)
        try fields.object(.spec, spec)
    }
}
