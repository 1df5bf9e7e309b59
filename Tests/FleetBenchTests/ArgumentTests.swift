import ArgumentParser
import Testing
@testable import FleetBench

@Suite struct ArgumentTests {
    private func message(_ arguments: [String]) -> String? {
        do {
            _ = try FleetBench.parseAsRoot(arguments)
            return nil
        } catch {
            return FleetBench.message(for: error)
        }
    }

    @Test func anOpenLoopPlanUsesEveryStream() throws {
        let command = try UnaryCommand.parse(["--server", "127.0.0.1:50051", "--rate", "5000", "--connections", "4",
                                              "--streams-per-connection", "8", "--duration", "3s", "--warmup", "0s"])
        let plan = try command.plan()
        #expect(plan.workers == 32)
        #expect(plan.pacing == .openLoop(ArrivalSchedule(rate: 5000)))
        #expect(plan.duration == .seconds(3))
        #expect(plan.warmup == .zero)
        #expect(plan.cycle.count == 100)
    }

    @Test func aClosedLoopUsesItsConcurrency() throws {
        let command = try UnaryCommand.parse(["--server", "localhost:1", "--closed-loop", "--concurrency", "7", "--mix", "echo"])
        let plan = try command.plan()
        #expect(plan.workers == 7)
        #expect(plan.pacing == .closedLoop)
        #expect(plan.cycle == [.echo])
    }

    @Test func unaryIsTheDefaultMode() throws {
        let command = try FleetBench.parseAsRoot(["--server", "localhost:1", "--closed-loop"])
        #expect(command is UnaryCommand)
    }

    @Test(arguments: [
        (["--rate", "10"], "--server"),
        (["--server", "nohost", "--rate", "10"], "is not HOST:PORT"),
        (["--server", "h:1"], "choose --rate N (open loop) or --closed-loop"),
        (["--server", "h:1", "--rate", "10", "--closed-loop"], "exclude each other"),
        (["--server", "h:1", "--rate", "0"], "--rate must be a positive"),
        (["--server", "h:1", "--rate", "10", "--concurrency", "4"], "--concurrency is for --closed-loop"),
        (["--server", "h:1", "--closed-loop", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["--server", "h:1", "--rate", "10", "--duration", "soon"], "--duration \"soon\""),
        (["--server", "h:1", "--rate", "10", "--duration", "0s"], "positive duration"),
        (["--server", "h:1", "--rate", "10", "--connections", "0"], "--connections must be at least 1"),
        (["--server", "h:1", "--rate", "10", "--mix", "deploy=1"], "is not an operation"),
        (["--server", "h:1", "--rate", "10", "--server-pid", "999999999"], "is --server-pid 999999999 a running process"),
        (["watch", "--server", "h:1", "--subscribers", "0"], "--subscribers must be at least 1"),
        (["watch", "--server", "h:1", "--change-rate", "0"], "--change-rate must be a positive"),
        (["watch", "--server", "h:1", "--grace", "later"], "--grace"),
    ])
    func rejectsBadArguments(arguments: [String], reason: String) {
        let text = message(arguments)
        #expect(text?.contains(reason) == true, "\(arguments): \(text ?? "accepted")")
    }
}
