import Foundation
import RoostCore
import RoostPostgres

/// The task queue: claiming with `FOR UPDATE SKIP LOCKED`, leases and their heartbeats, and
/// fenced completion. Every statement works on a batch, because per-task round trips are what
/// limits a PostgreSQL queue. Claimable and running tasks have a row in `task_queue` (queue order,
/// lease owner and expiry); their `task_instances` row keeps state, try and fencing token, and
/// changes no indexed column on the hot path, so its updates are HOT (migration 0007).
public struct TaskQueueStore: Sendable {
    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// Claims up to `limit` claimable tasks from `queues` in one statement: highest priority first,
    /// then longest waiting. Each gets a lease and a new attempt row, whose id is its fencing token.
    public func claim(by worker: WorkerIdentity, queues: [String], limit: Int, lease: Duration) async throws -> [ClaimedTask] {
        guard limit > 0 else { return [] }
        return try Self.claimedTasks(try await pool.query(
            prepared: Self.claimSQL, queues, limit, worker.workerID, lease.milliseconds,
            TaskLifecycle.sources(of: .claimed).map(\.rawValue), worker.hostname, worker.pid))
    }

    /// Decodes a claim's rows. The tasks of one run share their conf and params often repeat, so
    /// each distinct JSON text is decoded once per claim.
    static func claimedTasks(_ rows: PostgresRows) throws -> [ClaimedTask] {
        var decoded: [String: JSONValue] = [:]
        func json(_ row: PostgresRow, _ column: String) throws -> JSONValue {
            let text = try row.decode(column, as: PostgresJSON.self)
            if let value = decoded[text.text] { return value }
            let value = try text.decode(JSONValue.self)
            decoded[text.text] = value
            return value
        }
        return try rows.map { row in
            let timeout: Int64? = try row.decode("execution_timeout_ms")
            return ClaimedTask(
                instanceID: try row.decode("id"), attemptID: try row.decode("attempt_id"), dagID: try row.decode("dag_id"),
                runID: try row.decode("run_id"), taskID: try row.decode("task_id"), taskType: try row.decode("task_type"),
                params: try json(row, "params"), conf: try json(row, "conf"),
                logicalDate: try row.decode("logical_date"),
                dataInterval: DataInterval(start: try row.decode("data_interval_start"), end: try row.decode("data_interval_end")),
                tryNumber: try row.decode("try_number"), maxTries: try row.decode("max_tries"),
                executionTimeout: timeout.map { .milliseconds($0) }, queuedAt: try row.decode("queued_at"),
                startedAt: try row.decode("started_at"))
        }
    }

    /// Extends the leases of the given attempts and the worker's own heartbeat in one statement.
    /// Returns the attempts still held; any other was taken back and must be abandoned.
    public func heartbeat(worker: WorkerIdentity, attempts: [ClaimedTask], lease: Duration) async throws -> Set<Int64> {
        let rows = try await pool.query(prepared: Self.heartbeatSQL, attempts.map(\.instanceID), attempts.map(\.attemptID),
                                        worker.workerID, lease.milliseconds)
        return Set(try rows.map { try $0.decode("attempt_id", as: Int64.self) })
    }

    /// Records successful tries in one statement. Only the current holder of each try may complete
    /// it; returns the attempt ids accepted, so a stale worker learns it was refused.
    public func completeSuccesses(_ results: [(task: ClaimedTask, metrics: JSONValue)]) async throws -> Set<Int64> {
        guard !results.isEmpty else { return [] }
        let encoder = JSONEncoder()
        // Most tasks report no metrics: skip the encoder for those.
        let metrics = results.map { result in
            result.metrics == .object([:]) ? "{}" : String(decoding: (try? encoder.encode(result.metrics)) ?? Data("{}".utf8), as: UTF8.self)
        }
        let rows = try await pool.query(prepared: Self.completeSQL, results.map(\.task.instanceID), results.map(\.task.attemptID), metrics,
                                        TaskLifecycle.sources(of: .succeeded).map(\.rawValue))
        return Set(try rows.map { try $0.decode("attempt_id", as: Int64.self) })
    }

    /// Replaces the counters of a try that is still running, so a long-running task's progress can
    /// be read while it runs. False when the try has ended or was taken back.
    public func recordProgress(of task: ClaimedTask, metrics: JSONValue) async throws -> Bool {
        let text = String(decoding: try JSONEncoder().encode(metrics), as: UTF8.self)
        return try await !pool.query(Self.progressSQL, task.attemptID, PostgresJSON(text: text)).isEmpty
    }

