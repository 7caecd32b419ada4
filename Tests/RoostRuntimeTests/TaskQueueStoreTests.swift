import Foundation
import RoostCore
import RoostPostgres
import RoostStore
import RoostTestSupport
import Testing

/// The queue's SQL, one statement at a time: claiming order, fencing and clearing.
@Suite struct TaskQueueStoreTests {
    func worker(_ fleet: Fleet, _ name: String) async throws -> WorkerIdentity {
        let id = try await WorkerStore(pool: fleet.pool).register(hostname: name, pid: 1, queues: ["default"], concurrency: 1, version: "test")
        return WorkerIdentity(workerID: id, hostname: name, pid: 1)
    }

    @Test func claimsByPriorityThenAgeOnlyFromItsQueues() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("prio", tasks: [
            TaskDefinition(taskID: "low", type: "noop", args: TaskArgs(priorityWeight: 1)),
            TaskDefinition(taskID: "high", type: "noop", args: TaskArgs(priorityWeight: 10)),
            TaskDefinition(taskID: "elsewhere", type: "noop", args: TaskArgs(queue: "other", priorityWeight: 100)),
        ]))
        let me = try await worker(fleet, "a")
        let first = try await fleet.queue.claim(by: me, queues: ["default"], limit: 1, lease: .seconds(30))
        #expect(first.map(\.taskID) == ["high"])
        #expect(first[0].tryNumber == 1)
        let rest = try await fleet.queue.claim(by: me, queues: ["default"], limit: 10, lease: .seconds(30))
        #expect(rest.map(\.taskID) == ["low"])
    }

    /// Workers claim on a connection that always uses the generic plan: it must claim the same
    /// tasks, in the same order, each with its own queue time (three runs queue at three times).
    @Test func claimsWithTheGenericPlanAsWithCustomOnes() async throws {
        let fleet = try await Fleet.create()
        let runs = try await fleet.trigger(.test("generic", tasks: [
            TaskDefinition(taskID: "low", type: "noop", args: TaskArgs(priorityWeight: 1)),
            TaskDefinition(taskID: "high", type: "noop", args: TaskArgs(priorityWeight: 2)),
        ]), runs: 3)
        var settings = fleet.database.settings
        settings.sessionSettings = TaskQueueStore.claimSessionSettings
        let generic = PostgresPool(settings: settings, size: 1)
        #expect(try await generic.query("SHOW plan_cache_mode")[0].decode(at: 0, as: String.self) == "force_generic_plan")
        let me = try await worker(fleet, "a")
        let claimed = try await TaskQueueStore(pool: generic).claim(by: me, queues: ["default"], limit: 10, lease: .seconds(30))
        await generic.close()
        #expect(claimed.map { "\($0.runID)/\($0.taskID)" } == ["high", "low"].flatMap { task in runs.map { "\($0.runID)/\(task)" } })
        for task in claimed {
            #expect(task.queuedAt == (try await fleet.scalar("SELECT queued_at FROM roost.task_instances WHERE id = $1", task.instanceID, as: Date.self)))
        }
        #expect(Set(claimed.compactMap(\.queuedAt)).count == 3)
    }

    @Test func onlyTheCurrentAttemptMayCompleteOrHeartbeat() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("fence", tasks: [TaskDefinition(taskID: "t", type: "noop", args: TaskArgs(retries: 2, retryDelay: .zero))]))
        let stale = try await worker(fleet, "stale")
        let fresh = try await worker(fleet, "fresh")
        let old = try await fleet.queue.claim(by: stale, queues: ["default"], limit: 1, lease: .milliseconds(1))[0]
        try await eventually("the lease expires") { try await fleet.queue.reapExpiredLeases().count == 1 }
        let new = try await fleet.queue.claim(by: fresh, queues: ["default"], limit: 1, lease: .seconds(30))[0]
        #expect(new.tryNumber == 2)
        #expect(new.attemptID != old.attemptID)
        // The stale holder is refused everywhere.
        #expect(try await fleet.queue.heartbeat(worker: stale, attempts: [old], lease: .seconds(30)).isEmpty)
        #expect(try await fleet.queue.completeSuccesses([(old, .object([:]))]).isEmpty)
        #expect(try await fleet.queue.finish(old, result: .failure(.error, error: "late", metrics: .object([:]))) == false)
        // The current holder is not.
        #expect(try await fleet.queue.heartbeat(worker: fresh, attempts: [new], lease: .seconds(30)) == [new.attemptID])
        #expect(try await fleet.queue.completeSuccesses([(new, .object(["records": .int(3)]))]) == [new.attemptID])
        #expect(try await fleet.scalar("SELECT state FROM roost.task_instances", as: String.self) == "success")
        #expect(try await fleet.scalar("SELECT metrics->>'records' FROM roost.task_attempts WHERE id = $1", new.attemptID, as: String.self) == "3")
        #expect(try await fleet.scalar("SELECT state FROM roost.task_attempts WHERE id = $1", old.attemptID, as: String.self) == "lease_expired")
    }

    @Test func onlyTheCurrentAttemptMayRecordLakeObjects() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("lakefence", tasks: [TaskDefinition(taskID: "t", type: "noop", args: TaskArgs(retries: 2, retryDelay: .zero))]))
        let stale = try await worker(fleet, "stale")
        let old = try await fleet.queue.claim(by: stale, queues: ["default"], limit: 1, lease: .milliseconds(1))[0]
        try await eventually("the lease expires") { try await fleet.queue.reapExpiredLeases().count == 1 }
        let new = try await fleet.queue.claim(by: try await worker(fleet, "fresh"), queues: ["default"], limit: 1, lease: .seconds(30))[0]
        let objects = S3ObjectStore(pool: fleet.pool)
        func object(_ attemptID: Int64) -> S3ObjectStore.Record {
            .init(bucket: "lake", key: "k", kind: "data", format: "jsonl", bytes: 1, records: 1, etag: "e\(attemptID)",
                  checksumSHA256: "c", attemptID: attemptID)
        }
        try await objects.record(object(new.attemptID))
        await #expect(throws: AttemptNotHeld.self) { try await objects.record(object(old.attemptID), recordIDs: ["r"]) }
        #expect(try await fleet.scalar("SELECT attempt_id FROM roost.s3_objects WHERE key = 'k'", as: Int64.self) == new.attemptID)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.s3_object_records", as: Int64.self) == 0)
    }

    @Test func aTaskHasAQueueRowExactlyWhileClaimableOrRunning() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("queuerow", tasks: [TaskDefinition(taskID: "t", type: "noop", args: TaskArgs(retries: 1, retryDelay: .zero))]))
        let me = try await worker(fleet, "w")
        // The queue row's lease owner: "unleased" without a lease, "none" without a row.
        func queueRow() async throws -> String {
            let rows = try await fleet.pool.query("SELECT coalesce(lease_owner::text, 'unleased') AS owner FROM roost.task_queue")
            return rows.isEmpty ? "none" : try rows[0].decode("owner")
        }
        func claim() async throws -> ClaimedTask { try await fleet.queue.claim(by: me, queues: ["default"], limit: 1, lease: .seconds(30))[0] }
        #expect(try await queueRow() == "unleased")
        #expect(try await fleet.queue.finish(try await claim(), result: .failure(.error, error: "boom", metrics: .object([:]))))
        #expect(try await fleet.scalar("SELECT state FROM roost.task_instances", as: String.self) == "up_for_retry")
        #expect(try await queueRow() == "unleased")
        let second = try await claim()
        #expect(try await queueRow() == String(me.workerID))
        #expect(try await fleet.queue.finish(second, result: .released(metrics: .object([:]))))
        #expect(try await queueRow() == "unleased")
        let third = try await claim()
        #expect(third.tryNumber == 2)
        #expect(try await fleet.queue.completeSuccesses([(third, .object([:]))]) == [third.attemptID])
        #expect(try await queueRow() == "none")
    }

    @Test func deletingADagDeletesItsTasksAttemptsAndLogs() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("gone", tasks: [TaskDefinition(taskID: "t", type: "noop"), TaskDefinition(taskID: "u", type: "noop")]))
        let claimed = try await fleet.queue.claim(by: try await worker(fleet, "w"), queues: ["default"], limit: 1, lease: .seconds(30))[0]
        try await TaskLogStore(pool: fleet.pool).append(attemptID: claimed.attemptID, lines: [("roost", "hello", Date())])
        try await fleet.pool.query("DELETE FROM roost.dags WHERE dag_id = 'gone'")
        for table in ["task_instances", "task_queue", "task_attempts", "task_logs"] {
            #expect(try await fleet.scalar("SELECT count(*) FROM roost.\(table)", as: Int.self) == 0, "\(table)")
        }
    }

    /// Workers wait on LISTEN: a task that becomes ready wakes its queue's workers, in the same
    /// statement that queues it.
    @Test(.timeLimit(.minutes(1))) func promotingATaskNotifiesTheWorkersOfItsQueue() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("wake", tasks: [
            TaskDefinition(taskID: "a", type: "noop"),
            TaskDefinition(taskID: "b", type: "noop", upstream: ["a"], args: TaskArgs(queue: "downstream")),
        ]))
        let me = try await worker(fleet, "w")
        let claimed = try await fleet.queue.claim(by: me, queues: ["default"], limit: 1, lease: .seconds(30))
        _ = try await fleet.queue.completeSuccesses(claimed.map { ($0, .object([:])) })
        let listener = PostgresListener(settings: fleet.database.settings, channels: [RunStore.taskChannel])
        defer { listener.stop() }
        var events = listener.events.makeAsyncIterator()
        #expect(await events.next() == .connected)
        #expect(try await fleet.queue.promoteReadyTasks() == (queued: 1, upstreamFailed: 0))
        #expect(await events.next() == .notification(channel: RunStore.taskChannel, payload: "downstream"))
    }

    @Test func clearReRunsATaskAndItsDownstreamWithFreshRetries() async throws {
        let fleet = try await Fleet.create()
        let run = try await fleet.trigger(.test("clear", tasks: [
            TaskDefinition(taskID: "a", type: "noop"),
            TaskDefinition(taskID: "b", type: "noop", upstream: ["a"]),
            TaskDefinition(taskID: "c", type: "noop", upstream: ["b"]),
            TaskDefinition(taskID: "side", type: "noop"),
        ]))[0]
        let me = try await worker(fleet, "w")
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the run succeeds") {
            let claimed = try await fleet.queue.claim(by: me, queues: ["default"], limit: 10, lease: .seconds(30))
            _ = try await fleet.queue.completeSuccesses(claimed.map { ($0, .object([:])) })
            return try await fleet.runs.run(dagID: "clear", runID: run.runID)?.state == .success
        }
        #expect(try await fleet.queue.clear(dagID: "clear", runID: run.runID, taskID: "b") == ["b", "c"])
        #expect(try await fleet.runs.run(dagID: "clear", runID: run.runID)?.state == .running)
        #expect(try await fleet.scalar("SELECT max_tries FROM roost.task_instances WHERE task_id = 'b'", as: Int.self) == 2)
        try await fleet.drive(scheduler, "the cleared run succeeds again") {
            let claimed = try await fleet.queue.claim(by: me, queues: ["default"], limit: 10, lease: .seconds(30))
            _ = try await fleet.queue.completeSuccesses(claimed.map { ($0, .object([:])) })
            return try await fleet.runs.run(dagID: "clear", runID: run.runID)?.state == .success
        }
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts", as: Int.self) == 6)
        await #expect(throws: StoreError.self) { try await fleet.queue.clear(dagID: "clear", runID: run.runID, taskID: "nope") }
    }
}
