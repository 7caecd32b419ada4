import Foundation
import RoostCore
import RoostPostgres

/// DAG runs: creating them with their task instances, listing them, and settling their state.
public struct RunStore: Sendable {
    public struct Run: Sendable {
        public let id: Int64
        public let dagID: String
        public let runID: String
        public let runType: String
        public let logicalDate: Date
        public let interval: DataInterval
        public let state: DagRunState
        public let conf: JSONValue
        public let createdAt: Date
        public let startedAt: Date?
        public let endedAt: Date?
    }

    public enum RunType: String, Sendable { case scheduled, manual }

    /// Channel workers LISTEN on; the payload is the queue that has new work.
    public static let taskChannel = "roost_tasks"
    /// Channel the scheduler LISTENs on: a task ended, so downstream work may be ready.
    public static let schedulerChannel = "roost_scheduler"

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// `scheduled__2026-11-01T00:00:00+00:00`, like Airflow.
    public static func runID(_ type: RunType, _ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return "\(type.rawValue)__\(formatter.string(from: date).replacingOccurrences(of: "Z", with: "+00:00"))"
    }

    /// Creates a run and all its task instances in one statement (one round trip: queued→running
    /// latency counts from the statement's start). Tasks without upstreams are
    /// queued at once (and workers notified). Returns nil when the DAG already has a run for that
    /// logical date or run id: with two schedulers, exactly one insert wins.
    public func create(dag: DagDefinition, definitionHash: String, type: RunType, runID: String? = nil,
                       interval: DataInterval, conf: JSONValue = .object([:])) async throws -> Run? {
        let id = runID ?? Self.runID(type, interval.start)
        let tasks = dag.tasks
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let params = try tasks.map { String(decoding: try encoder.encode($0.params), as: UTF8.self) }
        let upstreams = try tasks.map { String(decoding: try encoder.encode($0.upstream), as: UTF8.self) }
        let encodedConf = PostgresJSON(text: String(decoding: try encoder.encode(conf), as: UTF8.self))
        return try await pool.query(
            Self.insertRunSQL, dag.dagID, id, type.rawValue, interval.start, interval.start, interval.end, encodedConf, definitionHash,
            tasks.map(\.taskID), tasks.map(\.type), params, upstreams, tasks.map { $0.args.retries + 1 }, tasks.map(\.args.queue),
            tasks.map(\.args.priorityWeight), tasks.map(\.args.retryDelay.milliseconds), tasks.map(\.args.retryExponentialBackoff),
            tasks.map(\.args.maxRetryDelay.milliseconds), tasks.map { $0.args.executionTimeout?.milliseconds ?? -1 },
            Self.taskChannel
        ).first.map(Self.decodeRun)
    }

    /// The logical date of the newest scheduled run, where the planner continues.
    public func lastScheduledLogicalDate(dagID: String) async throws -> Date? {
        try await pool.query("SELECT max(logical_date) FROM roost.dag_runs WHERE dag_id = $1 AND run_type = 'scheduled'", dagID)[0]
            .decode(at: 0, as: Date?.self)
    }

    public func activeRunCount(dagID: String) async throws -> Int {
        try await pool.query("SELECT count(*) FROM roost.dag_runs WHERE dag_id = $1 AND state IN ('queued', 'running')", dagID)[0]
            .decode(at: 0)
    }

    public func run(dagID: String, runID: String) async throws -> Run? {
        try await pool.query("SELECT * FROM roost.dag_runs WHERE dag_id = $1 AND run_id = $2", dagID, runID).first.map(Self.decodeRun)
    }

    /// Finds a run by `DAG/RUN_ID`, or by a run id alone when only one DAG has it.
    public func resolve(_ reference: String) async throws -> Run {
        let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
        let rows = parts.count == 2
            ? try await pool.query("SELECT * FROM roost.dag_runs WHERE dag_id = $1 AND run_id = $2", parts[0], parts[1])
            : try await pool.query("SELECT * FROM roost.dag_runs WHERE run_id = $1 ORDER BY dag_id", reference)
        let found = try rows.map(Self.decodeRun)
        guard let run = found.first else { throw StoreError("no run '\(reference)' (give it as DAG/RUN_ID; see roost runs list)") }
        guard found.count == 1 else {
            throw StoreError("run id '\(reference)' exists in several DAGs (\(found.map(\.dagID).joined(separator: ", "))): give DAG/RUN_ID")
        }
        return run
    }

    public struct TaskInstance: Sendable {
        public let taskID: String
        public let taskType: String
        public let state: String
        public let tryNumber: Int
        public let maxTries: Int
        public let queue: String
        public let startedAt: Date?
        public let endedAt: Date?
        public let nextAttemptAt: Date?
    }

    /// The run's task instances in creation order.
    public func taskInstances(of run: Run) async throws -> [TaskInstance] {
        try await pool.query(Self.tasksSQL, run.id).map { row in
            TaskInstance(taskID: try row.decode("task_id"), taskType: try row.decode("task_type"), state: try row.decode("state"),
                         tryNumber: try row.decode("try_number"), maxTries: try row.decode("max_tries"), queue: try row.decode("queue"),
                         startedAt: try row.decode("started_at"), endedAt: try row.decode("ended_at"),
                         nextAttemptAt: try row.decode("next_attempt_at"))
        }
    }

