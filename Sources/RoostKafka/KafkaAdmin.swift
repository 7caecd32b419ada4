import CKafka

/// Topic administration and cluster inspection: list topics, create them idempotently, read
/// partition watermarks and a group's committed offsets. Every call is bounded by the config's
/// `requestTimeout` and runs on the client's own queue.
public final class KafkaAdmin: Sendable {
    private let handle: KafkaHandle

    public init(config: KafkaClientConfig) throws {
        handle = try KafkaHandle(RD_KAFKA_PRODUCER, config: config, defaults: [:])
    }

    public func close() async { await handle.close(consumer: false) }

    public func topics() async throws -> [KafkaTopicInfo] {
        try await handle.perform { [handle] _ in try handle.topicsBlocking() }
    }

    public func topic(_ name: String) async throws -> KafkaTopicInfo {
        try await handle.perform { [handle] _ in try handle.topicBlocking(name) }
    }

    public func watermarks(topic: String) async throws -> [KafkaWatermarks] {
        try await handle.perform { [handle] _ in try handle.watermarksBlocking(topic: topic) }
    }

    public enum CreateOutcome: String, Sendable { case created, existed }

    /// Creates `name` unless it exists; an existing topic is left as it is (its partition count is
    /// in `topic(_:)`).
    @discardableResult
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int) async throws -> CreateOutcome {
        if try await topics().contains(where: { $0.name == name }) { return .existed }
        if handle.config.isEmbedded {
            try await requestEmbeddedTopic(name, partitions: partitions, config: handle.config)
            return .created
        }
        return try await handle.perform { [handle] rk in
            let (created, reason) = KafkaError.withErrorBuffer {
                rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), $0, $1)
            }
            guard let newTopic = created else { throw KafkaError("cannot create topic \(name): \(reason)") }
            defer { rd_kafka_NewTopic_destroy(newTopic) }
            let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            let timeout = handle.config.requestTimeoutMilliseconds
            _ = KafkaError.withErrorBuffer { rd_kafka_AdminOptions_set_request_timeout(options, timeout, $0, $1) }
            _ = KafkaError.withErrorBuffer { rd_kafka_AdminOptions_set_operation_timeout(options, timeout, $0, $1) }
            let queue = rd_kafka_queue_new(rk)
            defer { rd_kafka_queue_destroy(queue) }
            var topics: [OpaquePointer?] = [newTopic]
            rd_kafka_CreateTopics(rk, &topics, 1, options, queue)
            // The admin request is bounded by the options; the margin covers its own bookkeeping.
            guard let event = rd_kafka_queue_poll(queue, timeout + 5000) else {
                throw handle.timeoutError("no answer to CreateTopics for \(name)")
            }
            defer { rd_kafka_event_destroy(event) }
            let eventCode = rd_kafka_event_error(event)
            guard eventCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError("cannot create topic \(name): \(String(cString: rd_kafka_event_error_string(event)))",
                                 code: eventCode.rawValue)
            }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                  let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1,
                  let topicResult = results[0] else {
                throw KafkaError("cannot create topic \(name): the broker's answer names no topic")
            }
            switch rd_kafka_topic_result_error(topicResult) {
            case RD_KAFKA_RESP_ERR_NO_ERROR: return .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return .existed
            case let code:
                let reason = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? KafkaError.reason(code)
                throw KafkaError("cannot create topic \(name): \(reason)", code: code.rawValue)
            }
        }
    }
}
