@testable import fleetctl
import Protos
import RPCClient
import Testing

@Suite("fleetctl: tables, JSON and error reports from Fleet API messages")
struct FleetctlOutputTests {
    static func deployment() -> Fleet_V1_Deployment {
        var d = Fleet_V1_Deployment()
        d.id = "dep-1"
        d.requestId = "r-1"
        d.name = "llm"
        d.team = "ml-research"
        d.namespace = "team-ml-research"
        d.kind = .serving
        d.priority = .high
        d.state = .running
        d.cluster = "gke-us-central1"
        d.replicas = 2
        d.readyReplicas = 1
        var r = Fleet_V1_Resources()
        r.cpuMillis = 500
        r.memoryBytes = 4 << 30
        r.acceleratorType = "nvidia-tesla-a100"
        r.acceleratorCount = 1
        d.resources = r
        d.createTime = Google_Protobuf_Timestamp(seconds: 1_700_000_000)
        d.image = "ghcr.io/acme/llm:1"
        return d
    }

    static func cluster(_ name: String, cloud: Fleet_V1_Cloud, cpuFree: Int64, gpuFree: Int64) -> Fleet_V1_ClusterCapacity {
        var c = Fleet_V1_ClusterCapacity()
        c.cluster = name
        c.cloud = cloud
        c.region = "us-central1"
        c.health = .healthy
        c.nodes = 4
        c.readyNodes = 4
        func amount(_ free: Int64, _ allocatable: Int64) -> Fleet_V1_ResourceAmount {
            var a = Fleet_V1_ResourceAmount()
            a.free = free
            a.allocatable = allocatable
            a.requested = allocatable - free
            return a
        }
        c.cpuMillis = amount(cpuFree, 64000)
        c.memoryBytes = amount(128 << 30, 256 << 30)
        c.pods = amount(400, 440)
        var gpu = Fleet_V1_AcceleratorCapacity()
        gpu.type = "nvidia-tesla-a100"
        gpu.resourceName = "nvidia.com/gpu"
        gpu.devices = amount(gpuFree, 16)
        c.accelerators = [gpu]
        return c
    }

