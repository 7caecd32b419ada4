import Foundation
import RoostCore
import RoostKafka
import RoostRuntime
import RoostStore
import RoostTestSupport
import Testing

/// `kafka_produce` and `kafka_consume` through real `roost worker` processes, against an embedded
/// cluster in this process and a per-test PostgreSQL database.
@Suite(.serialized) struct KafkaTaskTests {
    @Test func produceThenConsumeKeepsOffsetRangesInPostgresAndCommitsThemToTheGroup() async throws {
        let (fleet, cluster, folder) = try await setUp(topic: "tweets", partitions: 3)
        let input = folder + "/input.jsonl"
        let lines = (0..<500).map { #"{"id":\#($0 % 50),"text":"tweet \#($0)"}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let run = try await fleet.trigger(.test("pipeline", tasks: [
            TaskDefinition(taskID: "produce", type: "kafka_produce", params: .object([
                "topic": .string("tweets"), "path": .string(input), "key_field": .string("id"), "compression": .string("zstd"), "batch_size": .int(64),
            ])),
            TaskDefinition(taskID: "consume", type: "kafka_consume", upstream: ["produce"], params: .object([
                "topic": .string("tweets"), "path": .string(folder + "/out-{task_id}-{ds}.jsonl"), "group": .string("lake"),
            ])),
        ]))[0]
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2,
                                       extraEnvironment: ["ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers])
        try await fleet.drive(fleet.scheduler([]), "the run ends") {
            try await fleet.runs.run(dagID: "pipeline", runID: run.runID)?.state.isFinal == true
        }
        #expect(try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "success", "\(worker.log)")

        let output = try outputLines(folder + "/out-consume-2026-09-21.jsonl")
        #expect(output.count == 500)
        #expect(Set(output.map { $0["value"] as? String ?? "" }) == Set(lines))
        // Partition by partition, offsets ascending: the order a retry reproduces.
        let positions = output.map { ($0["partition"] as! Int) * 1_000_000 + ($0["offset"] as! Int) }
        #expect(positions == positions.sorted())

        #expect(try await fleet.scalar("SELECT sum(record_count)::int8 FROM roost.kafka_offset_ranges WHERE kind = 'produce' AND state = 'produced'",
                                       as: Int64.self) == 500)
        #expect(try await fleet.scalar("SELECT (metrics->>'records_produced')::int8 FROM roost.task_attempt_history WHERE task_id = 'produce'",
                                       as: Int64.self) == 500)
        let consumed = try await consumeRanges(fleet)
        #expect(consumed.allSatisfy { $0.state == "committed" })
        #expect(consumed.map(\.recordCount).reduce(0, +) == 500)
        #expect(try await committedOffsets(cluster, topic: "tweets", group: "lake", partitions: 3)
                == Dictionary(uniqueKeysWithValues: consumed.map { ($0.partition, Optional($0.endOffset)) }))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func twoConsumeTasksAtOnceReadDisjointRangesAndTogetherEveryRecord() async throws {
        let (fleet, cluster, folder) = try await setUp(topic: "events", partitions: 4)
        try await produce(cluster, topic: "events", count: 2_000)
        try await fleet.trigger(.test("pair", tasks: ["a", "b"].map { name in
            TaskDefinition(taskID: name, type: "kafka_consume", params: .object([
                "topic": .string("events"), "path": .string(folder + "/\(name).jsonl"), "group": .string("shared"),
            ]))
        }))
        let environment = ["ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers]
        let workers = try (0..<2).map { _ in
            try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, extraEnvironment: environment)
        }
        try await fleet.drive(fleet.scheduler([]), "the run succeeds") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "success"
        }
        let a = try outputLines(folder + "/a.jsonl").map { "\($0["partition"]!)/\($0["offset"]!)" }
        let b = try outputLines(folder + "/b.jsonl").map { "\($0["partition"]!)/\($0["offset"]!)" }
        #expect(Set(a).isDisjoint(with: Set(b)))
        #expect(a.count + b.count == 2_000)
        let consumed = try await consumeRanges(fleet)
        let ends = Dictionary(grouping: consumed, by: \.partition).mapValues { $0.map(\.endOffset).max()! }
        #expect(try await committedOffsets(cluster, topic: "events", group: "shared", partitions: 4) == ends.mapValues { Optional($0) })
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers { #expect(try await worker.waitForExit() == 0) }
    }

    @Test func aConsumeKilledMidwayAndRetriedWritesTheSameOutputAsAnUninterruptedOne() async throws {
        let (fleet, cluster, folder) = try await setUp(topic: "big", partitions: 8)
        try await produce(cluster, topic: "big", count: 100_000)
        func consume(_ name: String, group: String) -> DagDefinition {
            .test(name, tasks: [TaskDefinition(taskID: "consume", type: "kafka_consume", params: .object([
                "topic": .string("big"), "path": .string(folder + "/\(name).jsonl"), "group": .string(group),
            ]), args: TaskArgs(retries: 1, retryDelay: .zero))])
        }
        try await fleet.trigger(consume("victim", group: "g1"))
        // A slow broker spreads the victim's reads over seconds, so the kill lands while it writes
        // (on a quick one the whole read can fall between two looks at its files).
        try await cluster.setBrokerDelay(1, .milliseconds(800))
        let environment = ["ROOST_KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrapServers]
        let victim = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, heartbeat: "500ms", lease: "2s",
                                       extraEnvironment: environment)
        let scheduler = fleet.scheduler([])
        try await fleet.drive(scheduler, "the victim starts writing") {
            let partials = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("victim.jsonl.partial.") }
            return partials.contains { ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] as? Int) ?? 0) > 0 }
        }
        victim.signal(SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: folder + "/victim.jsonl"), "the kill came after the output was complete")
        try await cluster.setBrokerDelay(1, .zero)
        let rescuer = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, heartbeat: "500ms", lease: "2s",
                                        extraEnvironment: environment)
        try await fleet.drive(scheduler, "the retry succeeds") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "success"
        }
        #expect(try await fleet.scalar("SELECT max(try_number) FROM roost.task_attempts", as: Int.self) == 2)
        // The same ranges read by a group with no history, uninterrupted.
        try await fleet.trigger(consume("reference", group: "g2"))
        try await fleet.drive(scheduler, "the reference run succeeds") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 2
        }
        let victimOutput = try Data(contentsOf: URL(fileURLWithPath: folder + "/victim.jsonl"))
        let referenceOutput = try Data(contentsOf: URL(fileURLWithPath: folder + "/reference.jsonl"))
        #expect(victimOutput.count > 0)
        #expect(victimOutput == referenceOutput)
        #expect(try outputLines(folder + "/victim.jsonl").count == 100_000)
        // The killed try's partial file is gone too.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".partial.") } == [])
        rescuer.signal(SIGTERM)
        #expect(try await rescuer.waitForExit() == 0)
    }

    // MARK: - Helpers

    private func setUp(topic: String, partitions: Int) async throws -> (Fleet, EmbeddedKafkaCluster, String) {
        let fleet = try await Fleet.create()
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic(topic, partitions: partitions)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roost-kafka-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return (fleet, cluster, folder)
    }

    private func produce(_ cluster: EmbeddedKafkaCluster, topic: String, count: Int) async throws {
        let producer = try KafkaProducer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers))
        try await producer.send((0..<count).map { KafkaMessage(key: Array("k\($0 % 97)".utf8), value: Array(#"{"n":\#($0)}"#.utf8)) },
                                to: topic)
        try await producer.close()
    }

    private func outputLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    private func consumeRanges(_ fleet: Fleet) async throws -> [KafkaOffsetStore.Range] {
        try await fleet.pool.query("SELECT task_instance_id FROM roost.kafka_offset_ranges WHERE kind = 'consume' GROUP BY 1")
            .asyncFlatMap { try await KafkaOffsetStore(pool: fleet.pool).ranges(instanceID: try $0.decode(at: 0), kind: "consume") }
    }

    private func committedOffsets(_ cluster: EmbeddedKafkaCluster, topic: String, group: String, partitions: Int32) async throws -> [Int32: Int64?] {
        let consumer = try KafkaBoundedConsumer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers), groupID: group, topic: topic)
        let offsets = try await consumer.committedOffsets(partitions: Array(0..<partitions))
        await consumer.close()
        return offsets
    }
}

extension Sequence {
    fileprivate func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result += try await transform(element) }
        return result
    }
}
