import Foundation
import KubeBackend
import KubeSim
import Testing

@Suite struct KubeSimProfileTests {
    @Test func builtinFleetHasFourCloudsWithCPUAndAcceleratorPools() throws {
        let fleet = ClusterProfile.builtinFleet
        #expect(fleet.map(\.name) == ["gke-us-central1", "aks-westeurope", "eks-us-east-1", "onprem-dc1"])
        #expect(Set(fleet.map(\.cloud)) == Set(ClusterProfile.Cloud.allCases))
        for profile in fleet {
            let acceleratorPools = profile.nodePools.filter { !$0.extendedResources.isEmpty }
            #expect(profile.nodePools.contains { $0.extendedResources.isEmpty }, "\(profile.name) has a CPU pool")
            #expect(acceleratorPools.count >= 2, "\(profile.name) has GPU pools of different types")
            let types = Set(acceleratorPools.map { $0.labels["nvidia.com/gpu.product"] ?? $0.labels["cloud.google.com/gke-accelerator"] ?? $0.labels["cloud.google.com/gke-tpu-accelerator"] ?? "" })
            #expect(types.count == acceleratorPools.count && !types.contains(""), "\(profile.name): \(types)")
        }
    }

    @Test func yamlProfileRoundTripsAndDefaultsOptionalFields() throws {
        let profile = try ClusterProfile.parse(yaml: """
            name: lab
            cloud: onprem
            region: lab
            nodePools:
            - name: gpu
              count: 2
              cpu: "16"
              memory: 64Gi
              extendedResources: {nvidia.com/gpu: "4"}
              taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
            faults:
            - {action: throttle, verbs: [list], retryAfterSeconds: 3}
            """)
        #expect(profile.nodePools[0].pods == 110)
        #expect(profile.nodePools[0].capacity["nvidia.com/gpu"] == "4")
        #expect(profile.jobRunSeconds == 30)
        #expect(profile.faults == [FaultRule(action: .throttle, verbs: ["list"], retryAfterSeconds: 3)])
        #expect(try ClusterProfile.parse(yaml: profile.yaml()) == profile)
    }

    @Test func invalidProfilesAreRejectedWithTheReason() {
        #expect(throws: ClusterProfile.Invalid.self) {
            try ClusterProfile.parse(yaml: "name: lab\ncloud: onprem\nregion: x\nnodePools: [{name: a, cpu: lots, memory: 1Gi}]")
        }
        #expect(throws: ClusterProfile.Invalid.self) {
            try ClusterProfile.parse(yaml: "name: lab\ncloud: openstack\nregion: x\n")
        }
        #expect(throws: ClusterProfile.Invalid.self) {
            try ClusterProfile.parse(yaml: "name: lab\ncloud: gke\nregion: x\nnodePools: [{name: a, cpu: '1', memory: 1Gi, taints: [{key: k, effect: Sometimes}]}]")
        }
    }

    @Test func nodesAreReadyWithCapacityLabelsAndTaintsFromTheProfile() async throws {
        let session = try await ClusterSession.start(ClusterProfile.builtin(named: "gke-us-central1")!)
        defer { Task { try await session.stop() } }
        let nodes = try await session.items("/api/v1/nodes")
        #expect(nodes.count == 7)
        let gpuNodes = nodes.filter { $0["metadata"]?["labels"]?["cloud.google.com/gke-accelerator"] == "nvidia-tesla-a100" }
        #expect(gpuNodes.count == 2)
        for node in gpuNodes {
            #expect(node["status"]?["allocatable"]?["nvidia.com/gpu"] == "8")
            #expect(node["status"]?["capacity"]?["memory"] == "680Gi")
            #expect(node["spec"]?["taints"] == [["key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"]])
            #expect(node["metadata"]?["labels"]?["cloud.google.com/gke-nodepool"] == "a100-pool")
        }
        for node in nodes {
            #expect(node.condition("Ready")?["status"] == "True")
            #expect(node["metadata"]?["labels"]?["topology.kubernetes.io/region"] == "us-central1")
            #expect(node["metadata"]?["labels"]?["topology.kubernetes.io/zone"]?.stringValue?.hasPrefix("us-central1-") == true)
            #expect(node["metadata"]?["name"]?.stringValue?.hasPrefix("gke-us-central1-") == true)
        }
        let tpu = nodes.first { $0["status"]?["allocatable"]?["google.com/tpu"] == "4" }
        #expect(tpu?["spec"]?["taints"]?[0]?["key"] == "google.com/tpu")
    }

    @Test func fleetStartsFourClustersOnSeparatePorts() async throws {
        let fleet = try await SimulatedFleet.start(options: .init(tls: .none, clock: .manual()))
        defer { Task { try await fleet.shutdown() } }
        #expect(Set(fleet.clusters.map(\.server.port)).count == 4)
        let nodes = try fleet["onprem-dc1"]!.store.list(fleet["onprem-dc1"]!.store.catalog.types.first { $0.kind == "Node" }!).items
        #expect(nodes.count == 10)
        #expect(nodes.filter { $0["status"]?["allocatable"]?["nvidia.com/gpu"] == "8" }.count == 2)
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
