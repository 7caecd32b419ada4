import CKafka

/// A topic as the cluster describes it.
public struct KafkaTopicInfo: Sendable, Equatable {
    public let name: String
    public let partitions: Int
    public let replicationFactor: Int
}

/// A partition's low watermark (oldest offset kept) and high watermark (next offset to be written).
public struct KafkaWatermarks: Sendable, Equatable, Codable {
    public let partition: Int32
    public let low: Int64
    public let high: Int64
}

/// Blocking metadata calls, for use inside `perform` (on the handle's queue).
extension KafkaHandle {
    func topicsBlocking() throws -> [KafkaTopicInfo] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(pointer, 1, nil, &metadata, config.requestTimeoutMilliseconds)
        if code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT {
            throw timeoutError("cannot read the cluster's metadata")
        }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError("cannot read the cluster's metadata", code) }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        return topics.filter { $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }.map { topic in
            KafkaTopicInfo(name: String(cString: topic.topic), partitions: Int(topic.partition_cnt),
                           replicationFactor: topic.partition_cnt > 0 ? Int(topic.partitions[0].replica_cnt) : 0)
        }.sorted { $0.name < $1.name }
    }

    func topicBlocking(_ name: String) throws -> KafkaTopicInfo {
        guard let topic = try topicsBlocking().first(where: { $0.name == name }) else {
            throw KafkaError("unknown topic \(name) at \(config.bootstrapServers)",
                             code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue)
        }
        return topic
    }

    func watermarksBlocking(topic: String) throws -> [KafkaWatermarks] {
        let info = try topicBlocking(topic)
        return try (0..<Int32(info.partitions)).map { partition in
            var low: Int64 = 0, high: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(pointer, topic, partition, &low, &high, config.requestTimeoutMilliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError("cannot read the watermarks of \(topic) [\(partition)]", code)
            }
            return KafkaWatermarks(partition: partition, low: low, high: high)
        }
    }
}
