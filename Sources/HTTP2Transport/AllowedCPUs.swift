import Glibc
import NIOCore

/// How many CPUs this process may run on. SwiftNIO's `System.coreCount` reads cgroup limits
/// but not the scheduler affinity mask, so a server started under `taskset -c 0` would run one
/// event loop per online core, all on that one CPU, switching between them.
enum AllowedCPUs {
    /// The smaller of the affinity mask's CPU count and `System.coreCount`.
    static var count: Int {
        guard let allowed = fromProcStatus() else { return System.coreCount }
        return max(1, min(allowed, System.coreCount))
    }

    private static func fromProcStatus() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("Cpus_allowed_list:") {
                return count(inList: text.dropFirst("Cpus_allowed_list:".count))
            }
        }
        return nil
    }

    /// Counts the CPUs in a Linux CPU list such as `0-3,8,10-11`; nil when it is malformed.
    static func count(inList list: some StringProtocol) -> Int? {
        var total = 0
        for range in list.filter({ !$0.isWhitespace }).split(separator: ",", omittingEmptySubsequences: false) {
            let bounds: [Int?] = range.split(separator: "-", omittingEmptySubsequences: false).map { Int(String($0)) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                total += high - low + 1
            default:
                return nil
            }
        }
        return total
    }
}
