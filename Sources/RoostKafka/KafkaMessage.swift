import Foundation

/// One record header. Kafka allows repeated keys and null values, so headers are an ordered list.
public struct KafkaHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A record to produce.
public struct KafkaMessage: Sendable, Hashable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch; nil lets librdkafka stamp the send time.
    public var timestampMilliseconds: Int64?
    /// nil lets the partitioner choose (by key hash when there is a key).
    public var partition: Int32?

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil,
                partition: Int32? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.partition = partition
    }
}

/// A consumed record.
public struct KafkaRecord: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]?
    public let headers: [KafkaHeader]
    /// Milliseconds since the epoch, or nil when the record carries none.
    public let timestampMilliseconds: Int64?
}
