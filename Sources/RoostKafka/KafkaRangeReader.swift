import CKafka

/// The ranges a `KafkaBoundedConsumer` reads, and the partition queues it reads them from.
/// Used only on the consumer's queue.
///
/// Ranges are read one after another in the order given. The first unfinished one is read; the
/// next `readAhead` are assigned too, so librdkafka fetches them meanwhile. Each assigned
/// partition keeps its records on its own queue (forwarding to the consumer queue is switched off
/// before the assignment), so fetching ahead never interleaves records of different ranges.
/// A finished range's partition is unassigned at once, so nothing past its end is fetched.
struct KafkaRangeReader {
    private struct Assigned {
        let range: KafkaOffsetRange
        let queue: OpaquePointer
    }

    let topic: String
    let readAhead: Int
    /// The consumer handle, owned by the `KafkaHandle` of the consumer that owns this reader.
    private let rk: OpaquePointer
    private var waiting: ArraySlice<KafkaOffsetRange> = []
    /// In reading order: the first is being read.
    private var assigned: [Assigned] = []

    init(topic: String, readAhead: Int, consumer rk: OpaquePointer) {
        self.topic = topic
        self.readAhead = readAhead
        self.rk = rk
    }

    var isDone: Bool { assigned.isEmpty }

    /// The partition being read.
    var current: Int32? { assigned.first?.range.partition }

    /// Replaces what is being read with `ranges` (empty ones are skipped).
    mutating func start(_ ranges: [KafkaOffsetRange]) throws {
        stop()
        waiting = ranges.filter { !$0.isEmpty }[...]
        try assignAhead()
    }

    /// Unassigns everything and lets go of the partition queues (librdkafka wants them released
    /// before the consumer closes).
    mutating func stop() {
        waiting = []
        guard !assigned.isEmpty else { return }
        rd_kafka_assign(rk, nil)
        for entry in assigned { rd_kafka_queue_destroy(entry.queue) }
        assigned = []
    }

    /// Records of the current range, at most `max`, moving on to the next range when one ends.
    /// Waits up to `wait` when nothing has arrived yet; returns what it has as soon as the current
    /// range's queue runs dry (empty: nothing arrived in time).
    mutating func read(max: Int, wait: Duration) throws -> [KafkaRecord] {
        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now + wait
        try withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: max) { messages in
            while records.count < max, let entry = assigned.first {
                let room = max - records.count
                let ready = min(rd_kafka_queue_length(entry.queue), room)
                let count: Int
                if ready > 0 {
                    count = rd_kafka_consume_batch_queue(entry.queue, 0, messages.baseAddress, ready)
                } else if records.isEmpty && ContinuousClock.now < deadline {
                    rd_kafka_poll(rk, 0)  // client errors (for the stall message) and logs
                    count = rd_kafka_consume_batch_queue(entry.queue, 100, messages.baseAddress, 1)
                } else {
                    break
                }
                guard count >= 0 else { throw KafkaError("cannot read \(topic) [\(entry.range.partition)]", rd_kafka_last_error()) }
                let finished = try take(UnsafeMutableBufferPointer(rebasing: messages[..<count]), of: entry.range, into: &records)
                if finished { try finishCurrent() }
            }
        }
        return records
    }

    /// Copies the records inside `range` and destroys every message; returns whether the range is
    /// done (its last record, or the partition's end at or past it, was seen).
    private func take(_ messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>, of range: KafkaOffsetRange,
                      into records: inout [KafkaRecord]) throws -> Bool {
        defer { for message in messages { rd_kafka_message_destroy(message) } }
        var finished = false
        for case let message? in messages where !finished {
            let m = message.pointee
            switch m.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                if m.offset < range.end { records.append(KafkaRecord(copying: message, topic: topic)) }
                finished = m.offset >= range.end - 1
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                finished = m.offset >= range.end
            default:
                throw consumeError(message)
            }
        }
        return finished
    }

    /// Unassigns the finished current range and assigns the next waiting one.
    private mutating func finishCurrent() throws {
        let done = assigned.removeFirst()
        rd_kafka_queue_destroy(done.queue)
        let list = makePartitionList(topic: topic, [(done.range.partition, Int64(RD_KAFKA_OFFSET_INVALID))])
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_incremental_unassign(rk, list) { throw KafkaError("cannot unassign \(topic) [\(done.range.partition)]", taking: error) }
        try assignAhead()
    }

    /// Assigns waiting ranges until `1 + readAhead` are assigned.
    private mutating func assignAhead() throws {
        var starting: [KafkaOffsetRange] = []
        while assigned.count <= readAhead, let range = waiting.popFirst() {
            guard let queue = rd_kafka_queue_get_partition(rk, topic, range.partition) else {
                throw KafkaError("cannot read \(topic) [\(range.partition)]: no such partition")
            }
            // Before the assignment, so the partition's records stay on its own queue from the first.
            rd_kafka_queue_forward(queue, nil)
            assigned.append(Assigned(range: range, queue: queue))
            starting.append(range)
        }
        guard !starting.isEmpty else { return }
        let list = makePartitionList(topic: topic, starting.map { ($0.partition, $0.start) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_incremental_assign(rk, list) { throw KafkaError("cannot assign \(topic)", taking: error) }
    }
}
