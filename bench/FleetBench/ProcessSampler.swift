#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of another process, read from /proc (Linux only).
struct ProcessSampler: Sendable {
    let pid: Int32

    struct Sample: Sendable {
        var cpuSeconds: Double
        var rssBytes: Int
        var at: ContinuousClock.Instant
    }

    enum Failure: Error, CustomStringConvertible {
        case unreadable(pid: Int32)
        var description: String {
            switch self {
            case .unreadable(let pid): "cannot read /proc/\(pid)/stat and /proc/\(pid)/status: is --server-pid \(pid) a running process?"
            }
        }
    }

    func sample() throws(Failure) -> Sample {
        guard let stat = Self.read("/proc/\(pid)/stat"), let status = Self.read("/proc/\(pid)/status"),
              let cpu = Self.cpuSeconds(stat: stat), let rss = Self.rssBytes(status: status) else {
            throw .unreadable(pid: pid)
        }
        return Sample(cpuSeconds: cpu, rssBytes: rss, at: .now)
    }

    /// utime + stime: fields 14 and 15, counted after the parenthesised command name,
    /// which may itself contain spaces.
    static func cpuSeconds(stat: String) -> Double? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func rssBytes(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = Int(parts[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a process (the server, or fleet-bench itself) used between two samples.
struct ProcessUsage: Codable, Equatable, Sendable {
    var pid: Int32
    var cpuSeconds: Double
    /// CPU seconds per wall second: 1.0 is one core busy.
    var cores: Double
    var rssBytesStart: Int
    var rssBytesEnd: Int

    init(pid: Int32, from start: ProcessSampler.Sample, to end: ProcessSampler.Sample) {
        self.pid = pid
        cpuSeconds = end.cpuSeconds - start.cpuSeconds
        let wall = (end.at - start.at).seconds
        cores = wall > 0 ? cpuSeconds / wall : 0
        rssBytesStart = start.rssBytes
        rssBytesEnd = end.rssBytes
    }
}
