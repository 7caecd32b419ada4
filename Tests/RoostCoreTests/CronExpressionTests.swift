import Foundation
import Testing
@testable import RoostCore

@Suite struct CronExpressionTests {
    func next(_ expression: String, after text: String) throws -> Date? {
        try CronExpression(expression).next(after: utc(text))
    }

    @Test func everyFifteenMinutes() throws {
        #expect(try next("*/15 * * * *", after: "2026-11-01T10:07:30Z") == utc("2026-11-01T10:15:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-11-01T10:15:00Z") == utc("2026-11-01T10:30:00Z"), "strictly after")
        #expect(try next("*/15 * * * *", after: "2026-11-01T10:14:59Z") == utc("2026-11-01T10:15:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-12-31T23:50:00Z") == utc("2027-01-01T00:00:00Z"))
    }

    @Test func weekdaysAtNine() throws {
        // 2026-11-06 is a Friday, 2026-11-09 a Monday.
        #expect(try next("0 9 * * 1-5", after: "2026-11-06T10:00:00Z") == utc("2026-11-09T09:00:00Z"))
        #expect(try next("0 9 * * 1-5", after: "2026-11-09T08:59:00Z") == utc("2026-11-09T09:00:00Z"))
        #expect(try next("0 9 * * 1-5", after: "2026-11-05T09:00:00Z") == utc("2026-11-06T09:00:00Z"))
    }

    @Test func firstOfTheMonth() throws {
        #expect(try next("0 0 1 * *", after: "2026-01-31T12:00:00Z") == utc("2026-02-01T00:00:00Z"))
        #expect(try next("0 0 1 * *", after: "2026-12-01T00:00:00Z") == utc("2027-01-01T00:00:00Z"))
    }

    @Test func monthAndDayNames() throws {
        // 2027-01-01 is a Friday: the first Monday of January 2027 is the 4th.
        #expect(try next("0 12 * jan,jul mon", after: "2026-11-01T00:00:00Z") == utc("2027-01-04T12:00:00Z"))
        #expect(try next("30 6 * * SUN", after: "2026-11-02T00:00:00Z") == utc("2026-11-08T06:30:00Z"))
        #expect(try next("0 0 * * mon-fri", after: "2026-11-07T00:00:00Z") == utc("2026-11-09T00:00:00Z"))
        #expect(try CronExpression("0 0 * * 7").next(after: utc("2026-11-02T00:00:00Z")) == utc("2026-11-08T00:00:00Z"),
                "7 is Sunday too")
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // The 10th or any Friday: Fri 6th, Tue 10th, Fri 13th.
        let cron = try CronExpression("0 0 10 * 5")
        let first = try #require(cron.next(after: utc("2026-11-01T00:00:00Z")))
        let second = try #require(cron.next(after: first))
        let third = try #require(cron.next(after: second))
        #expect([first, second, third] == [utc("2026-11-06T00:00:00Z"), utc("2026-11-10T00:00:00Z"), utc("2026-11-13T00:00:00Z")])
        // Only one restricted: it alone decides.
        #expect(try next("0 0 10 * *", after: "2026-11-01T00:00:00Z") == utc("2026-11-10T00:00:00Z"))
        #expect(try next("0 0 * * 5", after: "2026-11-01T00:00:00Z") == utc("2026-11-06T00:00:00Z"))
    }

    @Test func monthEndsAndLeapYears() throws {
        // Months without a 31st are skipped.
        #expect(try next("0 0 31 * *", after: "2026-01-31T00:00:00Z") == utc("2026-03-31T00:00:00Z"))
        #expect(try next("0 0 31 * *", after: "2026-03-31T00:00:00Z") == utc("2026-05-31T00:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z") == utc("2028-02-29T00:00:00Z"))
        #expect(try next("59 23 28-29 2 *", after: "2028-02-28T23:59:00Z") == utc("2028-02-29T23:59:00Z"))
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil, "February 30th never comes")
    }

    @Test func listsRangesAndSteps() throws {
        #expect(try next("5,35 1-3/2 * * *", after: "2026-11-01T01:35:00Z") == utc("2026-11-01T03:05:00Z"))
        #expect(try next("10-20/5 * * * *", after: "2026-11-01T00:16:00Z") == utc("2026-11-01T00:20:00Z"))
        #expect(try next("10/20 * * * *", after: "2026-11-01T00:31:00Z") == utc("2026-11-01T00:50:00Z"))
    }

    @Test(arguments: [
        ("* * * *", "cron expression '* * * *' must have 5 fields (minute hour day-of-month month day-of-week), it has 4"),
        ("* * * * * *", "cron expression '* * * * * *' must have 5 fields (minute hour day-of-month month day-of-week), it has 6"),
        ("60 * * * *", "cron expression '60 * * * *': minute field '60' has 60, outside 0-59"),
        ("0 0 0 * *", "cron expression '0 0 0 * *': day-of-month field '0' has 0, outside 1-31"),
        ("*/0 * * * *", "cron expression '*/0 * * * *': minute field '*/0' has an invalid step"),
        ("5-1 * * * *", "cron expression '5-1 * * * *': minute field '5-1' has a range that runs backwards"),
        ("* * * foo *", "cron expression '* * * foo *': month field 'foo' is not a number"),
        ("1,,2 * * * *", "cron expression '1,,2 * * * *': minute field '1,,2' is malformed"),
        ("* * * * 8", "cron expression '* * * * 8': day-of-week field '8' has 8, outside 0-7"),
    ])
    func invalidExpressionsSayWhy(text: String, message: String) {
        #expect(throws: ScheduleError(message)) { try CronExpression(text) }
    }
}
