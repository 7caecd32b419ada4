import Foundation
import RoostCore
import RoostKafka
import RoostTestSupport
import Testing

/// `twitter_replay` as shipped, every part its own process (`PipelineStack`): a raw archive in S3
/// goes through `roost s3 cp` (a `command` task) and `kafka_produce` into `tweets.raw`, followed
/// by `roost dags trigger --wait`.
@Suite(.serialized) struct ReplayEndToEndTests {
    static let records = 1_000

    /// Raw Kafka values as `twitter_ingest` writes them, one a line; some text needs escaping.
    static func archive() -> [String] {
        (0..<records).map { i in
            #"{"data":{"author_id":"7","created_at":"2026-11-30T09:00:00.000Z","id":"\#(1_000_000 + i)","#
                + #""text":"replayed \#(i) \"quoted\" caf\u00e9 🐦"},"includes":{"users":[{"id":"7","username":"seven"}]}}"#
        }
    }

    @Test func everyArchivedRecordReachesTheTopicOnce() async throws {
        let stack = try await PipelineStack()
        do {
            let lines = Self.archive()
            try await Moto.client(endpoint: stack.moto.baseURL).putObject(
                bucket: stack.bucket, key: "archive/tweets.raw.jsonl", payload: .data(Data((lines.joined(separator: "\n") + "\n").utf8)))
            try stack.installDag("config/dags/twitter_replay.yaml", [
                ("s3://roost-lake/", "s3://\(stack.bucket)/"), (".run/replay", stack.staging + "/replay"), ("retry_delay: 10s", "retry_delay: 1s"),
            ])
            try stack.startScheduler()
            try stack.startWorker(queue: "ingest")
            try await eventually("the scheduler stored the DAG") {
                try await !stack.database.connect().query("SELECT 1 FROM roost.dags WHERE dag_id = 'twitter_replay'").isEmpty
            }
            let trigger = try await ProcessRunner.roost(["dags", "trigger", "twitter_replay", "--wait"], environment: stack.environment)
            #expect(trigger.status == 0, "\(trigger.stdout)\(trigger.stderr)")
            #expect(trigger.stdout.contains("2/2 tasks done, \(Self.records) records moved (\(Self.records) produced)"), "\(trigger.stdout)")

            let topic = try await stack.rawRecords("tweets.raw")
            let values = topic.map { String(decoding: $0.value ?? [], as: UTF8.self) }
            #expect(values.count == Self.records, "no record twice: \(values.count) on the topic")
            let differing = Set(values).symmetricDifference(lines)
            #expect(differing.count == 0, "the values are the archive's lines, byte for byte; differing: \(differing.prefix(2))")
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }
}
