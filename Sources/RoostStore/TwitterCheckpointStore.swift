import Foundation
import RoostCore
import RoostPostgres

/// Per DAG and source, the newest tweet id delivered (`roost.twitter_checkpoints`).
public struct TwitterCheckpointStore: Sendable {
    public struct Key: Sendable, Hashable {
        public let dagID: String
        public let source: String
        public init(dagID: String, source: String) {
            self.dagID = dagID
            self.source = source
        }
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    public func newest(_ key: Key) async throws -> XTweetID? {
        let row = try await pool.query("SELECT newest_tweet_id FROM roost.twitter_checkpoints WHERE dag_id = $1 AND source = $2",
                                       key.dagID, key.source).first
        return try row.map { XTweetID(try $0.decode("newest_tweet_id", as: Int64.self)) }
    }

    /// Moves the checkpoint to `tweetID` if that is newer, for the try `attemptID` while it is still
    /// running; returns the checkpoint after the call, or nil when the try no longer holds its task
    /// (its lease was taken back) and nothing was written.
    public func advance(_ key: Key, to tweetID: XTweetID, attemptID: Int64) async throws -> XTweetID? {
        let rows = try await pool.query(Self.advanceSQL, key.dagID, key.source, tweetID.value, attemptID)
        return try rows.first.map { XTweetID(try $0.decode("newest_tweet_id", as: Int64.self)) }
    }

    static let advanceSQL = """
        WITH fence AS (
            SELECT attempt_id AS id FROM roost.task_instances WHERE attempt_id = $4 AND state = 'running'
        ), moved AS (
            INSERT INTO roost.twitter_checkpoints (dag_id, source, newest_tweet_id, attempt_id)
            SELECT $1, $2, $3, id FROM fence
            ON CONFLICT (dag_id, source) DO UPDATE
                SET newest_tweet_id = EXCLUDED.newest_tweet_id, attempt_id = EXCLUDED.attempt_id, updated_at = now()
                WHERE roost.twitter_checkpoints.newest_tweet_id < EXCLUDED.newest_tweet_id
            RETURNING newest_tweet_id
        )
        SELECT newest_tweet_id FROM moved
        UNION ALL
        SELECT c.newest_tweet_id FROM roost.twitter_checkpoints c, fence
        WHERE c.dag_id = $1 AND c.source = $2 AND NOT EXISTS (SELECT 1 FROM moved)
        """
}
