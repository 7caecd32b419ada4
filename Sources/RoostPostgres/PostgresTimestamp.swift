import Foundation

/// `timestamptz` in PostgreSQL's text form. Hand-written because it sits on the hot path of every
/// claimed task, and DateFormatter is both slow and not safe to share across threads on Linux.
enum PostgresTimestamp {
    /// Formats as `2026-11-25 00:45:00.123456+00`, microsecond precision like the server.
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int64((totalMicros / 1_000_000).rounded(.down))
        let micros = Int64(totalMicros) - seconds * 1_000_000
        let days = floorDiv(seconds, 86_400)
        seconds -= days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let fields = [(y, 4, UInt8(ascii: "-")), (m, 2, UInt8(ascii: "-")), (d, 2, UInt8(ascii: " ")),
                      (Int(seconds / 3600), 2, UInt8(ascii: ":")), (Int(seconds / 60 % 60), 2, UInt8(ascii: ":")),
                      (Int(seconds % 60), 2, UInt8(ascii: ".")), (Int(micros), 6, UInt8(ascii: "+"))]
        // Digits written by hand: String(format:) costs microseconds, and claims format a date per task.
        guard (0...9999).contains(y) else {
            return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", y, m, d, fields[3].0, fields[4].0, fields[5].0, fields[6].0)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        for (value, width, separator) in fields {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            bytes.append(separator)
        }
        bytes += [UInt8(ascii: "0"), UInt8(ascii: "0")]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, and `infinity`/`-infinity`.
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in 0..<width {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += width
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              i < b.count, b[i] == 32 || b[i] == 84 else { return nil }
        i += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2)
        else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < b.count, b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            var om = 0, os = 0
            if expect(58) { om = number(2) ?? 0 }
            if expect(58) { os = number(2) ?? 0 }
            offset = sign * (oh * 3600 + om * 60 + os)
        } else if i < b.count, b[i] == 90 {
            i += 1
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let epoch = Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset))
        return Date(timeIntervalSince1970: epoch + fraction)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    // Howard Hinnant's civil-from-days and days-from-civil algorithms.
    private static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
