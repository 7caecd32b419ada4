import RoostKafka

/// Every record a topic holds now, read by explicit assignment (no group membership).
public func readWholeTopic(_ config: KafkaClientConfig, topic: String, group: String = "roost-test-reader") async throws -> [KafkaRecord] {
    let consumer = try KafkaBoundedConsumer(config: config, groupID: group, topic: topic)
    do {
        try await consumer.assign(try await consumer.watermarks().map { KafkaOffsetRange(partition: $0.partition, start: $0.low, end: $0.high) })
        var records: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch() { records += batch }
        await consumer.close()
        return records
    } catch {
        await consumer.close()
        throw error
    }
}
