import Foundation
import RoostCore
import RoostKafka
import RoostStore
import RoostTestSupport
import Testing

/// `twitter_ingest` end to end: a `roost worker` process, the fake X API and the embedded Kafka.
@Suite struct TwitterIngestWorkerTests {
    static let token = "worker-secret-bearer-5a4f3e2d1c"

    @Test func aWorkerIngestsIntoKafkaAndTheTokenAppearsNowhere() async throws {
        let fleet = try await Fleet.create()
        let server = try await FakeXAPI()
        let generate: [String: Any] = ["count": 250, "start_time": Date().addingTimeInterval(-1200).formatted(.iso8601), "users": 3]
        try await server.scenario(["token": Self.token, "generate": generate])
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("tweets", partitions: 2)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, extraEnvironment: [
            "ROOST_TWITTER_BASE_URL": server.baseURL.absoluteString, "X_BEARER_TOKEN": Self.token,
            "ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers,
        ])
        let dag = DagDefinition.test("x", tasks: [TaskDefinition(taskID: "ingest", type: "twitter_ingest",
                                                                 params: .object(["query": .string("roost"), "topic": .string("tweets")]))])
        let scheduler = fleet.scheduler([])
        let ok = try await fleet.trigger(dag)[0]
        try await fleet.drive(scheduler, "the first run ends") { try await fleet.runs.run(dagID: "x", runID: ok.runID)?.state.isFinal == true }
        #expect(try await fleet.runs.run(dagID: "x", runID: ok.runID)?.state == .success)

        // Every tweet is in Kafka once, keyed by its id, with the API's JSON.
        let consumer = try KafkaBoundedConsumer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers), groupID: "check", topic: "tweets")
        try await consumer.assign(try await consumer.watermarks().map { KafkaOffsetRange(partition: $0.partition, start: $0.low, end: $0.high) })
        var records: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch() { records += batch }
        await consumer.close()
        #expect(records.count == 250)
        #expect(Set(records.compactMap(\.key)).count == 250)
        for record in records {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(record.value)))
            #expect(value["data"]?["id"]?.stringValue.map { Array($0.utf8) } == record.key)
        }
        let metrics = try await fleet.scalar("SELECT metrics::text FROM roost.task_attempts", as: String.self)
        #expect(metrics.contains(#""tweets_fetched": 250"#))

        // The API now refuses the worker's token: the try fails at once, naming the setting, not the value.
        try await server.scenario(["token": "rotated-token", "generate": generate])
        let refused = try await fleet.trigger(dag, start: Date(timeIntervalSince1970: 1_790_100_000))[0]
        try await fleet.drive(scheduler, "the second run ends") { try await fleet.runs.run(dagID: "x", runID: refused.runID)?.state.isFinal == true }
        let error = try await fleet.scalar("SELECT error FROM roost.task_attempt_history WHERE run_id = $1", refused.runID, as: String.self)
        #expect(error.contains("HTTP 401, the X API rejected the bearer token (twitter.bearer_token from X_BEARER_TOKEN)"))

        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
        let everyRow = try await fleet.pool.query("""
            SELECT string_agg(query_to_xml(format('SELECT * FROM roost.%I', table_name), true, false, '')::text, ' ')
            FROM information_schema.tables WHERE table_schema = 'roost'
            """)[0].decode(at: 0, as: String.self)
        #expect(everyRow.contains("tweets_fetched"), "the dump holds the attempts")
        #expect(!everyRow.contains(Self.token), "the database")
        #expect(!worker.log.contains(Self.token), "the worker's log")
        #expect(!records.contains { $0.value.map { String(decoding: $0, as: UTF8.self).contains(Self.token) } ?? false }, "Kafka")
    }
}
