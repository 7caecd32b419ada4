/// Records to produce, packed: every key and value is a byte range of one buffer, so a batch of
/// many records is two allocations, not one or two per record, and its storage can be refilled
/// for the next batch (`removeAll`). librdkafka copies each record when it is enqueued.
public struct KafkaMessageBatch: Sendable {
    struct Record: Sendable {
        var key: Range<Int>?
        var value: Range<Int>?
        var headers: [KafkaHeader]
        var timestampMilliseconds: Int64?
        var partition: Int32?
    }

    private var bytes: [UInt8] = []
    private(set) var records: [Record] = []

    public init() {}

    public init(_ messages: [KafkaMessage]) {
        records.reserveCapacity(messages.count)
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
        let keyRange = key.map { store($0) }, valueRange = value.map { store($0) }
        records.append(Record(key: keyRange, value: valueRange, headers: headers,
                              timestampMilliseconds: timestampMilliseconds, partition: partition))
    }

    /// Empties the batch, keeping its storage for the next records.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
    }

    private mutating func store(_ field: UnsafeRawBufferPointer) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: field)
        return start..<bytes.count
    }

    /// Calls `body` with the buffer's base address; each record's ranges are offsets from it.
    func withBytes<T>(_ body: (UnsafeRawPointer?) throws -> T) rethrows -> T {
        try bytes.withUnsafeBytes { try body($0.baseAddress) }
    }
}
