import Foundation
import Testing
@testable import RoostCore

@Suite struct UTCTimeTests {
    @Test(arguments: [
        ("2026-11-30T09:00:23.000Z", "2026-11-30T09:00:23Z"), ("2026-11-30T09:00:23Z", "2026-11-30T09:00:23Z"),
        ("2026-11-30T11:00:23+02:00", "2026-11-30T09:00:23Z"), ("2026-11-30T00:30:00-0130", "2026-11-30T02:00:00Z"),
        ("2024-02-29T23:59:59.123456z", "2024-02-29T23:59:59Z"), ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2000-03-01T00:00:00Z", "2000-03-01T00:00:00Z"),
    ])
    func readsTheSameSecondAsFoundation(text: String, utc: String) throws {
        let expected = try #require(ISO8601DateFormatter().date(from: utc))
        #expect(UTCTime.secondsSince1970(iso8601: text) == Int64(expected.timeIntervalSince1970))
    }

    @Test(arguments: ["", "2026-11-30", "2026-11-30T09:00:23", "2026-11-30 09:00:23Z", "2026-13-01T00:00:00Z",
                      "2025-02-29T00:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T09:00:23.Z", "2026-11-30T09:00:23+2:00",
                      "2026-11-30T09:00:23Zjunk", "２026-11-30T09:00:23Z"])
    func refusesOtherText(text: String) {
        #expect(UTCTime.secondsSince1970(iso8601: text) == nil)
    }

    @Test func fieldsMatchFoundationsCalendarAcrossCenturies() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // Every 7,777,777 s (about 90 days, shifting the hour) from 1900 to 2100.
        for seconds in stride(from: Int64(-2_208_988_800), to: 4_102_444_800, by: 7_777_777) {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
            let expected = UTCTime.Fields(year: Int64(c.year!), month: Int64(c.month!), day: Int64(c.day!), hour: Int64(c.hour!),
                                          minute: Int64(c.minute!), second: Int64(c.second!))
            #expect(UTCTime.fields(secondsSince1970: seconds) == expected, "\(seconds)")
            #expect(UTCTime.days(year: expected.year, month: expected.month, day: expected.day) * 86_400 + expected.hour * 3600
                    == seconds - ((seconds % 3600) + 3600) % 3600, "\(seconds)")
        }
    }
}
