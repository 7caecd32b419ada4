import Foundation
import RoostCore
import RoostKafka
import RoostStore

/// `kafka_consume`: reads a bounded range of offsets per partition into a JSON-lines file.
///
/// params: `topic` (required); `path` (required, may use `{dag_id}`, `{run_id}`, `{task_id}`,
/// `{ds}`); `group` (the consumer group, default `roost.<dag_id>.<task_id>`); `transform`
/// (`refine_tweets`: `path` is then a folder of refined tweets and quarantined records, see
/// `RefinedTweetSink`) and with it `dead_letter_topic` (where refused records are also sent).
///
/// The first attempt plans the ranges — from where this group's recorded ranges end to the high
/// watermark — and stores them in PostgreSQL; every later attempt (retry, crash, `tasks clear`)
/// reads exactly those ranges, partition by partition in offset order, so its output is
/// identical. The file appears only when complete (written beside it as `PATH.partial.attempt-N`). The group's committed offsets move forward
/// only when the task succeeds, and never past a range another task has not finished.
public struct KafkaConsumeTask: TaskType {
    let kafka: RoostConfig.Kafka
    let store: KafkaOffsetStore
    let deadLetters: DeadLetterStore

    public init(kafka: RoostConfig.Kafka, store: KafkaOffsetStore, deadLetters: DeadLetterStore) {
        self.kafka = kafka
        self.store = store
        self.deadLetters = deadLetters
    }

    public var name: String { "kafka_consume" }

    public func validate(params: JSONValue) throws {
        try params.requireKnownKeys(["topic", "path", "group", "transform", "dead_letter_topic"])
        _ = try params.requiredString("topic")
        _ = try params.requiredString("path")
        for key in ["group", "dead_letter_topic"] {
            if let value = params[key], value.stringValue?.isEmpty != false { throw TaskParamError("params.\(key) must be a non-empty string") }
        }
        if let transform = params["transform"], transform != .string("refine_tweets") {
            throw TaskParamError("params.transform: \(String(decoding: transform.serialized(), as: UTF8.self)) is not a transform (known: refine_tweets)")
        }
        if params["dead_letter_topic"] != nil && params["transform"] == nil {
            throw TaskParamError("params.dead_letter_topic needs params.transform")
        }
    }

    public func run(_ context: TaskContext) async throws {
        let task = context.task
        let topic = try context.params.requiredString("topic")
        let path = TaskPathTemplate.resolve(try context.params.requiredString("path"), for: task)
        let group = context.params["group"]?.stringValue ?? "roost.\(task.dagID).\(task.taskID)"
        let consumeTask = KafkaOffsetStore.ConsumeTask(instanceID: task.instanceID, attemptID: task.attemptID, topic: topic, group: group)
        let consumer = try KafkaBoundedConsumer(config: try KafkaClientConfig(kafka), groupID: group, topic: topic)
        do {
            try await consume(consumeTask, into: path, with: consumer, context)
            await consumer.close()
        } catch {
            await consumer.close()
            throw error
        }
    }

    private func consume(_ task: KafkaOffsetStore.ConsumeTask, into path: String, with consumer: KafkaBoundedConsumer,
                         _ context: TaskContext) async throws {
        let watermarks = try await consumer.watermarks()
        let committed = try await consumer.committedOffsets(partitions: watermarks.map(\.partition))
        let ranges = try await store.planConsume(task, positions: watermarks.map {
            KafkaOffsetStore.PartitionPosition(partition: $0.partition, committed: committed[$0.partition] ?? nil, low: $0.low, high: $0.high)
        })
        context.log("reading \(task.topic) for group \(task.group): "
                    + ranges.map { "[\($0.partition)] \($0.firstOffset)..<\($0.endOffset)" }.joined(separator: ", "))
        let offsetRanges = ranges.map { KafkaOffsetRange(partition: $0.partition, start: $0.firstOffset, end: $0.endOffset) }
        let written: Int
        if context.params["transform"] != nil {
            written = try await refine(offsetRanges, from: consumer, into: path, context)
        } else {
            written = try await KafkaFileExport.write(offsetRanges, from: consumer, to: path, writer: "attempt-\(task.attemptID)") {
                context.count("records_consumed", Int64($0))
            }
        }
        try await store.completeConsume(task) { targets in
            let current = try await consumer.committedOffsets(partitions: Array(targets.keys))
            try await consumer.commit(targets.filter { partition, offset in (current[partition] ?? nil).map { offset > $0 } ?? true })
        }
        context.record("ranges", .object(Dictionary(uniqueKeysWithValues: ranges.map {
            (String($0.partition), .array([.int($0.firstOffset), .int($0.endOffset)]))
        })))
        context.log("wrote \(written) records to \(path)")
    }

    /// Refines the ranges into `folder`; refused records go to quarantine and the dead-letter
    /// topic, counted on the attempt, and never fail the try.
    private func refine(_ ranges: [KafkaOffsetRange], from consumer: KafkaBoundedConsumer, into folder: String,
                        _ context: TaskContext) async throws -> Int {
        let task = context.task
        var sink = try RefinedTweetSink(folder: folder, writer: "attempt-\(task.attemptID)", dagID: task.dagID, runID: task.runID)
        let written = try await KafkaFileExport.write(ranges, from: consumer, into: &sink) { context.count("records_consumed", Int64($0)) }
        context.record("tweets_refined", .int(Int64(sink.refinedCount)))
        context.record("records_quarantined", .int(Int64(sink.refused.count)))
        context.record("duplicate_tweets_dropped", .int(Int64(sink.duplicateCount)))
        if let topic = context.params["dead_letter_topic"]?.stringValue {
            try await sendDeadLetters(sink.refused, to: topic, from: consumer.topic, context)
        }
        return written
    }

    /// Sends the refused records no earlier try of this task sent (`roost.dead_letters`), in
    /// offset order, and records them as sent: a retried refine refuses the same records, and the
    /// topic gets each once. (A try killed between Kafka's acknowledgement and the record leaves
    /// its letters unmarked, and the next try sends them again.)
    private func sendDeadLetters(_ refused: [RefinedTweetSink.Refused], to topic: String, from source: String,
                                 _ context: TaskContext) async throws {
        let messages = Dictionary(uniqueKeysWithValues: refused.map { ($0.letter, $0.message) })
        let unsent = try await deadLetters.unsent(refused.map(\.letter), from: source, to: topic, attemptID: context.task.attemptID)
        guard !unsent.isEmpty else {
            if !refused.isEmpty { context.log("the \(refused.count) refused records were already sent to \(topic)") }
            return
        }
        let producer = try KafkaProducer(config: try KafkaClientConfig(kafka))
        do {
            _ = try await producer.send(unsent.map { messages[$0]! }, to: topic)
            try await producer.close()
        } catch {
            try? await producer.close()
            throw error
        }
        try await deadLetters.markSent(unsent, from: source, to: topic, attemptID: context.task.attemptID)
        context.count("dead_letters_sent", Int64(unsent.count))
        context.log("sent \(unsent.count) refused records to \(topic)")
    }
}
