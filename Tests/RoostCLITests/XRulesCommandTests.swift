import Foundation
import RoostTestSupport
import Testing

/// `roost x rules …` against the fake X API.
@Suite struct XRulesCommandTests {
    @Test func rulesAreListedAddedValidatedAndDeletedFromTheCommandLine() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["rules": [["value": "roost", "tag": "birds"]]])
        let environment = ["ROOST_TWITTER_BASE_URL": server.baseURL.absoluteString, "X_BEARER_TOKEN": FakeXAPI.token]
        func roost(_ arguments: String...) async throws -> ProcessResult {
            try await ProcessRunner.roost(["x", "rules"] + arguments, environment: environment)
        }
        let listed = try await roost("list")
        #expect(listed.status == 0)
        let id = try #require(listed.stdout.split(separator: "\t").first.map { String($0) })
        #expect(listed.stdout == "\(id)\troost\tbirds\n")

        let dryRun = try await roost("add", "nest", "--dry-run")
        #expect(dryRun.status == 0 && dryRun.stdout.contains("valid: nest"))
        let invalid = try await roost("add", "(nest", "--tag", "t")
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("\"(nest\": UnprocessableEntity: Rules must contain balanced parentheses"), "\(invalid.stderr)")
        let added = try await roost("add", "nest", "--tag", "t")
        #expect(added.status == 0 && added.stdout.contains("\tnest\tt"))

        #expect(try await roost("delete", id).stdout.contains("deleted 1 of 1"))
        let missing = try await roost("delete", id)
        #expect(missing.status != 0 && missing.stdout.contains("Rule does not exist"))
        #expect(try await roost("list").stdout.contains("\tnest\tt\n"))
        #expect(!(try await roost("list").stdout.contains("roost")))
        #expect(try await server.requests().allSatisfy { $0.auth == "ok" })
    }
}
