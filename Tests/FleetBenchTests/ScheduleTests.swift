import Testing
@testable import FleetBench

@Suite struct ArrivalScheduleTests {
    @Test func requestsFallDueEvenly() {
        let schedule = ArrivalSchedule(rate: 1000)
        #expect(schedule.dueOffset(of: 0) == .zero)
        #expect(schedule.dueOffset(of: 1) == .microseconds(1000))
        #expect(schedule.dueOffset(of: 2500) == .milliseconds(2500))
    }

    @Test func fractionalRatesRound() {
        let schedule = ArrivalSchedule(rate: 3)
        #expect(schedule.dueOffset(of: 1) == .nanoseconds(333_333_333))
        #expect(schedule.dueOffset(of: 3) == .seconds(1))
    }

    @Test func countsTheRequestsDueInAWindow() {
        let schedule = ArrivalSchedule(rate: 1000)
        // Due at 0, 1, ..., 1999 ms: 2000 requests in [0, 2 s).
        #expect(schedule.ticketCount(within: .seconds(2)) == 2000)
        #expect(schedule.ticketCount(within: .microseconds(1500)) == 2)
        #expect(schedule.ticketCount(within: .zero) == 0)
        #expect(schedule.firstTicket(atOrAfter: .seconds(1)) == 1000)
        let slow = ArrivalSchedule(rate: 0.5)
        #expect(slow.ticketCount(within: .seconds(3)) == 2)
    }

    @Test func theLatencyOfALateRequestCountsFromItsDueTime() {
        // A worker that picks up ticket 10 of a 100/s schedule at 250 ms is 150 ms late:
        // the open loop charges the wait to the server.
        let schedule = ArrivalSchedule(rate: 100)
        let start = ContinuousClock.Instant.now
        let due = start + schedule.dueOffset(of: 10)
        let answered = start + .milliseconds(250)
        #expect(answered - due == .milliseconds(150))
    }
}

@Suite struct TextTests {
    @Test(arguments: [("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("1.5s", .milliseconds(1500)),
                      ("1m", .seconds(60)), ("250us", .microseconds(250)), ("0s", .zero)])
    func parsesDurations(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "10", "ten s", "-1s", "5 parsecs"])
    func rejectsDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func parsesAddresses() {
        #expect(ServerAddress("127.0.0.1:50051") == ServerAddress(host: "127.0.0.1", port: 50051))
        #expect(ServerAddress("[::1]:443") == ServerAddress(host: "::1", port: 443))
        #expect(ServerAddress("[::1]:443")?.description == "[::1]:443")
        for bad in ["127.0.0.1", "127.0.0.1:", ":80", "host:0", "host:70000", "::1:80", "[::1]", "a b:80"] {
            #expect(ServerAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func groupsThousands() {
        #expect(Progress.grouped(0) == "0")
        #expect(Progress.grouped(999) == "999")
        #expect(Progress.grouped(1234567) == "1,234,567")
    }
}
