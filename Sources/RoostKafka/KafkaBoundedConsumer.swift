import CKafka
import Synchronization

/// Reads fixed offset ranges by explicit assignment (no group membership, so no rebalance waits)
/// and commits to the consumer group `groupID` only when told, so lag tools see progress.
///
/// Typical use: `committedOffsets` and `watermarks` to plan ranges, `assign`, `nextBatch` until
/// nil, then `commit` the ranges' ends once the records are safely stored.
public final class KafkaBoundedConsumer: Sendable {
    public static let defaults = [
        "enable.auto.commit": "false", "enable.auto.offset.store": "false", "enable.partition.eof": "true",
        // A range start that retention already removed is an error, never a silent skip.
        "auto.offset.reset": "error",
        // A fetch parked at a finished partition's end delays the next range's first fetch by
        // this much (one fetch in flight per broker); bounded reads never wait for new records.
        "fetch.wait.max.ms": "10",
    ]

    public let topic: String
    public let groupID: String
    /// How long `nextBatch` waits with nothing arriving before it reports a stall.
    public let stallTimeout: Duration
    private let handle: KafkaHandle
    /// Each unfinished partition's end (exclusive); touched only on the handle's queue.
    private let remaining = Mutex<[Int32: Int64]>([:])

    public init(config: KafkaClientConfig, groupID: String, topic: String, stallTimeout: Duration = .seconds(30)) throws {
        self.topic = topic
        self.groupID = groupID
        self.stallTimeout = stallTimeout
        handle = try KafkaHandle(RD_KAFKA_CONSUMER, config: config,
                                 defaults: Self.defaults.merging(["group.id": groupID]) { $1 })
    }

    public func watermarks() async throws -> [KafkaWatermarks] {
        try await handle.perform { [handle, topic] _ in try handle.watermarksBlocking(topic: topic) }
    }

    /// The group's committed offset per partition (nil where the group has none).
    public func committedOffsets(partitions: [Int32]) async throws -> [Int32: Int64?] {
        try await handle.perform { [handle, topic, groupID] rk in
            let list = makePartitionList(topic: topic, partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = rd_kafka_committed(rk, list, handle.config.requestTimeoutMilliseconds)
            if code == RD_KAFKA_RESP_ERR__TIMED_OUT { throw handle.timeoutError("cannot read group \(groupID)'s committed offsets") }
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot read group \(groupID)'s committed offsets", code) }
            var offsets: [Int32: Int64?] = [:]
            for entry in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
                offsets[entry.partition] = entry.offset >= 0 ? entry.offset : nil
            }
            return offsets
        }
    }

    /// Starts reading `ranges` (empty ones are skipped).
    public func assign(_ ranges: [KafkaOffsetRange]) async throws {
        let active = ranges.filter { !$0.isEmpty }
        try await handle.perform { [self] rk in
            remaining.withLock { $0 = Dictionary(uniqueKeysWithValues: active.map { ($0.partition, $0.end) }) }
            let list = makePartitionList(topic: topic, active.map { ($0.partition, $0.start) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = rd_kafka_assign(rk, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot assign \(topic)", code) }
        }
    }

    /// The next records inside the assigned ranges, at most `max`; nil once every range is read.
    public func nextBatch(max: Int = 10_000) async throws -> [KafkaRecord]? {
        try await handle.perform { [self] rk in
            guard !remaining.withLock({ $0.isEmpty }) else { return nil }
            let result = try handle.pollBlocking(max: max, idle: stallTimeout) { message in
                try self.accept(message, rk)
            }
            if result.idle {
                let waiting = remaining.withLock { $0.keys.sorted() }.map(String.init).joined(separator: ", ")
                throw handle.timeoutError("no records from \(topic) partitions \(waiting) for \(stallTimeout) although their ranges are not done;")
            }
            return result.records
        }
    }

    private func accept(_ message: UnsafeMutablePointer<rd_kafka_message_t>, _ rk: OpaquePointer) throws -> (record: KafkaRecord?, stop: Bool) {
        let m = message.pointee
        guard let end = remaining.withLock({ $0[m.partition] }) else { return (nil, false) }
        switch m.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            guard m.offset < end else { return (nil, finish(m.partition, rk)) }
            let record = KafkaRecord(copying: message)
            return (record, m.offset >= end - 1 ? finish(m.partition, rk) : false)
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return (nil, m.offset >= end ? finish(m.partition, rk) : false)
        default:
            throw consumeError(message)
        }
    }

    /// Marks a partition's range done and pauses it so nothing past its end is fetched.
    /// Returns whether every range is now done.
    private func finish(_ partition: Int32, _ rk: OpaquePointer) -> Bool {
        let list = makePartitionList(topic: topic, [(partition, Int64(RD_KAFKA_OFFSET_INVALID))])
        rd_kafka_pause_partitions(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        return remaining.withLock { remaining in
            remaining[partition] = nil
            return remaining.isEmpty
        }
    }

    /// Commits `offsets` (partition → next offset to read) to the group, synchronously.
    public func commit(_ offsets: [Int32: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        try await handle.perform { [topic, groupID] rk in
            let list = makePartitionList(topic: topic, offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let code = rd_kafka_commit(rk, list, 0)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("cannot commit offsets of \(topic) for group \(groupID)", code) }
            for entry in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) where entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError("cannot commit \(topic) [\(entry.partition)] for group \(groupID)", entry.err)
            }
        }
    }

    public func close() async { await handle.close(consumer: true) }
}
