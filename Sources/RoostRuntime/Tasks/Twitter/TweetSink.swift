import Foundation
import RoostKafka

/// One tweet on its way to Kafka: keyed by tweet id, stamped with the tweet's creation time.
public struct TweetRecord: Sendable, Hashable {
    public let key: String
    public let value: Data
    public let timestamp: Date
}

/// Where `twitter_ingest` sends tweets. `deliver` returns only once every record is acknowledged,
/// so a checkpoint moved after it never covers a tweet that could still be lost.
public protocol TweetSink: Sendable {
    func deliver(_ records: [TweetRecord], to topic: String) async throws
}

/// The real sink: the worker's Kafka producer (idempotent, acks=all).
public struct KafkaTweetSink: TweetSink {
    let producer: KafkaProducer
    public init(producer: KafkaProducer) { self.producer = producer }

    public func deliver(_ records: [TweetRecord], to topic: String) async throws {
        try await producer.send(records.map { record in
            KafkaMessage(key: Array(record.key.utf8), value: Array(record.value),
                         timestampMilliseconds: Int64((record.timestamp.timeIntervalSince1970 * 1000).rounded()))
        }, to: topic)
    }
}

/// Stands in when this process has no Kafka to produce to, so only tasks that need it fail, saying why.
public struct UnavailableTweetSink: TweetSink {
    let reason: String
    public init(reason: String) { self.reason = reason }

    public func deliver(_ records: [TweetRecord], to topic: String) async throws {
        throw Unavailable(description: "cannot produce to Kafka topic \(topic): \(reason)")
    }

    struct Unavailable: Error, CustomStringConvertible { let description: String }
}
