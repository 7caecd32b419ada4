import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
/// Supports `*`, lists, ranges, steps (`*/15`, `1-30/5`) and month/day names. As in Vixie cron,
/// when both day fields are restricted a day matches if either does.
public struct CronExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool

    public var description: String { text }

    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ScheduleError("cron expression '\(text)' must have 5 fields (minute hour day-of-month month day-of-week), it has \(fields.count)")
        }
        self.text = text
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, text: text)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, text: text)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, text: text)
        months = try Self.field(fields[3], name: "month", range: 1...12, text: text, names: Self.monthNames)
        daysOfWeek = Set(try Self.field(fields[4], name: "day-of-week", range: 0...7, text: text, names: Self.dayNames).map { $0 % 7 })
        domRestricted = fields[2] != "*" && fields[2] != "?"
        dowRestricted = fields[4] != "*" && fields[4] != "?"
    }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public static func == (a: CronExpression, b: CronExpression) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first matching minute strictly after `date`.
    public func next(after date: Date) -> Date? {
        let calendar = Self.utc
        var c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date.addingTimeInterval(60))
        c.second = 0
        // Jump field by field; 5 years of days bounds a search for e.g. "0 0 30 2 *" that never matches.
        for _ in 0..<(366 * 5 * 3) {
            guard let candidate = calendar.date(from: c) else { return nil }
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            if !months.contains(parts.month!) {
                c = DateComponents(year: parts.year!, month: parts.month! + 1, day: 1, hour: 0, minute: 0, second: 0)
                continue
            }
            if !dayMatches(day: parts.day!, weekday: parts.weekday! - 1) {
                c = DateComponents(year: parts.year!, month: parts.month!, day: parts.day! + 1, hour: 0, minute: 0, second: 0)
                continue
            }
            if !hours.contains(parts.hour!) {
                c = DateComponents(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! + 1, minute: 0, second: 0)
                continue
            }
            if !minutes.contains(parts.minute!) {
                c = DateComponents(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!,
                                   minute: parts.minute! + 1, second: 0)
                continue
            }
            return candidate
        }
        return nil
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (domRestricted, dowRestricted) {
        case (true, true): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(day)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }

    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                             "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    static func field(_ spec: String, name: String, range: ClosedRange<Int>, text: String,
                      names: [String: Int] = [:]) throws -> Set<Int> {
        func bad(_ why: String) -> ScheduleError {
            ScheduleError("cron expression '\(text)': \(name) field '\(spec)' \(why)")
        }
        func value(_ s: Substring) throws -> Int {
            if let v = Int(s) {
                guard range.contains(v) else { throw bad("has \(v), outside \(range.lowerBound)-\(range.upperBound)") }
                return v
            }
            if let v = names[s.lowercased()] { return v }
            throw bad("is not a number")
        }
        var result = Set<Int>()
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2, !stepParts[0].isEmpty else { throw bad("is malformed") }
            var step = 1
            if stepParts.count == 2 {
                guard let s = Int(stepParts[1]), s > 0 else { throw bad("has an invalid step") }
                step = s
            }
            let bounds: ClosedRange<Int>
            if stepParts[0] == "*" || stepParts[0] == "?" {
                bounds = range
            } else {
                let ends = stepParts[0].split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw bad("is malformed") }
                let low = try value(ends[0])
                let high = ends.count == 2 ? try value(ends[1]) : (stepParts.count == 2 ? range.upperBound : low)
                guard low <= high else { throw bad("has a range that runs backwards") }
                bounds = low...high
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }
}

public struct ScheduleError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
