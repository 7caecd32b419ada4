import Foundation
import RoostPostgres

/// The S3 objects Roost wrote (`roost.s3_objects`).
public struct S3ObjectStore: Sendable {
    public struct Record: Sendable, Equatable {
        public var bucket: String
        public var key: String
        public var kind: String
        public var format: String
        public var bytes: Int64
        public var records: Int64
        public var etag: String
        public var checksumSHA256: String
        public var attemptID: Int64

        public init(bucket: String, key: String, kind: String, format: String, bytes: Int64, records: Int64, etag: String,
                    checksumSHA256: String, attemptID: Int64) {
            self.bucket = bucket
            self.key = key
            self.kind = kind
            self.format = format
            self.bytes = bytes
            self.records = records
            self.etag = etag
            self.checksumSHA256 = checksumSHA256
            self.attemptID = attemptID
        }
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// Records an object written, replacing the row of an earlier attempt at the same key, and the
    /// record ids it holds (`roost.s3_object_records`, for lineage), replacing those recorded for
    /// the key before, in one statement. Only while `object.attemptID` is its task's
    /// running attempt; otherwise throws `AttemptNotHeld`.
    ///
    /// Committed without waiting for the WAL flush (an fsync per object was most of a load's time;
    /// the statement sets `synchronous_commit` for its own transaction, so it is one round trip):
    /// the task's success is committed later with the flush, which makes these durable too (the WAL
    /// is flushed in order); a crash before it loses at most records of a try that then did not
    /// succeed, and its retry records the same objects again.
    public func record(_ object: Record, recordIDs: [String] = []) async throws {
        let rows = try await pool.query(Self.recordSQL, object.bucket, object.key, object.kind, object.format, object.bytes,
                                        object.records, object.etag, object.checksumSHA256, object.attemptID, recordIDs)
        guard !rows.isEmpty else { throw AttemptNotHeld(unwritten: "the row of \(object.key) was left as it was") }
    }

    /// Every object written by any attempt of one task in one run, by key.
    public func objects(dagID: String, runID: String, taskID: String) async throws -> [Record] {
        try await pool.query(Self.objectsSQL, dagID, runID, taskID).map { row in
            Record(bucket: try row.decode("bucket"), key: try row.decode("key"), kind: try row.decode("kind"),
                   format: try row.decode("format"), bytes: try row.decode("bytes"), records: try row.decode("records"),
                   etag: try row.decode("etag"), checksumSHA256: try row.decode("checksum_sha256"),
                   attemptID: try row.decode("attempt_id"))
        }
    }

    static let recordSQL = """
        WITH object AS (
            INSERT INTO roost.s3_objects (bucket, key, kind, format, bytes, records, etag, checksum_sha256, attempt_id)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, attempt_id
            FROM roost.task_instances, (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed_commit
            WHERE attempt_id = $9 AND state = 'running'
            ON CONFLICT (bucket, key) DO UPDATE SET kind = EXCLUDED.kind, format = EXCLUDED.format, bytes = EXCLUDED.bytes,
                records = EXCLUDED.records, etag = EXCLUDED.etag, checksum_sha256 = EXCLUDED.checksum_sha256,
                attempt_id = EXCLUDED.attempt_id, written_at = now()
            RETURNING id, attempt_id
        ), replaced AS (
            DELETE FROM roost.s3_object_record_ids r USING object WHERE r.object_id = object.id RETURNING r.object_id
        ), ids AS (
            -- The scalar subquery runs the delete to completion before the first row is inserted.
            INSERT INTO roost.s3_object_record_ids (object_id, record_id)
            SELECT DISTINCT object.id, record_id FROM object, unnest($10::text[]) AS record_id
            WHERE (SELECT count(*) FROM replaced) >= 0
        )
        SELECT attempt_id FROM object
        """
    static let objectsSQL = """
        SELECT o.bucket, o.key, o.kind, o.format, o.bytes, o.records, o.etag, o.checksum_sha256, o.attempt_id
        FROM roost.s3_objects o
        JOIN roost.task_attempts a ON a.id = o.attempt_id
        JOIN roost.task_instances ti ON ti.id = a.task_instance_id
        JOIN roost.dag_runs r ON r.id = ti.dag_run_id
        WHERE r.dag_id = $1 AND r.run_id = $2 AND ti.task_id = $3
        ORDER BY o.bucket, o.key
        """
}
