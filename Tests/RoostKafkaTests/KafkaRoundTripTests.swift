import CKafka
import Foundation
import RoostKafka
import RoostTestSupport
import Testing

/// Producer, bounded consumer and admin against an embedded cluster started by each test.
@Suite struct KafkaRoundTripTests {
    @Test func recordsKeepKeysHeadersValuesAndTimestamps() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        try await cluster.createTopic("round-trip", partitions: 3)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(config: config)
        let messages = (0..<300).map(Self.message)
        let report = try await producer.send(messages, to: "round-trip")
        #expect(report.delivered == 300)
        #expect(report.partitions.keys.sorted() == [0, 1, 2])
        try await producer.close()

        let records = try await readWholeTopic(config, topic: "round-trip")
        #expect(records.count == 300)
        let byIndex = Dictionary(uniqueKeysWithValues: records.map { (String(decoding: $0.headers[0].value!, as: UTF8.self), $0) })
        for (i, message) in messages.enumerated() {
            let record = byIndex[String(i)]
            #expect(record?.key == message.key)
            #expect(record?.value == message.value)
            #expect(record?.headers == message.headers)
            #expect(record?.timestampMilliseconds == message.timestampMilliseconds)
        }
        // The same key always lands on the same partition.
        let partitionsByKey = Dictionary(grouping: records.filter { $0.key != nil }, by: { $0.key! }).mapValues { Set($0.map(\.partition)) }
        #expect(partitionsByKey.values.allSatisfy { $0.count == 1 })
    }

    @Test func aBoundedReadStopsAtTheHighWatermarkSeenAtStartAndCommitsToTheGroup() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("bounded", partitions: 2)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(config: config)
        try await producer.send((0..<40).map { KafkaMessage(value: Array("first-\($0)".utf8)) }, to: "bounded")

        let consumer = try KafkaBoundedConsumer(config: config, groupID: "bounded-group", topic: "bounded")
        #expect(try await consumer.committedOffsets(partitions: [0, 1]) == [0: nil, 1: nil])
        let ranges = try await consumer.watermarks().map { KafkaOffsetRange(partition: $0.partition, start: $0.low, end: $0.high) }
        #expect(ranges.map(\.count).reduce(0, +) == 40)
        // Records produced after the ranges were planned are not read.
        try await producer.send((0..<25).map { KafkaMessage(value: Array("later-\($0)".utf8)) }, to: "bounded")
        try await consumer.assign(ranges)
        var records: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch(max: 7) { records += batch }
        #expect(records.count == 40)
        #expect(records.allSatisfy { String(decoding: $0.value!, as: UTF8.self).hasPrefix("first-") })
        try await consumer.commit(Dictionary(uniqueKeysWithValues: ranges.map { ($0.partition, $0.end) }))
        #expect(try await consumer.committedOffsets(partitions: [0, 1])
                == Dictionary(uniqueKeysWithValues: ranges.map { ($0.partition, Optional($0.end)) }))
        await consumer.close()
        try await producer.close()
    }

    /// Ranges fetched ahead wait on their own partition queues: records still come back range
    /// after range, in the order the ranges were given, each in offset order.
    @Test func rangesAreReadOneAfterAnotherInTheOrderGivenWhileLaterOnesAreFetched() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("ordered", partitions: 4)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(config: config)
        try await producer.send((0..<200).map { KafkaMessage(value: Array("r\($0)".utf8), partition: Int32($0 % 4)) }, to: "ordered")
        try await producer.close()

        let consumer = try KafkaBoundedConsumer(config: config, groupID: "ordered-group", topic: "ordered", readAhead: 2)
        let order: [Int32] = [2, 0, 3, 1]
        try await consumer.assign(order.map { KafkaOffsetRange(partition: $0, start: 5, end: 45) })
        var records: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch(max: 7) { records += batch }
        await consumer.close()
        #expect(records.map(\.partition) == order.flatMap { Array(repeating: $0, count: 40) })
        #expect(records.map(\.offset) == Array(repeating: Array(5..<45), count: 4).flatMap { $0 })
    }

    @Test func aRejectedProduceIsAnErrorWithLibrdkafkasReason() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("rejected", partitions: 1)
        let producer = try KafkaProducer(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers))
        try await producer.send([KafkaMessage(value: Array("warm-up".utf8))], to: "rejected")
        try await cluster.failNextRequests(apiKey: 0, with: Array(repeating: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, count: 5))
        let error = await #expect(throws: KafkaDeliveryError.self) {
            try await producer.send([KafkaMessage(value: Array("refused".utf8))], to: "rejected")
        }
        #expect(error?.reason == "Broker: Message size too large")
        #expect(error?.failed == 1)
        try await producer.close()
    }

    @Test func retriableProduceErrorsAreRetriedAndEveryRecordArrivesOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("retried", partitions: 1)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(config: config)
        try await producer.send([KafkaMessage(value: Array("warm-up".utf8))], to: "retried")
        try await cluster.failNextRequests(apiKey: 0, with: Array(repeating: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, count: 3))
        let report = try await producer.send((0..<500).map { KafkaMessage(value: Array("r-\($0)".utf8)) }, to: "retried")
        #expect(report.delivered == 500)
        try await producer.close()
        let values = try await readWholeTopic(config, topic: "retried").map { String(decoding: $0.value!, as: UTF8.self) }
        #expect(values.count == 501)
        #expect(Set(values).count == 501)
    }

    @Test func anInvalidPropertyIsLibrdkafkasMessageNamingTheKey() throws {
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(config: KafkaClientConfig(bootstrapServers: "127.0.0.1:9", properties: ["no.such.thing": "1"]))
        }
        #expect(error?.message.contains("kafka.properties.no.such.thing") == true)
        #expect(error?.message.contains("No such configuration property") == true)
        let invalid = #expect(throws: KafkaError.self) {
            try KafkaAdmin(config: KafkaClientConfig(bootstrapServers: "127.0.0.1:9", properties: ["acks": "several"]))
        }
        #expect(invalid?.message.contains("kafka.properties.acks") == true)
    }

    @Test func unreachableBrokersAreABoundedClearError() async throws {
        let admin = try KafkaAdmin(config: KafkaClientConfig(bootstrapServers: "127.0.0.1:1", requestTimeout: .seconds(2)))
        let error = await #expect(throws: KafkaError.self) { try await admin.topics() }
        #expect(error?.message.contains("127.0.0.1:1") == true)
    }

    @Test func anUnknownTopicIsNamed() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let admin = try KafkaAdmin(config: KafkaClientConfig(bootstrapServers: cluster.bootstrapServers))
        let error = await #expect(throws: KafkaError.self) { try await admin.watermarks(topic: "missing") }
        #expect(error?.message.hasPrefix("unknown topic missing") == true)
    }

    /// Some records without a key or value, each with a repeatable header and a null header.
    private static func message(_ i: Int) -> KafkaMessage {
        let key: [UInt8]? = i % 7 == 0 ? nil : Array("key-\(i % 10)".utf8)
        let value: [UInt8]? = i % 11 == 0 ? nil : Array("value-\(i)".utf8)
        let headers = [KafkaHeader(key: "n", value: Array(String(i).utf8)), KafkaHeader(key: "empty", value: nil)]
        return KafkaMessage(key: key, value: value, headers: headers, timestampMilliseconds: 1_700_000_000_000 + Int64(i))
    }
}
