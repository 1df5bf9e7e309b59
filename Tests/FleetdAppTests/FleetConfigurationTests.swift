import Fleet
import Testing
@testable import FleetdApp

@Suite struct FleetConfigurationTests {
    static let example = """
        listen:
          address: 0.0.0.0:50061
        metrics:
          address: 127.0.0.1:9191
        policy:
          strategy: spread
          costWeight: 10
          agingSeconds: 120
        clusters:
          - name: onprem-dc1
            cloud: onprem
            region: dc1
            kubeconfig: /etc/fleetd/kubeconfig
            context: dc1-admin
            ingressClass: nginx
            ingressDomain: dc1.fleet.example
            costRank: 0
          - name: gke-us-central1
            cloud: gke
            region: us-central1
            inCluster: true
            ingressClass: gce
            ingressDomain: gke.fleet.example
            costRank: 2
            qps: 200
            burst: 400
        teams:
          - name: ml-research
            quota:
              cpu: "200"
              memory: 800Gi
              accelerators:
                nvidia.com/gpu: 16
          - name: search
            namespace: search-prod
        """

    @Test func aFullFileParses() throws {
        let configuration = try FleetConfiguration.parse(yaml: Self.example)
        #expect(configuration.listenHost == "0.0.0.0" && configuration.listenPort == 50061)
        #expect(configuration.metricsPort == 9191)
        #expect(configuration.settings.policy == PlacementPolicy(strategy: .spread, costWeight: 10))
        #expect(configuration.settings.agingInterval == .seconds(120))
        #expect(configuration.clusters.map(\.descriptor.name) == ["onprem-dc1", "gke-us-central1"])
        #expect(configuration.clusters[0].access == .kubeconfig(path: "/etc/fleetd/kubeconfig", context: "dc1-admin"))
        #expect(configuration.clusters[1].access == .inCluster)
        #expect(configuration.clusters[1].descriptor.ingressClassName == "gce")
        #expect(configuration.clusters[1].requestsPerSecond == 200 && configuration.clusters[1].burst == 400)
        #expect(configuration.clusters[0].requestsPerSecond == 50 && configuration.clusters[0].burst == 100)
        #expect(configuration.settings.team(named: "ml-research")?.quota == QuotaLimits(cpuMillis: 200_000, memoryBytes: 800 << 30, accelerators: ["nvidia.com/gpu": 16]))
        #expect(configuration.settings.team(named: "search")?.namespace == "search-prod")
    }

    @Test func everyProblemIsListedWithWhereItIs() {
        let broken = """
            listen:
              address: nowhere
            policy:
              strategy: random
            clusters:
              - {name: a, cloud: azure, region: x, ingressDomain: a.example}
              - {name: b, cloud: eks, region: y, ingressDomain: b.example, inCluster: true, context: c}
              - {name: b, cloud: eks, region: y, ingressDomain: b.example}
            teams:
              - name: t
                quota: {cpu: lots}
            """
        #expect {
            _ = try FleetConfiguration.parse(yaml: broken)
        } throws: { error in
            guard let invalid = error as? FleetConfiguration.Invalid else { return false }
            return invalid.problems == [
                "listen.address: \"nowhere\" is not HOST:PORT",
                "policy.strategy: \"random\" is not bin-pack or spread",
                "clusters[0] (a).cloud: \"azure\" is not one of gke, aks, eks, onprem",
                "clusters[1] (b): inCluster excludes kubeconfig and context",
                "clusters[2] (b): the name is used twice",
                "teams[0] (t).quota.cpu: \"lots\" is not a quantity",
            ]
        }
    }

    @Test func aMissingFieldNamesItsPath() {
        #expect {
            _ = try FleetConfiguration.parse(yaml: "clusters:\n  - name: a\n    cloud: gke\nteams: []\n", source: "fleetd.yaml")
        } throws: { error in
            "\(error)".contains("fleetd.yaml: missing clusters[0].region")
        }
    }

    @Test func leaderElectionIsOffUnlessAskedForAndItsTimingsAreChecked() throws {
        #expect(try FleetConfiguration.parse(yaml: Self.example).leaderElection == nil)

        let asked = try FleetConfiguration.parse(yaml: Self.example + "\nleaderElection: {leaseName: fleetd-prod, leaseDurationSeconds: 30}\n")
        var expected = FleetConfiguration.LeaderElection()
        expected.leaseName = "fleetd-prod"
        expected.leaseDuration = .seconds(30)
        #expect(asked.leaderElection == expected)

        #expect {
            _ = try FleetConfiguration.parse(yaml: Self.example + "\nleaderElection: {leaseName: Fleetd_Leader, leaseDurationSeconds: 10, renewDeadlineSeconds: 10}\n")
        } throws: { error in
            (error as? FleetConfiguration.Invalid)?.problems == [
                "leaderElection.leaseName: \"Fleetd_Leader\" is not a DNS-1123 subdomain",
                "leaderElection: needs retryPeriodSeconds < renewDeadlineSeconds < leaseDurationSeconds, so that a leader steps down before its Lease expires (have 2, 10, 10)",
            ]
        }
        #expect(throws: FleetConfiguration.Invalid.self) {
            _ = try FleetConfiguration.parse(yaml: Self.example + "\nleaderElection: {leaseName: fleetd..leader}\n")
        }
    }
}
