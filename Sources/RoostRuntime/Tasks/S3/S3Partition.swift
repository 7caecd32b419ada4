import Foundation
import RoostCore

/// The hour a record belongs to, as the key path `dt=YYYY-MM-DD/hour=HH` (UTC).
struct S3Partition: Hashable, Comparable, Sendable {
    let path: String

    init(_ date: Date) {
        let c = Self.calendar.dateComponents([.year, .month, .day, .hour], from: date)
        path = String(format: "dt=%04d-%02d-%02d/hour=%02d", c.year!, c.month!, c.day!, c.hour!)
    }

    static func < (lhs: S3Partition, rhs: S3Partition) -> Bool { lhs.path < rhs.path }

    /// A record's time: an ISO-8601 string, or a number of milliseconds since 1970 (as
    /// `kafka_consume` writes `timestamp_ms`).
    static func time(_ value: JSONValue?) -> Date? {
        switch value {
        case .string(let text)?: parseTime(text)
        case .int(let milliseconds)?: Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        default: nil
        }
    }

    /// Reads ISO-8601 times with or without fractional seconds ("2026-11-30T12:34:56.000Z").
    static func parseTime(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
