import RoostPostgres

/// The refused records sent to dead-letter topics (`roost.dead_letters`), keyed by their source
/// record, so each is sent once however often the task that refused it is retried.
public struct DeadLetterStore: Sendable {
    /// A refused record: where it was read and why it was refused.
    public struct Letter: Sendable, Hashable {
        public var partition: Int32
        public var offset: Int64
        public var reason: String

        public init(partition: Int32, offset: Int64, reason: String) {
            self.partition = partition
            self.offset = offset
            self.reason = reason
        }
    }

    /// Where a refused record was read: what identifies a letter.
    private struct Position: Hashable {
        let partition: Int32
        let offset: Int64
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// Records `letters` from `sourceTopic` as bound for `deadLetterTopic` (keeping rows earlier
    /// attempts made) and returns those not yet sent, in the order given. Only while `attemptID`
    /// is its task's running attempt; otherwise throws `AttemptNotHeld`.
    public func unsent(_ letters: [Letter], from sourceTopic: String, to deadLetterTopic: String, attemptID: Int64) async throws -> [Letter] {
        guard !letters.isEmpty else { return [] }
        let held = try await pool.query(Self.claimSQL, attemptID, deadLetterTopic, sourceTopic, letters.map(\.partition),
                                        letters.map(\.offset), letters.map(\.reason))
        guard try held.first?.decode("held", as: Bool.self) == true else { throw AttemptNotHeld(unwritten: "its dead letters were not recorded") }
        let sent = try await pool.query(Self.sentSQL, deadLetterTopic, sourceTopic, letters.map(\.partition), letters.map(\.offset))
        let done = Set(try sent.map { Position(partition: try $0.decode("source_partition"), offset: try $0.decode("source_offset")) })
        return letters.filter { !done.contains(Position(partition: $0.partition, offset: $0.offset)) }
    }

    /// Marks letters as sent by `attemptID`, only while it is its task's running attempt.
    public func markSent(_ letters: [Letter], from sourceTopic: String, to deadLetterTopic: String, attemptID: Int64) async throws {
        guard !letters.isEmpty else { return }
        let rows = try await pool.query(Self.markSentSQL, attemptID, deadLetterTopic, sourceTopic, letters.map(\.partition),
                                        letters.map(\.offset))
        guard rows.affectedRows == letters.count else { throw AttemptNotHeld(unwritten: "its dead letters were not recorded") }
    }

    static let claimSQL = """
        WITH held AS (SELECT attempt_id FROM roost.task_instances WHERE attempt_id = $1 AND state = 'running'),
        claimed AS (
            INSERT INTO roost.dead_letters (dead_letter_topic, source_topic, source_partition, source_offset, reason, attempt_id)
            SELECT $2, $3, l.partition, l.offset_, l.reason, held.attempt_id
            FROM held, unnest($4::int4[], $5::int8[], $6::text[]) AS l(partition, offset_, reason)
            ON CONFLICT DO NOTHING
        )
        SELECT EXISTS (SELECT 1 FROM held) AS held
        """
    static let sentSQL = """
        SELECT d.source_partition, d.source_offset
        FROM roost.dead_letters d
        JOIN unnest($3::int4[], $4::int8[]) AS l(partition, offset_) ON d.source_partition = l.partition AND d.source_offset = l.offset_
        WHERE d.dead_letter_topic = $1 AND d.source_topic = $2 AND d.sent_at IS NOT NULL
        """
    static let markSentSQL = """
        UPDATE roost.dead_letters d SET sent_at = now(), attempt_id = $1
        FROM unnest($4::int4[], $5::int8[]) AS l(partition, offset_)
        WHERE d.dead_letter_topic = $2 AND d.source_topic = $3 AND d.source_partition = l.partition AND d.source_offset = l.offset_
          AND EXISTS (SELECT 1 FROM roost.task_instances WHERE attempt_id = $1 AND state = 'running')
        """
}
