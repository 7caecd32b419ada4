import Foundation
import Testing
@testable import RoostCore

@Suite struct RunPlannerTests {
    func dag(_ schedule: String?, start: String = "2026-11-01T00:00:00Z", end: String? = nil, catchup: Bool) throws -> DagDefinition {
        DagDefinition(dagID: "plan", schedule: try schedule.map(Schedule.parse), startDate: utc(start),
                      endDate: end.map(utc), catchup: catchup, tasks: [TaskDefinition(taskID: "t", type: "noop")])
    }

    /// Intervals as "start..end" in UTC, to read failures easily.
    func due(_ dag: DagDefinition, last: String? = nil, now: String, limit: Int = 1000) -> [String] {
        RunPlanner.dueIntervals(for: dag, lastLogicalDate: last.map(utc), now: utc(now), limit: limit).map {
            "\(DagFileReader.format($0.start))..\(DagFileReader.format($0.end))"
        }
    }

    @Test func catchupCreatesExactlyTheMissedIntervalsOldestFirst() throws {
        #expect(due(try dag("@hourly", catchup: true), now: "2026-11-01T03:30:00Z") == [
            "2026-11-01T00:00:00Z..2026-11-01T01:00:00Z",
            "2026-11-01T01:00:00Z..2026-11-01T02:00:00Z",
            "2026-11-01T02:00:00Z..2026-11-01T03:00:00Z",
        ])
    }

    @Test func withoutCatchupOnlyTheNewestCompleteInterval() throws {
        let hourly = try dag("@hourly", catchup: false)
        #expect(due(hourly, now: "2026-11-01T03:30:00Z") == ["2026-11-01T02:00:00Z..2026-11-01T03:00:00Z"])
        #expect(due(hourly, last: "2026-11-01T00:00:00Z", now: "2026-11-01T03:30:00Z") == ["2026-11-01T02:00:00Z..2026-11-01T03:00:00Z"])
        #expect(due(hourly, last: "2026-11-01T02:00:00Z", now: "2026-11-01T03:30:00Z") == [])
        // Sparse schedules look further back than two days.
        let weekly = try dag("@weekly", catchup: false)
        #expect(due(weekly, now: "2026-11-20T12:00:00Z") == ["2026-11-08T00:00:00Z..2026-11-15T00:00:00Z"])
    }

    @Test func lastLogicalDateContinuesWhereItLeftOff() throws {
        let hourly = try dag("@hourly", catchup: true)
        #expect(due(hourly, last: "2026-11-01T01:00:00Z", now: "2026-11-01T03:30:00Z") == ["2026-11-01T02:00:00Z..2026-11-01T03:00:00Z"])
        #expect(due(hourly, last: "2026-11-01T02:00:00Z", now: "2026-11-01T03:30:00Z") == [])
        #expect(due(hourly, last: "2026-11-01T02:00:00Z", now: "2026-11-01T04:00:00Z") == ["2026-11-01T03:00:00Z..2026-11-01T04:00:00Z"])
    }

    @Test func nothingIsDueBeforeTheFirstIntervalEnds() throws {
        let hourly = try dag("@hourly", catchup: true)
        #expect(due(hourly, now: "2026-10-31T12:00:00Z") == [])
        #expect(due(hourly, now: "2026-11-01T00:59:59Z") == [])
        #expect(due(hourly, now: "2026-11-01T01:00:00Z") == ["2026-11-01T00:00:00Z..2026-11-01T01:00:00Z"])
        #expect(due(try dag("@hourly", catchup: false), now: "2026-11-01T00:30:00Z") == [])
        #expect(due(try dag("every 15m", catchup: false), now: "2026-11-01T00:14:00Z") == [])
    }

    @Test func cronIntervalsStartAtTheFirstPointAfterAnUnalignedStartDate() throws {
        #expect(due(try dag("@hourly", start: "2026-11-01T00:30:00Z", catchup: true), now: "2026-11-01T02:10:00Z")
                == ["2026-11-01T01:00:00Z..2026-11-01T02:00:00Z"])
    }

    @Test func fixedPeriodsAlignToTheStartDate() throws {
        let every = try dag("every 15m", start: "2026-11-01T00:07:00Z", catchup: true)
        #expect(due(every, now: "2026-11-01T00:40:00Z") == [
            "2026-11-01T00:07:00Z..2026-11-01T00:22:00Z",
            "2026-11-01T00:22:00Z..2026-11-01T00:37:00Z",
        ])
        let newest = try dag("every 15m", start: "2026-11-01T00:07:00Z", catchup: false)
        #expect(due(newest, now: "2026-11-01T00:40:00Z") == ["2026-11-01T00:22:00Z..2026-11-01T00:37:00Z"])
        #expect(due(newest, now: "2026-11-01T00:52:00Z") == ["2026-11-01T00:37:00Z..2026-11-01T00:52:00Z"])
    }

    @Test func endDateIsRespected() throws {
        // As in Airflow, no run whose interval starts after end_date.
        let bounded = try dag("@hourly", end: "2026-11-01T01:30:00Z", catchup: true)
        #expect(due(bounded, now: "2026-11-01T05:00:00Z") == [
            "2026-11-01T00:00:00Z..2026-11-01T01:00:00Z",
            "2026-11-01T01:00:00Z..2026-11-01T02:00:00Z",
        ])
        #expect(due(bounded, last: "2026-11-01T01:00:00Z", now: "2026-11-01T05:00:00Z") == [])
    }

    @Test func limitBoundsOneTickOldestFirst() throws {
        let daily = try dag("@daily", start: "2026-01-01T00:00:00Z", catchup: true)
        #expect(due(daily, now: "2026-11-01T00:00:00Z", limit: 2) == [
            "2026-01-01T00:00:00Z..2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z..2026-01-03T00:00:00Z",
        ])
        #expect(due(daily, now: "2026-11-01T00:00:00Z").count == 304)
    }

    @Test func manualOnlyDagsAreNeverDue() throws {
        #expect(due(try dag(nil, catchup: true), now: "2030-01-01T00:00:00Z") == [])
    }

    @Test func manualRunsCoverUpToTheNextSchedulePoint() throws {
        let interval = RunPlanner.manualInterval(for: try dag("@hourly", catchup: false), logicalDate: utc("2026-11-01T10:20:00Z"))
        #expect(interval == DataInterval(start: utc("2026-11-01T10:20:00Z"), end: utc("2026-11-01T11:00:00Z")))
        let unscheduled = RunPlanner.manualInterval(for: try dag(nil, catchup: false), logicalDate: utc("2026-11-01T10:20:00Z"))
        #expect(unscheduled == DataInterval(start: utc("2026-11-01T10:20:00Z"), end: utc("2026-11-01T10:20:00Z")))
    }
}
