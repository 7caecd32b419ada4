import Foundation
import RoostCore
import RoostTestSupport
import Testing

/// `twitter_stream` and `twitter_stream_lake` together, every part its own process (`PipelineStack`):
/// the fake X API streams tweets while the lake DAG runs every 3 s instead of every 2 min.
@Suite(.serialized) struct StreamLakeEndToEndTests {
    static let tweets = 400

    @Test func everyStreamedTweetReachesTheLakeOnceThroughConsecutiveRuns() async throws {
        let stack = try await PipelineStack(topics: ["tweets_stream", "tweets.dead_letter"])
        // One connection: the tweets, 25 ms apart, then silence (the stall timeout below outlasts the test).
        try await stack.xAPI.scenario(["stream": ["connections": [
            ["tweets": Self.tweets, "interval_ms": 25, "then": "stall", "stall_ms": 600_000],
        ]]])
        try stack.installDag("config/samples/dags/twitter_stream.yaml", [
            ("schedule: null", "schedule: every 1m"), ("stall_timeout: 30s", "stall_timeout: 10m"),
        ])
        try stack.installDag("config/samples/dags/twitter_stream_lake.yaml", [
            ("schedule: every 2m", "schedule: every 3s"), ("retry_delay: 5s", "retry_delay: 1s"),
        ])
        for queue in ["default", "lake", "lake"] { try stack.startWorker(queue: queue) }
        try stack.startScheduler()
        do {
            try await eventually(timeout: .seconds(120), every: .milliseconds(500), "every streamed tweet is in the lake") {
                let loaded = try await loadedTweets(stack)
                return try await stack.xAPI.streamedTweets().count == Self.tweets && loaded >= Self.tweets
            }
            try await checkTheLake(stack)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    private func loadedTweets(_ stack: PipelineStack) async throws -> Int {
        try await stack.database.connect().query("SELECT count(*) FROM roost.lake_record_locations WHERE key LIKE 'tweets/%'")[0]
            .decode(at: 0, as: Int.self)
    }

    /// The lake against what the server streamed: every tweet in exactly one object, its lineage known,
    /// written by several runs whose planned ranges follow each other without gap or overlap.
    private func checkTheLake(_ stack: PipelineStack) async throws {
        let sent = Set(try await stack.xAPI.streamedTweets().map(\.id))
        let lake = try await stack.lake("tweets/")
        let ids = lake.values.flatMap { $0 }.compactMap { $0["tweet_id"]?.stringValue }
        #expect(ids.count == Self.tweets && Set(ids) == sent, "every streamed tweet once: \(ids.count) records, \(Set(ids).count) ids")

        let connection = try await stack.database.connect()
        var located: [String: String] = [:]
        for row in try await connection.query("SELECT record_id, key FROM roost.lake_record_locations WHERE key LIKE 'tweets/%'") {
            located[try row.decode(at: 0, as: String.self)] = try row.decode(at: 1, as: String.self)
        }
        var actual: [String: String] = [:]
        for (key, lines) in lake { for line in lines { actual[line["tweet_id"]?.stringValue ?? ""] = key } }
        #expect(located == actual, "lineage names the object of each tweet")
        let lineage = try await connection.query("""
            SELECT count(*) FILTER (WHERE topic IS NULL OR first_offset IS NULL), count(DISTINCT run_id)
            FROM roost.lake_object_lineage WHERE key LIKE 'tweets/%'
            """)[0]
        #expect(try lineage.decode(at: 0, as: Int.self) == 0, "every object maps to a run and an offset range")
        let runs = try lineage.decode(at: 1, as: Int.self)
        #expect(runs >= 2, "tweets reached the lake through several runs while the stream went on: \(runs)")
        try await printLatency(stack, runs: runs)

        let ranges = try await connection.query("""
            SELECT partition, first_offset, last_offset FROM roost.kafka_offset_ranges
            WHERE kind = 'consume' AND topic = 'tweets_stream' ORDER BY partition, first_offset, last_offset
            """).map { (try $0.decode(at: 0, as: Int.self), try $0.decode(at: 1, as: Int64.self), try $0.decode(at: 2, as: Int64.self)) }
        #expect(!ranges.isEmpty)
        for partition in Set(ranges.map(\.0)) {
            let own = ranges.filter { $0.0 == partition }
            #expect(own.first?.1 == 0, "partition \(partition) is read from its first record")
            for (previous, next) in zip(own, own.dropFirst()) {
                #expect(next.1 == previous.2 + 1, "partition \(partition): each run starts where the previous ended: \(own)")
            }
        }
    }

    /// A figure, not an assertion: from the server's send to the lake object's write, per tweet.
    private func printLatency(_ stack: PipelineStack, runs: Int) async throws {
        var sentAt: [String: Double] = [:]
        for tweet in try await stack.xAPI.streamedTweets() { sentAt[tweet.id] = tweet.at }
        let written = try await stack.database.connect().query("""
            SELECT r.record_id, extract(epoch FROM l.written_at)::float8 FROM roost.s3_object_records r
            JOIN roost.lake_object_lineage l USING (bucket, key) WHERE key LIKE 'tweets/%'
            """)
        let latencies = try written.compactMap { row in
            try sentAt[row.decode(at: 0, as: String.self)].map { try row.decode(at: 1, as: Double.self) - $0 }
        }.sorted()
        guard !latencies.isEmpty else { return }
        print(String(format: "stream to lake (every 3 s, %d runs): p50 %.1f s, max %.1f s", runs,
                     latencies[latencies.count / 2], latencies[latencies.count - 1]))
    }
}