    public func list(dagID: String?, state: DagRunState? = nil, limit: Int) async throws -> [Run] {
        try await pool.query(Self.listSQL, dagID, state?.rawValue, limit).map(Self.decodeRun)
    }

    /// Brings every unfinished run's state in line with its tasks (`DagRunState.resolve`), and
    /// returns the runs that changed.
    @discardableResult
    public func settle() async throws -> [(dagID: String, runID: String, state: DagRunState)] {
        let rows = try await pool.query(Self.activeStatesSQL)
        var changed: [(String, String, DagRunState)] = []
        for row in rows {
            let states = try row.decode("states", as: [String].self).compactMap(TaskState.init(rawValue:))
            let current = DagRunState(rawValue: try row.decode("state")) ?? .queued
            let next = DagRunState.resolve(states)
            guard next != current else { continue }
            let updated = try await pool.query(Self.setStateSQL, try row.decode("id", as: Int64.self), current.rawValue, next.rawValue)
            if updated.affectedRows == 1 { changed.append((try row.decode("dag_id"), try row.decode("run_id"), next)) }
        }
        return changed
    }

    static func decodeRun(_ row: PostgresRow) throws -> Run {
        let conf: PostgresJSON = try row.decode("conf")
        return Run(id: try row.decode("id"), dagID: try row.decode("dag_id"), runID: try row.decode("run_id"),
                   runType: try row.decode("run_type"), logicalDate: try row.decode("logical_date"),
                   interval: DataInterval(start: try row.decode("data_interval_start"), end: try row.decode("data_interval_end")),
                   state: DagRunState(rawValue: try row.decode("state")) ?? .queued,
                   conf: (try? JSONDecoder().decode(JSONValue.self, from: Data(conf.text.utf8))) ?? .object([:]),
                   createdAt: try row.decode("created_at"), startedAt: try row.decode("started_at"), endedAt: try row.decode("ended_at"))
    }

    /// The run (nothing when it exists), its tasks, the queue rows of those without upstreams
    /// (`next_attempt_at` is set exactly for claimable tasks), and a NOTIFY per queue with new work.
    /// Foreign keys are checked at the end of the statement, when the run row is there.
    static let insertRunSQL = """
        WITH run AS (
            INSERT INTO roost.dag_runs (dag_id, run_id, run_type, logical_date, data_interval_start, data_interval_end,
                                        state, conf, definition_hash)
            VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8)
            ON CONFLICT DO NOTHING
            RETURNING *
        ), inserted AS (
            INSERT INTO roost.task_instances (dag_run_id, task_id, task_type, params, upstream, state, retries, max_tries, queue,
                priority_weight, retry_delay_ms, retry_exponential_backoff, max_retry_delay_ms, execution_timeout_ms,
                next_attempt_at, queued_at)
            SELECT run.id, t.task_id, t.task_type, t.params::jsonb,
                   ARRAY(SELECT jsonb_array_elements_text(t.upstream::jsonb)),
                   CASE WHEN t.upstream = '[]' THEN 'queued' ELSE 'scheduled' END,
                   t.max_tries - 1, t.max_tries, t.queue, t.priority_weight, t.retry_delay_ms, t.retry_exponential_backoff,
                   t.max_retry_delay_ms, NULLIF(t.execution_timeout_ms, -1),
                   CASE WHEN t.upstream = '[]' THEN now() END, CASE WHEN t.upstream = '[]' THEN now() END
            FROM run, unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::int4[], $14::text[], $15::int4[],
                             $16::int8[], $17::bool[], $18::int8[], $19::int8[])
                 AS t(task_id, task_type, params, upstream, max_tries, queue, priority_weight, retry_delay_ms,
                      retry_exponential_backoff, max_retry_delay_ms, execution_timeout_ms)
            RETURNING id, queue, priority_weight, next_attempt_at
        ), queued AS (
            INSERT INTO roost.task_queue (task_instance_id, queue, priority_weight, next_attempt_at)
            SELECT id, queue, priority_weight, next_attempt_at FROM inserted WHERE next_attempt_at IS NOT NULL
            RETURNING queue
        ), wake AS (
            SELECT pg_notify($20, queue) FROM (SELECT DISTINCT queue FROM queued) q
        )
        SELECT run.* FROM run, (SELECT count(*) FROM wake) w
        """

    static let tasksSQL = """
        SELECT task_id, task_type, state, try_number, max_tries, queue, started_at, ended_at, next_attempt_at
        FROM roost.task_instances WHERE dag_run_id = $1 ORDER BY id
        """

    static let listSQL = """
        SELECT * FROM roost.dag_runs
        WHERE ($1::text IS NULL OR dag_id = $1) AND ($2::text IS NULL OR state = $2)
        ORDER BY logical_date DESC, id DESC LIMIT $3
        """

    static let activeStatesSQL = """
        SELECT r.id, r.dag_id, r.run_id, r.state, array_agg(DISTINCT ti.state) AS states
        FROM roost.dag_runs r JOIN roost.task_instances ti ON ti.dag_run_id = r.id
        WHERE r.state IN ('queued', 'running')
        GROUP BY r.id
        """

    static let setStateSQL = """
        UPDATE roost.dag_runs SET state = $3,
            started_at = CASE WHEN $3 IN ('running', 'success', 'failed') THEN coalesce(started_at, now()) END,
            ended_at = CASE WHEN $3 IN ('success', 'failed') THEN now() END
        WHERE id = $1 AND state = $2
        """
}
