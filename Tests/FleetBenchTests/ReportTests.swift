import Foundation
import Testing
@testable import FleetBench

@Suite struct HistogramSummaryTests {
    @Test func summarisesAKnownDistribution() {
        var histogram = LatencyHistogram()
        for micros in 1...1000 { histogram.record(.microseconds(micros)) }
        let summary = histogram.summary
        #expect(summary.count == 1000)
        #expect(summary.p50 == 500)
        #expect(summary.p90 == 900)
        #expect(summary.p99 == 990)
        #expect(summary.p999 == 999)
        #expect(summary.max == 1000)
    }

    @Test func keepsThreeSignificantDigitsOfLargeValues() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(1234))
        let max = histogram.summary.max
        #expect(abs(Double(max) - 1_234_000) / 1_234_000 < 0.001)
    }

    @Test func anEmptyHistogramShowsDashes() {
        let summary = LatencyHistogram().summary
        #expect(summary.count == 0)
        #expect(summary.cells == ["–", "–", "–", "–", "–"])
    }

    @Test(arguments: [(UInt64(7), "7 µs"), (999, "999 µs"), (1000, "1.00 ms"), (1234, "1.23 ms"), (12_345, "12.3 ms"),
                      (123_456, "123 ms"), (1_500_000, "1.50 s"), (65_000_000, "65.0 s")])
    func formats(micros: UInt64, text: String) {
        #expect(LatencySummary.format(micros: micros) == text)
    }
}

@Suite struct DeliveryAnalysisTests {
    typealias R = DeliveryAnalysis.Receipt

    @Test func countsDeliveriesConflationAndMisses() {
        let changes = [
            DeliveryAnalysis.Change(sentAt: 0, revision: 10),
            DeliveryAnalysis.Change(sentAt: 100, revision: 11),
            DeliveryAnalysis.Change(sentAt: 200, revision: 12),
            DeliveryAnalysis.Change(sentAt: 300, revision: nil),
        ]
        let fast = [R(revision: 9, at: -50), R(revision: 10, at: 1_000, sinceRecorded: 700),
                    R(revision: 11, at: 101_000, sinceRecorded: 800), R(revision: 12, at: 201_000)]
        // Conflated: 10 and 11 arrive as one update of revision 11; never saw 12.
        let slow = [R(revision: 9, at: -50), R(revision: 11, at: 500_000)]
        let result = DeliveryAnalysis.analyze(changes: changes, receipts: [fast, slow])
        #expect(result.changes == 4)
        #expect(result.unattributed == 1)
        #expect(result.expected == 6)
        #expect(result.delivered == 5)
        #expect(result.missing == 1)
        #expect(result.conflated == 1)
        #expect(result.reachedAll == 2)
        #expect(result.deliveryLatency.count == 5)
        // Only exact receipts that carried the manager's time: 10 and 11 for the fast one.
        #expect(result.recordedToReceipt.count == 2)
        // Change 10 reached everyone at 500 µs, change 11 at 499.9 µs after it was sent.
        #expect(result.timeToAll.summary.max == 500)
        #expect(result.spread.count == 2)
    }

    @Test func findsTheFirstReceiptCoveringARevision() {
        let log = [R(revision: 3, at: 1), R(revision: 5, at: 2), R(revision: 9, at: 3)]
        #expect(DeliveryAnalysis.firstReceipt(in: log, covering: 1) == log[0])
        #expect(DeliveryAnalysis.firstReceipt(in: log, covering: 4) == log[1])
        #expect(DeliveryAnalysis.firstReceipt(in: log, covering: 9) == log[2])
        #expect(DeliveryAnalysis.firstReceipt(in: log, covering: 10) == nil)
        #expect(DeliveryAnalysis.firstReceipt(in: [], covering: 1) == nil)
    }
}

@Suite struct ProcessSamplerTests {
    @Test func readsCPUTimeAfterACommandNameWithSpaces() throws {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let stat = "1234 (fleet d) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0"
        #expect(ProcessSampler.cpuSeconds(stat: stat) == 300 / ticks)
    }

    @Test func readsResidentMemory() {
        let status = "Name:\tfleetd\nVmPeak:\t  100 kB\nVmRSS:\t   65432 kB\nThreads:\t8\n"
        #expect(ProcessSampler.rssBytes(status: status) == 65432 * 1024)
        #expect(ProcessSampler.rssBytes(status: "Name:\tx\n") == nil)
    }

