import Foundation
import RoostKafka

/// Publishes each non-empty line of a JSON-lines file as one record, in batches whose delivery is
/// awaited before the next, so memory holds one batch whatever the file's size. Shared by the
/// `kafka_produce` task type and `roost kafka produce`.
public struct JSONLinesProducer: Sendable {
    public let path: String
    public let topic: String
    /// A top-level field whose value keys each record; nil for no keys.
    public let keyField: String?
    public let batchSize: Int

    public init(path: String, topic: String, keyField: String?, batchSize: Int = 10_000) {
        self.path = path
        self.topic = topic
        self.keyField = keyField
        self.batchSize = batchSize
    }

    /// Sends the file, adding each batch's deliveries to `report` as they are confirmed (so on an
    /// error `report` still says what was delivered). Two batches are in flight at once, so the
    /// producer never idles while a batch's last delivery reports come back.
    public func send(with producer: KafkaProducer, into report: inout DeliveryReport) async throws {
        var reader = try JSONLinesReader(path: path)
        defer { reader.close() }
        var total = report
        var firstError: Error?
        await withTaskGroup(of: Result<DeliveryReport, Error>.self) { group in
            var inFlight = 0
            func collect(_ result: Result<DeliveryReport, Error>?) {
                inFlight -= 1
                switch result {
                case .success(let delivered): total.merge(delivered)
                case .failure(let error as KafkaDeliveryError):
                    total.merge(error.report)
                    firstError = firstError ?? error
                case .failure(let error): firstError = firstError ?? error
                case nil: break
                }
            }
            do {
                while firstError == nil, let batch = try nextBatch(&reader), !batch.isEmpty {
                    if inFlight == 2 { collect(await group.next()) }
                    group.addTask { [topic] in
                        do { return .success(try await producer.send(batch, to: topic)) } catch { return .failure(error) }
                    }
                    inFlight += 1
                    try Task.checkCancellation()
                }
            } catch {
                firstError = firstError ?? error
            }
            while inFlight > 0 { collect(await group.next()) }
        }
        report = total
        if let firstError { throw firstError }
    }

    private func nextBatch(_ reader: inout JSONLinesReader) throws -> [KafkaMessage]? {
        var batch: [KafkaMessage] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, let line = try reader.next() {
            let key = try keyField.map { try Self.key(of: line, field: $0, at: "\(path):\(reader.lineNumber)") } ?? nil
            batch.append(KafkaMessage(key: key, value: line))
        }
        return batch
    }

    /// The record key: the line's top-level `field` as text (strings as they are, numbers and
    /// booleans as JSON), or nil when the field is absent or null.
    static func key(of line: [UInt8], field: String, at location: String) throws -> [UInt8]? {
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
