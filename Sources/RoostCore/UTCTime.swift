import Foundation

/// ISO-8601 times read and split into calendar fields by arithmetic, for hot paths (one time per
/// lake record): an `ISO8601DateFormatter` and a `Calendar` per record were most of `s3_load`'s
/// time. Proleptic Gregorian calendar, UTC, no leap seconds (as Foundation's dates).
public enum UTCTime {
    /// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or an offset `±HH:MM` (or `±HHMM`):
    /// seconds since 1970 (the fraction dropped); nil for any other text.
    public static func secondsSince1970(iso8601 text: some StringProtocol) -> Int64? {
        secondsSince1970(iso8601: Array(text.utf8))
    }

    static func secondsSince1970(iso8601 b: [UInt8]) -> Int64? {
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        if b[index] == UInt8(ascii: ".") {
            index += 1
            let digits = index
            while index < b.count, isDigit(b[index]) { index += 1 }
            guard index > digits else { return nil }
        }
        guard index < b.count else { return nil }
        var offset: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = b[index] == UInt8(ascii: "+") ? 1 : -1
            let colon = b.count == index + 6 && b[index + 3] == UInt8(ascii: ":")
            guard let hours = number(b, index + 1, 2), let minutes = number(b, index + (colon ? 4 : 3), 2), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
            index += colon ? 6 : 5
        default:
            return nil
        }
        guard index == b.count else { return nil }
        return days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// The UTC calendar fields of a time.
    public struct Fields: Equatable, Sendable {
        public var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
    }

    public static func fields(secondsSince1970 seconds: Int64) -> Fields {
        let (dayNumber, secondOfDay) = floorDivide(seconds, 86_400)
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = floorDivide(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return Fields(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day, hour: secondOfDay / 3600,
                      minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400).quotient
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b - (a % b < 0 ? 1 : 0)
        return (q, a - q * b)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= b.count else { return nil }
        var value: Int64 = 0
        for byte in b[start..<start + count] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
