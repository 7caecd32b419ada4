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
                DeliveryBatch.delivered(message.pointee, opaque: opaque)
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
        return try await enqueue(KafkaMessageBatch(messages), to: topic).report()
    }

    /// Hands `messages` to librdkafka on the producer's queue and returns at once, without waiting
    /// for their delivery. Batches are enqueued in call order, each after the last, unless
    /// `previous`'s enqueueing failed: then these are not sent, so a stream stops at its first
    /// refused record. A caller streaming many records enqueues the next batch before awaiting
    /// the last one's `enqueued()`, so the producing thread never waits for it, and awaits the
    /// reports later: librdkafka's queue stays full and memory stays bounded by
    /// `queue.buffering.max.messages` / `queue.buffering.max.kbytes` (enqueueing waits while the
    /// queue is full).
    public func enqueue(_ messages: KafkaMessageBatch, to topic: String, after previous: PendingDelivery? = nil) -> PendingDelivery {
        let batch = DeliveryBatch(topic: topic)
        pollLoop.pause()
        handle.queue.async { [self] in
            let (error, refused) = previous?.enqueueFailed == true
                ? (KafkaError("not sent: an earlier batch to \(topic) could not be enqueued"), 0)
                : enqueueBlocking(messages, to: topic, batch: batch)
            batch.enqueueFinished(error: error, refused: refused)
            pollLoop.resume()
        }
        return PendingDelivery(batch: batch)
    }

    /// Enqueues on the handle's queue; the first error, after which nothing more was enqueued,
    /// and how many of the records announced to `batch` that leaves unsent.
    private func enqueueBlocking(_ messages: KafkaMessageBatch, to topic: String, batch: DeliveryBatch) -> (KafkaError?, refused: Int) {
        // Checked on the queue: `close` sets the flag and then waits for the queue, so no
        // enqueue can reach a handle that is being flushed and destroyed.
        guard !closed.load(ordering: .acquiring) else { return (KafkaError("the producer is closed"), 0) }
        guard let topicHandle = rd_kafka_topic_new(handle.pointer, topic, nil) else {
            return (KafkaError("cannot produce to \(topic)", rd_kafka_last_error()), 0)
        }
        // Reference-counted: records still in flight keep the topic alive after this.
        defer { rd_kafka_topic_destroy(topicHandle) }
        let rk = handle.pointer
        let opaque = batch.expect(messages.count)
        return messages.withBytes { base in
            for (index, record) in messages.records.enumerated() {
                let code = Self.enqueue(record, bytes: base, topic: topicHandle, opaque: opaque, on: rk)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    return (KafkaError("cannot produce to \(topic)", code), messages.count - index)
                }
                // Delivery reports are served here while enqueueing (the poll loop is paused).
                if index % 1000 == 999 { rd_kafka_poll(rk, 0) }
            }
            return (nil, 0)
        }
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

    /// Hands one record to librdkafka (waiting while its queue is full); librdkafka's error code.
    private static func enqueue(_ record: KafkaMessageBatch.Record, bytes: UnsafeRawPointer?, topic: OpaquePointer,
                                opaque: UnsafeMutableRawPointer, on rk: OpaquePointer) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                header.value.withOptionalBytes { value in
                    _ = rd_kafka_header_add(headers, header.key, -1, value?.baseAddress, value?.count ?? 0)
                }
            }
        }
        // An empty key or value is not null: it needs an address even when the buffer has none.
        let base = bytes ?? UnsafeRawPointer(bitPattern: 1)!
        let key = record.key.map { base + $0.lowerBound }, value = record.value.map { base + $0.lowerBound }
        var code = RD_KAFKA_RESP_ERR__QUEUE_FULL
        while code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            code = roost_kafka_produce(rk, topic, record.partition ?? RD_KAFKA_PARTITION_UA, key, record.key?.count ?? 0,
                                       value, record.value?.count ?? 0, headers, record.timestampMilliseconds ?? 0, opaque)
            // Full: serve delivery reports here until some room is free, as kcat does. (Blocking
            // in librdkafka instead woke this thread for every single freed slot: a context
            // switch per record once the queue had filled.)
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { rd_kafka_poll(rk, 10) }
        }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return code
    }
}

/// The producer's poll thread: serves delivery reports until asked to stop, then flushes with a
/// bound, purges what is left (failing those sends) and lets go of the handle. It pauses while
/// batches are being enqueued, whose thread serves the reports meanwhile (as kcat's one thread
/// does): records are then freed by the thread that allocated them, and no second thread is
/// woken for each report (a third of the context switches of serving them here).
private final class ProducerPollLoop: Sendable {
    private struct Stop {
        var flushTimeout: Duration
        var continuation: CheckedContinuation<Int, Never>?
    }
    private let stop = Mutex<Stop?>(nil)
    private let handle: KafkaHandle
    private let enqueueing = Atomic<Int>(0)
    private let resumed = DispatchSemaphore(value: 0)

    init(handle: KafkaHandle) {
        self.handle = handle
        let thread = Thread { [self] in run() }
        thread.name = "roost.kafka.producer.poll"
        thread.start()
    }

    /// Pauses the loop until as many `resume` calls: a batch is waiting to be enqueued or being
    /// enqueued, and that thread serves delivery reports meanwhile.
    func pause() { enqueueing.add(1, ordering: .acquiringAndReleasing) }

    func resume() {
        if enqueueing.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { resumed.signal() }
    }

    func requestStop(flushTimeout: Duration, then continuation: CheckedContinuation<Int, Never>?) {
        defer { resumed.signal() }
        stop.withLock { stop in
            guard stop == nil else { return }
            stop = Stop(flushTimeout: flushTimeout, continuation: continuation)
            // Wakes the loop from its poll now rather than at the poll's timeout (a tenth of a
            // second at the end of every run). Under the lock: the loop cannot have seen the stop
            // and destroyed the handle yet.
            let mainQueue = rd_kafka_queue_get_main(handle.pointer)  // the queue rd_kafka_poll serves
            rd_kafka_queue_yield(mainQueue)
            rd_kafka_queue_destroy(mainQueue)
        }
    }

    private func run() {
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
            if enqueueing.load(ordering: .acquiring) > 0 {
                _ = resumed.wait(timeout: .now() + .milliseconds(100))
            } else {
                rd_kafka_poll(rk, 100)
            }
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    /// The bytes, or nil for nil: librdkafka's "null" key, value or header.
    public func withOptionalBytes<T>(_ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        guard let self else { return try body(nil) }
        return try self.withUnsafeBytes { try body($0) }
    }
}
