public import Fleet
import Synchronization

/// One cluster reached through its Kubernetes API: informers on nodes, pods and
/// resource quotas feed the fleet's view; writes go through server-side apply with
/// field manager `fleetd`, so writing the same thing twice changes nothing.
public final class KubeClusterAPI: ClusterAPI {
    public static let fieldManager = "fleetd"
    public static let quotaName = "fleet-quota"

    public let descriptor: ClusterDescriptor
    public let client: KubeClient
    /// How often reachability is probed; a cluster that stops answering is reported
    /// unreachable within about twice this.
    public let probeInterval: Duration
    private let ensured = Mutex<Set<String>>([])

    public init(descriptor: ClusterDescriptor, client: KubeClient, probeInterval: Duration = .seconds(2)) {
        self.descriptor = descriptor
        self.client = client
        self.probeInterval = probeInterval
    }

    // MARK: Reading the cluster

    public func events() -> AsyncStream<ClusterEvent> {
        let (stream, continuation) = AsyncStream<ClusterEvent>.makeStream()
        let nodes = Informer(Node.self, client: client)
        // Capacity needs only each pod's claim, which decodes in a fraction of a full Pod's time.
        let pods = Informer(PodClaim.self, client: client)
        let quotas = Informer(ResourceQuota.self, client: client)
        let task = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await nodes.run() }
                group.addTask { await pods.run() }
                group.addTask { await quotas.run() }
                group.addTask {
                    for await event in nodes.cache.events() {
                        switch event {
                        case .added(let node), .updated(_, let node):
                            if let info = NodeConversion.nodeInfo(node) { continuation.yield(.nodeChanged(info)) }
                        case .deleted(let node):
                            if let name = node.metadata.name { continuation.yield(.nodeDeleted(name: name)) }
                        case .synced:
                            continuation.yield(.nodesListed(nodes.cache.list().compactMap(NodeConversion.nodeInfo)))
                        }
                    }
                }
                group.addTask {
                    for await event in pods.cache.events() {
                        switch event {
                        case .added(let pod), .updated(_, let pod):
                            if let info = PodConversion.podInfo(pod) { continuation.yield(.podChanged(info)) }
                        case .deleted(let pod):
                            if let info = PodConversion.podInfo(pod) { continuation.yield(.podDeleted(info.key)) }
                        case .synced:
                            continuation.yield(.podsListed(pods.cache.list().compactMap(PodConversion.podInfo)))
                        }
                    }
                }
                group.addTask {
                    for await event in quotas.cache.events() {
                        switch event {
                        case .added(let quota), .updated(_, let quota):
                            if let info = QuotaConversion.namespaceQuota(quota) { continuation.yield(.quotaChanged(info)) }
                        case .deleted(let quota):
                            if let name = quota.metadata.name, let namespace = quota.metadata.namespace {
                                continuation.yield(.quotaDeleted(namespace: namespace, name: name))
                            }
                        case .synced:
                            continuation.yield(.quotasListed(quotas.cache.list().compactMap(QuotaConversion.namespaceQuota)))
                        }
                    }
                }
                group.addTask { await self.probeReachability(into: continuation) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Asks the API server for one namespace every `probeInterval`, and reports each
    /// change between answering and not.
    private func probeReachability(into continuation: AsyncStream<ClusterEvent>.Continuation) async {
        var reachable: Bool?
        while !Task.isCancelled {
            let detail: String?
            do {
                _ = try await client.list(Namespace.self, options: ListOptions(limit: 1, timeout: probeInterval))
                detail = nil
            } catch {
                if error.isCancelled { return }
                detail = "\(error)"
            }
            let now = detail == nil
            if now != reachable {
                continuation.yield(.reachability(reachable: now, detail: detail ?? "answering again"))
                reachable = now
            }
            try? await Task.sleep(for: probeInterval)
        }
    }

    // MARK: Writing workloads

    public func apply(_ workload: PlacedWorkload) async throws {
        let spec = workload.record.spec
        try await ensureNamespace(spec.namespace)
        try await ensureOnce("priorityclass/\(spec.priority.priorityClassName)") {
            try await client.applyDiscardingResult(WorkloadObjects.priorityClass(spec.priority), fieldManager: Self.fieldManager, force: true)
        }
        switch spec.kind {
        case .serving: try await client.applyDiscardingResult(WorkloadObjects.deployment(workload), fieldManager: Self.fieldManager, force: true)
        case .batch: try await client.applyDiscardingResult(WorkloadObjects.job(workload), fieldManager: Self.fieldManager, force: true)
        case .scheduled: try await client.applyDiscardingResult(WorkloadObjects.cronJob(workload), fieldManager: Self.fieldManager, force: true)
        }
    }

    public func managedWorkloads() async throws -> [DeploymentRecord] {
        let selector = ListOptions(labelSelector: "\(FleetLabels.managedBy)=\(FleetLabels.managedByValue)")
        var annotations: [String?] = []
        annotations += try await client.listAll(Deployment.self, options: selector).items.map { $0.metadata.annotations?[WorkloadObjects.recordAnnotation] }
        annotations += try await client.listAll(Job.self, options: selector).items
            .filter { $0.metadata.ownerReferences == nil }  // Jobs a CronJob made belong to it
            .map { $0.metadata.annotations?[WorkloadObjects.recordAnnotation] }
        annotations += try await client.listAll(CronJob.self, options: selector).items.map { $0.metadata.annotations?[WorkloadObjects.recordAnnotation] }
        return annotations.compactMap { text in text.flatMap { try? RecordCoding.decode(DeploymentRecord.self, from: $0) } }
    }

    public func delete(_ record: DeploymentRecord) async throws {
        let name = record.spec.name
        let namespace = record.spec.namespace
        // A served Deployment owns its Service and Ingress (see expose), so the cluster's
        // garbage collector removes them with it: one request instead of three.
        let options = DeleteOptions(propagationPolicy: .background)
        switch record.spec.kind {
        case .serving: try await ignoringNotFound { _ = try await client.delete(Deployment.self, name: name, namespace: namespace, options: options) }
        case .batch: try await ignoringNotFound { _ = try await client.delete(Job.self, name: name, namespace: namespace, options: options) }
        case .scheduled: try await ignoringNotFound { _ = try await client.delete(CronJob.self, name: name, namespace: namespace, options: options) }
        }
    }

    public func expose(_ endpoint: EndpointRequest) async throws -> [String] {
        let spec = endpoint.record.spec
        let deployment = try await client.get(Deployment.self, name: spec.name, namespace: spec.namespace)
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: spec.name, uid: deployment.metadata.uid ?? "")
        try await client.applyDiscardingResult(WorkloadObjects.service(endpoint, owner: owner), fieldManager: Self.fieldManager, force: true)
        try await client.applyDiscardingResult(WorkloadObjects.ingress(endpoint, owner: owner), fieldManager: Self.fieldManager, force: true)
        return ["http://\(endpoint.host)\(endpoint.path)"]
    }

