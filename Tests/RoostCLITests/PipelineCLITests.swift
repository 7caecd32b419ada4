import Foundation
import RoostTestSupport
import Testing

@Suite struct PipelineCLITests {
    /// The shipped DAGs pass the binary's own checks, task params included.
    @Test func theShippedDagsAreValid() async throws {
        let result = try await ProcessRunner.roost(["dags", "validate", "--folder", "config/dags"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("twitter_pipeline") && result.stdout.contains("twitter_replay"), "\(result.stdout)")
    }
}
