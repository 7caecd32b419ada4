import Foundation
import RoostCore
import RoostHTTP
import RoostKafka
@testable import RoostRuntime
import RoostStore
import RoostTestSupport
import RoostTwitter
import Testing

/// `twitter_stream`: a try in this process into a recording sink, and `roost worker` processes into
/// the embedded Kafka, one of them killed mid-stream.
@Suite struct TwitterStreamTaskTests {
    static let backoff = XStreamBackoff.Policy(networkStep: .milliseconds(100), networkMaximum: .seconds(1),
                                               httpInitial: .milliseconds(200), httpMaximum: .seconds(2),
                                               rateLimitInitial: .milliseconds(500), rateLimitMaximum: .seconds(2))

    @Test func paramsAreCheckedWithTheFieldNamed() {
        let task = TwitterStreamTask(resources: .init(client: nil, sink: RecordingSink()))
        #expect(throws: Never.self) { try task.validate(params: ["topic": "t", "rules": ["roost", ["value": "nest", "tag": "n"]], "stall_timeout": "5s"]) }
        #expect { try task.validate(params: ["rules": ["roost"]]) } throws: { "\($0)".contains("params.topic") }
        #expect { try task.validate(params: ["topic": "t", "rules": [["tag": "x"]]]) } throws: { "\($0)".contains("params.rules[0]") }
        #expect { try task.validate(params: ["topic": "t", "stall_timeout": "soon"]) } throws: { "\($0)".contains("params.stall_timeout") }
        #expect { try task.validate(params: ["topic": "t", "query": "x"]) } throws: { "\($0)".contains("params.query") }
        #expect { try task.validate(params: ["topic": "t", "backfill_minutes": 6]) } throws: { "\($0)".contains("params.backfill_minutes") }
    }

    @Test func everyTweetAroundDisconnectsAndAStallIsDeliveredAndCounted() async throws {
        let fleet = try await Fleet.create()
        let server = try await FakeXAPI()
        try await server.scenario(["rules": [["value": "old"]], "stream": ["interval_ms": 20, "keepalive_ms": 50, "connections": [
            ["tweets": 20, "then": "drop"], ["tweets": 20, "then": "stall", "stall_ms": 10_000], ["tweets": 20, "resend": 2, "then": "end"],
        ]]])
        let capture = LogCapture()
        let client = XAPIClient(configuration: .init(baseURL: server.baseURL, token: XBearerToken(FakeXAPI.token, origin: "test")),
                                http: HTTPClient(), logger: capture.logger())
        let sink = RecordingSink()
        let task = TwitterStreamTask(resources: .init(client: client, sink: sink, attempts: fleet.queue, backoff: Self.backoff))
        let params: JSONValue = ["topic": "tweets", "rules": ["roost", ["value": "nest", "tag": "n"]], "stall_timeout": "700ms",
                                 "progress_interval": "200ms"]
        let context = TaskContext(task: try await Self.claim(fleet, params: params), logger: capture.logger())
        let running = Task { try await task.run(context) }
        try await eventually("the fourth connection's tweets arrive") {
            Set(sink.records.withLock { $0.map(\.key) }).count >= 60 + 10
        }
        try await eventually("the counters reach the running attempt") {
            try await fleet.scalar("SELECT metrics::text FROM roost.task_attempts WHERE state = 'running'", as: String.self)
                .contains(#""tweets_received""#)
        }
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }

        let keys = sink.records.withLock { $0.map(\.key) }
        let sent = try await server.streamedTweets()
        let firstThree = sent.filter { $0.connection < 3 }
        #expect(firstThree.count == 62)
        #expect(Set(firstThree.map(\.id)).isSubset(of: Set(keys)), "every tweet before and after each disconnect")
        #expect(keys.count - Set(keys).count == 2, "duplicates only where the server re-sent")
        #expect(Set(sent.map(\.id)).isSuperset(of: Set(keys)))
        let records = sink.records.withLock { $0 }
        #expect(try records.allSatisfy { try JSONValue.parse($0.value)["data"]?["id"]?.stringValue == $0.key })

        let metrics = context.metrics
        #expect(metrics["tweets_received"]?.intValue == Int64(keys.count))
        #expect(metrics["reconnects"]?.intValue == 3)
        #expect(metrics["heartbeats_missed"]?.intValue == 1)
        #expect(metrics["seconds_since_last_tweet"]?.doubleValue != nil)
        #expect(context.drainLines().contains { $0.text.hasPrefix("stream ended: ") })

        let rules = try await client.streamRules()
        #expect(Set(rules.map(\.value)) == ["roost", "nest"], "the declared rules replaced the old one")
    }

