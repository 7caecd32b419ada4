import CKafka
import Logging
import Synchronization

/// A consumer that subscribes as a member of `groupID` for long-running consumption. Partitions
/// are assigned and revoked by the group (eager or cooperative, as `partition.assignment.strategy`
/// says); offsets are committed only by `commit`, after the caller has stored the records.
/// The caller must keep calling `nextBatch` within `max.poll.interval.ms` to stay in the group.
public final class KafkaGroupConsumer: Sendable {
    public static let defaults = ["enable.auto.commit": "false", "enable.auto.offset.store": "false"]

    public let groupID: String
    private let handle: KafkaHandle

    public init(config: KafkaClientConfig, groupID: String, topics: [String]) throws {
        self.groupID = groupID
        handle = try KafkaHandle(RD_KAFKA_CONSUMER, config: config, defaults: Self.defaults.merging(["group.id": groupID]) { $1 }) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { rk, code, partitions, opaque in
                guard let rk, let opaque else { return }
                Unmanaged<KafkaHandleEvents>.fromOpaque(opaque).takeUnretainedValue().rebalance(rk, code, partitions)
            }
        }
        // Consumed messages arrive on the consumer queue, not the main one.
        rd_kafka_poll_set_consumer(handle.pointer)
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let code = rd_kafka_subscribe(handle.pointer, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot subscribe to \(topics.joined(separator: ", "))", code) }
    }

    /// The partitions this member holds now, as "topic/partition".
    public var assignment: Set<KafkaTopicPartition> { handle.events.assignment }

    /// Records that arrive within `wait`, at most `max` (empty if none arrived).
    public func nextBatch(max: Int = 10_000, wait: Duration = .seconds(1)) async throws -> [KafkaRecord] {
        try await handle.perform { [handle] _ in
            try handle.pollBlocking(max: max, idle: wait) { message in
                switch message.pointee.err {
                case RD_KAFKA_RESP_ERR_NO_ERROR: return (KafkaRecord(copying: message), false)
                case RD_KAFKA_RESP_ERR__PARTITION_EOF: return (nil, false)
                default: throw consumeError(message)
                }
            }.records
        }
    }

    /// Commits the offset after each partition's last record in `records`, synchronously.
    public func commit(_ records: [KafkaRecord]) async throws {
        var next: [KafkaTopicPartition: Int64] = [:]
        for record in records {
            let key = KafkaTopicPartition(topic: record.topic, partition: record.partition)
            next[key] = max(next[key] ?? 0, record.offset + 1)
        }
        guard !next.isEmpty else { return }
        try await handle.perform { [groupID, next] rk in
            let list = rd_kafka_topic_partition_list_new(Int32(next.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (key, offset) in next { rd_kafka_topic_partition_list_add(list, key.topic, key.partition).pointee.offset = offset }
            let code = rd_kafka_commit(rk, list, 0)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot commit offsets for group \(groupID)", code) }
        }
    }

    /// Leaves the group (revoking the assignment) and frees the client.
    public func close() async { await handle.close(consumer: true) }
}

/// One partition of one topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32
    public var description: String { "\(topic)/\(partition)" }
}

extension KafkaHandleEvents {
    private static let rebalanceLogger = Logger(label: "roost.kafka.rebalance")

    /// Applies a group rebalance on the consumer's polling thread, eager or cooperative.
    func rebalance(_ rk: OpaquePointer, _ code: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let changed = partitions.map { list in
            UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
                KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
            }
        } ?? []
        let assigning = code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
        var failure: KafkaError?
        switch (assigning, cooperative) {
        case (true, true):
            if let error = rd_kafka_incremental_assign(rk, partitions) { failure = KafkaError("incremental assign", taking: error) }
        case (false, true):
            if let error = rd_kafka_incremental_unassign(rk, partitions) { failure = KafkaError("incremental unassign", taking: error) }
        case (true, false):
            let result = rd_kafka_assign(rk, partitions)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR { failure = KafkaError("assign", result) }
        case (false, false):
            let result = rd_kafka_assign(rk, nil)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR { failure = KafkaError("unassign", result) }
        }
        if let failure { record(error: failure) }
        updateAssignment(adding: assigning ? changed : [], removing: assigning ? [] : changed, replace: !cooperative && assigning)
        Self.rebalanceLogger.info("group rebalance", metadata: [
            "event": "\(assigning ? "assigned" : "revoked")", "partitions": "\(changed.map(\.description).joined(separator: ","))",
        ])
    }
}
