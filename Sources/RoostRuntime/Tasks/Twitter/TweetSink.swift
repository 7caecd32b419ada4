import Foundation
import RoostCore
import RoostKafka
import Synchronization

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

/// The real sink: one producer (idempotent, acks=all) shared by the process's tries, created at the
/// first delivery so that processes which never ingest never start one.
public final class KafkaTweetSink: TweetSink {
    private let kafka: RoostConfig.Kafka
    private let producer = Mutex<KafkaProducer?>(nil)

    public init(kafka: RoostConfig.Kafka) { self.kafka = kafka }

    public func deliver(_ records: [TweetRecord], to topic: String) async throws {
        let producer = try self.producer.withLock { producer in
            if let producer { return producer }
            let created = try KafkaProducer(config: try KafkaClientConfig(kafka))
            producer = created
            return created
        }
        try await producer.send(records.map { record in
            KafkaMessage(key: Array(record.key.utf8), value: Array(record.value),
                         timestampMilliseconds: Int64((record.timestamp.timeIntervalSince1970 * 1000).rounded()))
        }, to: topic)
    }
}
