import Testing
@testable import RoostCore

@Suite struct ScheduleTests {
    @Test(arguments: [
        ("@hourly", "0 * * * *"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"),
    ])
    func presetsAreCron(preset: String, cron: String) throws {
        #expect(try Schedule.parse(preset) == .cron(try CronExpression(cron)))
    }

    @Test func fixedPeriods() throws {
        #expect(try Schedule.parse("every 15m") == .every(.seconds(900)))
        #expect(try Schedule.parse("  every 1h30m ") == .every(.seconds(5400)))
        #expect(try Schedule.parse("every 15m").description == "every 15m")
        #expect(try Schedule.parse("every 90s").description == "every 1m30s")
    }

    @Test func cronText() throws {
        #expect(try Schedule.parse("*/5 * * * *") == .cron(try CronExpression("*/5 * * * *")))
        #expect(try Schedule.parse("*/5 * * * *").description == "*/5 * * * *")
    }

    @Test func errors() {
        #expect(throws: ScheduleError("unknown schedule preset '@fortnightly' (known: @annually, @daily, @hourly, @midnight, @monthly, @weekly, @yearly)")) {
            try Schedule.parse("@fortnightly")
        }
        #expect(throws: ScheduleError("schedule 'every 10': '10' is not a duration of at least 1s (like 15m, 2h)")) {
            try Schedule.parse("every 10")
        }
        #expect(throws: ScheduleError("schedule 'every 500ms': '500ms' is not a duration of at least 1s (like 15m, 2h)")) {
            try Schedule.parse("every 500ms")
        }
        #expect(throws: ScheduleError.self) { try Schedule.parse("hourly") }
    }

    @Test func fixedPeriodsAlignToTheAnchor() throws {
        let schedule = Schedule.every(.seconds(900))
        let anchor = utc("2026-11-01T00:07:00Z")
        #expect(schedule.next(after: utc("2026-11-01T00:00:00Z"), anchor: anchor) == anchor)
        #expect(schedule.next(after: anchor, anchor: anchor) == utc("2026-11-01T00:22:00Z"))
        #expect(schedule.next(after: utc("2026-11-01T00:30:00Z"), anchor: anchor) == utc("2026-11-01T00:37:00Z"))
        #expect(schedule.first(atOrAfter: anchor, anchor: anchor) == anchor)
        #expect(try Schedule.parse("@hourly").first(atOrAfter: utc("2026-11-01T01:00:00Z"), anchor: anchor) == utc("2026-11-01T01:00:00Z"))
    }
}