    // MARK: Reservations and quotas

    public func reserve(_ reservation: ReservationID, nodes: [String]) async throws {
        for name in nodes {
            try await updateNode(name) { NodeEditing.reserve($0, by: reservation) }
        }
    }

    public func release(_ reservation: ReservationID, nodes: [String]) async throws {
        for name in nodes {
            try await ignoringNotFound {
                try await updateNode(name) { NodeEditing.release($0, from: reservation) }
            }
        }
    }

    public func ensureQuota(namespace: String, limits: QuotaLimits) async throws {
        try await ensureNamespace(namespace)
        try await retryingConflicts {
            do {
                var quota = try await client.get(ResourceQuota.self, name: Self.quotaName, namespace: namespace)
                let raised = QuotaEditing.raise(quota.spec?.hard ?? [:], to: limits)
                guard raised != quota.spec?.hard else { return }
                quota.spec = ResourceQuotaSpec(hard: raised)
                _ = try await client.update(quota)
            } catch let error as KubeClientError where error.isNotFound {
                let quota = ResourceQuota(
                    metadata: ObjectMeta(name: Self.quotaName, namespace: namespace, labels: [FleetLabels.managedBy: FleetLabels.managedByValue]),
                    spec: ResourceQuotaSpec(hard: QuotaEditing.raise([:], to: limits)))
                _ = try await client.create(quota)
            }
        }
    }

