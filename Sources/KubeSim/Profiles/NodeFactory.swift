import Foundation
import KubeBackend

/// Turns a profile's node pools into Node objects named, labelled and addressed the
/// way each cloud's nodes are, Ready, with capacity and allocatable.
struct NodeFactory {
    let profile: ClusterProfile
    var kubeletVersion = "v1.33.0"

    func nodes() -> [JSONValue] {
        var result: [JSONValue] = []
        let zones = profile.effectiveZones
        for (poolIndex, pool) in profile.nodePools.enumerated() {
            for index in 0..<pool.count {
                result.append(node(pool: pool, poolIndex: poolIndex, index: index, zone: zones[index % zones.count]))
            }
        }
        return result
    }

    func node(pool: NodePool, poolIndex: Int, index: Int, zone: String) -> JSONValue {
        let name = nodeName(pool: pool, poolIndex: poolIndex, index: index)
        let address = "10.\(poolIndex + 1).\(index / 250).\(index % 250 + 2)"
        var labels: JSONObject = [
            "kubernetes.io/hostname": .string(name),
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "topology.kubernetes.io/region": .string(profile.region),
            "topology.kubernetes.io/zone": .string(zone),
            "kubesim.fleet.io/node-pool": .string(pool.name),
        ]
        if let instanceType = pool.instanceType { labels["node.kubernetes.io/instance-type"] = .string(instanceType) }
        if let poolLabel = cloudPoolLabel { labels[poolLabel] = .string(pool.name) }
        for (key, value) in pool.labels.sorted(by: { $0.key < $1.key }) { labels[key] = .string(value) }

        var capacity = JSONObject()
        for (resource, amount) in pool.capacity.sorted(by: { $0.key < $1.key }) {
            capacity[resource] = .string((try? Quantity(parsing: amount))?.description ?? amount)
        }
        var spec: JSONObject = ["podCIDR": .string("10.\(100 + poolIndex).\(index).0/24"),
                                "podCIDRs": [.string("10.\(100 + poolIndex).\(index).0/24")]]
        if let providerID = providerID(name: name, zone: zone, index: index) { spec["providerID"] = .string(providerID) }
        if !pool.taints.isEmpty {
            spec["taints"] = .array(pool.taints.map { taint in
                var object: JSONObject = ["key": .string(taint.key)]
                if let value = taint.value { object["value"] = .string(value) }
                object["effect"] = .string(taint.effect)
                return .object(object)
            })
        }
        let now = Timestamp(Date()).rawValue
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": .string(status), "lastHeartbeatTime": .string(now),
             "lastTransitionTime": .string(now), "reason": .string(reason), "message": .string(message)]
        }
        let status: JSONValue = [
            "capacity": .object(capacity),
            "allocatable": .object(capacity),
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [["type": "InternalIP", "address": .string(address)], ["type": "Hostname", "address": .string(name)]],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "machineID": .string(String(UInt64(truncatingIfNeeded: Self.fnv1a(name)), radix: 16)),
                "systemUUID": .string(UUID().uuidString.lowercased()),
                "bootID": .string(UUID().uuidString.lowercased()),
                "kernelVersion": "6.1.0-kubesim", "osImage": .string(osImage),
                "containerRuntimeVersion": "containerd://1.7.22", "kubeletVersion": .string(kubeletVersion),
                "kubeProxyVersion": .string(kubeletVersion), "operatingSystem": "linux", "architecture": "amd64",
            ],
        ]
        return ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(labels)],
                "spec": .object(spec), "status": status]
    }

    /// The label each cloud puts the node pool's name in.
    private var cloudPoolLabel: String? {
        switch profile.cloud {
        case .gke: return "cloud.google.com/gke-nodepool"
        case .aks: return "kubernetes.azure.com/agentpool"
        case .eks: return "eks.amazonaws.com/nodegroup"
        case .onprem: return nil
        }
    }

    private var osImage: String {
        switch profile.cloud {
        case .gke: return "Container-Optimized OS from Google"
        case .aks: return "Ubuntu 22.04.5 LTS"
        case .eks: return "Amazon Linux 2023.6.20241010"
        case .onprem: return "Ubuntu 24.04.1 LTS"
        }
    }

    func nodeName(pool: NodePool, poolIndex: Int, index: Int) -> String {
        let hash = String(format: "%08x", UInt32(truncatingIfNeeded: Self.fnv1a("\(profile.name)/\(pool.name)")))
        switch profile.cloud {
        case .gke: return "gke-\(profile.name.replacingOccurrences(of: "gke-", with: "").prefix(20))-\(pool.name.prefix(15))-\(hash)-\(Self.suffix(index))"
        case .aks:
            let digits = String(UInt32(truncatingIfNeeded: Self.fnv1a(profile.name + pool.name)) % 100_000_000)
            return "aks-\(pool.name)-\(String(repeating: "0", count: 8 - digits.count) + digits)-vmss\(String(format: "%06x", index))"
        case .eks:
            let domain = profile.region == "us-east-1" ? "ec2.internal" : "\(profile.region).compute.internal"
            return "ip-10-\(poolIndex + 1)-\(index / 250)-\(index % 250 + 2).\(domain)"
        case .onprem: return "\(profile.name)-\(pool.name)-\(index)"
        }
    }

    private func providerID(name: String, zone: String, index: Int) -> String? {
        switch profile.cloud {
        case .gke: return "gce://kubesim-project/\(zone)/\(name)"
        case .aks: return "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_kubesim/providers/Microsoft.Compute/virtualMachineScaleSets/\(name)"
        case .eks: return "aws:///\(zone)/i-\(String(format: "%017x", UInt64(truncatingIfNeeded: Self.fnv1a(name)) >> 4))"
        case .onprem: return nil
        }
    }

    /// Four lowercase alphanumerics, as GKE ends node names; distinct for each index
    /// below 36^4 because 7919 is coprime with 36^4.
    private static func suffix(_ index: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var value = (UInt64(index) &* 7919 &+ 12345) % 1_679_616
        var characters: [Character] = []
        for _ in 0..<4 {
            characters.append(alphabet[Int(value % 36)])
            value /= 36
        }
        return String(characters)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
