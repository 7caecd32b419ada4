import Foundation
import RoostCore

/// The hour a record belongs to, as the key path `dt=YYYY-MM-DD/hour=HH` (UTC).
struct S3Partition: Hashable, Comparable, Sendable {
    let path: String

    init(secondsSince1970 seconds: Int64) {
        let f = UTCTime.fields(secondsSince1970: seconds)
        path = "dt=" + Self.digits(f.year, 4) + "-" + Self.digits(f.month, 2) + "-" + Self.digits(f.day, 2) + "/hour=" + Self.digits(f.hour, 2)
    }

    init(_ date: Date) { self.init(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down))) }

    static func < (lhs: S3Partition, rhs: S3Partition) -> Bool { lhs.path < rhs.path }

    /// A record's time in seconds: an ISO-8601 string, or a number of milliseconds since 1970 (as
    /// `kafka_consume` writes `timestamp_ms`).
    static func seconds(_ value: JSONValue?) -> Int64? {
        switch value {
        case .string(let text)?: UTCTime.secondsSince1970(iso8601: text)
        case .int(let milliseconds)?: milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        default: nil
        }
    }

    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