    @Test func deploymentsTable() {
        let table = FleetTables.deployments([Self.deployment()], now: 1_700_000_000 + 7200)
        #expect(table == """
            ID     NAME  TEAM         KIND     PRIORITY  STATE    CLUSTER          READY  CPU   MEMORY  ACCELERATORS         AGE
            dep-1  llm   ml-research  SERVING  HIGH      RUNNING  gke-us-central1  1/2    500m  4Gi     nvidia-tesla-a100=1  2h
            """)
    }

    @Test func queuedDeploymentShowsItsPlace() {
        var d = Self.deployment()
        d.state = .queued
        d.cluster = ""
        d.queuePosition = 3
        let table = FleetTables.deployments([d], now: 1_700_000_000)
        #expect(table.contains("QUEUED (#3)"))
        #expect(table.contains("  -  "))
    }

    @Test func dryRunNamesTheChosenClusterAndEveryRejection() {
        var response = Fleet_V1_DeployResponse()
        response.dryRun = true
        response.deployment = Self.deployment()
        var chosen = Fleet_V1_ClusterEvaluation()
        chosen.cluster = "gke-us-central1"
        chosen.feasible = true
        chosen.score = 0.875
        chosen.chosen = true
        var rejected = Fleet_V1_ClusterEvaluation()
        rejected.cluster = "aks-westeurope"
        rejected.reason = .insufficientCapacity
        rejected.message = "needs 8 nvidia-tesla-a100 on one node; largest free is 4"
        response.evaluations = [chosen, rejected]
        #expect(FleetTables.deployResponse(response) == """
            Dry run: llm would be placed on gke-us-central1. Nothing was written.

            CLUSTER          FEASIBLE  SCORE  CHOSEN  REASON                 DETAIL
            gke-us-central1  yes       0.88   *       -                      -
            aks-westeurope   no        -              INSUFFICIENT_CAPACITY  needs 8 nvidia-tesla-a100 on one node; largest free is 4
            """)
    }

    @Test func capacityTableSortsClusters() {
        let table = FleetTables.capacity([
            Self.cluster("onprem-dc1", cloud: .onprem, cpuFree: 1500, gpuFree: 0),
            Self.cluster("gke-us-central1", cloud: .gke, cpuFree: 32000, gpuFree: 12),
        ])
        #expect(table == """
            CLUSTER          CLOUD   REGION       HEALTH   NODES  CPU FREE  MEMORY FREE  PODS FREE  ACCELERATORS FREE
            gke-us-central1  GKE     us-central1  HEALTHY  4/4    32/64     128Gi/256Gi  400/440    nvidia-tesla-a100 12/16
            onprem-dc1       ONPREM  us-central1  HEALTHY  4/4    1500m/64  128Gi/256Gi  400/440    nvidia-tesla-a100 0/16
            """)
    }

    @Test func reservationsTable() {
        var r = Fleet_V1_Reservation()
        r.id = "rsv-1"
        r.team = "ml-research"
        r.cluster = "onprem-dc1"
        r.state = .active
        r.nodes = ["gpu-0", "gpu-1", "gpu-2", "gpu-3"]
        r.createTime = Google_Protobuf_Timestamp(seconds: 1_700_000_000)
        r.endTime = Google_Protobuf_Timestamp(seconds: 1_700_007_200)
        #expect(FleetTables.reservations([r], now: 1_700_000_090) == """
            ID     TEAM         CLUSTER     STATE   NODES           ENDS                  AGE
            rsv-1  ml-research  onprem-dc1  ACTIVE  gpu-0,gpu-1 +2  2023-11-15T00:13:20Z  1m
            """)
    }

    @Test func deploymentJSONFollowsTheProto3Mapping() {
        let json = FleetJSON.deployment(Self.deployment()).render(pretty: false)
        #expect(json.hasPrefix(#"{"id":"dep-1","requestId":"r-1","name":"llm","team":"ml-research","namespace":"team-ml-research","kind":"WORKLOAD_KIND_SERVING","priority":"PRIORITY_HIGH","state":"DEPLOYMENT_STATE_RUNNING""#))
        #expect(json.contains(#""resources":{"cpuMillis":"500","memoryBytes":"4294967296","acceleratorType":"nvidia-tesla-a100","acceleratorCount":1}"#))
        #expect(json.contains(#""createTime":"2023-11-14T22:13:20Z","placeTime":null"#))
    }

    @Test func jsonEscapesAndIndents() {
        let value = JSONValue.object([("message", .string("a \"quoted\"\nline\u{1}")), ("list", .array([.int(1), .bool(true), .null]))])
        #expect(value.render(pretty: false) == #"{"message":"a \"quoted\"\nline\u0001","list":[1,true,null]}"#)
        #expect(value.render() == """
            {
              "message": "a \\"quoted\\"\\nline\\u0001",
              "list": [
                1,
                true,
                null
              ]
            }
            """)
    }

    @Test func errorReportListsEveryDetail() throws {
        var badRequest = Google_Rpc_BadRequest()
        badRequest.fieldViolations = [("name", "must be a DNS-1123 label"), ("resources.cpu_millis", "must be positive")].map {
            var v = Google_Rpc_BadRequest.FieldViolation()
            v.field = $0.0
            v.description = $0.1
            return v
        }
        var quota = Google_Rpc_QuotaFailure()
        var violation = Google_Rpc_QuotaFailure.Violation()
        violation.subject = "team:ml-research"
        violation.description = "nvidia.com/gpu 8 requested, 4 left"
        quota.violations = [violation]
        var resource = Google_Rpc_ResourceInfo()
        resource.resourceType = "fleet.v1.Deployment"
        resource.resourceName = "dep-9"
        resource.description = "no such deployment"
        let status = Google_Rpc_Status(code: 3, message: "invalid deploy request", details: [
            try Google_Protobuf_Any(packing: badRequest), try Google_Protobuf_Any(packing: quota), try Google_Protobuf_Any(packing: resource),
        ])
        let error = RPCClientError(.invalidArgument, "invalid deploy request", details: try status.serializedBytes())
        #expect(ErrorReport.describe(error) == """
            Error: INVALID_ARGUMENT: invalid deploy request
              name: must be a DNS-1123 label
              resources.cpu_millis: must be positive
              quota team:ml-research: nvidia.com/gpu 8 requested, 4 left
              fleet.v1.Deployment "dep-9": no such deployment
            """)
        #expect(ErrorReport.describe(RPCClientError(.unavailable, "cannot connect to 127.0.0.1:50051: connection refused"))
                == "Error: UNAVAILABLE: cannot connect to 127.0.0.1:50051: connection refused")
    }

    @Test func watchViewAppliesSnapshotsDeltasAndRemovals() {
        var view = CapacityWatchView()
        var snapshot = Fleet_V1_CapacityUpdate()
        snapshot.kind = .snapshot
        snapshot.revision = 10
        snapshot.clusters = [Self.cluster("a", cloud: .gke, cpuFree: 1000, gpuFree: 1), Self.cluster("b", cloud: .aks, cpuFree: 2000, gpuFree: 2)]
        view.apply(snapshot)
        #expect(view.clusters.keys.sorted() == ["a", "b"])

        var delta = Fleet_V1_CapacityUpdate()
        delta.kind = .delta
        delta.revision = 11
        delta.clusters = [Self.cluster("a", cloud: .gke, cpuFree: 500, gpuFree: 0)]
        delta.removedClusters = ["b"]
        view.apply(delta)
        #expect(view.clusters.keys.sorted() == ["a"])
        #expect(view.clusters["a"]?.cpuMillis?.free == 500)
        #expect(view.revision == 11)
        #expect(view.screen().hasPrefix("revision 11 · last DELTA\n\nCLUSTER"))

        #expect(CapacityWatchView.lines(for: delta) == [
            "revision=11 kind=DELTA cluster=a health=HEALTHY nodes=4/4 cpu_free=500m memory_free=128Gi nvidia-tesla-a100_free=0",
            "revision=11 kind=DELTA cluster=b removed=true",
        ])
        var heartbeat = Fleet_V1_CapacityUpdate()
        heartbeat.kind = .heartbeat
        heartbeat.revision = 11
        view.apply(heartbeat)
        #expect(view.clusters.count == 1)
        #expect(CapacityWatchView.lines(for: heartbeat) == ["revision=11 kind=HEARTBEAT"])
    }
}
