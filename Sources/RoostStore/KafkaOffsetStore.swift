import Foundation
import RoostPostgres

/// Kafka offset ranges per task (`roost.kafka_offset_ranges`): the bounded ranges a
/// `kafka_consume` task reads, decided once and shared by all its attempts, and what each
/// `kafka_produce` attempt wrote. Planning and committing for one topic and group are serialised
/// by a transaction-level advisory lock, so concurrent tasks get disjoint ranges and the group's
/// committed offset never moves backwards.
public struct KafkaOffsetStore: Sendable {
    /// One partition's range: `firstOffset…lastOffset` inclusive (`lastOffset = firstOffset - 1` when empty).
    public struct Range: Sendable, Hashable {
        public let partition: Int32
        public let firstOffset: Int64
        public let lastOffset: Int64
        public let recordCount: Int64
        public let state: String

        public init(partition: Int32, firstOffset: Int64, lastOffset: Int64, recordCount: Int64, state: String) {
            self.partition = partition
            self.firstOffset = firstOffset
            self.lastOffset = lastOffset
            self.recordCount = recordCount
            self.state = state
        }

        /// The next offset after the range (exclusive end).
        public var endOffset: Int64 { lastOffset + 1 }
    }

    /// What Kafka says about a partition when a consume is planned.
    public struct PartitionPosition: Sendable {
        public let partition: Int32
        public let committed: Int64?
        public let low: Int64
        public let high: Int64

        public init(partition: Int32, committed: Int64?, low: Int64, high: Int64) {
            self.partition = partition
            self.committed = committed
            self.low = low
            self.high = high
        }
    }

    public struct ConsumeTask: Sendable {
        public let instanceID: Int64
        public let attemptID: Int64
        public let topic: String
        public let group: String

        public init(instanceID: Int64, attemptID: Int64, topic: String, group: String) {
            self.instanceID = instanceID
            self.attemptID = attemptID
            self.topic = topic
            self.group = group
        }
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// The task's ranges: those planned by an earlier attempt, or new ones starting where this
    /// group's recorded ranges end (else at the group's committed offset, else the low watermark)
    /// and ending at the high watermark in `positions`.
    public func planConsume(_ task: ConsumeTask, positions: [PartitionPosition]) async throws -> [Range] {
        try await pool.transaction { connection in
            try await connection.query(Self.lockSQL, task.topic, task.group)
            let existing = try await connection.query(Self.rangesSQL, task.instanceID, "consume").map(Self.decodeRange)
            if !existing.isEmpty { return existing }
            let recorded = try await connection.query(Self.nextOffsetsSQL, task.topic, task.group)
            var next: [Int32: Int64] = [:]
            for row in recorded { next[try row.decode("partition", as: Int32.self)] = try row.decode("next_offset", as: Int64.self) }
            let planned = positions.sorted { $0.partition < $1.partition }.map { position in
                let start = next[position.partition] ?? position.committed ?? position.low
                let end = max(start, position.high)
                return Range(partition: position.partition, firstOffset: start, lastOffset: end - 1, recordCount: end - start, state: "planned")
            }
            try await connection.query(Self.insertSQL, task.instanceID, task.attemptID, "consume", task.topic, Optional(task.group),
                                       planned.map(\.partition), planned.map(\.firstOffset), planned.map(\.lastOffset),
                                       planned.map(\.recordCount), "planned")
            return planned
        }
    }

    /// Marks the task's ranges consumed (its records are in the sink) and, under the group lock,
    /// hands `commit` each partition's offset up to which every recorded range is consumed; the
    /// ranges it covers become committed once `commit` returns.
    public func completeConsume(_ task: ConsumeTask, commit: ([Int32: Int64]) async throws -> Void) async throws {
        try await pool.transaction { connection in
            try await connection.query(Self.lockSQL, task.topic, task.group)
            try await connection.query(Self.markConsumedSQL, task.instanceID)
            var targets: [Int32: Int64] = [:]
            for row in try await connection.query(Self.commitTargetsSQL, task.topic, task.group) {
                targets[try row.decode("partition", as: Int32.self)] = try row.decode("commit_offset", as: Int64.self)
            }
            try await commit(targets)
            try await connection.query(Self.markCommittedSQL, task.topic, task.group, Array(targets.keys), Array(targets.values))
        }
    }

    /// Records what a produce attempt wrote, one row per partition.
    public func recordProduced(instanceID: Int64, attemptID: Int64, topic: String, ranges: [Range]) async throws {
        guard !ranges.isEmpty else { return }
        try await pool.query(Self.insertSQL, instanceID, attemptID, "produce", topic, String?.none, ranges.map(\.partition),
                             ranges.map(\.firstOffset), ranges.map(\.lastOffset), ranges.map(\.recordCount), "produced")
    }

    /// A task's ranges of `kind` (`consume` or `produce`), by partition.
    public func ranges(instanceID: Int64, kind: String) async throws -> [Range] {
        try await pool.query(Self.rangesSQL, instanceID, kind).map(Self.decodeRange)
    }

    private static func decodeRange(_ row: PostgresRow) throws -> Range {
        Range(partition: try row.decode("partition"), firstOffset: try row.decode("first_offset"),
              lastOffset: try row.decode("last_offset"), recordCount: try row.decode("record_count"), state: try row.decode("state"))
    }

    static let lockSQL = "SELECT pg_advisory_xact_lock(hashtextextended('roost.kafka:' || $1 || '/' || $2, 0))"
    static let rangesSQL = """
        SELECT partition, first_offset, last_offset, record_count, state FROM roost.kafka_offset_ranges
        WHERE task_instance_id = $1 AND kind = $2 ORDER BY partition, id
        """
    static let nextOffsetsSQL = """
        SELECT partition, max(last_offset) + 1 AS next_offset FROM roost.kafka_offset_ranges
        WHERE kind = 'consume' AND topic = $1 AND consumer_group = $2 GROUP BY partition
        """
    static let insertSQL = """
        INSERT INTO roost.kafka_offset_ranges
            (task_instance_id, attempt_id, kind, topic, consumer_group, partition, first_offset, last_offset, record_count, state)
        SELECT $1, $2, $3, $4, $5, p, f, l, c, $10
        FROM unnest($6::int4[], $7::int8[], $8::int8[], $9::int8[]) AS x(p, f, l, c)
        """
    static let markConsumedSQL = """
        UPDATE roost.kafka_offset_ranges SET state = 'consumed', updated_at = now()
        WHERE task_instance_id = $1 AND kind = 'consume' AND state = 'planned'
        """
    /// Per partition: the first offset of a range not yet consumed, else the end of the last range.
    static let commitTargetsSQL = """
        SELECT partition,
               coalesce(min(first_offset) FILTER (WHERE state = 'planned' AND record_count > 0), max(last_offset) + 1) AS commit_offset
        FROM roost.kafka_offset_ranges
        WHERE kind = 'consume' AND topic = $1 AND consumer_group = $2 GROUP BY partition
        """
    static let markCommittedSQL = """
        UPDATE roost.kafka_offset_ranges k SET state = 'committed', updated_at = now()
        FROM unnest($3::int4[], $4::int8[]) AS t(partition, commit_offset)
        WHERE k.kind = 'consume' AND k.topic = $1 AND k.consumer_group = $2 AND k.partition = t.partition
          AND k.state = 'consumed' AND k.last_offset < t.commit_offset
        """
}
