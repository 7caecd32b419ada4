import Foundation
import RoostCore
import RoostKafka
import RoostPostgres
import RoostTestSupport
import Testing

/// `twitter_pipeline` end to end, every part its own process (see `PipelineStack`).
@Suite(.serialized) struct PipelineEndToEndTests {
    static let tweets = 5_000

    @Test func theLakeHoldsEveryTweetOfTheSourceExactlyOnce() async throws {
        let stack = try await PipelineStack()
        try await stack.serveTweets(Self.tweets, rateLimitAfter: 20)
        try stack.installDag()
        for queue in ["ingest", "lake", "lake"] { try stack.startWorker(queue: queue) }
        try stack.startScheduler()
        do {
            try await waitForTheRun(stack, timeout: .seconds(180))
            try await checkTheLake(stack)
            let waits = try await stack.xAPI.requests().filter { $0.status == 429 }.count
            #expect(waits >= 1, "the 429 happened")
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    @Test func killedWorkersLeaveTheLakeExactlyTheSource() async throws {
        let stack = try await PipelineStack()
        try await stack.serveTweets(Self.tweets, rateLimitAfter: 20)
        try stack.installDag(retries: 30)
        for queue in ["ingest", "lake", "lake"] { try stack.startWorker(queue: queue) }
        try stack.startScheduler()
        var generator = SystemRandomNumberGenerator()
        do {
            // Kill a random worker every 0.3–1.2 s while the run goes on, at least 10 and at most 25 times.
            var kills = 0
            var killsDuringTheRun = 0
            while try await !runIsFinal(stack) || kills < 10 {
                if try await !runIsFinal(stack) { killsDuringTheRun += 1 }
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1200, using: &generator)))
                // A worker that is running a try when there is one, so kills cost tries and show up as retries.
                let busy = try await stack.database.connect().query("SELECT DISTINCT pid FROM roost.task_attempts WHERE state = 'running'")
                    .map { try $0.decode(at: 0, as: Int32.self) }
                let busyIndexes = stack.workers.indices.filter { busy.contains(stack.workers[$0].process.pid) }
                let victim = busyIndexes.randomElement(using: &generator) ?? Int.random(in: 0..<3, using: &generator)
                try stack.killAndReplaceWorker(victim)
                kills += 1
                if kills == 25 { break }
            }
            try await waitForTheRun(stack, timeout: .seconds(240))
            try await checkTheLake(stack)
            let retried = try await scalar(stack, "SELECT count(*) FROM roost.task_attempts WHERE try_number > 1", Int.self)
            print("chaos: \(kills) kills (\(killsDuringTheRun) during the run), \(retried) retried attempts")
            #expect(kills >= 10)
            #expect(retried >= 1, "the attempt history shows the retries")
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    private func runIsFinal(_ stack: PipelineStack) async throws -> Bool {
        try await stack.database.connect().query("SELECT count(*) FROM roost.dag_runs WHERE state IN ('success', 'failed') AND logical_date = $1",
                                                 stack.interval.start)[0].decode(at: 0, as: Int.self) == 1
    }

    private func waitForTheRun(_ stack: PipelineStack, timeout: Duration) async throws {
        try await eventually(timeout: timeout, every: .milliseconds(500), "the interval's run ends") { try await runIsFinal(stack) }
        // (A run of the next hour appears only if an hour ends during the test; it holds no tweets.)
        let states = try await stack.database.connect().query("SELECT state FROM roost.dag_runs WHERE logical_date = $1", stack.interval.start).map { try $0.decode(at: 0, as: String.self) }
        let attempts = try await stack.database.connect().query("""
            SELECT task_id || '#' || try_number || ' ' || state::text || coalesce(' ' || error, '') FROM roost.task_attempt_history ORDER BY 1
            """).map { try $0.decode(at: 0, as: String.self) }
        #expect(states.allSatisfy { $0 == "success" }, "runs: \(states); attempts:\n\(attempts.joined(separator: "\n"))")
    }

    /// The lake against Kafka's raw records (which `TwitterIngestWorkerTests` checks against the
    /// API): every tweet in exactly one refined record, fields equal, lineage and manifest matching.
    private func checkTheLake(_ stack: PipelineStack) async throws {
        let raw = try await stack.rawRecords()
        let source = Dictionary(try raw.map { record in
            let value = try JSONValue.parse(Data(record.value ?? []))
            return (try #require(value["data"]?["id"]?.stringValue), value)
        }, uniquingKeysWith: { first, _ in first })
        #expect(source.count == Self.tweets, "the API's tweets reached Kafka")

        let lake = try await stack.lake("tweets/")
        let records = lake.values.flatMap { $0 }
        let ids = records.compactMap { $0["tweet_id"]?.stringValue }
        #expect(ids.count == Self.tweets, "no duplicates: \(ids.count) records")
        let missing = Set(source.keys).subtracting(ids), extra = Set(ids).subtracting(source.keys)
        #expect(missing.isEmpty && extra.isEmpty, "every tweet: \(missing.count) missing, \(extra.count) not from the source")
        for record in records {
            let id = record["tweet_id"]?.stringValue ?? ""
            let tweet = source[id]?["data"]
            #expect(record["schema_version"] == .int(1))
            #expect(record["text"] == tweet?["text"] && record["created_at"] == tweet?["created_at"] && record["author_id"] == tweet?["author_id"])
            #expect(record["like_count"] == tweet?["public_metrics"]?["like_count"])
            #expect(record["screen_name"]?.stringValue != nil)
        }

        // Lineage: each tweet's object in SQL is the object that holds it; each object's run and range are known.
        let connection = try await stack.database.connect()
        let located = try await connection.query("SELECT record_id, key FROM roost.lake_record_locations")
        var where_: [String: String] = [:]
        for row in located { where_[try row.decode(at: 0, as: String.self)] = try row.decode(at: 1, as: String.self) }
        var actual: [String: String] = [:]
        for (key, lines) in lake { for line in lines { actual[line["tweet_id"]?.stringValue ?? ""] = key } }
        #expect(located.count == Self.tweets && where_ == actual, "lineage names the object of each tweet")
        let orphans = try await connection.query("""
            SELECT count(*) FROM roost.lake_object_lineage
            WHERE key LIKE 'tweets/%' AND (topic IS NULL OR run_id IS NULL OR first_offset IS NULL)
            """)[0].decode(at: 0, as: Int.self)
        #expect(orphans == 0, "every object maps to a run and an offset range")
        let recordedKeys = try await connection.query("SELECT key FROM roost.s3_objects WHERE kind = 'data' AND key LIKE 'tweets/%'")
            .map { try $0.decode(at: 0, as: String.self) }
        #expect(Set(recordedKeys) == Set(lake.keys))
        let runID = try await connection.query("SELECT run_id FROM roost.dag_runs WHERE logical_date = $1", stack.interval.start)[0].decode(at: 0, as: String.self)
        let manifest = try JSONValue.parse(try await Moto.client(endpoint: stack.moto.baseURL)
            .getObject(bucket: stack.bucket, key: "tweets/_manifests/\(runID)/load.json"))
        #expect(Set(manifest["objects"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []) == Set(lake.keys))
    }

    private func scalar<T: PostgresDecodable>(_ stack: PipelineStack, _ sql: String, _ type: T.Type) async throws -> T {
        try await stack.database.connect().query(sql)[0].decode(at: 0, as: T.self)
    }
}
