import Foundation
import RoostCore
import RoostStore
import RoostTestSupport
import Testing

@Suite struct TwitterCheckpointStoreTests {
    func claim(_ fleet: Fleet, _ dagID: String) async throws -> ClaimedTask {
        try await fleet.trigger(.test(dagID, tasks: [TaskDefinition(taskID: "t", type: "noop", args: TaskArgs(retries: 2, retryDelay: .zero))]))
        let id = try await WorkerStore(pool: fleet.pool).register(hostname: "w", pid: 1, queues: ["default"], concurrency: 1, version: "test")
        return try await fleet.queue.claim(by: WorkerIdentity(workerID: id, hostname: "w", pid: 1), queues: ["default"], limit: 1,
                                           lease: .seconds(30))[0]
    }

    @Test func movesOnlyForwardAndOnlyForTheRunningTry() async throws {
        let fleet = try await Fleet.create()
        let task = try await claim(fleet, "ckpt")
        let store = TwitterCheckpointStore(pool: fleet.pool)
        let key = TwitterCheckpointStore.Key(dagID: "ckpt", source: "search:roost")
        #expect(try await store.newest(key) == nil)
        #expect(try await store.advance(key, to: XTweetID(200), attemptID: task.attemptID) == XTweetID(200))
        #expect(try await store.advance(key, to: XTweetID(100), attemptID: task.attemptID) == XTweetID(200), "never backwards")
        #expect(try await store.advance(key, to: XTweetID(300), attemptID: task.attemptID) == XTweetID(300))
        #expect(try await store.newest(TwitterCheckpointStore.Key(dagID: "ckpt", source: "user:other")) == nil, "per source")
        #expect(try await fleet.queue.completeSuccesses([(task, .object([:]))]) == [task.attemptID])
        #expect(try await store.advance(key, to: XTweetID(400), attemptID: task.attemptID) == nil, "a finished try is fenced out")
        #expect(try await store.newest(key) == XTweetID(300))
    }
}
