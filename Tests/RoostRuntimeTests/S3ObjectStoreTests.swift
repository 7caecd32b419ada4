import Foundation
import RoostCore
import RoostPostgres
import RoostStore
import RoostTestSupport
import Testing

@Suite struct S3ObjectStoreTests {
    @Test func reRecordingAnObjectReplacesItsRecordIDsAndDeletingOrTruncatingItDropsThem() async throws {
        let fleet = try await Fleet.create()
        try await fleet.trigger(.test("lineage", tasks: [TaskDefinition(taskID: "t", type: "noop")]))
        let me = try await TaskQueueStoreTests().worker(fleet, "w")
        let attempt = try await fleet.queue.claim(by: me, queues: ["default"], limit: 1, lease: .seconds(30))[0]
        let objects = S3ObjectStore(pool: fleet.pool)
        func record(_ key: String, _ recordIDs: [String]) async throws {
            try await objects.record(.init(bucket: "lake", key: key, kind: "data", format: "jsonl", bytes: 1, records: Int64(recordIDs.count),
                                           etag: "e", checksumSHA256: "c", attemptID: attempt.attemptID), recordIDs: recordIDs)
        }
        func recordIDs(_ key: String) async throws -> [String] {
            try await fleet.pool.query("SELECT record_id FROM roost.s3_object_records WHERE key = $1 ORDER BY 1", key)
                .map { try $0.decode("record_id") }
        }
        try await record("k", ["a", "b", "b"])
        try await record("other", ["a"])
        #expect(try await recordIDs("k") == ["a", "b"], "a record id once per object")
        try await record("k", ["b", "c"])
        #expect(try await recordIDs("k") == ["b", "c"], "a retry's recording replaces the earlier one exactly")
        #expect(try await recordIDs("other") == ["a"])
        #expect(try await fleet.scalar("SELECT key FROM roost.lake_record_locations WHERE record_id = 'c'", as: String.self) == "k")
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.lake_record_locations WHERE record_id = 'a'", as: Int64.self) == 1)

        _ = try await fleet.pool.query("DELETE FROM roost.s3_objects WHERE key = 'other'")
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.s3_object_record_ids", as: Int64.self) == 2)
        _ = try await fleet.pool.query("TRUNCATE roost.s3_objects")
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.s3_object_record_ids", as: Int64.self) == 0)
        try await record("k", ["a"])
        _ = try await fleet.pool.query("DELETE FROM roost.dag_runs")
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.s3_object_record_ids", as: Int64.self) == 0,
                "deleting a run deletes its objects' record ids")
    }
}
