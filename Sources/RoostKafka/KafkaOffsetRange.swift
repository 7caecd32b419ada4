/// The records of one partition from `start` (inclusive) to `end` (exclusive): a bounded read.
/// `end` is the high watermark seen when the range was planned, so the range never grows.
public struct KafkaOffsetRange: Sendable, Hashable, Codable {
    public let partition: Int32
    public let start: Int64
    public let end: Int64

    public init(partition: Int32, start: Int64, end: Int64) {
        self.partition = partition
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { start >= end }
    public var count: Int64 { max(0, end - start) }
}
