import Foundation
import RoostPostgres

/// Each attempt's log lines: what the task printed and what Roost said about it.
public struct TaskLogStore: Sendable {
    public struct Line: Sendable {
        public let loggedAt: Date
        public let stream: String
        public let text: String
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// Appends lines in one statement.
    public func append(attemptID: Int64, lines: [(stream: String, text: String, at: Date)]) async throws {
        guard !lines.isEmpty else { return }
        try await pool.query(Self.appendSQL, attemptID, lines.map(\.stream), lines.map(\.text), lines.map(\.at))
    }

    /// The lines of one try (the newest when `tryNumber` is nil), and which try that was.
    public func lines(dagID: String, runID: String, taskID: String, tryNumber: Int?) async throws -> (tryNumber: Int, lines: [Line])? {
        guard let attempt = try await pool.query(Self.attemptSQL, dagID, runID, taskID, tryNumber).first else { return nil }
        let rows = try await pool.query("SELECT logged_at, stream, line FROM roost.task_logs WHERE attempt_id = $1 ORDER BY logged_at, id",
                                        try attempt.decode("id", as: Int64.self))
        return (try attempt.decode("try_number"), try rows.map {
            Line(loggedAt: try $0.decode("logged_at"), stream: try $0.decode("stream"), text: try $0.decode("line"))
        })
    }

    static let appendSQL = """
        INSERT INTO roost.task_logs (attempt_id, stream, line, logged_at)
        SELECT $1, s, l, t FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(s, l, t)
        """
    static let attemptSQL = """
        SELECT a.id, a.try_number FROM roost.task_attempts a
        JOIN roost.task_instances ti ON ti.id = a.task_instance_id JOIN roost.dag_runs r ON r.id = ti.dag_run_id
        WHERE r.dag_id = $1 AND r.run_id = $2 AND ti.task_id = $3 AND ($4::int4 IS NULL OR a.try_number = $4)
        ORDER BY a.id DESC LIMIT 1
        """
}
