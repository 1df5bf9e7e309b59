import Foundation
import KubeBackend

/// A fresh directory under the system temp directory, removed on deinit.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kubebackend-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` at a path relative to this directory and returns the absolute path.
    @discardableResult
    func write(_ relativePath: String, _ contents: String, executable: Bool = false) throws -> String {
        let fullPath = path + "/" + relativePath
        let directory = (fullPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try contents.write(toFile: fullPath, atomically: true, encoding: .utf8)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fullPath)
        }
        return fullPath
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path + "/" + relativePath, encoding: .utf8)
    }
}

/// A clock that tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) {
        current = start
    }

    var now: Date { lock.withLock { current } }

    func advance(by interval: TimeInterval) {
        lock.withLock { current += interval }
    }

    var function: @Sendable () -> Date { { self.now } }
}

func base64(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
}

/// A `KubeClock` whose sleeps return at once: each adds its duration to the clock's
/// time and to a record that tests read, so that backoff is checked without waiting.
final class VirtualKubeClock: KubeClock, @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed = Duration.zero
    private var recorded: [Duration] = []

    func now() -> Duration { lock.withLock { elapsed } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        lock.withLock {
            recorded.append(duration)
            elapsed += max(duration, .zero)
        }
        await Task.yield()
        try Task.checkCancellation()
    }

    var sleeps: [Duration] { lock.withLock { recorded } }
}

/// Polls until `condition` holds, for up to `timeout` of real time.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Paths of the optional properties that are nil in `value`, and in the nested values
/// (the first element of an array) that `descend` accepts. Unknown fields are not
/// properties of the wire format. For fixtures that must set every field, so that a field
/// added to a model shows up until the fixture covers it.
func unsetProperties(of value: Any, path: String = "", descendingInto descend: (Any) -> Bool) -> [String] {
    var unset: [String] = []
    for child in Mirror(reflecting: value).children {
        guard let label = child.label, label != "unknownFields" else { continue }
        let childPath = path + "." + label
        var property = child.value
        let mirror = Mirror(reflecting: property)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else {
                unset.append(childPath)
                continue
            }
            property = wrapped
        }
        if descend(property) {
            unset += unsetProperties(of: property, path: childPath, descendingInto: descend)
        } else if let elements = property as? [Any], let first = elements.first, descend(first) {
            unset += unsetProperties(of: first, path: childPath + "[0]", descendingInto: descend)
        }
    }
    return unset
}
