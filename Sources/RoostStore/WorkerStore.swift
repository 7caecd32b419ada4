import Foundation
import RoostPostgres

/// The worker registry: who is in the fleet, since when, and what each is running.
public struct WorkerStore: Sendable {
    public struct Record: Sendable {
        public let id: Int64
        public let hostname: String
        public let pid: Int32
        public let queues: [String]
        public let concurrency: Int
        public let version: String
        public let state: String
        public let startedAt: Date
        public let heartbeatAt: Date
        public let runningTasks: [String]
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    public func register(hostname: String, pid: Int32, queues: [String], concurrency: Int, version: String) async throws -> Int64 {
        try await pool.query(Self.registerSQL, hostname, pid, queues, concurrency, version)[0].decode("id")
    }

    /// `stopping` while draining on SIGTERM; `stopped` once gone.
    public func setState(_ workerID: Int64, _ state: String) async throws {
        try await pool.query(Self.setStateSQL, workerID, state)
    }

    /// Live workers first, then the most recently stopped, with what each is running.
    public func list(includeStopped: Bool) async throws -> [Record] {
        try await pool.query(Self.listSQL, includeStopped).map { row in
            Record(id: try row.decode("id"), hostname: try row.decode("hostname"), pid: try row.decode("pid"),
                   queues: try row.decode("queues"), concurrency: try row.decode("concurrency"), version: try row.decode("version"),
                   state: try row.decode("state"), startedAt: try row.decode("started_at"),
                   heartbeatAt: try row.decode("heartbeat_at"), runningTasks: try row.decode("running"))
        }
    }

    static let registerSQL = """
        INSERT INTO roost.workers (hostname, pid, queues, concurrency, version) VALUES ($1, $2, $3, $4, $5) RETURNING id
        """
    static let setStateSQL = """
        UPDATE roost.workers SET state = $2, heartbeat_at = now(),
            stopped_at = CASE WHEN $2 = 'stopped' THEN now() END
        WHERE id = $1
        """
    static let listSQL = """
        SELECT w.id, w.hostname, w.pid, w.queues, w.concurrency, w.version, w.state, w.started_at, w.heartbeat_at,
               ARRAY(SELECT r.dag_id || '/' || r.run_id || '/' || ti.task_id
                     FROM roost.task_queue q JOIN roost.task_instances ti ON ti.id = q.task_instance_id
                     JOIN roost.dag_runs r ON r.id = ti.dag_run_id
                     WHERE q.lease_owner = w.id AND ti.state = 'running' ORDER BY ti.started_at) AS running
        FROM roost.workers w
        WHERE $1 OR w.state IN ('running', 'stopping')
        ORDER BY w.state IN ('running', 'stopping') DESC, w.started_at DESC
        LIMIT 200
        """
}
