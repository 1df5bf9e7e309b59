import Foundation

/// The reservations fleetd made, and the first answer to every Reserve request id.
actor ReservationBook {
    // Never handed out whole, for the reason DeploymentBook gives.
    private var records: [ReservationID: ReservationRecord] = [:]
    private var answers = RequestAnswers<ReservationRecord>()

    func answer(for requestID: String, orStart start: @Sendable () -> Task<ReservationRecord, any Error>) -> RequestAnswers<ReservationRecord>.Answer {
        answers.answer(for: requestID, orStart: start).answer
    }

    func settleAnswer(_ record: ReservationRecord) {
        answers.settle(record.request.requestID, with: record)
    }

    func forgetAnswer(for requestID: String) {
        answers.forget(requestID)
    }

    func rememberAnswer(_ record: ReservationRecord) {
        answers.remember(record, for: record.request.requestID)
    }

    func insert(_ record: ReservationRecord) {
        records[record.id] = record
    }

    func record(_ id: ReservationID) -> ReservationRecord? {
        records[id]
    }

    func records(where isIncluded: @Sendable (ReservationRecord) -> Bool) -> [ReservationRecord] {
        records.values.filter(isIncluded)
    }

    func active(endingBy date: Date) -> [ReservationRecord] {
        records.values.filter { $0.state == .active && $0.request.endsAt <= date }
    }
}

