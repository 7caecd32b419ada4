import CKafka
import Foundation
import Logging

/// Creating topics on the embedded cluster from other processes. librdkafka's mock answers no
/// CreateTopics, so the process that owns the cluster (`roost dev kafka`) reads create requests
/// from a control topic on the cluster itself and applies them with the mock API; the requesting
/// client then waits until the topic appears in the metadata. Only the Kafka protocol is used.
struct EmbeddedTopicRequest: Codable, Sendable {
    static let controlTopic = "__roost_embedded_control"
    let topic: String
    let partitions: Int
}

extension EmbeddedKafkaCluster {
    /// Applies topic requests until the surrounding task is cancelled.
    public func serveTopicRequests(logger: Logger) async throws {
        try? await createTopic(EmbeddedTopicRequest.controlTopic, partitions: 1)
        let reader = try KafkaHandle(RD_KAFKA_CONSUMER, config: KafkaClientConfig(bootstrapServers: bootstrapServers),
                                     defaults: ["group.id": "roost-embedded-control", "enable.auto.commit": "false", "log_level": "3"])
        try await reader.perform { rk in
            let list = makePartitionList(topic: EmbeddedTopicRequest.controlTopic, [(0, Int64(RD_KAFKA_OFFSET_BEGINNING))])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = rd_kafka_assign(rk, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot read the embedded cluster's control topic", code) }
        }
        do {
            try await serve(reader, logger: logger)
            await reader.close(consumer: true)
        } catch {
            await reader.close(consumer: true)
            throw error
        }
    }

    private func serve(_ reader: KafkaHandle, logger: Logger) async throws {
        while !Task.isCancelled {
            let records = try await reader.perform { _ in
                try reader.pollBlocking(max: 100, idle: .milliseconds(500)) { message in
                    (message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR ? KafkaRecord(copying: message) : nil, false)
                }.records
            }
            for record in records {
                guard let value = record.value, let request = try? JSONDecoder().decode(EmbeddedTopicRequest.self, from: Data(value)) else {
                    continue
                }
                do {
                    try await createTopic(request.topic, partitions: request.partitions)
                    logger.info("topic created", metadata: ["topic": "\(request.topic)", "partitions": "\(request.partitions)"])
                } catch let error as KafkaError where error.is(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                    continue
                }
            }
        }
    }
}

extension KafkaAdmin {
    /// Asks the process owning an embedded cluster to create `name`, then waits until it exists.
    func requestEmbeddedTopic(_ name: String, partitions: Int, config: KafkaClientConfig) async throws {
        let producer = try KafkaProducer(config: config)
        let request = try JSONEncoder().encode(EmbeddedTopicRequest(topic: name, partitions: partitions))
        do {
            try await producer.send([KafkaMessage(value: Array(request))], to: EmbeddedTopicRequest.controlTopic)
            try await producer.close()
        } catch {
            try? await producer.close(flushTimeout: .zero)
            throw error
        }
        let deadline = ContinuousClock.now + config.requestTimeout
        while ContinuousClock.now < deadline {
            if try await topics().contains(where: { $0.name == name }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw KafkaError("topic \(name) was requested from the embedded cluster but did not appear within \(config.requestTimeout): "
                         + "is `roost dev kafka` running?")
    }
}
