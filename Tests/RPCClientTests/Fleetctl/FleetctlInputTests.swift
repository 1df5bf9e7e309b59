@testable import fleetctl
import Protos
import Testing

@Suite("fleetctl: quantities, durations, addresses and requests from arguments")
struct FleetctlInputTests {
    @Test func cpuQuantities() throws {
        #expect(try Quantities.cpuMillis("500m") == 500)
        #expect(try Quantities.cpuMillis("2") == 2000)
        #expect(try Quantities.cpuMillis("0.5") == 500)
        #expect(try Quantities.cpuMillis("1.25") == 1250)
        for bad in ["", "m", "-1", "0", "1.0005", "two", "5q"] {
            #expect(throws: Quantities.Invalid.self, "\(bad)") { try Quantities.cpuMillis(bad) }
        }
    }

    @Test func memoryQuantities() throws {
        #expect(try Quantities.bytes("4Gi") == 4 << 30)
        #expect(try Quantities.bytes("512Mi") == 512 << 20)
        #expect(try Quantities.bytes("1.5Gi") == 3 << 29)
        #expect(try Quantities.bytes("1G") == 1_000_000_000)
        #expect(try Quantities.bytes("128974848") == 128_974_848)
        for bad in ["", "Gi", "4GB", "-1Gi", "1.3Ki"] {
            #expect(throws: Quantities.Invalid.self, "\(bad)") { try Quantities.bytes(bad) }
        }
    }

    @Test func accelerators() throws {
        #expect(try Quantities.accelerator("nvidia-tesla-a100=2") == ("nvidia-tesla-a100", 2))
        #expect(try Quantities.accelerator("tpu-v5-lite") == ("tpu-v5-lite", 1))
        #expect(throws: Quantities.Invalid.self) { try Quantities.accelerator("a100=0") }
        #expect(throws: Quantities.Invalid.self) { try Quantities.accelerator("=2") }
    }

    @Test func quantitiesForDisplay() {
        #expect(Quantities.formatCPU(millis: 2000) == "2")
        #expect(Quantities.formatCPU(millis: 1500) == "1500m")
        #expect(Quantities.formatBytes(4 << 30) == "4Gi")
        #expect(Quantities.formatBytes(3 << 29) == "1.5Gi")
        #expect(Quantities.formatBytes(512 << 20) == "512Mi")
        #expect(Quantities.formatBytes(1000) == "1000")
        #expect(Quantities.formatBytes(5 << 40) == "5Ti")
    }

    @Test func durations() {
        #expect(Durations.parse("500ms") == .milliseconds(500))
        #expect(Durations.parse("10s") == .seconds(10))
        #expect(Durations.parse("1h30m") == .seconds(5400))
        #expect(Durations.parse("10") == nil)
        #expect(Durations.parse("s") == nil)
        #expect(Durations.parse("10x") == nil)
        #expect(Durations.format(.seconds(5400)) == "1h30m")
    }

    @Test func serverAddresses() {
        #expect(ConnectionOptions.parseAddress("127.0.0.1:50051")! == ("127.0.0.1", 50051))
        #expect(ConnectionOptions.parseAddress("fleetd.internal")! == ("fleetd.internal", 50051))
        #expect(ConnectionOptions.parseAddress("[::1]:7000")! == ("::1", 7000))
        #expect(ConnectionOptions.parseAddress("host:0") == nil)
        #expect(ConnectionOptions.parseAddress("host:http") == nil)
        #expect(ConnectionOptions.parseAddress(":50051") == nil)
    }

    @Test func deployRequestFromFlags() throws {
        let command = try Deploy.parseAsRoot([
            "llm", "--team", "ml-research", "--image", "ghcr.io/acme/llm:1", "--replicas", "3",
            "--cpu", "500m", "--memory", "4Gi", "--gpu", "nvidia-tesla-a100=2", "--priority", "high",
            "--cloud", "gke", "--cloud", "onprem", "--node-label", "pool=gpu", "--env", "MODEL=llama", "--dry-run",
            "--request-id", "r-1",
        ]) as! Deploy
        let request = try command.request()
        #expect(request.name == "llm")
        #expect(request.team == "ml-research")
        #expect(request.kind == .serving)
        #expect(request.replicas == 3)
        #expect(request.resources?.cpuMillis == 500)
        #expect(request.resources?.memoryBytes == 4 << 30)
        #expect(request.resources?.acceleratorType == "nvidia-tesla-a100")
        #expect(request.resources?.acceleratorCount == 2)
        #expect(request.priority == .high)
        #expect(request.constraints?.clouds == [.gke, .onprem])
        #expect(request.constraints?.nodeLabels == ["pool": "gpu"])
        #expect(request.env == ["MODEL": "llama"])
        #expect(request.dryRun)
        #expect(request.requestId == "r-1")
    }

    @Test func badDeployArgumentsAreRejectedBeforeAnyCall() {
        #expect(throws: (any Error).self) { try Deploy.parseAsRoot(["llm"]) }  // no team
        #expect(throws: (any Error).self) { try Deploy.parseAsRoot(["llm", "--team", "t", "--cpu", "lots"]) }
        #expect(throws: (any Error).self) { try Deploy.parseAsRoot(["llm", "--team", "t", "--cloud", "mars"]) }
        #expect(throws: (any Error).self) { try Deploy.parseAsRoot(["llm", "--team", "t", "--server", "a:b"]) }
    }

    @Test func deploySpecFromYAML() throws {
        let spec = try DeploySpec.parse("""
            name: trainer
            team: ml-research
            kind: scheduled
            image: ghcr.io/acme/train:2
            schedule: "0 * * * *"
            replicas: 2
            resources:
              cpu: 2
              memory: 16Gi
              gpu: nvidia-tesla-a100=8
            priority: low
            constraints:
              clouds: [aks]
              nodeLabels: {pool: a100}
            env: {EPOCHS: "3"}
            """, source: "spec.yaml")
        let request = try spec.request()
        #expect(request.kind == .scheduled)
        #expect(request.schedule == "0 * * * *")
        #expect(request.resources?.cpuMillis == 2000)
        #expect(request.resources?.memoryBytes == 16 << 30)
        #expect(request.resources?.acceleratorCount == 8)
        #expect(request.priority == .low)
        #expect(request.constraints?.clouds == [.aks])
        #expect(request.constraints?.nodeLabels == ["pool": "a100"])
        #expect(request.env == ["EPOCHS": "3"])
    }

    @Test func badDeploySpecSaysWhere() {
        #expect(throws: DeploySpec.Invalid.self) { try DeploySpec.parse("replicas: many", source: "spec.yaml") }
        #expect(throws: DeploySpec.Invalid.self) { try DeploySpec.parse("kind: daemon", source: "spec.yaml").request() }
        do {
            _ = try DeploySpec.parse("resources: {cpu: lots}", source: "spec.yaml").request()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("resources"))
        }
    }
}
