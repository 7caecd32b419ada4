import Foundation
import RoostKafka
import RoostRuntime
import RoostTestSupport
import Testing

/// `JSONLinesProducer` against an embedded cluster: batches are queued behind one another, and a
/// refused line still ends the file there.
struct JSONLinesProducerTests {
    @Test func aRefusedLineEndsTheFileThereThoughLaterBatchesWereQueued() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("lines", partitions: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-lines-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Line 5 is longer than message.max.bytes, so librdkafka refuses it when it is enqueued.
        let lines = (1...40).map { $0 == 5 ? #"{"n":5,"pad":"\#(String(repeating: "x", count: 2000))"}"# : #"{"n":\#($0)}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers, properties: ["message.max.bytes": "1500"])
        let producer = try KafkaProducer(config: config)
        var report = DeliveryReport()
        let error = await #expect(throws: KafkaError.self) {
            try await JSONLinesProducer(path: path, topic: "lines", keyField: nil, batchSize: 2).send(with: producer, into: &report)
        }
        #expect(error?.message.hasPrefix("cannot produce to lines: ") == true)
        #expect(report.delivered == 4)
        try await producer.close()
        let values = try await readWholeTopic(config, topic: "lines").map { String(decoding: $0.value!, as: UTF8.self) }
        #expect(values == (1...4).map { #"{"n":\#($0)}"# })
    }

    @Test func everyLineArrivesInOrderWithItsKey() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("keyed", partitions: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-lines-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = (1...250).map { #"{"id":"k\#($0 % 7)","n":\#($0)}"# }
        try (lines.joined(separator: "\r\n") + "\n\n").write(toFile: path, atomically: true, encoding: .utf8)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(config: config)
        var report = DeliveryReport()
        try await JSONLinesProducer(path: path, topic: "keyed", keyField: "id", batchSize: 16).send(with: producer, into: &report)
        try await producer.close()
        #expect(report.delivered == 250)
        let range = try #require(report.partitions[0])
        #expect((range.count, range.firstOffset, range.lastOffset) == (250, 0, 249))
        let records = try await readWholeTopic(config, topic: "keyed")
        #expect(records.map { String(decoding: $0.value!, as: UTF8.self) } == lines)
        #expect(records.map { String(decoding: $0.key!, as: UTF8.self) } == (1...250).map { "k\($0 % 7)" })
    }
}
