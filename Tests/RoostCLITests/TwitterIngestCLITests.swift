import Foundation
import RoostTestSupport
import Testing

@Suite struct TwitterIngestCLITests {
    @Test func dagsValidateNamesTheBadParamWithFileAndLine() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dags-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            dag_id: tweets
            tasks:
              - task_id: ingest
                type: twitter_ingest
                params: {query: "from:XDevelopers", topic: tweets, max_results: 1000}
            """.write(toFile: "\(path)/tweets.yaml", atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.roost(["dags", "validate", "--folder", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("params.max_results must be between 10 and 100 for recent search"), "\(result.stdout)")
        #expect(result.stdout.contains("tweets.yaml:"))
        // The sample DAGs (replay, stream, stream lake) are valid.
        let shipped = try await ProcessRunner.roost(["dags", "validate", "--folder", "config/samples/dags"])
        #expect(shipped.status == 0)
        #expect(shipped.stdout.contains("twitter_replay") && shipped.stdout.contains("twitter_stream_lake"), "\(shipped.stdout)")
    }
}
