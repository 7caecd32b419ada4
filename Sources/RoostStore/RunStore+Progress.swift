import RoostPostgres

extension RunStore {
    /// How far a run is: tasks done out of all, and records moved by each task's latest attempt
    /// (a retry starts its count again), summed from the attempts' metrics.
    public struct Progress: Sendable, Equatable {
        public var tasksDone: Int
        public var tasks: Int
        /// Tweets read from the X API (`tweets_fetched`).
        public var fetched: Int64
        /// Records read from Kafka (`records_consumed`).
        public var consumed: Int64
        /// Records sent to Kafka (`records_produced`).
        public var produced: Int64
        /// Records written to S3 (`s3_records_written`).
        public var written: Int64

        public init(tasksDone: Int, tasks: Int, fetched: Int64 = 0, consumed: Int64 = 0, produced: Int64 = 0, written: Int64 = 0) {
            self.tasksDone = tasksDone
            self.tasks = tasks
            self.fetched = fetched
            self.consumed = consumed
            self.produced = produced
            self.written = written
        }
    }

    public func progress(of run: Run) async throws -> Progress {
        guard let row = try await pool.query(Self.progressSQL, run.id).first else { return Progress(tasksDone: 0, tasks: 0) }
        return Progress(tasksDone: Int(try row.decode("done", as: Int64.self)), tasks: Int(try row.decode("total", as: Int64.self)),
                        fetched: try row.decode("fetched"), consumed: try row.decode("consumed"),
                        produced: try row.decode("produced"), written: try row.decode("written"))
    }

    static let progressSQL = """
        SELECT count(*) FILTER (WHERE ti.state IN ('success', 'failed', 'upstream_failed')) AS done, count(*) AS total,
               coalesce(sum((a.metrics->>'tweets_fetched')::bigint), 0)::int8 AS fetched,
               coalesce(sum((a.metrics->>'records_consumed')::bigint), 0)::int8 AS consumed,
               coalesce(sum((a.metrics->>'records_produced')::bigint), 0)::int8 AS produced,
               coalesce(sum((a.metrics->>'s3_records_written')::bigint), 0)::int8 AS written
        FROM roost.task_instances ti
        LEFT JOIN LATERAL (
            SELECT metrics FROM roost.task_attempts WHERE task_instance_id = ti.id ORDER BY try_number DESC LIMIT 1
        ) a ON true
        WHERE ti.dag_run_id = $1
        """
}
