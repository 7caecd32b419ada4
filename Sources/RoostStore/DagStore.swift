import Foundation
import RoostCore
import RoostPostgres

/// DAG definitions in the database: every version kept with its SHA-256, and the pause flag.
public struct DagStore: Sendable {
    public struct Record: Sendable {
        public let dagID: String
        public let schedule: String?
        public let isPaused: Bool
        public let definitionHash: String
        public let updatedAt: Date
        public let activeRuns: Int
    }

    let pool: PostgresPool
    public init(pool: PostgresPool) { self.pool = pool }

    /// Records `dag` as the current definition; returns its hash. Idempotent, and safe for two
    /// schedulers at once: versions are insert-if-absent, the current pointer moves only on change.
    @discardableResult
    public func sync(_ dag: DagDefinition) async throws -> String {
        let rows = try await pool.query(Self.syncSQL, dag.dagID, dag.description, dag.schedule?.description,
                                        dag.isPausedUponCreation, PostgresJSON(text: dag.serialized()), dag.fileloc)
        return try rows[0].decode("definition_hash")
    }

    /// The current definition of `dagID` and its hash, or nil if the scheduler never stored it.
    public func definition(_ dagID: String) async throws -> (DagDefinition, String)? {
        guard let row = try await pool.query("SELECT definition, definition_hash FROM roost.dags WHERE dag_id = $1", dagID).first
        else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let json: PostgresJSON = try row.decode("definition")
        return (try decoder.decode(DagDefinition.self, from: Data(json.text.utf8)), try row.decode("definition_hash"))
    }

    /// Sets the pause flag; false if there is no such DAG.
    public func setPaused(_ dagID: String, _ paused: Bool) async throws -> Bool {
        try await pool.query("UPDATE roost.dags SET is_paused = $2 WHERE dag_id = $1", dagID, paused).affectedRows == 1
    }

    public func isPaused(_ dagID: String) async throws -> Bool {
        try await pool.query("SELECT is_paused FROM roost.dags WHERE dag_id = $1", dagID).first?.decode("is_paused") ?? false
    }

    public func list() async throws -> [Record] {
        try await pool.query(Self.listSQL).map { row in
            Record(dagID: try row.decode("dag_id"), schedule: try row.decode("schedule"), isPaused: try row.decode("is_paused"),
                   definitionHash: try row.decode("definition_hash"), updatedAt: try row.decode("updated_at"),
                   activeRuns: try row.decode("active_runs"))
        }
    }

    static let syncSQL = """
        WITH hashed AS (
            SELECT $1::text AS dag_id, $5::jsonb AS definition, encode(sha256(convert_to($5::text, 'UTF8')), 'hex') AS definition_hash
        ), current AS (
            INSERT INTO roost.dags (dag_id, description, schedule, is_paused, definition, definition_hash, fileloc)
            SELECT dag_id, $2, $3, $4, definition, definition_hash, $6 FROM hashed
            ON CONFLICT (dag_id) DO UPDATE
                SET description = EXCLUDED.description, schedule = EXCLUDED.schedule, definition = EXCLUDED.definition,
                    definition_hash = EXCLUDED.definition_hash, fileloc = EXCLUDED.fileloc, updated_at = now()
                WHERE roost.dags.definition_hash IS DISTINCT FROM EXCLUDED.definition_hash
        ), version AS (
            INSERT INTO roost.dag_versions (dag_id, definition_hash, definition)
            SELECT dag_id, definition_hash, definition FROM hashed
            ON CONFLICT DO NOTHING
        )
        SELECT definition_hash FROM hashed
        """

    static let listSQL = """
        SELECT d.dag_id, d.schedule, d.is_paused, d.definition_hash, d.updated_at,
               (SELECT count(*) FROM roost.dag_runs r WHERE r.dag_id = d.dag_id AND r.state IN ('queued', 'running'))::int8 AS active_runs
        FROM roost.dags d ORDER BY d.dag_id
        """
}
