import CKafka
import Synchronization

/// Reads fixed offset ranges by explicit assignment (no group membership, so no rebalance waits)
/// and commits to the consumer group `groupID` only when told, so lag tools see progress.
///
/// Ranges are read one after another in the order given, each in offset order, so the same ranges
/// always come back in the same order; the next `readAhead` ranges are fetched meanwhile (see
/// `KafkaRangeReader`). Prefetched records wait in librdkafka's per-partition queues, so memory is
/// bounded by `(1 + readAhead) × queued.max.messages.kbytes` (64 MB by default).
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
        // Per partition queue here (librdkafka's default, 64 MB, bounds a consumer's one shared
        // queue): with the default read-ahead, four partitions prefetch 64 MB in all.
        "queued.max.messages.kbytes": "16384",
    ]

    public let topic: String
    public let groupID: String
    /// How long `nextBatch` waits with nothing arriving before it reports a stall.
    public let stallTimeout: Duration
    private let handle: KafkaHandle
    /// Used only on the handle's queue (the Mutex makes that checkable; it is never contended).
    private let reader: Mutex<KafkaRangeReader>

    /// `readAhead`: how many ranges after the one being read are fetched meanwhile.
    public init(config: KafkaClientConfig, groupID: String, topic: String, stallTimeout: Duration = .seconds(30),
                readAhead: Int = 3) throws {
        self.topic = topic
        self.groupID = groupID
        self.stallTimeout = stallTimeout
        handle = try KafkaHandle(RD_KAFKA_CONSUMER, config: config,
                                 defaults: Self.defaults.merging(["group.id": groupID]) { $1 })
        reader = Mutex(KafkaRangeReader(topic: topic, readAhead: readAhead, consumer: handle.pointer))
    }

    deinit {
        // Partition queues are released before the handle is destroyed (after this body).
        reader.withLock { $0.stop() }
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

    /// Starts reading `ranges` (empty ones are skipped), replacing earlier ones.
    public func assign(_ ranges: [KafkaOffsetRange]) async throws {
        try await handle.perform { [self] _ in
            try reader.withLock { try $0.start(ranges) }
        }
    }

    /// The next records inside the assigned ranges, at most `max`, in reading order (a batch may
    /// end one range and begin the next); nil once every range is read.
    public func nextBatch(max: Int = 10_000) async throws -> [KafkaRecord]? {
        try await handle.perform { [self] _ in
            try reader.withLock { reader in
                guard !reader.isDone else { return nil }
                let records = try reader.read(max: max, wait: stallTimeout)
                if records.isEmpty && !reader.isDone {
                    throw handle.timeoutError("no records from \(topic) [\(reader.current ?? -1)] for \(stallTimeout) although its range is not done;")
                }
                return records.isEmpty ? nil : records
            }
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

    public func close() async {
        _ = try? await handle.perform { [self] _ in reader.withLock { $0.stop() } }
        await handle.close(consumer: true)
    }
}
