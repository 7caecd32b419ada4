import Foundation
import RoostCore
import RoostPostgres
import RoostStore
import Logging

/// A database of its own for one test, created in the throwaway cluster that
/// `scripts/with-postgres.sh` started (found through DATABASE_URL), so tests can run in parallel.
public struct TestDatabase: Sendable {
    public let name: String
    public let url: String
    public var settings: PostgresSettings { PostgresSettings(conninfo: url) }

    /// The cluster's maintenance database, from DATABASE_URL.
    public static var serverURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw TestSupportError("DATABASE_URL is not set: run the tests through `make test`")
            }
            return url
        }
    }

    /// Creates an empty database; with `migrated`, applies every migration in sql/migrations.
    public static func create(migrated: Bool = false) async throws -> TestDatabase {
        let server = try serverURL
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try await PostgresConnection.connect(PostgresSettings(conninfo: server))
        try await admin.executeScript("CREATE DATABASE \(name)")
        await admin.close()
        let base = server.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let database = TestDatabase(name: name, url: "\(base)/\(name)")
        if migrated {
            let connection = try await PostgresConnection.connect(database.settings)
            try await Migrator(connection: connection, logger: Logger(label: "test")).migrate(
                try Migration.load(from: RepositoryPaths.migrations))
            await connection.close()
        }
        return database
    }

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(settings)
    }
}

/// Paths inside the repository, found from this file's location so tests work from any directory.
public enum RepositoryPaths {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    public static var migrations: String { root + "/sql/migrations" }
    public static var roostBinary: String { root + "/.build/debug/roost" }
}

/// Real material from outside the project, in ../shared/testdata (see its README): read in place,
/// never copied into the project. Tests that need it run where it is present.
public enum SharedTestData {
    public static func path(_ name: String) -> String { RepositoryPaths.root + "/../shared/testdata/" + name }
    public static func isPresent(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
