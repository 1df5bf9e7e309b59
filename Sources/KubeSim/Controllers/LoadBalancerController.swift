import KubeBackend

/// The cloud's load-balancer controllers: every Ingress, and every Service of type
/// LoadBalancer, gets an address in status.loadBalancer.ingress, in the form its cloud
/// gives (an IP on GKE, AKS and on-prem MetalLB pools; a hostname on EKS). A Service
/// that stops being a LoadBalancer loses its address.
struct LoadBalancerController: SimulatedController {
    static let watchedResources: [ResourceKey] = [.services, .ingresses]

    private let context: ClusterContext
    private let addresses: LoadBalancerAddresses

    init(context: ClusterContext, addresses: LoadBalancerAddresses) {
        self.context = context
        self.addresses = addresses
    }

    mutating func process(_ batch: [ControllerInput]) {
        var latest: [ResourceKey: [ObjectKey: JSONValue]] = [:]
        for input in batch {
            guard case .event(let resource, let kind, let object) = input else { continue }
            latest[resource, default: [:]][object.objectKey] = kind == .deleted ? nil : object
        }
        for (key, object) in (latest[.ingresses] ?? [:]).sorted(by: { $0.key < $1.key }) where !object.isBeingDeleted {
            ensureAddress(object, key, type: context.type("ingresses", group: "networking.k8s.io"), kind: "Ingress")
        }
        for (key, object) in (latest[.services] ?? [:]).sorted(by: { $0.key < $1.key }) where !object.isBeingDeleted {
            let services = context.type("services")
            if object["spec"]?["type"] == "LoadBalancer" {
                ensureAddress(object, key, type: services, kind: "Service")
            } else if !(object["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).isEmpty {
                StatusWriter.write(["loadBalancer": [:]], to: services, key, in: context.store)
            }
        }
    }

    private func ensureAddress(_ object: JSONValue, _ key: ObjectKey, type: ResourceType, kind: String) {
        guard (object["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).isEmpty else { return }
        let entry = addresses.entry(for: key, kind: kind)
        StatusWriter.write(["loadBalancer": ["ingress": [entry]]], to: type, key, in: context.store)
    }
}

/// The load-balancer addresses one simulated cloud hands out, stable per object.
struct LoadBalancerAddresses: Sendable {
    let cloud: ClusterProfile.Cloud
    let region: String

    func entry(for key: ObjectKey, kind: String) -> JSONValue {
        let hash = Self.fnv1a("\(kind)/\(key.namespace)/\(key.name)/\(region)")
        let serviceEntry = kind == "Service"
        switch cloud {
        case .eks:
            // The AWS Load Balancer Controller names its ALBs k8s-<namespace>-<name>-<hash>.
            let namespace = String(key.namespace.prefix(8)), name = String(key.name.prefix(8))
            let id = String(hash % 10_000_000_000, radix: 16)
            return ["hostname": .string("k8s-\(namespace)-\(name)-\(id).\(region).elb.amazonaws.com")]
        case .gke, .aks, .onprem:
            let first: UInt64 = cloud == .gke ? 34 : cloud == .aks ? 20 : 192
            let second: UInt64 = cloud == .onprem ? 168 : 100 + hash % 100
            let address = "\(first).\(second).\((hash >> 8) & 0xff).\(hash % 253 + 1)"
            return serviceEntry ? ["ip": .string(address), "ipMode": "VIP"] : ["ip": .string(address)]
        }
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}
