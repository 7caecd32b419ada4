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

/// Records handed to librdkafka by one `KafkaProducer.enqueue`, whose delivery reports are still
/// coming in. `report()` waits for all of them.
public struct PendingDelivery: Sendable {
    let batch: DeliveryBatch

    /// Enqueueing stopped at a record librdkafka refused (or the producer was closed): later
    /// records were not sent, and `report()` will throw once the earlier ones are reported.
    public var enqueueFailed: Bool { batch.enqueueFailed }

    /// Every report is in: `report()` returns without waiting.
    public var isSettled: Bool { batch.isSettled }

    /// What was delivered, once every enqueued record's report is in. Throws `KafkaDeliveryError`
    /// if any record was not delivered, or the enqueueing error.
    public func report() async throws -> DeliveryReport { try await batch.result() }
}

/// One enqueue's bookkeeping: each enqueued message holds a retained reference (its librdkafka
/// opaque) until its delivery report arrives on the producer's poll thread. `pending` starts at
/// one for the enqueueing itself, so the batch cannot finish before every message is enqueued.
final class DeliveryBatch: Sendable {
    private struct State {
        var pending = 1
        var report = DeliveryReport()
        var failed = 0
        var firstFailure: (code: Int32, reason: String)?
        var enqueueError: KafkaError?
        var result: Result<DeliveryReport, Error>?
        var waiter: CheckedContinuation<DeliveryReport, Error>?
    }
    let topic: String
    private let state = Mutex(State())

    init(topic: String) {
        self.topic = topic
    }

    /// Called before handing a message to librdkafka, so an early report cannot end the batch.
    func enqueueing() { state.withLock { $0.pending += 1 } }

    /// librdkafka refused the message `enqueueing` announced; no report will come for it.
    func refused() { state.withLock { $0.pending -= 1 } }

    /// The enqueueing ended, normally or with `error` (later messages were not sent).
    func enqueueFinished(error: KafkaError?) {
        finish { state in
            state.enqueueError = error
        }
    }

    var enqueueFailed: Bool { state.withLock { $0.enqueueError != nil } }

    var isSettled: Bool { state.withLock { $0.result != nil } }

    func delivered(partition: Int32, offset: Int64, error: (code: Int32, reason: String)?) {
        finish { state in
            if let error {
                state.failed += 1
                if state.firstFailure == nil { state.firstFailure = error }
            } else if var range = state.report.partitions[partition] {
                range.count += 1
                range.firstOffset = min(range.firstOffset, offset)
                range.lastOffset = max(range.lastOffset, offset)
                state.report.partitions[partition] = range
            } else {
                state.report.partitions[partition] = .init(count: 1, firstOffset: offset, lastOffset: offset)
            }
        }
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

    /// Applies `change` and, when nothing is pending any more, settles the result.
    private func finish(_ change: (inout State) -> Void) {
        let done: (CheckedContinuation<DeliveryReport, Error>, Result<DeliveryReport, Error>)? = state.withLock { state in
            change(&state)
            state.pending -= 1
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
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, result)
        }
        if let (waiter, result) = done { waiter.resume(with: result) }
    }
}
