import Foundation
import Logging
import RoostPostgres
import RoostTestSupport
import Testing
@testable import RoostStore

@Suite struct MigratorTests {
    let logger = Logger(label: "test")
    var migrations: [Migration] { get throws { try Migration.load(from: RepositoryPaths.migrations) } }

    @Test func appliesToAnEmptyDatabaseThenIsANoOp() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, logger: logger)
        let all = try migrations
        #expect(try await migrator.migrate(all) == all.map(\.version))
        #expect(try await migrator.migrate(all) == [])
        let status = try await migrator.status(all)
        #expect(status.applied.map(\.version) == all.map(\.version))
        #expect(status.pending.isEmpty)
        // The views users query exist.
        try await connection.query("SELECT * FROM roost.dag_run_history")
        try await connection.query("SELECT * FROM roost.task_attempt_history")
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let database = try await TestDatabase.create()
        let all = try migrations
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try await database.connect()
                    return try await Migrator(connection: connection, logger: logger).migrate(all)
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(results.flatMap { $0 }.sorted() == all.map(\.version))
        let connection = try await database.connect()
        let count = try await connection.query("SELECT count(*) FROM roost.schema_migrations")[0].decode(at: 0, as: Int.self)
        #expect(count == all.count)
    }

    @Test func anEditedAppliedMigrationIsRefused() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, logger: logger)
        let first = Migration(version: 1, name: "first", sql: "CREATE TABLE roost.a (v int);")
        try await migrator.migrate([first])
        let edited = Migration(version: 1, name: "first", sql: "CREATE TABLE roost.a (v bigint);")
        let second = Migration(version: 2, name: "second", sql: "CREATE TABLE roost.b (v int);")
        do {
            try await migrator.migrate([edited, second])
            Issue.record("expected the edited migration to be refused")
        } catch let error as MigrationError {
            #expect(error.description.hasPrefix("0001_first.sql was changed after it was applied"))
        }
        // Nothing after it ran.
        #expect(try await migrator.status([edited, second]).pending.map(\.version) == [2])
    }

    @Test func aFailingMigrationRollsBackAndNamesItsFile() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        let migrator = Migrator(connection: connection, logger: logger)
        let bad = Migration(version: 1, name: "bad", sql: "CREATE TABLE roost.c (v int); SELECT nonsense FROM nowhere;")
        do {
            try await migrator.migrate([bad])
            Issue.record("expected failure")
        } catch let error as MigrationError {
            #expect(error.description.hasPrefix("0001_bad.sql failed and was rolled back"))
        }
        #expect(try await connection.query("SELECT to_regclass('roost.c') IS NULL")[0].decode(at: 0, as: Bool.self))
    }

    @Test func misnamedFilesAreRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "SELECT 1;".write(toFile: dir + "/1_init.sql", atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migration.load(from: dir) }
    }
}
