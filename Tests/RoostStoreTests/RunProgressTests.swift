import Foundation
import RoostCore
import RoostStore
import RoostTestSupport
import Testing

/// `RunStore.progress`: tasks done and records moved, from the latest attempt of each task.
@Suite struct RunProgressTests {
    @Test func countsFinishedTasksAndTheRecordsTheirLatestAttemptsMoved() async throws {
        let fleet = try await Fleet.create()
        let run = try await fleet.trigger(.test("moves", tasks: [
            TaskDefinition(taskID: "fetch", type: "noop", args: TaskArgs(retries: 2, retryDelay: .zero)),
            TaskDefinition(taskID: "load", type: "noop"),
        ]))[0]
        #expect(try await fleet.runs.progress(of: run) == RunStore.Progress(tasksDone: 0, tasks: 2))

        let id = try await WorkerStore(pool: fleet.pool).register(hostname: "w", pid: 1, queues: ["default"], concurrency: 2, version: "test")
        let me = WorkerIdentity(workerID: id, hostname: "w", pid: 1)
        let stale = try await fleet.queue.claim(by: me, queues: ["default"], limit: 2, lease: .milliseconds(1))
        let fetch = try #require(stale.first { $0.taskID == "fetch" })
        let load = try #require(stale.first { $0.taskID == "load" })
        #expect(try await fleet.queue.recordProgress(of: fetch, metrics: .object(["tweets_fetched": .int(40), "pages": .int(4)])))
        #expect(try await fleet.queue.finish(load, result: .success(metrics: .object(["s3_records_written": .int(7), "s3_objects_written": .int(1)]))))
        #expect(try await fleet.runs.progress(of: run) == RunStore.Progress(tasksDone: 1, tasks: 2, fetched: 40, written: 7))

        // The first try of fetch is lost; the retry's own count replaces it.
        try await eventually("the lease expires") { try await fleet.queue.reapExpiredLeases().count == 1 }
        let retry = try #require(try await fleet.queue.claim(by: me, queues: ["default"], limit: 1, lease: .seconds(30)).first)
        #expect(try await fleet.queue.finish(retry, result: .success(metrics: .object(["tweets_fetched": .int(55), "records_consumed": .int(3),
                                                                              "records_produced": .int(2)]))))
        #expect(try await fleet.runs.progress(of: run)
                == RunStore.Progress(tasksDone: 2, tasks: 2, fetched: 55, consumed: 3, produced: 2, written: 7))
    }
}
