import Foundation
import RoostCore
import RoostKafka
import RoostStore

/// `kafka_produce`: publishes each line of a JSON-lines file as one record.
///
/// params: `topic` (required); `path` (required, may use `{dag_id}`, `{run_id}`, `{task_id}`,
/// `{ds}`); `key_field` (optional: the top-level field whose value keys the record);
/// `compression` (optional: none, gzip, snappy, lz4, zstd); `batch_size` (records handed to
/// librdkafka at a time, default 1000). What each partition received is recorded on the attempt (metrics
/// `records_produced`, `partitions`) and in `roost.kafka_offset_ranges`. A retry sends the whole
/// file again: delivery is at least once across tries, exactly once within one.
public struct KafkaProduceTask: TaskType {
    public static let compressions: Set<String> = ["none", "gzip", "snappy", "lz4", "zstd"]

    let kafka: RoostConfig.Kafka
    let store: KafkaOffsetStore

    public init(kafka: RoostConfig.Kafka, store: KafkaOffsetStore) {
        self.kafka = kafka
        self.store = store
    }

    public var name: String { "kafka_produce" }

    public func validate(params: JSONValue) throws {
        try params.requireKnownKeys(["topic", "path", "key_field", "compression", "batch_size"])
        _ = try params.requiredString("topic")
        _ = try params.requiredString("path")
        if let keyField = params["key_field"], keyField.stringValue == nil { throw TaskParamError("params.key_field must be a string") }
        if let compression = params["compression"] {
            guard let value = compression.stringValue, Self.compressions.contains(value) else {
                throw TaskParamError("params.compression must be one of \(Self.compressions.sorted().joined(separator: ", "))")
            }
        }
        if let size = try params.optionalNumber("batch_size"), size < 1 || size != size.rounded() {
            throw TaskParamError("params.batch_size must be a positive integer")
        }
    }

    public func run(_ context: TaskContext) async throws {
        let params = context.params
        let topic = try params.requiredString("topic")
        let path = TaskPathTemplate.resolve(try params.requiredString("path"), for: context.task)
        let keyField = params["key_field"]?.stringValue
        let batchSize = Int(try params.optionalNumber("batch_size") ?? Double(JSONLinesProducer.defaultBatchSize))
        var config = try KafkaClientConfig(kafka)
        if let compression = params["compression"]?.stringValue { config.properties["compression.type"] = compression }

        let producer = try KafkaProducer(config: config)
        var report = DeliveryReport()
        do {
            try await JSONLinesProducer(path: path, topic: topic, keyField: keyField, batchSize: batchSize).send(with: producer, into: &report)
            try await producer.close()
        } catch {
            try? await producer.close(flushTimeout: .seconds(5))
            try await record(report, topic: topic, context)
            throw error
        }
        try await record(report, topic: topic, context)
        context.log("produced \(report.delivered) records to \(topic) from \(path)")
    }

    private func record(_ report: DeliveryReport, topic: String, _ context: TaskContext) async throws {
        let ranges = report.partitions.sorted { $0.key < $1.key }.map { partition, range in
            KafkaOffsetStore.Range(partition: partition, firstOffset: range.firstOffset, lastOffset: range.lastOffset,
                                   recordCount: Int64(range.count), state: "produced")
        }
        context.count("records_produced", Int64(report.delivered))
        context.record("partitions", .object(Dictionary(uniqueKeysWithValues: ranges.map { (String($0.partition), .int($0.recordCount)) })))
        try await store.recordProduced(instanceID: context.task.instanceID, attemptID: context.task.attemptID, topic: topic, ranges: ranges)
    }
}