    // MARK: Helpers

    private func ensureNamespace(_ name: String) async throws {
        try await ensureOnce("namespace/\(name)") {
            try await client.applyDiscardingResult(WorkloadObjects.namespace(name), fieldManager: Self.fieldManager, force: true)
        }
    }

    /// Runs `write` the first time a key is seen by this process; later calls skip it.
    private func ensureOnce(_ key: String, _ write: () async throws -> Void) async throws {
        if ensured.withLock({ $0.contains(key) }) { return }
        try await write()
        ensured.withLock { _ = $0.insert(key) }
    }

    /// Read-modify-write of a node's labels and taints, retried on conflicts.
    private func updateNode(_ name: String, _ change: @escaping (Node) -> Node?) async throws {
        try await retryingConflicts {
            let node = try await client.get(Node.self, name: name)
            guard let changed = change(node) else { return }
            _ = try await client.update(changed)
        }
    }

    private func retryingConflicts(_ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                try await body()
                return
            } catch let error as KubeClientError where error.isConflict && attempt < 5 {
                attempt += 1
            }
        }
    }

    private func ignoringNotFound(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as KubeClientError where error.isNotFound {
            return
        }
    }
}

/// Edits of a node's labels and taints for reservations; nil means nothing to change.
enum NodeEditing {
    static func reserve(_ node: Node, by reservation: ReservationID) -> Node? {
        var node = node
        var labels = node.metadata.labels ?? [:]
        var taints = node.spec?.taints ?? []
        let taint = KubeBackend.Taint(key: FleetLabels.reservation, value: reservation.rawValue, effect: "NoSchedule")
        let hasTaint = taints.contains { $0.key == taint.key && $0.value == taint.value && $0.effect == taint.effect }
        guard labels[FleetLabels.reservation] != reservation.rawValue || !hasTaint else { return nil }
        labels[FleetLabels.reservation] = reservation.rawValue
        taints.removeAll { $0.key == FleetLabels.reservation }
        taints.append(taint)
        node.metadata.labels = labels
        var spec = node.spec ?? NodeSpec()
        spec.taints = taints
        node.spec = spec
        return node
    }

    static func release(_ node: Node, from reservation: ReservationID) -> Node? {
        var node = node
        let ownsLabel = node.metadata.labels?[FleetLabels.reservation] == reservation.rawValue
        let ownsTaint = node.spec?.taints?.contains { $0.key == FleetLabels.reservation && $0.value == reservation.rawValue } ?? false
        guard ownsLabel || ownsTaint else { return nil }
        if ownsLabel { node.metadata.labels?[FleetLabels.reservation] = nil }
        node.spec?.taints?.removeAll { $0.key == FleetLabels.reservation && $0.value == reservation.rawValue }
        return node
    }
}

/// Raising a ResourceQuota's hard limits to at least what a reservation asks.
enum QuotaEditing {
    static func raise(_ hard: [String: Quantity], to limits: QuotaLimits) -> [String: Quantity] {
        var result = hard
        func raise(_ key: String, to wanted: Quantity) {
            if let current = result[key], !(current < wanted) { return }
            result[key] = wanted
        }
        if limits.cpuMillis > 0 { raise("requests.cpu", to: Quantity(milliValue: limits.cpuMillis)) }
        if limits.memoryBytes > 0 { raise("requests.memory", to: Quantity(limits.memoryBytes, format: .binarySI)) }
        for (resource, count) in limits.accelerators where count > 0 {
            raise("requests.\(resource)", to: Quantity(count))
        }
        return result
    }
}
