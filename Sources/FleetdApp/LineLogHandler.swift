#if canImport(Glibc)
public import Glibc
#endif
public import Logging
import Synchronization

/// fleetd's log lines, in swift-log's StreamLogHandler format so that what reads them does
/// not change: `2026-12-03T07:27:24+0000 info fleetd: key=value [Source] message`.
///
/// The difference is cost: the time is formatted once per second, not once per line, and a
/// line leaves in one write. StreamLogHandler's per-line formatting and stdio locking were
/// 5% of fleetd's CPU at several hundred Deploys a second, which log two lines each.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let writer: LogLineWriter

    public init(label: String, writer: LogLineWriter = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var effective = metadata
        if let provided = metadataProvider?.get() { effective.merge(provided) { _, new in new } }
        if let explicit = event.metadata { effective.merge(explicit) { _, new in new } }
        if let error = event.error {
            effective["error.message"] = "\(error)"
            effective["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = writer.timestamp()
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        for (key, value) in effective.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        writer.write(line)
    }
}

/// Where log lines go, one write each, and the cached text of the current second.
public final class LogLineWriter: Sendable {
    private let clock: @Sendable () -> time_t
    private let sink: @Sendable (UnsafeRawBufferPointer) -> Void
    private let second = Mutex<(time: time_t, text: String)>((-1, ""))
    private let writing = Mutex(())

    public static let standardError = LogLineWriter(clock: { time(nil) }, sink: { bytes in
        var remaining = bytes
        while !remaining.isEmpty {
            let written = Glibc.write(STDERR_FILENO, remaining.baseAddress, remaining.count)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    })

    /// - Parameters:
    ///   - clock: the current time in seconds.
    ///   - sink: receives each whole line; calls never overlap.
    public init(clock: @escaping @Sendable () -> time_t, sink: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.clock = clock
        self.sink = sink
    }

    func timestamp() -> String {
        let now = clock()
        return second.withLock { cached in
            if cached.time != now { cached = (now, Self.format(now)) }
            return cached.text
        }
    }

    func write(_ line: String) {
        var line = line
        writing.withLock { _ in line.withUTF8 { sink(UnsafeRawBufferPointer($0)) } }
    }

    private static func format(_ time: time_t) -> String {
        var time = time
        var local = tm()
        guard localtime_r(&time, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