    @Test func samplesThisProcess() throws {
        let sample = try ProcessSampler(pid: getpid()).sample()
        #expect(sample.rssBytes > 0)
        #expect(sample.cpuSeconds >= 0)
    }
}

@Suite struct ReportShapeTests {
    private func unaryReport() throws -> UnaryReport {
        let plan = UnaryPlan(cycle: [.deployDryRun, .deployDelete], pacing: .openLoop(ArrivalSchedule(rate: 100)), workers: 4,
                             warmup: .seconds(1), duration: .seconds(2), callTimeout: .seconds(1))
        let tally = UnaryTally()
        for _ in 0..<10 { tally.success("deploy-dry-run", latency: .microseconds(800), measured: true) }
        tally.success("deploy-dry-run", latency: .microseconds(800), measured: false)
        tally.failure("deploy-dry-run", code: "UNAVAILABLE", measured: true)
        tally.step("deploy-delete 1: Deploy", latency: .milliseconds(3), measured: true)
        tally.placed(on: "onprem-dc1", measured: true)
        tally.success("deploy-delete", latency: .milliseconds(5), measured: true, rpcs: 2)
        return UnaryReport(plan: plan, mixText: "deploy-dry-run=1,deploy-delete=1", server: "127.0.0.1:1", transport: "h2c",
                           connections: 1, results: tally.snapshot, usage: nil)
    }

    @Test func unaryJSONHasTheDocumentedFields() throws {
        let report = try unaryReport()
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        for key in ["tool", "mode", "server", "transport", "connections", "workers", "pacing", "targetRate", "mix", "warmupSeconds",
                    "durationSeconds", "operations", "total", "rpcs", "rpcsPerSecond", "deploysByCluster", "queuedDeploys"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let total = object["total"] as! [String: Any]
        #expect(total["ok"] as? Int == 11)
        #expect(total["errorCount"] as? Int == 1)
        #expect((total["errors"] as? [String: Int]) == ["UNAVAILABLE": 1])
        #expect(total["throughput"] as? Double == 5.5)
        let latency = total["latencyMicros"] as! [String: Any]
        #expect(Set(latency.keys) == ["count", "p50", "p90", "p99", "p999", "max", "mean"])
        let names = (object["operations"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(names == ["deploy-dry-run", "deploy-delete", "deploy-delete 1: Deploy"])
        #expect(object["rpcs"] as? Int == 13)
    }

    @Test func unaryMarkdownIsATable() throws {
        let markdown = try unaryReport().markdown
        let lines = markdown.split(separator: "\n")
        #expect(lines[0] == "| operation | ok | errors | ops/s | p50 | p90 | p99 | p99.9 | max |")
        #expect(lines.contains { $0.hasPrefix("| deploy-dry-run | 10 | 1 (UNAVAILABLE: 1) | 5 | 800 µs |") })
        #expect(lines.contains { $0.hasPrefix("| total | 11 |") })
        #expect(markdown.contains("Real deploys by cluster: onprem-dc1 1."))
    }

    @Test func watchJSONHasTheDocumentedFields() throws {
        let summary = LatencyHistogram().summary
        let report = WatchReport(
            server: "127.0.0.1:1", transport: "h2c", connections: 2, subscribers: 10, targetChangeRate: 10, durationSeconds: 2, graceSeconds: 1,
            changes: .init(made: 20, attributed: 20, unattributed: 0, perSecond: 10),
            delivery: .init(expected: 200, delivered: 200, missing: 0, conflated: 3, completeness: 1, changesThatReachedEverySubscriber: 20),
            recordedToReceiptMicros: summary, deliveryLatencyMicros: summary, timeToAllMicros: summary, spreadMicros: summary,
            driverCallLatencyMicros: summary,
            updates: .init(snapshots: 10, deltas: 200, heartbeats: 0), subscriberErrors: [:], driverErrors: [:], deploysByCluster: ["a": 10],
            memory: .init(rssBeforeStreamsBytes: 1 << 20, rssWithStreamsBytes: 2 << 20, bytesPerSubscriber: 104857.6), serverUsage: nil)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        for key in ["mode", "subscribers", "changes", "delivery", "deliveryLatencyMicros", "timeToAllMicros", "spreadMicros",
                    "driverCallLatencyMicros", "updates", "memory"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(report.markdown.contains("Completeness: 200 of 200 expected deliveries (100.000%), 3 of them conflated"))
        #expect(report.markdown.contains("102.4 KiB per subscriber"))
    }
}
