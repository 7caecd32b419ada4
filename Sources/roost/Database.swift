import Logging
import RoostCore
import RoostPostgres
import RoostStore

extension GlobalOptions {
    /// A pool for a command that runs once and exits: one connection attempt, a clear error if it fails.
    func openPool(_ config: RoostConfig, name: String, size: Int = 2) async throws -> PostgresPool {
        let pool = PostgresPool(settings: PostgresSettings(config.database, applicationName: name), size: size)
        _ = try await pool.query("SELECT 1")
        return pool
    }
}
