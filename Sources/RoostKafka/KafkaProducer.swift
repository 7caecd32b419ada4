import CKafka
import Foundation
import Synchronization

/// A Kafka producer: idempotent with `acks=all` unless the properties say otherwise.
///
/// `send` enqueues a batch and returns when every record's delivery report has arrived, so one
/// await covers many records; `enqueue` returns as soon as the batch is in librdkafka's queue, for
/// streams of batches. A dedicated poll thread serves delivery reports; enqueueing runs on the
/// handle's queue and blocks there (not on the cooperative pool) while the producer queue is full,
/// so memory is bounded by `queue.buffering.max.*`, not by the number of records.
public final class KafkaProducer: Sendable {
    public static let defaults = ["enable.idempotence": "true", "acks": "all"]

    private let handle: KafkaHandle
    private let pollLoop: ProducerPollLoop
    private let closed = Atomic<Bool>(false)

    public init(config: KafkaClientConfig) throws {
        handle = try KafkaHandle(RD_KAFKA_PRODUCER, config: config, defaults: Self.defaults) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                let batch = Unmanaged<DeliveryBatch>.fromOpaque(opaque).takeRetainedValue()
                let m = message.pointee
                // Not rd_kafka_message_errstr: in a delivery report the payload is the record, not a reason.
                let failure = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : (code: m.err.rawValue, reason: KafkaError.reason(m.err))
                batch.delivered(partition: m.partition, offset: m.offset, error: failure)
            }
        }
        pollLoop = ProducerPollLoop(handle: handle)
    }

    deinit { pollLoop.requestStop(flushTimeout: .zero, then: nil) }

    /// The last client-level error librdkafka reported (broker down, authentication failed, …).
    /// librdkafka retries most of them itself; this is for logs, health checks and tests.
    public var lastClientError: KafkaError? { handle.events.lastError }

    /// Sends `messages` to `topic` and waits for all their delivery reports. Throws
    /// `KafkaDeliveryError` with librdkafka's reason if any record was not delivered.
    @discardableResult
    public func send(_ messages: [KafkaMessage], to topic: String) async throws -> DeliveryReport {
        if messages.isEmpty { return DeliveryReport() }
        return try await enqueue(messages, to: topic).report()
    }

    /// Hands `messages` to librdkafka and returns once all are in its queue, without waiting for
    /// their delivery: a caller streaming many records enqueues batch after batch and awaits the
    /// reports later, so librdkafka's queue stays full and memory stays bounded by
    /// `queue.buffering.max.messages` / `queue.buffering.max.kbytes` (enqueueing waits while the
    /// queue is full).
    public func enqueue(_ messages: [KafkaMessage], to topic: String) async -> PendingDelivery {
        let batch = DeliveryBatch(topic: topic)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            handle.queue.async { [self] in
                batch.enqueueFinished(error: enqueueBlocking(messages, to: topic, batch: batch))
                continuation.resume()
            }
        }
        return PendingDelivery(batch: batch)
    }

    /// Enqueues on the handle's queue; the first error, after which nothing more was enqueued.
    private func enqueueBlocking(_ messages: [KafkaMessage], to topic: String, batch: DeliveryBatch) -> KafkaError? {
        // Checked on the queue: `close` sets the flag and then waits for the queue, so no
        // enqueue can reach a handle that is being flushed and destroyed.
        guard !closed.load(ordering: .acquiring) else { return KafkaError("the producer is closed") }
        guard let topicHandle = rd_kafka_topic_new(handle.pointer, topic, nil) else {
            return KafkaError("cannot produce to \(topic)", rd_kafka_last_error())
        }
        // Reference-counted: records still in flight keep the topic alive after this.
        defer { rd_kafka_topic_destroy(topicHandle) }
        for (index, message) in messages.enumerated() {
            if let error = Self.enqueue(message, topic: topicHandle, batch: batch, on: handle.pointer) { return error }
            // Delivery reports served here too, as kcat does: records are then freed on the
            // thread that allocated them (glibc frees those faster), and the poll thread is woken less.
            if index % 1000 == 999 { rd_kafka_poll(handle.pointer, 0) }
        }
        return nil
    }

    /// Waits up to `flushTimeout` for queued records to be delivered, then stops. Records still
    /// queued after that fail their `send` with librdkafka's purge error, and this throws.
    public func close(flushTimeout: Duration = .seconds(30)) async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? await handle.perform { _ in }  // sends already enqueueing finish first
        let undelivered = await withCheckedContinuation { continuation in
            pollLoop.requestStop(flushTimeout: flushTimeout, then: continuation)
        }
        if undelivered > 0 {
            throw KafkaError("\(undelivered) records were still undelivered after the \(flushTimeout) flush bound and were dropped",
                             code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
        }
    }

    /// Hands one message to librdkafka (waiting while its queue is full); nil on success.
    private static func enqueue(_ message: KafkaMessage, topic: OpaquePointer, batch: DeliveryBatch, on rk: OpaquePointer) -> KafkaError? {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                header.value.withOptionalBytes { pointer, count in
                    _ = rd_kafka_header_add(headers, header.key, -1, pointer, count)
                }
            }
        }
        let opaque = Unmanaged.passRetained(batch).toOpaque()
        batch.enqueueing()
        var code = RD_KAFKA_RESP_ERR__QUEUE_FULL
        while code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            code = message.key.withOptionalBytes { key, keyCount in
                message.value.withOptionalBytes { value, valueCount in
                    roost_kafka_produce(rk, topic, message.partition ?? RD_KAFKA_PARTITION_UA, key, keyCount, value, valueCount,
                                        headers, message.timestampMilliseconds ?? 0, opaque)
                }
            }
            // Full: serve delivery reports here until some room is free, as kcat does. (Blocking
            // in librdkafka instead woke this thread for every single freed slot: a context
            // switch per record once the queue had filled.)
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { rd_kafka_poll(rk, 10) }
        }
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }
        Unmanaged<DeliveryBatch>.fromOpaque(opaque).release()
        batch.refused()
        return KafkaError("cannot produce to \(batch.topic)", code)
    }
}

