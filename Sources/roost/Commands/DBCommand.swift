import ArgumentParser
import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostStore

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the metadata database.", subcommands: [Migrate.self, Status.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations in order (safe to run from several hosts at once).")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.bootstrap()
            let migrations = try Migration.load(from: config.database.migrationsDir)
            let connection = try await PostgresConnection.connect(PostgresSettings(config.database, applicationName: "roost db migrate"))
            let applied = try await Migrator(connection: connection, logger: Logger(label: "roost.migrate")).migrate(migrations)
            print(applied.isEmpty ? "database is up to date (\(migrations.count) migrations)"
                                  : "applied \(applied.count) migration(s): \(applied.map { String(format: "%04d", $0) }.joined(separator: ", "))")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applied and pending migrations.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let config = try global.bootstrap()
            let migrations = try Migration.load(from: config.database.migrationsDir)
            let connection = try await PostgresConnection.connect(PostgresSettings(config.database, applicationName: "roost db status"))
            let status = try await Migrator(connection: connection, logger: Logger(label: "roost.migrate")).status(migrations)
            for applied in status.applied {
                print(String(format: "applied  %04d_%@  %@", applied.version, applied.name, "\(applied.appliedAt)"))
            }
            for pending in status.pending { print("pending  \(pending.fileName)") }
        }
    }
}
