import Fleet
import Foundation
import Protos

/// Domain values as API messages.
enum DomainToProto {
    static func deployment(_ record: DeploymentRecord, queuePosition: Int? = nil) -> Fleet_V1_Deployment {
        var message = Fleet_V1_Deployment()
        message.id = record.id.rawValue
        message.requestId = record.request.requestID
        message.name = record.spec.name
        message.team = record.spec.team
        message.namespace = record.spec.namespace
        message.kind = kind(record.spec.kind)
        message.priority = priority(record.spec.priority)
        message.state = state(record.state)
        message.cluster = record.cluster?.rawValue ?? ""
        message.replicas = Int32(record.spec.replicas)
        message.readyReplicas = Int32(record.readyReplicas)
        message.resources = resources(record.spec.perReplica)
        message.reservationId = record.spec.reservation?.rawValue ?? ""
        message.endpoints = record.endpoints
        message.createTime = timestamp(record.createdAt)
        message.placeTime = record.placedAt.map(timestamp)
        message.queuePosition = Int32(queuePosition ?? 0)
        message.message = record.message
        message.image = record.request.container.image
        message.schedule = record.request.schedule ?? ""
        return message
    }

    static func resources(_ request: ReplicaRequest) -> Fleet_V1_Resources {
        var message = Fleet_V1_Resources()
        message.cpuMillis = request.cpuMillis
        message.memoryBytes = request.memoryBytes
        message.acceleratorType = request.acceleratorType ?? ""
        message.acceleratorCount = Int32(request.acceleratorCount)
        return message
    }

    static func evaluation(_ evaluation: ClusterEvaluation) -> Fleet_V1_ClusterEvaluation {
        var message = Fleet_V1_ClusterEvaluation()
        message.cluster = evaluation.cluster.rawValue
        message.chosen = evaluation.chosen
        switch evaluation.verdict {
        case .feasible(let score):
            message.feasible = true
            message.score = score
        case .rejected(let reason, let detail):
            message.reason = rejection(reason)
            message.message = detail
        }
        return message
    }

    static func rejection(_ reason: RejectionReason) -> Fleet_V1_RejectionReason {
        switch reason {
        case .cloud: .cloud
        case .region: .region
        case .cluster: .cluster
        case .unhealthy: .unhealthy
        case .reservation: .reservation
        case .noAccelerator: .noAccelerator
        case .nodeLabels: .nodeLabels
        case .quota: .quota
        case .insufficientCapacity: .insufficientCapacity
        }
    }

    static func capacity(_ capacity: ClusterCapacity) -> Fleet_V1_ClusterCapacity {
        var message = Fleet_V1_ClusterCapacity()
        message.cluster = capacity.cluster.name.rawValue
        message.cloud = cloud(capacity.cluster.cloud)
        message.region = capacity.cluster.region
        switch capacity.health {
        case .healthy: message.health = .healthy
        case .degraded(let why): message.health = .degraded; message.healthMessage = why
        case .unreachable(let why): message.health = .unreachable; message.healthMessage = why
        }
        message.nodes = Int32(capacity.nodes)
        message.readyNodes = Int32(capacity.readyNodes)
        message.cpuMillis = amount(capacity.cpuMillis)
        message.memoryBytes = amount(capacity.memoryBytes)
        message.pods = amount(capacity.pods)
        message.accelerators = capacity.accelerators.map { accelerator in
            var entry = Fleet_V1_AcceleratorCapacity()
            entry.type = accelerator.kind.type
            entry.resourceName = accelerator.kind.resourceName
            entry.devices = amount(accelerator.devices)
            entry.largestFreeOnANode = Int32(accelerator.largestFreeOnANode)
            entry.nodes = Int32(accelerator.nodes)
            return entry
        }
        return message
    }

    static func amount(_ amount: ResourceAmount) -> Fleet_V1_ResourceAmount {
        var message = Fleet_V1_ResourceAmount()
        message.allocatable = amount.allocatable
        message.requested = amount.requested
        message.reserved = amount.reserved
        message.free = amount.free
        return message
    }

    static func update(_ update: CapacityUpdate, at time: Date) -> Fleet_V1_CapacityUpdate {
        var message = Fleet_V1_CapacityUpdate()
        message.revision = update.revision
        message.time = timestamp(time)
        switch update {
        case .snapshot(_, let clusters, let reset):
            message.kind = .snapshot
            message.reset = reset
            message.clusters = clusters.map(capacity)
        case .delta(_, let changed, let removed):
            message.kind = .delta
            message.clusters = changed.map(capacity)
            message.removedClusters = removed.map(\.rawValue)
        case .heartbeat:
            message.kind = .heartbeat
        }
        return message
    }

    static func reservation(_ record: ReservationRecord) -> Fleet_V1_Reservation {
        var message = Fleet_V1_Reservation()
        message.id = record.id.rawValue
        message.requestId = record.request.requestID
        message.team = record.request.team
        message.cluster = record.cluster.rawValue
        message.nodes = record.nodes
        switch record.state {
        case .active: message.state = .active
        case .released: message.state = .released
        case .expired: message.state = .expired
        }
        message.createTime = timestamp(record.createdAt)
        message.endTime = timestamp(record.request.endsAt)
        if let quota = record.request.quota {
            var limits = Fleet_V1_QuotaLimits()
            limits.cpuMillis = quota.cpuMillis
            limits.memoryBytes = quota.memoryBytes
            limits.accelerators = quota.accelerators
            message.quota = limits
        }
        return message
    }

    static func kind(_ kind: WorkloadKind) -> Fleet_V1_WorkloadKind {
        switch kind {
        case .serving: .serving
        case .batch: .batch
        case .scheduled: .scheduled
        }
    }

    static func priority(_ priority: Priority) -> Fleet_V1_Priority {
        switch priority {
        case .high: .high
        case .medium: .medium
        case .low: .low
        }
    }

    static func state(_ state: DeploymentState) -> Fleet_V1_DeploymentState {
        switch state {
        case .queued: .queued
        case .placed: .placed
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .deleted: .deleted
        }
    }

    static func cloud(_ cloud: Cloud) -> Fleet_V1_Cloud {
        switch cloud {
        case .gke: .gke
        case .aks: .aks
        case .eks: .eks
        case .onprem: .onprem
        }
    }

    static func timestamp(_ date: Date) -> Google_Protobuf_Timestamp {
        var message = Google_Protobuf_Timestamp()
        let interval = date.timeIntervalSince1970
        message.seconds = Int64(interval.rounded(.down))
        message.nanos = Int32(((interval - interval.rounded(.down)) * 1_000_000_000).rounded(.down))
        return message
    }
}
