#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Testing
@testable import FleetdApp

/// fleetd's log lines keep StreamLogHandler's format, which operators' tools read.
@Suite struct LineLogHandlerTests {
    /// The lines written and the clock they read, for one test.
    private final class Capture: Sendable {
        private let state = Mutex<(lines: [String], now: time_t)>(([], 1_764_750_000))

        var lines: [String] { state.withLock { $0.lines } }
        func tick() { state.withLock { $0.now += 1 } }

        var writer: LogLineWriter {
            LogLineWriter(clock: { self.state.withLock { $0.now } }, sink: { bytes in
                self.state.withLock { $0.lines.append(String(decoding: bytes, as: UTF8.self)) }
            })
        }
    }

    private struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func linesHaveTheTimeLevelLabelSortedMetadataSourceAndMessage() throws {
        let capture = Capture()
        var handler = LineLogHandler(label: "fleetd", writer: capture.writer, metadataProvider: .init { ["request": "r-1"] })
        handler.metadata = ["cluster": "gke-a", "request": "overridden"]
        let logger = Logger(label: "fleetd", factory: { _ in handler })
        logger.info("deployment placed", metadata: ["deployment": "dep-1", "cluster": "onprem"], source: "Fleet")
        logger.warning("write failed", error: Failure(), source: "Fleet")

        let lines = capture.lines
        try #require(lines.count == 2)
        let stamp = try #require(lines[0].split(separator: " ").first.map(String.init))
        #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/) != nil, "\(stamp)")
        #expect(lines[0] == "\(stamp) info fleetd: cluster=onprem deployment=dep-1 request=r-1 [Fleet] deployment placed\n")
        #expect(lines[1].hasPrefix("\(stamp) warning fleetd: cluster=gke-a error.message=disk full error.type="))
        #expect(lines[1].hasSuffix(" request=r-1 [Fleet] write failed\n"))
    }

    @Test func theTimeStampFollowsTheClockBySecond() {
        let capture = Capture()
        let writer = capture.writer
        let first = writer.timestamp()
        #expect(writer.timestamp() == first)
        capture.tick()
        let next = writer.timestamp()
        #expect(next != first)
        #expect(next.prefix(17) == first.prefix(17), "same minute: \(first) \(next)")
    }
}
