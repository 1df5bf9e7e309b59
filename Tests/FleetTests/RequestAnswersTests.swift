import Testing
@testable import Fleet

@Suite struct RequestAnswersTests {
    struct Refused: Error {}

    @Test func aRetryGetsTheFirstCallsAnswerWithoutStartingAgain() async throws {
        var answers = RequestAnswers<Int>()
        let first = answers.answer(for: "req-1") { Task { 1 } }
        var startedAgain = false
        let retry = answers.answer(for: "req-1") {
            startedAgain = true
            return Task { 2 }
        }
        #expect(!first.replayed)
        #expect(retry.replayed)
        #expect(!startedAgain)
        #expect(try await retry.answer.value == 1)
    }

    @Test func aSettledAnswerIsKeptAsItsValue() async throws {
        var answers = RequestAnswers<Int>()
        let first = answers.answer(for: "req-1") { Task { 7 } }
        answers.settle("req-1", with: try await first.answer.value)
        let retry = answers.answer(for: "req-1") { Task { 8 } }
        guard case .settled(let value) = retry.answer else {
            Issue.record("expected the settled value, got \(retry.answer)")
            return
        }
        #expect(value == 7)
    }

    @Test func settlingAForgottenRequestDoesNotBringItBack() async throws {
        var answers = RequestAnswers<Int>()
        _ = answers.answer(for: "req-1") { Task { 1 } }
        answers.forget("req-1")
        answers.settle("req-1", with: 1)
        let next = answers.answer(for: "req-1") { Task { 2 } }
        #expect(!next.replayed)
        #expect(try await next.answer.value == 2)
    }

    @Test func aForgottenFailureIsJudgedAfreshOnRetry() async throws {
        var answers = RequestAnswers<Int>()
        let first = answers.answer(for: "req-1") { Task { throw Refused() } }
        await #expect(throws: Refused.self) { try await first.answer.value }
        answers.forget("req-1")
        let retry = answers.answer(for: "req-1") { Task { 3 } }
        #expect(!retry.replayed)
        #expect(try await retry.answer.value == 3)
    }

    @Test func anAnswerRememberedFromBeforeARestartIsReplayed() async throws {
        var answers = RequestAnswers<String>()
        answers.remember("placed on onprem-dc1", for: "req-9")
        let retry = answers.answer(for: "req-9") { Task { "placed again" } }
        #expect(retry.replayed)
        #expect(try await retry.answer.value == "placed on onprem-dc1")
    }
}
