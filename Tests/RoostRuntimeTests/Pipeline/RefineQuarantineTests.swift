import Foundation
import RoostCore
import RoostGzip
import RoostKafka
import RoostTestSupport
import Testing

/// `kafka_consume` with `transform: refine_tweets` and the lake loads after it, through a worker
/// process: a malformed record is quarantined with its reason, the run succeeds; refined again
/// (`tasks clear`), the record is still once on the dead-letter topic and in quarantine.
@Suite struct RefineQuarantineTests {
    func raw(_ id: Int, _ text: String) -> KafkaMessage {
        KafkaMessage(key: Array(String(id).utf8), value: Array(#"""
            {"data":{"id":"\#(id)","text":"\#(text)","author_id":"7","created_at":"2026-11-30T09:0\#(id % 10):00.000Z",
            "entities":{"hashtags":[{"tag":"roost"}]},"public_metrics":{"like_count":\#(id)}},
            "includes":{"users":[{"id":"7","username":"seven"}]},"source":{"type":"replay"}}
            """#.utf8))
    }

    @Test func aMalformedRecordIsQuarantinedOnceWithItsReasonAndTheRunSucceeds() async throws {
        let fleet = try await Fleet.create()
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("tweets.raw", partitions: 1)
        let producer = try KafkaProducer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers))
        _ = try await producer.send([raw(1, "one"), raw(2, "two"), KafkaMessage(value: Array("{not json".utf8)), raw(3, "three")],
                                    to: "tweets.raw")
        try await producer.close()
        let moto = try await Moto.server
        let bucket = Moto.bucket()
        let client = Moto.client(endpoint: moto.baseURL)
        try await client.createBucket(bucket)
        let staging = temporaryPath("refine")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2,
                                       extraEnvironment: Moto.environment(endpoint: moto.baseURL, bucket: bucket)
                                           .merging(["ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers]) { $1 })
        let folder = staging + "/{run_id}"
        let dag = DagDefinition.test("refine", tasks: [
            TaskDefinition(taskID: "refine", type: "kafka_consume", params: .object([
                "topic": .string("tweets.raw"), "transform": .string("refine_tweets"), "dead_letter_topic": .string("tweets.dead_letter"), "path": .string(folder),
            ])),
            TaskDefinition(taskID: "load", type: "s3_load", upstream: ["refine"], params: .object([
                "input": .string(folder + "/refined"), "prefix": .string("tweets"), "partition_by": .string("created_at"), "record_id_field": .string("tweet_id"),
            ])),
            TaskDefinition(taskID: "quarantine", type: "s3_load", upstream: ["refine"], params: .object([
                "input": .string(folder + "/quarantine"), "prefix": .string("quarantine/tweets"),
            ])),
        ])
        let run = try await fleet.trigger(dag)[0]
        try await fleet.drive(fleet.scheduler([]), timeout: .seconds(90), "the run ends") {
            try await fleet.runs.run(dagID: "refine", runID: run.runID)?.state.isFinal == true
        }
        worker.signal(SIGTERM)
        #expect(try await fleet.runs.run(dagID: "refine", runID: run.runID)?.state == .success)

        let refined = try await client.listAllObjects(bucket: bucket, prefix: "tweets/").filter { !$0.key.contains("_manifests") }
        #expect(refined.map(\.key) == ["tweets/dt=2026-11-30/hour=09/tweets.raw-0-000000000000-0000000001.jsonl.gz"])
        let quarantined = try await client.listAllObjects(bucket: bucket, prefix: "quarantine/tweets/").filter { !$0.key.contains("_manifests") }
        #expect(quarantined.count == 1)
        let line = try JSONValue.parse(try Gzip.decompress(try await client.getObject(bucket: bucket, key: try #require(quarantined.first).key)))
        #expect(line["offset"] == .int(2) && line["value"] == .string("{not json"))
        #expect(line["reason"]?.stringValue?.hasPrefix("not JSON: ") == true)

        let metrics = try await fleet.scalar("""
            SELECT a.metrics::text FROM roost.task_attempts a JOIN roost.task_instances ti ON ti.id = a.task_instance_id
            WHERE ti.task_id = 'refine'
            """, as: String.self)
        #expect(metrics.contains(#""records_quarantined": 1"#) && metrics.contains(#""tweets_refined": 3"#), "\(metrics)")
        let dead = try await deadLetters(cluster)
        #expect(dead.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == ["{not json"])
        #expect(dead.first?.headers.contains { $0.key == "roost.reason" } == true)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.lake_record_locations WHERE record_id IN ('1', '2', '3')", as: Int.self) == 3)

        // Refine again (and what follows it): the same ranges refuse the same record, which is
        // already on the dead-letter topic and in quarantine, so both still hold it once.
        let worker2 = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2,
                                        extraEnvironment: Moto.environment(endpoint: moto.baseURL, bucket: bucket)
                                            .merging(["ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers]) { $1 })
        _ = try await worker.waitForExit()
        #expect(try await fleet.queue.clear(dagID: "refine", runID: run.runID, taskID: "refine").sorted() == ["load", "quarantine", "refine"])
        try await fleet.drive(fleet.scheduler([]), timeout: .seconds(90), "the cleared run ends") {
            try await fleet.runs.run(dagID: "refine", runID: run.runID)?.state.isFinal == true
        }
        worker2.signal(SIGTERM)
        #expect(try await fleet.runs.run(dagID: "refine", runID: run.runID)?.state == .success)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_attempts a JOIN roost.task_instances ti ON ti.id = a.task_instance_id WHERE ti.task_id = 'refine'", as: Int.self) == 2)
        #expect(try await deadLetters(cluster).map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == ["{not json"])
        let again = try await client.listAllObjects(bucket: bucket, prefix: "quarantine/tweets/").filter { !$0.key.contains("_manifests") }
        #expect(again.map(\.key) == quarantined.map(\.key))
        let lines = try Gzip.decompress(try await client.getObject(bucket: bucket, key: try #require(again.first).key))
        #expect(lines.split(separator: UInt8(ascii: "\n")).count == 1)
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.dead_letters WHERE sent_at IS NOT NULL AND source_offset = 2", as: Int.self) == 1)
    }

    /// Every record on the dead-letter topic.
    func deadLetters(_ cluster: EmbeddedKafkaCluster) async throws -> [KafkaRecord] {
        let consumer = try KafkaBoundedConsumer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers), groupID: "check",
                                                topic: "tweets.dead_letter")
        try await consumer.assign(try await consumer.watermarks().map { KafkaOffsetRange(partition: $0.partition, start: $0.low, end: $0.high) })
        var dead: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch() { dead += batch }
        await consumer.close()
        return dead
    }
}
