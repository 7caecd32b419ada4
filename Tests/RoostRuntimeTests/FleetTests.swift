import Foundation
import RoostCore
import RoostRuntime
import RoostStore
import RoostTestSupport
import Testing

/// The worker fleet as it runs in production: `roost worker` OS processes against a real
/// PostgreSQL, killed, frozen and signalled. Serialized so lease timings are not starved.
@Suite(.serialized) struct FleetTests {
    @Test func tenThousandNoopTasksEachSucceedExactlyOnce() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("bulk", tasks: (0..<100).map { TaskDefinition(taskID: "t\($0)", type: "noop") })
        try await fleet.trigger(dag, runs: 100)
        let workers = try (0..<4).map { _ in try WorkerProcess(database: fleet.database, queues: "default", concurrency: 8) }
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, timeout: .seconds(240), "all 100 runs succeed") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 100
        }
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_instances WHERE state = 'success' AND try_number = 1", as: Int.self) == 10_000)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts", as: Int.self) == 10_000)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'success'", as: Int.self) == 10_000)
        // Every worker took part.
        #expect(try await fleet.scalar("SELECT count(DISTINCT worker_id) FROM roost.task_attempts", as: Int.self) == 4)
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers { #expect(try await worker.waitForExit() == 0) }
    }

    @Test func tasksOfAKilledWorkerSucceedOnASecondAttempt() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("killed", tasks: (0..<6).map {
            TaskDefinition(taskID: "sleep\($0)", type: "sleep", params: .object(["seconds": .double(1.5)]), args: TaskArgs(retries: 2, retryDelay: .zero))
        })
        try await fleet.trigger(dag)
        let victim = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 6, heartbeat: "500ms", lease: "2s")
        try await eventually("the victim runs all six") {
            try await fleet.scalar("SELECT count(*) FROM roost.task_instances WHERE state = 'running'", as: Int.self) == 6
        }
        victim.signal(SIGKILL)
        let killedAt = ContinuousClock.now
        let rescuer = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 6, heartbeat: "500ms", lease: "2s")
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, timeout: .seconds(30), "the run succeeds") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 1
        }
        // Lease 2 s + sleep 1.5 s + scheduling margin.
        #expect(ContinuousClock.now - killedAt < .seconds(8))
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'lease_expired' AND try_number = 1", as: Int.self) == 6)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'success' AND try_number = 2", as: Int.self) == 6)
        rescuer.signal(SIGTERM)
        #expect(try await rescuer.waitForExit() == 0)
    }

    @Test func aFrozenWorkerThatWakesLateIsFencedOut() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("frozen", tasks: (0..<3).map {
            TaskDefinition(taskID: "sleep\($0)", type: "sleep", params: .object(["seconds": .double(1)]), args: TaskArgs(retries: 2, retryDelay: .zero))
        })
        try await fleet.trigger(dag)
        let frozen = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 3, heartbeat: "300ms", lease: "1500ms")
        try await eventually("the frozen worker runs all three") {
            try await fleet.scalar("SELECT count(*) FROM roost.task_instances WHERE state = 'running'", as: Int.self) == 3
        }
        frozen.signal(SIGSTOP)
        let other = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 3, heartbeat: "300ms", lease: "1500ms")
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the other worker finishes the second tries") {
            try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE try_number = 2 AND state = 'success'", as: Int.self) == 3
        }
        frozen.signal(SIGCONT)
        try await eventually("the woken worker gives up its tries") { frozen.log.contains("try abandoned") || frozen.log.contains("lease lost") }
        _ = try await scheduler.runOnce()
        // No task succeeded twice; the first tries stay recorded as lease_expired; the run succeeded.
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'success'", as: Int.self) == 3)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE try_number = 1 AND state = 'lease_expired'", as: Int.self) == 3)
        #expect(try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "success")
        for worker in [frozen, other] { worker.signal(SIGTERM) }
        for worker in [frozen, other] { #expect(try await worker.waitForExit() == 0) }
    }

    @Test func sigtermDrainsFinishesShortTasksAndReleasesLongOnes() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("drain", tasks: [
            TaskDefinition(taskID: "short1", type: "sleep", params: .object(["seconds": .double(0.5)])),
            TaskDefinition(taskID: "short2", type: "sleep", params: .object(["seconds": .double(0.5)])),
            TaskDefinition(taskID: "long1", type: "sleep", params: .object(["seconds": .int(60)])),
            TaskDefinition(taskID: "long2", type: "sleep", params: .object(["seconds": .int(60)])),
        ])
        try await fleet.trigger(dag)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 4, grace: "2s")
        try await eventually("all four run") {
            try await fleet.scalar("SELECT count(*) FROM roost.task_instances WHERE state = 'running'", as: Int.self) == 4
        }
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit(timeout: .seconds(15)) == 0)
        let states = try await fleet.pool.query("SELECT task_id, state, try_number FROM roost.task_instances ORDER BY task_id")
        let byTask = Dictionary(uniqueKeysWithValues: try states.map { (try $0.decode("task_id", as: String.self),
                                                                        (try $0.decode("state", as: String.self), try $0.decode("try_number", as: Int.self))) })
        #expect(byTask["short1"]! == ("success", 1))
        #expect(byTask["short2"]! == ("success", 1))
        // Released without consuming a try, claimable again at once.
        #expect(byTask["long1"]! == ("queued", 0))
        #expect(byTask["long2"]! == ("queued", 0))
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'released'", as: Int.self) == 2)
        #expect(try await fleet.scalar("SELECT state FROM roost.workers", as: String.self) == "stopped")
    }

    @Test func retriesBackOffExponentiallyThenSucceed() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("retry", tasks: [
            TaskDefinition(taskID: "flaky", type: "fail", params: .object(["times": .int(3)]),
                           args: TaskArgs(retries: 3, retryDelay: .milliseconds(500), retryExponentialBackoff: true)),
        ])
        try await fleet.trigger(dag)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2)
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the flaky task succeeds on its fourth try") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "success"
        }
        let attempts = try await fleet.pool.query("SELECT state, started_at, ended_at FROM roost.task_attempts ORDER BY try_number")
        #expect(try attempts.map { try $0.decode("state", as: String.self) } == ["failed", "failed", "failed", "success"])
        // Waits of 0.5 s, 1 s and 2 s between a try's end and the next try's start.
        let starts = try attempts.map { try $0.decode("started_at", as: Date.self) }
        let ends = try attempts.map { try $0.decode("ended_at", as: Date.self) }
        for (index, expected) in [0.5, 1.0, 2.0].enumerated() {
            let waited = starts[index + 1].timeIntervalSince(ends[index])
            #expect(waited >= expected - 0.05 && waited < expected + 1.0, "wait \(index + 1) was \(waited) s, expected \(expected) s")
        }
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func exhaustedRetriesFailTheTaskAndItsDownstream() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("doomed", tasks: [
            TaskDefinition(taskID: "broken", type: "fail", args: TaskArgs(retries: 1, retryDelay: .milliseconds(100))),
            TaskDefinition(taskID: "after", type: "noop", upstream: ["broken"]),
            TaskDefinition(taskID: "later", type: "noop", upstream: ["after"]),
            TaskDefinition(taskID: "independent", type: "noop"),
        ])
        try await fleet.trigger(dag)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2)
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the run fails") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "failed"
        }
        let rows = try await fleet.pool.query("SELECT task_id, state, try_number FROM roost.task_instances ORDER BY task_id")
        let states = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode("task_id", as: String.self), try $0.decode("state", as: String.self)) })
        #expect(states == ["broken": "failed", "after": "upstream_failed", "later": "upstream_failed", "independent": "success"])
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts WHERE state = 'failed'", as: Int.self) == 2)
        #expect(try await fleet.scalar("SELECT error FROM roost.task_attempt_history WHERE task_id = 'broken' AND try_number = 2", as: String.self)
                .contains("failing on purpose"))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func executionTimeoutFailsTheTry() async throws {
        let fleet = try await Fleet.create()
        let dag = DagDefinition.test("slow", tasks: [
            TaskDefinition(taskID: "slow", type: "sleep", params: .object(["seconds": .int(30)]),
                           args: TaskArgs(retries: 0, executionTimeout: .milliseconds(500))),
        ])
        try await fleet.trigger(dag)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1)
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the run fails") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "failed"
        }
        #expect(try await fleet.scalar("SELECT state FROM roost.task_attempts", as: String.self) == "timed_out")
        #expect(try await fleet.scalar("SELECT error FROM roost.task_attempts", as: String.self) == "execution timeout of 500ms exceeded")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }
}
