import Foundation
import RoostTestSupport
import Testing

/// The binary as users run it: bad config files give one line naming the problem, and exit non-zero.
@Suite struct ConfigCommandTests {
    func withConfig(_ yaml: String?, _ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID()).yaml").path
        if let yaml { try yaml.write(toFile: path, atomically: true, encoding: .utf8) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    func expectFailure(_ yaml: String?, message: String) async throws {
        try await withConfig(yaml) { path in
            let result = try await ProcessRunner.roost(["config", "check", "--config", path])
            #expect(result.status != 0)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "expected one line, got: \(result.stderr)")
            #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        }
    }

    @Test func unknownKey() async throws {
        try await expectFailure("worker:\n  concurrancy: 4\n", message: ":2: unknown key 'worker.concurrancy'")
    }

    @Test func wrongType() async throws {
        try await expectFailure("database:\n  pool_size: many\n", message: ":2: database.pool_size must be an integer")
    }

    @Test func invalidYAML() async throws {
        try await expectFailure("worker: [unclosed\n", message: "invalid YAML")
    }

    @Test func missingFile() async throws {
        try await expectFailure(nil, message: "no such config file")
    }

    @Test func goodConfigPrintsRedactedValues() async throws {
        try await withConfig("worker:\n  concurrency: 4\n") { path in
            let result = try await ProcessRunner.roost(["config", "check", "--config", path],
                                                       environment: ["ROOST_DATABASE_URL": "postgresql://u:topsecret@h/db",
                                                                     "X_BEARER_TOKEN": "tokensecret"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("worker.concurrency = 4  # \(path)"))
            #expect(!result.stdout.contains("topsecret"))
            #expect(!result.stdout.contains("tokensecret"))
        }
    }
}
