import CKafka
import Synchronization

/// What a batch of sends achieved: records delivered per partition, with the offset range written.
public struct DeliveryReport: Sendable, Equatable {
    public struct PartitionRange: Sendable, Equatable {
        public var count: Int
        public var firstOffset: Int64
        public var lastOffset: Int64
    }
    public var partitions: [Int32: PartitionRange] = [:]
    public var delivered: Int { partitions.values.reduce(0) { $0 + $1.count } }

    public init() {}

    /// Adds another batch's deliveries, e.g. to total a task's sends.
    public mutating func merge(_ other: DeliveryReport) {
        for (partition, range) in other.partitions {
            guard let mine = partitions[partition] else { partitions[partition] = range; continue }
            partitions[partition] = PartitionRange(count: mine.count + range.count, firstOffset: min(mine.firstOffset, range.firstOffset),
                                                   lastOffset: max(mine.lastOffset, range.lastOffset))
        }
    }
}

/// Some records of a batch were not delivered. `reason` is librdkafka's, for the first failure.
public struct KafkaDeliveryError: Error, CustomStringConvertible, Sendable {
    public let topic: String
    public let failed: Int
    public let reason: String
    public let code: Int32
    /// What was delivered nonetheless (librdkafka does not undo it).
    public let report: DeliveryReport
    public var description: String { "\(failed) of \(failed + report.delivered) records to \(topic) were not delivered: \(reason)" }
}

/// Records handed to `KafkaProducer.enqueue`: `enqueued()` waits until they are in librdkafka's
/// queue, `report()` until every delivery report is in.
public struct PendingDelivery: Sendable {
    let batch: DeliveryBatch

    /// Waits until the records are in librdkafka's queue (or enqueueing failed).
    public func enqueued() async { await batch.enqueued() }

    /// Enqueueing stopped at a record librdkafka refused (or the producer was closed, or an
    /// earlier batch's enqueueing failed): later records were not sent, and `report()` will throw
    /// once the earlier ones are reported. Known once `enqueued()` has returned.
    public var enqueueFailed: Bool { batch.enqueueFailed }

    /// Every report is in: `report()` returns without waiting.
    public var isSettled: Bool { batch.isSettled }

    /// What was delivered, once every enqueued record's report is in. Throws `KafkaDeliveryError`
    /// if any record was not delivered, or the enqueueing error.
    public func report() async throws -> DeliveryReport { try await batch.result() }
}

/// One enqueue's bookkeeping. Its records' librdkafka opaque is this object, unretained: the batch
/// holds itself from `expect` until its last report is in (one retain per batch, not per record).
/// `pending` starts at one for the enqueueing itself, so the batch cannot settle before every
/// record is enqueued.
final class DeliveryBatch: Sendable {
    private struct State {
        var pending = 1
        /// Delivered records per partition, indexed by partition number (count 0: none yet).
        var partitions: [DeliveryReport.PartitionRange] = []
        var failed = 0
        var firstFailure: (code: Int32, reason: String)?
        var enqueueError: KafkaError?
        var result: Result<DeliveryReport, Error>?
        var waiter: CheckedContinuation<DeliveryReport, Error>?
        /// `expect` retained the batch for its records' opaque.
        var retained = false
        var enqueued = false
        var enqueuedWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func delivered(partition: Int, offset: Int64) {
            if partition >= partitions.count {
                partitions += Array(repeating: .init(count: 0, firstOffset: 0, lastOffset: 0), count: partition + 1 - partitions.count)
            }
            if partitions[partition].count == 0 {
                partitions[partition] = .init(count: 1, firstOffset: offset, lastOffset: offset)
            } else {
                partitions[partition].count += 1
                partitions[partition].firstOffset = min(partitions[partition].firstOffset, offset)
                partitions[partition].lastOffset = max(partitions[partition].lastOffset, offset)
            }
        }

        var report: DeliveryReport {
            var report = DeliveryReport()
            for (partition, range) in partitions.enumerated() where range.count > 0 { report.partitions[Int32(partition)] = range }
            return report
        }
    }
    let topic: String
    private let state = Mutex(State())

    init(topic: String) {
        self.topic = topic
    }

    /// Announces `count` records about to be handed to librdkafka (so an early report cannot
    /// settle the batch) and returns their opaque.
    func expect(_ count: Int) -> UnsafeMutableRawPointer {
        state.withLock { state in
            state.pending += count
            state.retained = true
        }
        return Unmanaged.passRetained(self).toOpaque()
    }

    /// The enqueueing ended, normally or with `error` after which the last `refused` records
    /// announced by `expect` were not sent (no report will come for them).
    func enqueueFinished(error: KafkaError?, refused: Int) {
        var waiters: [CheckedContinuation<Void, Never>] = []
        let release = finish(reports: 1 + refused) { state in
            state.enqueueError = error
            state.enqueued = true
            swap(&waiters, &state.enqueuedWaiters)
        }
        for waiter in waiters { waiter.resume() }
        if release { Unmanaged.passUnretained(self).release() }
    }

    func enqueued() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.enqueued { state.enqueuedWaiters.append(continuation) }
                return state.enqueued
            }
            if done { continuation.resume() }
        }
    }

    var enqueueFailed: Bool { state.withLock { $0.enqueueError != nil } }

    var isSettled: Bool { state.withLock { $0.result != nil } }

    /// A delivery report for a record whose opaque `expect` returned.
    static func delivered(_ message: rd_kafka_message_t, opaque: UnsafeMutableRawPointer) {
        let failure = message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil
            // Not rd_kafka_message_errstr: in a delivery report the payload is the record, not a reason.
            : (code: message.err.rawValue, reason: KafkaError.reason(message.err))
        let unmanaged = Unmanaged<DeliveryBatch>.fromOpaque(opaque)
        let release = unmanaged._withUnsafeGuaranteedRef { batch in
            batch.finish(reports: 1) { state in
                if let failure {
                    state.failed += 1
                    if state.firstFailure == nil { state.firstFailure = failure }
                } else {
                    state.delivered(partition: Int(message.partition), offset: message.offset)
                }
            }
        }
        // Outside the borrow above: this may free the batch.
        if release { unmanaged.release() }
    }

    /// Waits until nothing is pending any more.
    func result() async throws -> DeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Applies `change` for `reports` fewer pending reports and, when none is pending any more,
    /// settles the result; true when the caller must then release the reference `expect` took.
    private func finish(reports: Int, _ change: (inout State) -> Void) -> Bool {
        let settled: (waiter: CheckedContinuation<DeliveryReport, Error>?, result: Result<DeliveryReport, Error>, retained: Bool)? =
            state.withLock { state in
                change(&state)
                state.pending -= reports
                guard state.pending == 0 else { return nil }
                let result: Result<DeliveryReport, Error>
                if let failure = state.firstFailure {
                    result = .failure(KafkaDeliveryError(topic: topic, failed: state.failed, reason: failure.reason,
                                                         code: failure.code, report: state.report))
                } else if let error = state.enqueueError {
                    result = .failure(error)
                } else {
                    result = .success(state.report)
                }
                state.result = result
                defer { state.waiter = nil }
                return (state.waiter, result, state.retained)
            }
        guard let settled else { return false }
        settled.waiter?.resume(with: settled.result)
        return settled.retained
    }
}
