import Foundation
import Logging
import RoostPostgres

/// Applies pending migrations in order, each in its own transaction, under an advisory lock so that
/// hosts migrating at once take turns; the second finds nothing left to do. Each applied file's
/// SHA-256 is recorded, and a changed file stops everything before any migration runs.
public struct Migrator: Sendable {
    public struct Status: Sendable {
        public struct Applied: Sendable {
            public let version: Int
            public let name: String
            public let checksum: String
            public let appliedAt: Date
        }
        public var applied: [Applied]
        public var pending: [Migration]
    }

    /// Arbitrary but fixed: the key of the session-level advisory lock all migrators take.
    static let lockKey: Int64 = 0x526F_6F73_744D_6967  // "RoostMig"

    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Applies what is pending and returns the versions it applied (empty when up to date).
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock($1)", Self.lockKey)
        do {
            let applied = try await migrateLocked(migrations)
            try await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
            throw error
        }
    }

    public func status(_ migrations: [Migration]) async throws -> Status {
        let applied = try await appliedMigrations()
        let appliedVersions = Set(applied.map(\.version))
        return Status(applied: applied, pending: migrations.filter { !appliedVersions.contains($0.version) })
    }

    private func migrateLocked(_ migrations: [Migration]) async throws -> [Int] {
        try await connection.executeScript(Self.bootstrapSQL)
        let applied = try await appliedMigrations()
        try await verifyUnchanged(applied: applied, files: migrations)
        let done = Set(applied.map(\.version))
        var newlyApplied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            let clock = ContinuousClock.now
            do {
                try await connection.transaction { connection in
                    try await connection.executeScript(migration.sql)
                    try await connection.query(Self.recordSQL, migration.version, migration.name, migration.sql,
                                               Int((ContinuousClock.now - clock).milliseconds))
                }
            } catch let error as PostgresError {
                throw MigrationError("\(migration.fileName) failed and was rolled back: \(error)")
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.fileName)"])
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }

    private func verifyUnchanged(applied: [Status.Applied], files: [Migration]) async throws {
        for record in applied {
            guard let file = files.first(where: { $0.version == record.version }) else {
                logger.warning("applied migration has no file", metadata: ["version": "\(record.version)"])
                continue
            }
            let checksum = try await connection.query(Self.checksumSQL, file.sql)[0].decode(at: 0, as: String.self)
            if checksum != record.checksum {
                throw MigrationError("""
                    \(file.fileName) was changed after it was applied (recorded sha256 \(record.checksum.prefix(12)), \
                    file has \(checksum.prefix(12))); restore the file and put the change in a new migration
                    """)
            }
        }
    }

    private func appliedMigrations() async throws -> [Status.Applied] {
        let exists = try await connection.query("SELECT to_regclass('roost.schema_migrations') IS NOT NULL")
        guard try exists[0].decode(at: 0, as: Bool.self) else { return [] }
        return try await connection.query(Self.appliedSQL).map { row in
            Status.Applied(version: try row.decode("version"), name: try row.decode("name"),
                           checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at"))
        }
    }

    static let bootstrapSQL = """
        CREATE SCHEMA IF NOT EXISTS roost;
        CREATE TABLE IF NOT EXISTS roost.schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            duration_ms integer NOT NULL
        );
        """
    static let checksumSQL = "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')"
    static let recordSQL = """
        INSERT INTO roost.schema_migrations (version, name, checksum, duration_ms)
        VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'), $4)
        """
    static let appliedSQL = "SELECT version, name, checksum, applied_at FROM roost.schema_migrations ORDER BY version"
}
