import Foundation
import RoostCore
import RoostPostgres

extension TaskQueueStore {
    /// Moves scheduled tasks whose upstreams all succeeded to the queue, and those with a failed
    /// upstream to upstream_failed. Safe with two schedulers: the state is re-checked under the
    /// row lock, so each task moves once. Workers of the queues that got work are notified.
    @discardableResult
    public func promoteReadyTasks(limit: Int = 10_000) async throws -> (queued: Int, upstreamFailed: Int) {
        let rows = try await pool.query(Self.promoteSQL, limit, TaskLifecycle.sources(of: .upstreamsSucceeded).map(\.rawValue),
                                        RunStore.taskChannel)
        let queued = try rows.filter { try $0.decode("state", as: String.self) == TaskState.queued.rawValue }.count
        return (queued, rows.count - queued)
    }

    /// A task whose lease expired: its worker died, lost its host, or froze.
    public struct ReapedTask: Sendable {
        public let instanceID: Int64
        public let attemptID: Int64
        public let state: TaskState
    }

    /// Takes back running tasks whose lease expired: each try counts as failed (`lease_expired`),
    /// so it is retried if tries remain and failed otherwise. Any scheduler or worker may run this;
    /// SKIP LOCKED keeps two reapers off the same task.
    public func reapExpiredLeases(limit: Int = 1000, now: Date = Date()) async throws -> [ReapedTask] {
        try await pool.transaction { connection in
            let rows = try await connection.query(Self.expiredSQL, limit)
            var reaped: [ReapedTask] = []
            for row in rows {
                var lifecycle = try Self.lifecycle(row)
                let transition = try lifecycle.handle(.tryFailed(.leaseExpired), now: now)
                let instanceID: Int64 = try row.decode("id")
                let attemptID: Int64 = try row.decode("attempt_id")
                let owner: String = try row.decode("owner")
                try await Self.apply(transition, to: instanceID, attemptID: attemptID, attemptState: FailureReason.leaseExpired.rawValue,
                                     error: "lease expired: worker \(owner) stopped heartbeating", metrics: .object([:]), on: connection)
                reaped.append(ReapedTask(instanceID: instanceID, attemptID: attemptID, state: transition.state))
            }
            if !reaped.isEmpty { try await connection.query(Self.markWorkersLostSQL) }
            return reaped
        }
    }

    /// Airflow's clear: the chosen tasks (all of the run's when `taskID` is nil, else it and
    /// everything downstream of it) go back to scheduled with their retries renewed, and the run
    /// reopens. Running tasks are left alone. Returns the cleared task ids.
    public func clear(dagID: String, runID: String, taskID: String?) async throws -> [String] {
        try await pool.transaction { connection in
            let rows = try await connection.query(Self.runTasksSQL, dagID, runID)
            guard !rows.isEmpty else { throw StoreError("no run \(runID) of DAG \(dagID)") }
            var upstreamOf: [String: [String]] = [:]
            for row in rows { upstreamOf[try row.decode("task_id")] = try row.decode("upstream") }
            var chosen: Set<String>
            if let taskID {
                guard upstreamOf[taskID] != nil else {
                    throw StoreError("run \(runID) of DAG \(dagID) has no task \(taskID) (tasks: \(upstreamOf.keys.sorted().joined(separator: ", ")))")
                }
                chosen = [taskID]
                var grew = true
                while grew {
                    let downstream = upstreamOf.filter { !chosen.contains($0.key) && $0.value.contains(where: chosen.contains) }
                    grew = !downstream.isEmpty
                    chosen.formUnion(downstream.keys)
                }
            } else {
                chosen = Set(upstreamOf.keys)
            }
            let cleared = try await connection.query(Self.clearSQL, dagID, runID, Array(chosen),
                                                     TaskLifecycle.sources(of: .cleared).map(\.rawValue))
            try await connection.query(Self.reopenRunSQL, dagID, runID)
            try await connection.query("SELECT pg_notify($1, '')", RunStore.schedulerChannel)
            return try cleared.map { try $0.decode("task_id", as: String.self) }.sorted()
        }
    }

