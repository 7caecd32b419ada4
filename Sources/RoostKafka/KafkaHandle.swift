import CKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// Owns one `rd_kafka_t` and destroys it once. librdkafka's handle is thread-safe for the calls
/// Roost makes from several threads (produce, watermarks, metadata); calls that block run on
/// `queue`, a serial queue owned by this handle, never on Swift's cooperative pool.
final class KafkaHandle: @unchecked Sendable {
    // @unchecked Sendable: `pointer` is set once in init and freed only in `destroy` (on `queue` or
    // after the last reference is gone); librdkafka synchronises its own state.
    let pointer: OpaquePointer
    let events: KafkaHandleEvents
    let queue: DispatchQueue
    let config: KafkaClientConfig
    private let destroyed = Atomic<Bool>(false)

    init(_ type: rd_kafka_type_t, config: KafkaClientConfig, defaults: [String: String],
         configure: (OpaquePointer) -> Void = { _ in }) throws {
        let conf = try config.makeConf(defaults: defaults)
        let events = KafkaHandleEvents()
        KafkaLog.install(on: conf)
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, opaque in
            guard let opaque, let reason else { return }
            Unmanaged<KafkaHandleEvents>.fromOpaque(opaque).takeUnretainedValue()
                .record(error: KafkaError(String(cString: reason), code: code))
        }
        configure(conf)
        let opaque = Unmanaged.passRetained(events).toOpaque()
        rd_kafka_conf_set_opaque(conf, opaque)
        let (created, reason) = KafkaError.withErrorBuffer { rd_kafka_new(type, conf, $0, $1) }
        guard let rk = created else {
            rd_kafka_conf_destroy(conf)
            Unmanaged<KafkaHandleEvents>.fromOpaque(opaque).release()
            throw KafkaError("cannot create a Kafka client: \(reason)")
        }
        self.pointer = rk
        self.events = events
        self.config = config
        self.queue = DispatchQueue(label: "roost.kafka.\(type == RD_KAFKA_PRODUCER ? "producer" : "consumer")")
    }

    /// Runs a blocking call on this handle's queue and awaits its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard !self.isDestroyed else {
                    continuation.resume(throwing: KafkaError("the Kafka client is closed"))
                    return
                }
                continuation.resume(with: Result { try body(self.pointer) })
            }
        }
    }

    var isDestroyed: Bool { destroyed.load(ordering: .acquiring) }

    /// Destroys the handle now (blocking: call it off the cooperative pool). Safe to call twice.
    func destroy() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let opaque = rd_kafka_opaque(pointer)
        rd_kafka_destroy(pointer)
        if let opaque { Unmanaged<KafkaHandleEvents>.fromOpaque(opaque).release() }
    }

    deinit { destroy() }

    /// `context: the last error librdkafka reported`, for bounded waits that ran out.
    func timeoutError(_ context: String) -> KafkaError {
        let last = events.lastError.map { " (last error from librdkafka: \($0.message))" } ?? ""
        return KafkaError("\(context) within \(config.requestTimeout) at \(config.bootstrapServers)\(last)",
                          code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
    }
}

/// What librdkafka reports about a handle through its callbacks, read by Swift code.
final class KafkaHandleEvents: Sendable {
    private let last = Mutex<KafkaError?>(nil)
    private let assigned = Mutex<Set<KafkaTopicPartition>>([])
    private static let logger = Logger(label: "roost.kafka")

    func record(error: KafkaError) {
        last.withLock { $0 = error }
        Self.logger.warning("kafka client error", metadata: ["error": "\(error.message)"])
    }

    var lastError: KafkaError? { last.withLock { $0 } }

    var assignment: Set<KafkaTopicPartition> { assigned.withLock { $0 } }

    func updateAssignment(adding: [KafkaTopicPartition], removing: [KafkaTopicPartition], replace: Bool) {
        assigned.withLock { set in
            if replace { set = [] }
            set.formUnion(adding)
            set.subtract(removing)
        }
    }
}

extension KafkaHandle {
    /// Leaves the group if a consumer (committing nothing) and destroys the handle, on its queue.
    func close(consumer: Bool) async {
        _ = try? await perform { [self] rk in
            if consumer { rd_kafka_consumer_close(rk) }
            destroy()
        }
    }

    /// Polls consumer messages until `max` are accepted, or until the queue is momentarily empty
    /// after at least one, or until `idle` passes with none. `accept` sees each message (owned by
    /// this loop) and returns the records it keeps plus whether reading should stop.
    func pollBlocking(max: Int, idle: Duration,
                      accept: (UnsafeMutablePointer<rd_kafka_message_t>) throws -> (record: KafkaRecord?, stop: Bool))
        throws -> (records: [KafkaRecord], stopped: Bool, idle: Bool) {
        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now + idle
        while records.count < max {
            guard let message = rd_kafka_consumer_poll(pointer, records.isEmpty ? 100 : 0) else {
                if !records.isEmpty { break }
                if ContinuousClock.now >= deadline { return (records, false, true) }
                continue
            }
            defer { rd_kafka_message_destroy(message) }
            let (record, stop) = try accept(message)
            if let record { records.append(record) }
            if stop { return (records, true, false) }
        }
        return (records, false, false)
    }
}

/// A consumed message that is an error rather than a record.
func consumeError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError {
    let m = message.pointee
    let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
    return KafkaError("cannot read \(topic) [\(m.partition)] at offset \(m.offset): \(String(cString: rd_kafka_message_errstr(message)))",
                      code: m.err.rawValue)
}

/// Builds a `rd_kafka_topic_partition_list_t` (the caller destroys it).
func makePartitionList(topic: String, _ offsets: [(partition: Int32, offset: Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
    for (partition, offset) in offsets {
        rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
    }
    return list
}
