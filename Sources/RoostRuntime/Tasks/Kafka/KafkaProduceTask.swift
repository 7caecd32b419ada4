import Foundation
import RoostCore
import RoostKafka
import RoostStore

/// `kafka_produce`: publishes each line of a JSON-lines file as one record.
///
/// params: `topic` (required); `path` (required, may use `{dag_id}`, `{run_id}`, `{task_id}`,
/// `{ds}`); `key_field` (optional: the top-level field whose value keys the record);
/// `compression` (optional: none, gzip, snappy, lz4, zstd); `batch_size` (records per awaited
/// batch, default 10000). What each partition received is recorded on the attempt (metrics
/// `records_produced`, `partitions`) and in `roost.kafka_offset_ranges`. A retry sends the whole
/// file again: delivery is at least once across tries, exactly once within one.
public struct KafkaProduceTask: TaskType {
    static let compressions: Set<String> = ["none", "gzip", "snappy", "lz4", "zstd"]

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
        let batchSize = Int(try params.optionalNumber("batch_size") ?? 10_000)
        var config = try KafkaClientConfig(kafka)
        if let compression = params["compression"]?.stringValue { config.properties["compression.type"] = compression }

        var reader = try JSONLinesReader(path: path)
        defer { reader.close() }
        let producer = try KafkaProducer(config: config)
        var report = DeliveryReport()
        do {
            var batch: [KafkaMessage] = []
            batch.reserveCapacity(batchSize)
            while let line = try reader.next() {
                let key = try keyField.map { try Self.key(of: line, field: $0, at: "\(path):\(reader.lineNumber)") } ?? nil
                batch.append(KafkaMessage(key: key, value: line))
                if batch.count == batchSize {
                    report.merge(try await producer.send(batch, to: topic))
                    batch.removeAll(keepingCapacity: true)
                    try Task.checkCancellation()
                }
            }
            report.merge(try await producer.send(batch, to: topic))
            try await producer.close()
        } catch {
            if let delivery = error as? KafkaDeliveryError { report.merge(delivery.report) }
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

    /// The record key: the line's top-level `field` as text (strings as they are, numbers and
    /// booleans as JSON), or nil when the field is absent or null.
    static func key(of line: [UInt8], field: String, at location: String) throws -> [UInt8]? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
            throw TaskParamError("\(location): not a JSON object, so params.key_field \(field) cannot be read")
        }
        switch object[field] {
        case nil, is NSNull: return nil
        case let text as String: return Array(text.utf8)
        case let value:
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            return Array(data)
        }
    }
}