    static let progressSQL = """
        UPDATE roost.task_attempts SET metrics = $2 WHERE id = $1 AND state = 'running' RETURNING id
        """

    /// Records a failed or released try, fenced by its attempt id. Returns false when the try was
    /// no longer this worker's (its lease was taken back): nothing is changed then.
    public func finish(_ task: ClaimedTask, result: TaskResult, now: Date = Date()) async throws -> Bool {
        try await pool.transaction { connection in
            guard let row = try await connection.query(Self.lockRunningSQL, task.instanceID, task.attemptID).first else { return false }
            var lifecycle = try Self.lifecycle(row)
            let event: TaskEvent
            let attemptState: String
            var error: String?
            var metrics: JSONValue = .object([:])
            switch result {
            case .success(let m):
                event = .succeeded; attemptState = "success"; metrics = m
            case .failure(let reason, let message, let m):
                event = .tryFailed(reason); attemptState = reason.rawValue; error = message; metrics = m
            case .released(let m):
                event = .released; attemptState = "released"; error = "released at worker shutdown"; metrics = m
            }
            let transition = try lifecycle.handle(event, now: now)
            try await Self.apply(transition, to: task.instanceID, attemptID: task.attemptID, attemptState: attemptState,
                                 error: error, metrics: metrics, on: connection)
            return true
        }
    }

    static func lifecycle(_ row: PostgresRow) throws -> TaskLifecycle {
        let policy = RetryPolicy(retries: try row.decode("max_tries", as: Int.self) - 1,
                                 delay: .milliseconds(try row.decode("retry_delay_ms", as: Int64.self)),
                                 exponentialBackoff: try row.decode("retry_exponential_backoff"),
                                 maxDelay: .milliseconds(try row.decode("max_retry_delay_ms", as: Int64.self)))
        return TaskLifecycle(state: TaskState(rawValue: try row.decode("state")) ?? .running,
                             tryNumber: try row.decode("try_number"), policy: policy)
    }

    static func apply(_ transition: TaskTransition, to instanceID: Int64, attemptID: Int64, attemptState: String,
                      error: String?, metrics: JSONValue, on connection: PostgresConnection) async throws {
        let metricsText = String(decoding: (try? JSONEncoder().encode(metrics)) ?? Data("{}".utf8), as: UTF8.self)
        try await connection.query(Self.applySQL, instanceID, transition.state.rawValue, transition.tryDelta,
                                   transition.nextAttemptAt, attemptID, attemptState, error, PostgresJSON(text: metricsText))
        try await connection.query("SELECT pg_notify($1, '')", RunStore.schedulerChannel)
    }

    /// One ordered index scan per queue (`task_queue_claimable`), stopping after `$2` rows: a
    /// single `queue = ANY(...)` scan cannot return rows in order, so it would sort the whole
    /// backlog on every claim. The picked queue rows get the lease, their tasks the new try and
    /// its attempt row. The picked rows reach the updates as arrays, which the planner takes for a
    /// few rows whatever `$2` is, so the generic plan looks each row up by primary key like the
    /// custom one (joined to `picked` itself, it hash-joined a scan of the whole queue): workers
    /// claim with `plan_cache_mode = force_generic_plan` (`claimSessionSettings`) instead of
    /// planning every claim anew, which took longer than running it.
    static let claimSQL = """
        WITH picked AS (
            SELECT c.task_instance_id AS id, c.priority_weight, c.next_attempt_at FROM unnest($1::text[]) AS q(queue)
            CROSS JOIN LATERAL (
                SELECT task_instance_id, priority_weight, next_attempt_at FROM roost.task_queue
                WHERE queue = q.queue AND lease_owner IS NULL AND next_attempt_at <= now()
                ORDER BY priority_weight DESC, next_attempt_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            ) c
            ORDER BY c.priority_weight DESC, c.next_attempt_at
            LIMIT $2
        ), claim AS (
            SELECT clock_timestamp() AS started_at
        ), claimed AS (
            UPDATE roost.task_instances ti
            SET state = 'running', try_number = ti.try_number + 1, attempt_id = nextval('roost.task_attempts_id_seq'),
                started_at = coalesce(ti.started_at, claim.started_at), next_attempt_at = NULL, ended_at = NULL
            FROM (SELECT array_agg(id ORDER BY priority_weight DESC, next_attempt_at) AS ids,
                         array_agg(next_attempt_at ORDER BY priority_weight DESC, next_attempt_at) AS queued FROM picked) a,
                 unnest(a.ids, a.queued) WITH ORDINALITY AS p(id, queued_at, position), claim, roost.dag_runs r
            WHERE ti.id = p.id AND r.id = ti.dag_run_id AND ti.state = ANY($5::text[])
            RETURNING ti.id, ti.attempt_id, r.dag_id, r.run_id, ti.task_id, ti.task_type, ti.params, r.conf,
                      r.logical_date, r.data_interval_start, r.data_interval_end, ti.try_number, ti.max_tries,
                      ti.execution_timeout_ms, p.queued_at, claim.started_at, p.position
        ), leased AS (
            UPDATE roost.task_queue q SET lease_owner = $3, lease_expires_at = now() + $4 * interval '1 millisecond'
            FROM claimed WHERE q.task_instance_id = claimed.id
        ), attempts AS (
            INSERT INTO roost.task_attempts (id, task_instance_id, try_number, queued_at, started_at, worker_id, hostname, pid, state)
            SELECT attempt_id, id, try_number, queued_at, started_at, $3, $6, $7, 'running' FROM claimed
        )
        SELECT * FROM claimed ORDER BY position
        """

