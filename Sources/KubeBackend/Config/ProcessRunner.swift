import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a short-lived child process (an exec credential plugin) on a thread of its
/// own, so that its blocking reads and wait never hold a cooperative-pool thread.
enum ProcessRunner {
    struct Output: Sendable {
        var exitCode: Int32
        var standardOutput: [UInt8]
        var standardError: [UInt8]
        var timedOut: Bool
    }

    static func run(
        executable: String, arguments: [String], environment: [String: String], timeout: TimeInterval
    ) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                unblockAllSignals()
                continuation.resume(with: Result {
                    try runBlocking(executable: executable, arguments: arguments, environment: environment, timeout: timeout)
                })
            }
        }
    }

    private static func runBlocking(
        executable: String, arguments: [String], environment: [String: String], timeout: TimeInterval
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let timedOut = LockedFlag()
        let deadline = DispatchWorkItem {
            guard process.isRunning else { return }
            timedOut.set()
            kill(process.processIdentifier, SIGKILL)
        }
        // Neither the deadline nor the drain below may wait for a thread of the global
        // queue: it has as many as there are cores, and a drain blocked in a read holds
        // one until its plugin ends. With two slow plugins on two cores, a third's
        // deadline fired only when one of them ended. A queue of its own gets a thread.
        DispatchQueue(label: "exec-plugin-deadline").asyncAfter(deadline: .now() + timeout, execute: deadline)

        // Drain stderr concurrently so a chatty plugin cannot fill one pipe and stall.
        let errorData = LockedData()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errorData.set(errorPipe.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        deadline.cancel()
        return Output(
            exitCode: process.terminationStatus, standardOutput: Array(outputData),
            standardError: Array(errorData.get()), timedOut: timedOut.get())
    }

    /// Threads of the concurrency pool run with most signals blocked, and a child
    /// process inherits its spawning thread's mask: a plugin spawned from such a thread
    /// would ignore SIGTERM and SIGINT. Spawn from a thread with a clean mask instead.
    private static func unblockAllSignals() {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
    }

    /// The first executable file named `command` on `searchPath` (colon-separated),
    /// or `command` itself when it is a path.
    static func resolveExecutable(_ command: String, searchPath: String?) -> String? {
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? command : nil
        }
        for directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = directory + "/" + command
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    func get() -> Bool { lock.withLock { value } }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()

    func set(_ data: Data) { lock.withLock { value = data } }
    func get() -> Data { lock.withLock { value } }
}