    @Test func aFailedDeliveryEndsTheTry() async throws {
        let fleet = try await Fleet.create()
        let server = try await FakeXAPI()
        try await server.scenario(["stream": ["interval_ms": 20]])
        let sink = RecordingSink()
        sink.failAfter.withLock { $0 = 5 }
        let client = XAPIClient(configuration: .init(baseURL: server.baseURL, token: XBearerToken(FakeXAPI.token, origin: "test")),
                                http: HTTPClient(), logger: LogCapture().logger())
        let task = TwitterStreamTask(resources: .init(client: client, sink: sink, backoff: Self.backoff))
        let claimed = try await Self.claim(fleet, params: ["topic": "tweets"])
        await #expect { try await task.run(TaskContext(task: claimed, logger: LogCapture().logger())) } throws: {
            "\($0)".contains("Kafka is down")
        }
        #expect(sink.records.withLock { $0.count } == 5)
        #expect(try await server.streamedTweets().count < TwitterStreamTask.maxInFlight, "ended at the next event, not when the window filled")
    }

    @Test func aKilledWorkersStreamIsResumedByAnother() async throws {
        let fleet = try await Fleet.create()
        let server = try await FakeXAPI()
        // The first connection sends 40 tweets and goes quiet; the next sends 30 and ends; then steady.
        try await server.scenario(["stream": ["interval_ms": 20, "keepalive_ms": 200, "connections": [
            ["tweets": 40, "then": "stall", "stall_ms": 60_000], ["tweets": 30, "then": "end"],
        ]]])
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("tweets", partitions: 2)
        let kafka = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let environment = ["ROOST_TWITTER_BASE_URL": server.baseURL.absoluteString, "X_BEARER_TOKEN": FakeXAPI.token,
                           "ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers]
        let first = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, grace: "1s", extraEnvironment: environment)
        let dag = DagDefinition.test("s", tasks: [TaskDefinition(taskID: "stream", type: "twitter_stream",
                                                                 params: ["topic": "tweets", "stall_timeout": "30s"],
                                                                 args: TaskArgs(retries: 3, retryDelay: .zero))])
        let scheduler = fleet.scheduler([])
        let run = try await fleet.trigger(dag)[0]
        try await fleet.drive(scheduler, "the first worker produced the first connection's tweets") {
            try await Self.recordCount(kafka) == 40
        }
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let killedAt = Date().timeIntervalSince1970

        let second = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, grace: "1s", extraEnvironment: environment)
        try await fleet.drive(scheduler, "the second worker streams on") { try await Self.recordCount(kafka) >= 40 + 30 + 10 }
        let resumed = try #require(try await server.requests().first { $0.connection == 1 })
        print("stream resumed \(String(format: "%.1f", resumed.at - killedAt)) s after kill -9 (lease timeout 4 s)")
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
        #expect(try await fleet.runs.run(dagID: "s", runID: run.runID)?.state.isFinal == false, "released, not failed")
        let released = try await fleet.scalar("SELECT metrics::text FROM roost.task_attempts WHERE state = 'released'", as: String.self)
        #expect(released.contains(#""tweets_received""#) && released.contains(#""reconnects": 1"#), "\(released)")

        // SIGTERM let the stream go: a third worker picks it up.
        let connectionsBefore = try await server.requests().count
        let third = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, grace: "1s", extraEnvironment: environment)
        try await fleet.drive(scheduler, "a third worker reconnects") { try await server.requests().count > connectionsBefore }
        third.signal(SIGTERM)
        #expect(try await third.waitForExit() == 0)

        let records = try await readWholeTopic(kafka, topic: "tweets")
        let keys = records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }
        let sent = try await server.streamedTweets()
        #expect(Set(sent.filter { $0.connection < 2 }.map(\.id)).isSubset(of: Set(keys)), "every tweet of both workers' first connections")
        #expect(keys.count == Set(keys).count, "each once")
    }

    /// `schedule: every 1s` with `max_active_runs: 1` and no catchup keeps one stream running: no
    /// second run while one is active, and a new one soon after a run fails.
    @Test func aScheduledStreamDagKeepsExactlyOneRunning() async throws {
        let fleet = try await Fleet.create()
        let server = try await FakeXAPI()
        // The first run streams 30 tweets, then the API refuses its reconnect (a failed run); the
        // second run's connection streams on.
        try await server.scenario(["stream": ["interval_ms": 20, "connections": [["tweets": 30, "then": "end"], ["status": 401]]]])
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("tweets", partitions: 1)
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2, grace: "1s", extraEnvironment: [
            "ROOST_TWITTER_BASE_URL": server.baseURL.absoluteString, "X_BEARER_TOKEN": FakeXAPI.token,
            "ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers,
        ])
        let dag = DagDefinition.test("live", schedule: .every(.seconds(1)), start: Date().addingTimeInterval(-60), catchup: false,
                                     maxActiveRuns: 1, tasks: [TaskDefinition(taskID: "stream", type: "twitter_stream",
                                                                              params: ["topic": "tweets"], args: TaskArgs(retries: 0))])
        let scheduler = fleet.scheduler([dag])
        var mostActive = 0
        try await fleet.drive(scheduler, "a second run's stream connects") {
            mostActive = max(mostActive, try await fleet.runs.activeRunCount(dagID: "live"))
            return try await server.requests().contains { $0.connection == 2 }
        }
        #expect(mostActive == 1)
        let states = try await fleet.pool.query("SELECT state FROM roost.dag_runs WHERE dag_id = 'live' ORDER BY id")
            .map { try $0.decode(at: 0, as: String.self) }
        #expect(states.count == 2 && states.first == "failed")
        #expect(["queued", "running"].contains(states.last), "the second run is active (the scheduler marks it running on a later tick)")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    /// A manual run of a one-task stream DAG, its task claimed as a worker would.
    static func claim(_ fleet: Fleet, params: JSONValue) async throws -> ClaimedTask {
        let dag = DagDefinition.test("s", tasks: [TaskDefinition(taskID: "stream", type: "twitter_stream", params: params)])
        try await fleet.trigger(dag)
        let id = try await WorkerStore(pool: fleet.pool).register(hostname: "w", pid: 1, queues: ["default"], concurrency: 1, version: "t")
        return try #require(try await fleet.queue.claim(by: WorkerIdentity(workerID: id, hostname: "w", pid: 1), queues: ["default"],
                                                        limit: 1, lease: .seconds(60)).first)
    }

    /// Records in every partition of the topic, from the watermarks.
    static func recordCount(_ kafka: KafkaClientConfig) async throws -> Int64 {
        let consumer = try KafkaBoundedConsumer(config: kafka, groupID: "count", topic: "tweets")
        defer { Task { await consumer.close() } }
        return try await consumer.watermarks().reduce(0) { $0 + $1.high - $1.low }
    }
}
