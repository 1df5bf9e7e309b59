import Foundation

/// The reservations fleetd made, and the first answer to every Reserve request id.
actor ReservationBook {
    private(set) var records: [ReservationID: ReservationRecord] = [:]
    private var answers: [String: Task<ReservationRecord, any Error>] = [:]

    func answer(for requestID: String, orStart start: @Sendable () -> Task<ReservationRecord, any Error>) -> Task<ReservationRecord, any Error> {
        if let task = answers[requestID] { return task }
        let task = start()
        answers[requestID] = task
        return task
    }

    func forgetAnswer(for requestID: String) {
        answers[requestID] = nil
    }

    func rememberAnswer(_ record: ReservationRecord) {
        answers[record.request.requestID] = Task { record }
    }

    func insert(_ record: ReservationRecord) {
        records[record.id] = record
    }

    func active(endingBy date: Date) -> [ReservationRecord] {
        records.values.filter { $0.state == .active && $0.request.endsAt <= date }
    }
}

