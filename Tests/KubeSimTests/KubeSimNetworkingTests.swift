import Foundation
import KubeBackend
import KubeSim
import Testing

private let services = "/api/v1/namespaces/default/services"
private let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

private func service(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil) -> JSONValue {
    var spec: JSONObject = ["type": .string(type), "selector": ["app": .string(name)], "ports": [["name": "http", "port": 80]]]
    if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
    return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": .object(spec)]
}

private func ingress(_ name: String) -> JSONValue {
    ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": .string(name)], "spec": [
        "rules": [["host": "model.example.com", "http": ["paths": [[
            "path": "/", "pathType": "Prefix", "backend": ["service": ["name": .string(name), "port": ["number": 80]]],
        ]]]]],
    ]]
}

private func isInServiceCIDR(_ address: String) -> Bool {
    let octets = address.split(separator: ".").compactMap { Int($0) }
    return octets.count == 4 && octets[0] == 10 && (96...111).contains(octets[1])
}

@Suite(.serialized) struct KubeSimNetworkingTests {
    @Test func servicesGetUniqueClusterIPsFromTheServiceCIDRKeptAcrossUpdates() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        var addresses: [String] = []
        for name in ["a", "b", "c"] {
            let (status, created) = try await session.send("POST", services, body: service(name))
            #expect(status == 201)
            let address = try #require(created["spec"]?["clusterIP"]?.stringValue)
            #expect(isInServiceCIDR(address), "\(address)")
            #expect(created["spec"]?["clusterIPs"] == [.string(address)])
            #expect(created["spec"]?["ipFamilies"] == ["IPv4"])
            #expect(created["spec"]?["ipFamilyPolicy"] == "SingleStack")
            addresses.append(address)
        }
        #expect(Set(addresses).count == 3)

        // A PUT that leaves clusterIP out keeps the allocated address, as kubectl replace does.
        let replaced: JSONValue = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "a", "labels": ["tier": "web"]],
                                   "spec": service("a")["spec"] ?? .null]
        let (updated, body) = try await session.send("PUT", "\(services)/a", body: replaced)
        #expect(updated == 200)
        #expect(body["spec"]?["clusterIP"]?.stringValue == addresses[0])
        let (patched, patchedBody) = try await session.send("PATCH", "\(services)/a", body: ["spec": ["ports": [["name": "http", "port": 8080]]]],
                                                            contentType: "application/merge-patch+json")
        #expect(patched == 200)
        #expect(patchedBody["spec"]?["clusterIP"]?.stringValue == addresses[0])

        let (changed, changedBody) = try await session.send("PUT", "\(services)/a", body: service("a", clusterIP: "10.96.7.7"))
        #expect(changed == 422)
        #expect(changedBody["message"] == "Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.7.7\": may not change once set")

        let (taken, takenBody) = try await session.send("POST", services, body: service("d", clusterIP: addresses[1]))
        #expect(taken == 422)
        #expect(takenBody["message"] == .string("Service \"d\" is invalid: spec.clusterIPs: Invalid value: []string{\"\(addresses[1])\"}: failed to allocate IP \(addresses[1]): provided IP is already allocated"))
        let (outside, outsideBody) = try await session.send("POST", services, body: service("e", clusterIP: "192.168.1.1"))
        #expect(outside == 422)
        #expect(outsideBody["message"] == "Service \"e\" is invalid: spec.clusterIPs: Invalid value: []string{\"192.168.1.1\"}: failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12")
        #expect(outsideBody["details"]?["causes"]?[0]?["field"] == "spec.clusterIPs")

        let (chosen, chosenBody) = try await session.send("POST", services, body: service("f", clusterIP: "10.96.200.9"))
        #expect(chosen == 201)
        #expect(chosenBody["spec"]?["clusterIP"] == "10.96.200.9")

        let (headless, headlessBody) = try await session.send("POST", services, body: service("g", clusterIP: "None"))
        #expect(headless == 201)
        #expect(headlessBody["spec"]?["clusterIP"] == "None")
        #expect(headlessBody["spec"]?["clusterIPs"] == ["None"])
    }

    @Test func ingressesAndLoadBalancerServicesGetAnAddressInTheCloudsForm() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", ingresses, body: ingress("web"))
        let withAddress = try await session.waitFor("\(ingresses)/web") { $0["status"]?["loadBalancer"]?["ingress"]?[0] != nil }
        let ip = try #require(withAddress["status"]?["loadBalancer"]?["ingress"]?[0]?["ip"]?.stringValue)
        #expect(ip.hasPrefix("192.168."), "an on-prem cluster's address comes from its MetalLB-style pool")

        _ = try await session.send("POST", services, body: service("lb", type: "LoadBalancer"))
        let balanced = try await session.waitFor("\(services)/lb") { $0["status"]?["loadBalancer"]?["ingress"]?[0] != nil }
        #expect(balanced["status"]?["loadBalancer"]?["ingress"]?[0]?["ipMode"] == "VIP")

        _ = try await session.send("PATCH", "\(services)/lb", body: ["spec": ["type": "ClusterIP"]], contentType: "application/merge-patch+json")
        let plain = try await session.waitFor("\(services)/lb") { $0["status"]?["loadBalancer"]?["ingress"] == nil }
        #expect(plain["status"] == ["loadBalancer": [:]])
    }

    @Test func onEKSTheAddressIsAnELBHostname() async throws {
        let profile = ClusterProfile(name: "eks-test", cloud: .eks, region: "us-east-1",
                                     nodePools: [NodePool(name: "cpu", count: 1, cpu: "4", memory: "8Gi")])
        let session = try await ClusterSession.start(profile)
        defer { Task { try await session.stop() } }
        _ = try await session.send("POST", ingresses, body: ingress("web"))
        let withAddress = try await session.waitFor("\(ingresses)/web") { $0["status"]?["loadBalancer"]?["ingress"]?[0] != nil }
        let hostname = try #require(withAddress["status"]?["loadBalancer"]?["ingress"]?[0]?["hostname"]?.stringValue)
        #expect(hostname.hasPrefix("k8s-default-web-"))
        #expect(hostname.hasSuffix(".us-east-1.elb.amazonaws.com"))
    }
}