/// The producer's poll thread: serves delivery reports until asked to stop, then flushes with a
/// bound, purges what is left (failing those sends) and lets go of the handle.
private final class ProducerPollLoop: Sendable {
    private struct Stop {
        var flushTimeout: Duration
        var continuation: CheckedContinuation<Int, Never>?
    }
    private let stop = Mutex<Stop?>(nil)

    init(handle: KafkaHandle) {
        let thread = Thread { [self] in run(handle) }
        thread.name = "roost.kafka.producer.poll"
        thread.start()
    }

    func requestStop(flushTimeout: Duration, then continuation: CheckedContinuation<Int, Never>?) {
        stop.withLock { stop in
            if stop == nil { stop = Stop(flushTimeout: flushTimeout, continuation: continuation) }
        }
    }

    private func run(_ handle: KafkaHandle) {
        let rk = handle.pointer
        while true {
            if let request = stop.withLock({ $0 }) {
                rd_kafka_flush(rk, Int32(clamping: request.flushTimeout.components.seconds * 1000
                                            + request.flushTimeout.components.attoseconds / 1_000_000_000_000_000))
                let undelivered = Int(rd_kafka_outq_len(rk))
                if undelivered > 0 {
                    rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
                    rd_kafka_poll(rk, 0)
                }
                handle.destroy()
                request.continuation?.resume(returning: undelivered)
                return
            }
            rd_kafka_poll(rk, 100)
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// The bytes' address and count, or (nil, 0) for nil: librdkafka's "null" key, value or header.
    func withOptionalBytes<T>(_ body: (UnsafeRawPointer?, Int) -> T) -> T {
        guard let self else { return body(nil, 0) }
        return self.withUnsafeBytes { body($0.baseAddress, $0.count) }
    }
}
