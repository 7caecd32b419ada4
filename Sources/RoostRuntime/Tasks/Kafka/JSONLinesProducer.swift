import Foundation
import RoostKafka

/// Publishes each non-empty line of a JSON-lines file as one record, in batches, so memory holds
/// three batches and librdkafka's queue whatever the file's size. Shared by the
/// `kafka_produce` task type and `roost kafka produce`.
public struct JSONLinesProducer: Sendable {
    public let path: String
    public let topic: String
    /// A top-level field whose value keys each record; nil for no keys.
    public let keyField: String?
    /// Records handed to librdkafka at a time. Small enough that a batch is still in the CPU's
    /// cache when librdkafka copies it (10,000 records of 1 KiB took a fifth more CPU).
    public let batchSize: Int
    public static let defaultBatchSize = 1_000

    public init(path: String, topic: String, keyField: String?, batchSize: Int = defaultBatchSize) {
        self.path = path
        self.topic = topic
        self.keyField = keyField
        self.batchSize = batchSize
    }

    /// Sends the file, adding each batch's deliveries to `report` as they are confirmed (so on an
    /// error `report` still says what was delivered). Batches are enqueued without waiting for
    /// their delivery, so librdkafka's queue stays full and bounds the memory
    /// (`queue.buffering.max.*`); the next batch is read while the last ones are being enqueued.
    public func send(with producer: KafkaProducer, into report: inout DeliveryReport) async throws {
        var reader = try JSONLinesReader(path: path)
        defer { reader.close() }
        var unconfirmed: [PendingDelivery] = []
        var firstError: Error?
        func confirm(_ pending: PendingDelivery) async {
            do {
                report.merge(try await pending.report())
            } catch let error as KafkaDeliveryError {
                report.merge(error.report)
                firstError = firstError ?? error
            } catch {
                firstError = firstError ?? error
            }
        }
        do {
            // Each batch is enqueued behind the last before that one is awaited, so the producing
            // thread goes from batch to batch without waiting; the next is read meanwhile. Three
            // batches' storage, refilled in turn.
            var batches = [KafkaMessageBatch(), KafkaMessageBatch(), KafkaMessageBatch()]
            try read(&reader, into: &batches[0])
            var turn = 0
            while !batches[turn % 3].isEmpty {
                let previous = unconfirmed.last
                unconfirmed.append(producer.enqueue(batches[turn % 3], to: topic, after: previous))
                turn += 1
                if let previous {
                    await previous.enqueued()
                    if previous.enqueueFailed { break }
                }
                while let oldest = unconfirmed.first, oldest.isSettled { await confirm(unconfirmed.removeFirst()) }
                if firstError != nil { break }
                try Task.checkCancellation()
                try read(&reader, into: &batches[turn % 3])
            }
        } catch {
            firstError = error
        }
        for pending in unconfirmed { await confirm(pending) }
        if let firstError { throw firstError }
    }

    /// Refills `batch` with the next `batchSize` lines (fewer at the end of the file).
    private func read(_ reader: inout JSONLinesReader, into batch: inout KafkaMessageBatch) throws {
        batch.removeAll()
        while batch.count < batchSize {
            let read: Void? = try reader.next { line, number in
                let key = try keyField.map { try Self.key(of: line, field: $0, at: "\(path):\(number)") } ?? nil
                key.withOptionalBytes { batch.append(key: $0, value: line) }
            }
            if read == nil { return }
        }
    }

    /// The record key: the line's top-level `field` as text (strings as they are, numbers and
    /// booleans as JSON), or nil when the field is absent or null.
    static func key(of line: UnsafeRawBufferPointer, field: String, at location: String) throws -> [UInt8]? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
            throw TaskParamError("\(location): not a JSON object, so key_field \(field) cannot be read")
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