    /// The session settings of a connection that only claims (see `claimSQL`).
    public static let claimSessionSettings = ["plan_cache_mode": "force_generic_plan"]

    static let heartbeatSQL = """
        WITH worker AS (
            UPDATE roost.workers SET heartbeat_at = now() WHERE id = $3
        )
        UPDATE roost.task_queue q SET lease_expires_at = now() + $4 * interval '1 millisecond'
        FROM unnest($1::int8[], $2::int8[]) AS h(id, attempt_id), roost.task_instances ti
        WHERE q.task_instance_id = h.id AND q.lease_owner = $3
          AND ti.id = h.id AND ti.attempt_id = h.attempt_id AND ti.state = 'running'
        RETURNING ti.attempt_id
        """

    /// Each attempt is found by its primary key from `done` alone: joining the metrics array in the
    /// attempts' update let the prepared (generic) plan hash-join a sequential scan of every attempt,
    /// once per completion.
    static let completeSQL = """
        WITH done AS (
            UPDATE roost.task_instances ti
            SET state = 'success', ended_at = now()
            FROM unnest($1::int8[], $2::int8[], $3::text[]) AS d(id, attempt_id, metrics)
            WHERE ti.id = d.id AND ti.attempt_id = d.attempt_id AND ti.state = ANY($4::text[])
            RETURNING ti.id, ti.attempt_id, d.metrics
        ), dequeued AS (
            DELETE FROM roost.task_queue q USING done WHERE q.task_instance_id = done.id
        ), attempts AS (
            UPDATE roost.task_attempts a SET state = 'success', ended_at = now(), metrics = done.metrics::jsonb
            FROM done WHERE a.id = done.attempt_id
        ), wake AS (
            SELECT pg_notify('\(RunStore.schedulerChannel)', '') FROM done LIMIT 1
        )
        SELECT attempt_id FROM done, (SELECT count(*) FROM wake) w
        """

    static let lockRunningSQL = """
        SELECT state, try_number, max_tries, retry_delay_ms, retry_exponential_backoff, max_retry_delay_ms
        FROM roost.task_instances WHERE id = $1 AND attempt_id = $2 AND state = 'running'
        FOR UPDATE
        """

    /// The try's end: a task claimable again (`next_attempt_at` set: retry or release) keeps its
    /// queue row without the lease; any other leaves the queue.
    static let applySQL = """
        WITH attempt AS (
            UPDATE roost.task_attempts SET state = $6, ended_at = now(), error = $7, metrics = $8
            WHERE id = $5
        ), task AS (
            UPDATE roost.task_instances
            SET state = $2, try_number = try_number + $3, next_attempt_at = $4,
                queued_at = CASE WHEN $2 IN ('queued', 'up_for_retry') THEN now() ELSE queued_at END,
                ended_at = CASE WHEN $2 IN ('success', 'failed') THEN now() END
            WHERE id = $1
            RETURNING id, next_attempt_at
        ), requeued AS (
            UPDATE roost.task_queue q SET next_attempt_at = task.next_attempt_at, lease_owner = NULL, lease_expires_at = NULL
            FROM task WHERE q.task_instance_id = task.id AND task.next_attempt_at IS NOT NULL
        )
        DELETE FROM roost.task_queue q USING task WHERE q.task_instance_id = task.id AND task.next_attempt_at IS NULL
        """
}
