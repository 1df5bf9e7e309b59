import Foundation

/// A standard five-field cron schedule (minute hour day-of-month month day-of-week),
/// in UTC, with the syntax Kubernetes CronJobs accept: `*`, `?`, lists, ranges, steps,
/// month and weekday names, and the @yearly/@monthly/@weekly/@daily/@hourly macros.
struct CronSchedule: Sendable, Equatable {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    /// A `*` (or `?`) day field does not restrict; when both are restricted either may match.
    private let daysOfMonthRestricted: Bool
    private let daysOfWeekRestricted: Bool

    init(parsing text: String) throws(Invalid) {
        let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                      "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            trimmed = String(trimmed.drop { $0 != " " }).trimmingCharacters(in: .whitespaces)
        }
        let expanded = macros[trimmed] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw Invalid(description: "expected exactly 5 fields, found \(fields.count): \(text)") }
        minutes = try Self.parse(fields[0], 0...59, names: [:])
        hours = try Self.parse(fields[1], 0...23, names: [:])
        daysOfMonth = try Self.parse(fields[2], 1...31, names: [:])
        months = try Self.parse(fields[3], 1...12, names: Self.monthNames)
        // 7 is accepted for Sunday, as most crons do.
        daysOfWeek = Set(try Self.parse(fields[4], 0...7, names: Self.weekdayNames).map { $0 % 7 })
        daysOfMonthRestricted = !(fields[2].hasPrefix("*") || fields[2] == "?")
        daysOfWeekRestricted = !(fields[4].hasPrefix("*") || fields[4] == "?")
    }

    private static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                                     "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    private static let weekdayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    private static func parse(_ field: String, _ range: ClosedRange<Int>, names: [String: Int]) throws(Invalid) -> Set<Int> {
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw Invalid(description: "invalid step in \"\(field)\"") }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else { throw Invalid(description: "invalid step in \"\(field)\"") }
                step = value
            }
            let base = stepParts[0]
            var low: Int, high: Int
            if base == "*" || base == "?" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw Invalid(description: "invalid range \"\(base)\"") }
                low = try value(bounds[0], range, names)
                high = bounds.count == 2 ? try value(bounds[1], range, names) : (stepParts.count == 2 ? range.upperBound : low)
                guard low <= high else { throw Invalid(description: "range \"\(base)\" runs backwards") }
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    private static func value(_ text: Substring, _ range: ClosedRange<Int>, _ names: [String: Int]) throws(Invalid) -> Int {
        guard let value = Int(text) ?? names[text.lowercased()], range.contains(value) else {
            throw Invalid(description: "\"\(text)\" is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    /// The first scheduled time strictly after `date`; nil if none within five years.
    func next(after date: Date) -> Date? {
        var time = CivilTime(Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60))
        let limit = time.year + 5
        while time.year <= limit {
            if !months.contains(time.month) {
                time.advanceMonth()
                continue
            }
            if !dayMatches(time) {
                time.advanceDay()
                continue
            }
            if !hours.contains(time.hour) {
                time.advanceHour()
                continue
            }
            if !minutes.contains(time.minute) {
                time.advanceMinute()
                continue
            }
            return time.date
        }
        return nil
    }

    /// The latest scheduled time in (`after`, `upTo`]; nil if there is none.
    func latest(after: Date, upTo: Date) -> Date? {
        var latest: Date?
        var cursor = after
        while let candidate = next(after: cursor), candidate <= upTo {
            latest = candidate
            cursor = candidate
        }
        return latest
    }

    private func dayMatches(_ time: CivilTime) -> Bool {
        let dayOfMonth = daysOfMonth.contains(time.day)
        let dayOfWeek = daysOfWeek.contains(time.weekday)
        if daysOfMonthRestricted, daysOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }
}

/// A UTC calendar time to the minute, with the arithmetic cron needs and no Calendar.
private struct CivilTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int

    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        (year, month, day) = Self.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
    }

    var date: Date {
        Date(timeIntervalSince1970: TimeInterval(Self.days(year, month, day) * 86_400 + hour * 3600 + minute * 60))
    }

    /// 0 is Sunday.
    var weekday: Int { ((Self.days(year, month, day) % 7) + 11) % 7 }

    mutating func advanceMinute() {
        minute += 1
        if minute == 60 { minute = 0; advanceHour(resetMinute: false) }
    }

    mutating func advanceHour(resetMinute: Bool = true) {
        if resetMinute { minute = 0 }
        hour += 1
        if hour == 24 { hour = 0; advanceDay(reset: false) }
    }

    mutating func advanceDay(reset: Bool = true) {
        if reset { (hour, minute) = (0, 0) }
        day += 1
        if day > Self.daysIn(year, month) { day = 1; advanceMonth(reset: false) }
    }

    mutating func advanceMonth(reset: Bool = true) {
        if reset { (day, hour, minute) = (1, 0, 0) }
        month += 1
        if month == 13 { month = 1; year += 1 }
    }

    private static func daysIn(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    private static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
