import Foundation

/// When a DAG runs: a cron expression (presets such as `@hourly` are cron underneath), or a fixed
/// period (`every 15m`) counted from the DAG's start date.
public enum Schedule: Sendable, Hashable, Codable, CustomStringConvertible {
    case cron(CronExpression)
    case every(Duration)

    static let presets = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                          "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
                          "@annually": "0 0 1 1 *"]

    /// Reads `@hourly`, `every 15m` or a five-field cron expression.
    public static func parse(_ text: String) throws -> Schedule {
        let trimmed = text.trimmingWhitespace()
        if let preset = presets[trimmed] { return .cron(try CronExpression(preset)) }
        if trimmed.hasPrefix("@") {
            throw ScheduleError("unknown schedule preset '\(trimmed)' (known: \(presets.keys.sorted().joined(separator: ", ")))")
        }
        if trimmed.hasPrefix("every ") {
            let period = String(trimmed.dropFirst(6))
            guard let duration = DurationParser.parse(period), duration >= .seconds(1) else {
                throw ScheduleError("schedule '\(trimmed)': '\(period)' is not a duration of at least 1s (like 15m, 2h)")
            }
            return .every(duration)
        }
        return .cron(try CronExpression(trimmed))
    }

    public var description: String {
        switch self {
        case .cron(let cron): cron.text
        case .every(let d): "every \(DurationParser.format(d))"
        }
    }

    public init(from decoder: Decoder) throws {
        self = try Schedule.parse(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The first schedule point strictly after `date`; `anchor` (the start date) aligns fixed periods.
    public func next(after date: Date, anchor: Date) -> Date? {
        switch self {
        case .cron(let cron):
            return cron.next(after: date)
        case .every(let period):
            let seconds = period.seconds
            if date < anchor { return anchor }
            let steps = ((date.timeIntervalSince(anchor)) / seconds).rounded(.down) + 1
            return anchor.addingTimeInterval(steps * seconds)
        }
    }

    /// The first schedule point at or after `date`.
    public func first(atOrAfter date: Date, anchor: Date) -> Date? {
        next(after: date.addingTimeInterval(-0.001), anchor: anchor)
    }
}