    /// `ti.waiting` (state = 'scheduled', a stored column) is what `task_instances_waiting` indexes;
    /// tasks that become claimable get their queue row, and the workers of their queues a NOTIFY.
    static let promoteSQL = """
        WITH candidates AS (
            SELECT ti.id,
                   coalesce(bool_and(up.state = 'success'), true) AS ready,
                   coalesce(bool_or(up.state IN ('failed', 'upstream_failed')), false) AS doomed
            FROM roost.task_instances ti
            LEFT JOIN roost.task_instances up ON up.dag_run_id = ti.dag_run_id AND up.task_id = ANY(ti.upstream)
            WHERE ti.waiting AND ti.state = ANY($2::text[])
            GROUP BY ti.id
            LIMIT $1
        ), promoted AS (
            UPDATE roost.task_instances ti
            SET state = CASE WHEN c.doomed THEN 'upstream_failed' ELSE 'queued' END,
                next_attempt_at = CASE WHEN c.doomed THEN NULL ELSE now() END,
                queued_at = CASE WHEN c.doomed THEN NULL ELSE now() END,
                ended_at = CASE WHEN c.doomed THEN now() END
            FROM candidates c
            WHERE ti.id = c.id AND ti.state = ANY($2::text[]) AND (c.ready OR c.doomed)
            RETURNING ti.id, ti.state, ti.queue, ti.priority_weight, ti.next_attempt_at
        ), enqueued AS (
            INSERT INTO roost.task_queue (task_instance_id, queue, priority_weight, next_attempt_at)
            SELECT id, queue, priority_weight, next_attempt_at FROM promoted WHERE next_attempt_at IS NOT NULL
        ), wake AS (
            SELECT pg_notify($3, queue) FROM (SELECT DISTINCT queue FROM promoted WHERE state = 'queued') q
        )
        SELECT state FROM promoted, (SELECT count(*) FROM wake) w
        """

    static let expiredSQL = """
        SELECT ti.id, ti.attempt_id, ti.state, ti.try_number, ti.max_tries, ti.retry_delay_ms,
               ti.retry_exponential_backoff, ti.max_retry_delay_ms,
               coalesce(w.hostname || ':' || w.pid, 'unknown') AS owner
        FROM roost.task_queue q JOIN roost.task_instances ti ON ti.id = q.task_instance_id
        LEFT JOIN roost.workers w ON w.id = q.lease_owner
        WHERE q.lease_owner IS NOT NULL AND q.lease_expires_at < now() AND ti.state = 'running'
        ORDER BY q.lease_expires_at
        LIMIT $1
        FOR UPDATE OF q, ti SKIP LOCKED
        """

    static let markWorkersLostSQL = """
        UPDATE roost.workers w SET state = 'lost'
        WHERE state IN ('running', 'stopping')
          AND NOT EXISTS (SELECT 1 FROM roost.task_queue q WHERE q.lease_owner = w.id AND q.lease_expires_at >= now())
          AND heartbeat_at < now() - interval '1 minute'
        """

    static let runTasksSQL = """
        SELECT ti.task_id, ti.upstream FROM roost.task_instances ti JOIN roost.dag_runs r ON r.id = ti.dag_run_id
        WHERE r.dag_id = $1 AND r.run_id = $2
        """

    static let clearSQL = """
        WITH cleared AS (
            UPDATE roost.task_instances ti
            SET state = 'scheduled', max_tries = ti.try_number + ti.retries + 1, next_attempt_at = NULL, queued_at = NULL,
                ended_at = NULL, attempt_id = NULL
            FROM roost.dag_runs r
            WHERE r.id = ti.dag_run_id AND r.dag_id = $1 AND r.run_id = $2 AND ti.task_id = ANY($3::text[])
              AND ti.state = ANY($4::text[])
            RETURNING ti.id, ti.task_id
        ), dequeued AS (
            DELETE FROM roost.task_queue q USING cleared WHERE q.task_instance_id = cleared.id
        )
        SELECT task_id FROM cleared
        """

    static let reopenRunSQL = """
        UPDATE roost.dag_runs SET state = 'running', ended_at = NULL WHERE dag_id = $1 AND run_id = $2
        """
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
