import Foundation
import Fleet
@testable import KubeBackend
import Testing

/// fleetd's pod informer decodes `PodClaim`s: each must hold what the full `Pod` of the same
/// JSON holds in those fields, whether it comes from bytes or through `Decodable`.
@Suite struct PodClaimTests {
    private static let bare = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"ml"},"spec":{"containers":[{"name":"c","resources":null}]}}"#
    private static let limitsOnly = #"""
    {"metadata":{"name":"q","labels":{"fleet.io/deployment-id":"d-9"},"deletionTimestamp":"2026-11-29T09:00:00Z"},
     "spec":{"nodeName":"n1","containers":[{"name":"a","resources":{"limits":{"cpu":"2","nvidia.com/gpu":"1"}}},{"name":"b","resources":{"requests":{"memory":"1Gi"}}}],
             "initContainers":[{"name":"i","resources":{"requests":{"cpu":"4"}}}]},
     "status":{"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"x"}]}}
    """#

    @Test(arguments: [richPodJSON, bare, limitsOnly])
    func aClaimHoldsWhatThePodHolds(json: String) throws {
        let bytes = Array(json.utf8)
        let pod = try KubeJSON.decode(Pod.self, from: bytes)
        let fromBytes = try KubeJSON.decode(PodClaim.self, from: bytes)
        let throughDecodable = try KubeJSON.decode(PodClaim.self, from: KubeJSON.parse(bytes))
        #expect(fromBytes == PodClaim(pod))
        #expect(throughDecodable == fromBytes)
        #expect(PodConversion.podInfo(fromBytes) == PodConversion.podInfo(pod))
    }

    @Test func aClaimReadsCapacityFieldsAndNothingElse() throws {
        let claim = try KubeJSON.decode(PodClaim.self, from: Array(Self.limitsOnly.utf8))
        #expect(claim.metadata.deletionTimestamp != nil && claim.metadata.annotations == nil)
        #expect(claim.status == PodClaim.Status(phase: "Running", ready: "False"))
        let info = try #require(PodConversion.podInfo(claim))
        // Limits stand in for absent requests; the largest init container wins where it is more.
        #expect(info.requests == ResourceVector(cpuMillis: 4000, memoryBytes: 1 << 30, accelerators: 1, pods: 1))
        #expect(info.deploymentID == DeploymentID("d-9") && info.nodeName == "n1" && !info.ready)
        let rich = try KubeJSON.decode(PodClaim.self, from: Array(richPodJSON.utf8))
        #expect(rich.metadata.managedFields == nil && rich.metadata.ownerReferences == nil && rich.metadata.labels?["app"] == "llm")
        #expect(rich.status?.ready == "True")
    }

    @Test func aMalformedClaimIsADecodingError() {
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(PodClaim.self, from: Array(#"{"metadata":{"name":1}}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(PodClaim.self, from: Array(#"{"metadata":{},"spec":{"containers":[{"image":"x"}]}}"#.utf8))
        }
    }

    /// Only the Ready condition's status is kept, but every condition is checked as the
    /// full pod checks it, from bytes and through `Decodable` alike.
    @Test(arguments: [
        #"[{"type":"PodScheduled","status":1}]"#, #"[{"type":"PodScheduled"}]"#, #"[{"type":7,"status":"True"}]"#,
        #"[{"type":"Ready","status":null}]"#,
    ])
    func everyConditionMustHoldAStringTypeAndStatus(conditions: String) throws {
        let bytes = Array(#"{"metadata":{},"status":{"conditions":\#(conditions)}}"#.utf8)
        #expect(throws: DecodingError.self) { try KubeJSON.decode(Pod.self, from: bytes) }
        #expect(throws: DecodingError.self) { try KubeJSON.decode(PodClaim.self, from: bytes) }
        #expect(throws: DecodingError.self) { try KubeJSON.decode(PodClaim.self, from: KubeJSON.parse(bytes)) }
    }

    @Test func theReadyConditionIsFoundByItsTypeAsAStringCompares() throws {
        let bytes = Array(#"{"metadata":{},"status":{"conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"False"},{"type":"Ready","status":"True"}]}}"#.utf8)
        #expect(try KubeJSON.decode(PodClaim.self, from: bytes).status?.ready == "False")
        #expect(try KubeJSON.decode(PodClaim.self, from: KubeJSON.parse(bytes)).status?.ready == "False")
        #expect(try PodClaim(KubeJSON.decode(Pod.self, from: bytes)).status?.ready == "False")
    }
}
