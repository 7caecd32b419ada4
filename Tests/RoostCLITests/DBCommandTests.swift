import Foundation
import RoostPostgres
import RoostTestSupport
import Testing

@Suite struct DBCommandTests {
    @Test func twoMigrateProcessesAtOnceBothSucceed() async throws {
        let database = try await TestDatabase.create()
        let environment = ["ROOST_DATABASE_URL": database.url]
        async let first = ProcessRunner.roost(["db", "migrate"], environment: environment)
        async let second = ProcessRunner.roost(["db", "migrate"], environment: environment)
        let results = try await [first, second]
        for result in results { #expect(result.status == 0, "stderr: \(result.stderr)") }
        #expect(results.filter { $0.stdout.hasPrefix("applied") }.count == 1)
        #expect(results.filter { $0.stdout.hasPrefix("database is up to date") }.count == 1)
        let status = try await ProcessRunner.roost(["db", "status"], environment: environment)
        #expect(status.stdout.contains("applied  0001_scheduler_and_workers"))
        #expect(!status.stdout.contains("pending"))
    }

    @Test func unreachableDatabaseIsAOneLineError() async throws {
        let result = try await ProcessRunner.roost(["db", "migrate"], environment: ["ROOST_DATABASE_URL": "postgresql://u:pw@127.0.0.1:1/x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot connect to PostgreSQL"))
        #expect(!result.stderr.contains("pw@"))
    }
}
