import Foundation
import RoostCore
import RoostRuntime
import RoostStore
import RoostTestSupport
import Testing

@Suite struct SchedulerTests {
    let hour: TimeInterval = 3600

    func hourly(_ id: String, start: Date, catchup: Bool, tasks: Int = 3, maxActiveRuns: Int = 1000) -> DagDefinition {
        .test(id, schedule: try! Schedule.parse("@hourly"), start: start, catchup: catchup, maxActiveRuns: maxActiveRuns,
              tasks: (0..<tasks).map { TaskDefinition(taskID: "t\($0)", type: "noop", upstream: $0 == 0 ? [] : ["t\($0 - 1)"]) })
    }

    @Test func catchupCreatesExactlyTheMissedIntervalsOldestFirst() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
        let now = start.addingTimeInterval(5 * hour + 1800)
        let dag = hourly("catchup", start: start, catchup: true)
        let scheduler = fleet.scheduler([dag])
        let result = try await scheduler.runOnce(now: now)
        #expect(result.runsCreated == 5)
        let runs = try await fleet.runs.list(dagID: "catchup", limit: 100).reversed()
        #expect(runs.map(\.logicalDate) == (0..<5).map { start.addingTimeInterval(Double($0) * hour) })
        #expect(runs.map(\.interval.end) == (1...5).map { start.addingTimeInterval(Double($0) * hour) })
        #expect(runs.first?.runID == RunStore.runID(.scheduled, start))
        // A second tick at the same time creates nothing; an hour later, exactly one more.
        #expect(try await scheduler.runOnce(now: now).runsCreated == 0)
        #expect(try await scheduler.runOnce(now: now.addingTimeInterval(hour)).runsCreated == 1)
    }

    @Test func withoutCatchupOnlyTheNewestIntervalRuns() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
        let now = start.addingTimeInterval(5 * hour + 1800)
        let scheduler = fleet.scheduler([hourly("latest", start: start, catchup: false)])
        #expect(try await scheduler.runOnce(now: now).runsCreated == 1)
        #expect(try await fleet.runs.list(dagID: "latest", limit: 10).map(\.logicalDate) == [start.addingTimeInterval(4 * hour)])
    }

    @Test func maxActiveRunsIsRespected() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
        let scheduler = fleet.scheduler([hourly("bounded", start: start, catchup: true, maxActiveRuns: 2)])
        #expect(try await scheduler.runOnce(now: start.addingTimeInterval(10 * hour)).runsCreated == 2)
        #expect(try await scheduler.runOnce(now: start.addingTimeInterval(10 * hour)).runsCreated == 0)
    }

    @Test func pausedDagsGetNoScheduledRuns() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
        let dag = hourly("paused", start: start, catchup: true)
        let scheduler = fleet.scheduler([dag])
        try await fleet.dags.sync(dag)
        #expect(try await fleet.dags.setPaused("paused", true))
        #expect(try await scheduler.runOnce(now: start.addingTimeInterval(3 * hour)).runsCreated == 0)
        #expect(try await fleet.dags.setPaused("paused", false))
        #expect(try await scheduler.runOnce(now: start.addingTimeInterval(3 * hour)).runsCreated == 3)
    }

    @Test func twoSchedulersNeverDuplicateRunsOrQueueTwice() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000 - 1_790_000_000.truncatingRemainder(dividingBy: 3600))
        let dag = hourly("racing", start: start, catchup: true, tasks: 5)
        let schedulers = [fleet.scheduler([dag]), fleet.scheduler([dag])]
        // Both tick at once, many times, across 24 intervals.
        for step in 0..<24 {
            let now = start.addingTimeInterval(Double(step + 1) * hour + 60)
            async let a = schedulers[0].runOnce(now: now)
            async let b = schedulers[1].runOnce(now: now)
            let (ra, rb) = try await (a, b)
            #expect(ra.runsCreated + rb.runsCreated == 1, "step \(step): \(ra.runsCreated) + \(rb.runsCreated)")
        }
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.dag_runs", as: Int.self) == 24)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_instances", as: Int.self) == 24 * 5)
        #expect(try await fleet.scalar("SELECT count(DISTINCT definition_hash) FROM roost.dag_versions", as: Int.self) == 1)
        // Run the work with both schedulers promoting downstream tasks: every task runs exactly once.
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 8)
        try await eventually(timeout: .seconds(60), "all runs succeed") {
            async let a = schedulers[0].runOnce(now: start.addingTimeInterval(24 * hour + 60))
            async let b = schedulers[1].runOnce(now: start.addingTimeInterval(24 * hour + 60))
            _ = try await (a, b)
            return try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 24
        }
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts", as: Int.self) == 24 * 5)
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func aChangedDefinitionIsStoredAsANewVersion() async throws {
        let fleet = try await Fleet.create()
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try await fleet.dags.sync(hourly("versioned", start: start, catchup: false, tasks: 1))
        let again = try await fleet.dags.sync(hourly("versioned", start: start, catchup: false, tasks: 1))
        let second = try await fleet.dags.sync(hourly("versioned", start: start, catchup: false, tasks: 2))
        #expect(first == again)
        #expect(first != second)
        #expect(first.count == 64)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.dag_versions WHERE dag_id = 'versioned'", as: Int.self) == 2)
        #expect(try await fleet.scalar("SELECT definition_hash FROM roost.dags WHERE dag_id = 'versioned'", as: String.self) == second)
    }
}
