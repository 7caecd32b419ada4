import Foundation
import RoostCore

/// `timestamptz` in PostgreSQL's text form. Hand-written because it sits on the hot path of every
/// claimed task, and DateFormatter is both slow and not safe to share across threads on Linux.
enum PostgresTimestamp {
    /// Formats as `2026-11-25 00:45:00.123456+00`, microsecond precision like the server.
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((totalMicros / 1_000_000).rounded(.down))
        let micros = Int64(totalMicros) - seconds * 1_000_000
        let civil = UTCTime.fields(secondsSince1970: seconds)
        let (y, m, d) = (Int(civil.year), Int(civil.month), Int(civil.day))
        let fields = [(y, 4, UInt8(ascii: "-")), (m, 2, UInt8(ascii: "-")), (d, 2, UInt8(ascii: " ")),
                      (Int(civil.hour), 2, UInt8(ascii: ":")), (Int(civil.minute), 2, UInt8(ascii: ":")),
                      (Int(civil.second), 2, UInt8(ascii: ".")), (Int(micros), 6, UInt8(ascii: "+"))]
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
        let days = UTCTime.days(year: Int64(year), month: Int64(month), day: Int64(day))
        let epoch = Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset))
        return Date(timeIntervalSince1970: epoch + fraction)
    }
}
