#if canImport(Glibc)
import Glibc
#endif

/// A line on stderr every second while the run goes on.
enum Progress {
    static func print(_ line: String) {
        let bytes = Array(("fleet-bench: " + line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Calls `line` once a second with the seconds elapsed, until the task is cancelled.
    static func everySecond(_ line: (Int) -> String) async {
        var elapsed = 0
        let clock = ContinuousClock()
        let start = clock.now
        while !Task.isCancelled {
            elapsed += 1
            do { try await Task.sleep(until: start + .seconds(elapsed), clock: clock) } catch { return }
            print(line(elapsed))
        }
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
