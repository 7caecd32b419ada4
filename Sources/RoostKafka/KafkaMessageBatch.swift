/// Records to produce, packed: every key and value is a byte range of one buffer, so a batch of
/// many records is two allocations, not one or two per record. librdkafka does not copy the
/// values: it points into the buffer until each record's delivery report, so an enqueued batch's
/// buffer is held by its `DeliveryBatch` until the last report, and refilling a batch whose buffer
/// is still held (`removeAll`, `append`) first gives it a new one (copy on write).
public struct KafkaMessageBatch: Sendable {
    struct Record: Sendable {
        var key: Range<Int>?
        var value: Range<Int>?
        var headers: [KafkaHeader]
        var timestampMilliseconds: Int64?
        var partition: Int32?
    }

    private(set) var bytes = KafkaMessageBytes(capacity: 0)
    private(set) var records: [Record] = []

    public init() {}

    public init(_ messages: [KafkaMessage]) {
        records.reserveCapacity(messages.count)
        bytes = KafkaMessageBytes(capacity: messages.reduce(0) { $0 + ($1.key?.count ?? 0) + ($1.value?.count ?? 0) })
        for message in messages {
            message.key.withOptionalBytes { key in
                message.value.withOptionalBytes { value in
                    append(key: key, value: value, headers: message.headers,
                           timestampMilliseconds: message.timestampMilliseconds, partition: message.partition)
                }
            }
        }
    }

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    /// Appends a copy of a record; nil key or value is Kafka's null, as in `KafkaMessage`.
    public mutating func append(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [KafkaHeader] = [],
                                timestampMilliseconds: Int64? = nil, partition: Int32? = nil) {
        let needed = (key?.count ?? 0) + (value?.count ?? 0)
        if !isKnownUniquelyReferenced(&bytes) || bytes.count + needed > bytes.capacity {
            bytes = bytes.copy(capacity: max(bytes.capacity, bytes.count + needed, 2 * bytes.count))
        }
        let keyRange = key.map { bytes.append($0) }, valueRange = value.map { bytes.append($0) }
        records.append(Record(key: keyRange, value: valueRange, headers: headers,
                              timestampMilliseconds: timestampMilliseconds, partition: partition))
    }

    /// Empties the batch, keeping its storage for the next records unless librdkafka may still
    /// point into it.
    public mutating func removeAll() {
        if isKnownUniquelyReferenced(&bytes) {
            bytes.count = 0
        } else {
            bytes = KafkaMessageBytes(capacity: bytes.capacity)
        }
        records.removeAll(keepingCapacity: true)
    }
}

/// A batch's packed keys and values, at an address that never changes: librdkafka keeps pointers
/// to the values until their delivery reports. Growing means a new buffer (`copy`).
///
/// `@unchecked Sendable`: only `KafkaMessageBatch` writes it, and only while it holds the sole
/// reference; once shared (enqueued), it is only read.
final class KafkaMessageBytes: @unchecked Sendable {
    /// Never null, even when empty: an empty key or value still needs an address.
    let base: UnsafeMutableRawPointer
    let capacity: Int
    fileprivate(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: max(capacity, 1), alignment: 1)
    }

    deinit { base.deallocate() }

    fileprivate func copy(capacity: Int) -> KafkaMessageBytes {
        let copy = KafkaMessageBytes(capacity: capacity)
        copy.base.copyMemory(from: base, byteCount: count)
        copy.count = count
        return copy
    }

    fileprivate func append(_ field: UnsafeRawBufferPointer) -> Range<Int> {
        let start = count
        if let source = field.baseAddress { (base + start).copyMemory(from: source, byteCount: field.count) }
        count += field.count
        return start..<count
    }
}
