import Foundation
import Logging
import RoostCore
import RoostHTTP
import RoostPostgres
import RoostRuntime
import RoostS3
import RoostStore
import RoostTwitter

extension TaskRegistry {
    /// Every task type the `roost` binary runs. `pool` is where the Kafka tasks keep their offset
    /// ranges and `twitter_ingest` its checkpoints; it connects only when a task runs, and Kafka and
    /// X API clients start only then too, so commands that only validate DAGs never do.
    /// `s3_load` records the objects it writes through `pool` as well, `kafka_consume` its dead letters.
    static func roost(_ config: RoostConfig, pool: PostgresPool) throws -> TaskRegistry {
        let offsets = KafkaOffsetStore(pool: pool)
        return builtIn.adding([KafkaProduceTask(kafka: config.kafka, store: offsets),
                               KafkaConsumeTask(kafka: config.kafka, store: offsets, deadLetters: DeadLetterStore(pool: pool)),
                               S3LoadTask(client: try s3Client(config), config: config.s3, objects: S3ObjectStore(pool: pool)),
                               TwitterIngestTask(resources: .init(client: xClient(config), checkpoints: TwitterCheckpointStore(pool: pool),
                                                                  sink: KafkaTweetSink(kafka: config.kafka))),
                               TwitterStreamTask(resources: .init(client: xClient(config), sink: KafkaTweetSink(kafka: config.kafka),
                                                                  attempts: TaskQueueStore(pool: pool)))])
    }

    /// Nil without a bearer token: replay sources still run, API sources fail saying what to set.
    static func xClient(_ config: RoostConfig) -> XAPIClient? {
        guard !config.twitter.bearerToken.isEmpty, let baseURL = URL(string: config.twitter.baseURL) else { return nil }
        let origin = "twitter.bearer_token from \(config.sources["twitter.bearer_token"] ?? "default")"
        return XAPIClient(configuration: .init(baseURL: baseURL, token: XBearerToken(config.twitter.bearerToken, origin: origin)),
                          http: HTTPClient(), logger: Logger(label: "roost.twitter"))
    }

    /// An S3 client with the AWS CLI's credential chain; nothing connects until the first request.
    static func s3Client(_ config: RoostConfig) throws -> S3Client {
        let http = HTTPClient(configuration: .init(userAgent: "roost/\(RoostVersion.current)"))
        return S3Client(configuration: try S3Configuration(config: config.s3), credentials: .standard(http: http), http: http)
    }
}
