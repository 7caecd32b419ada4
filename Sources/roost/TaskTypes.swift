import Foundation
import Logging
import RoostCore
import RoostHTTP
import RoostKafka
import RoostPostgres
import RoostRuntime
import RoostStore
import RoostTwitter

extension TaskRegistry {
    /// Every task type DAGs may name, able to validate params only (scheduler, `dags validate`).
    static let roost = builtIn.adding([TwitterIngestTask(resources: nil)])

    /// Every task type, with what the pipeline types need to run, built from config (worker).
    static func roost(config: RoostConfig, pool: PostgresPool, logger: Logger) -> TaskRegistry {
        builtIn.adding([TwitterIngestTask(resources: .init(client: xClient(config, logger: logger),
                                                            checkpoints: TwitterCheckpointStore(pool: pool),
                                                            sink: tweetSink(config)))])
    }

    /// Nil without a bearer token: replay sources still run, API sources fail saying what to set.
    private static func xClient(_ config: RoostConfig, logger: Logger) -> XAPIClient? {
        guard !config.twitter.bearerToken.isEmpty, let baseURL = URL(string: config.twitter.baseURL) else { return nil }
        let origin = "twitter.bearer_token from \(config.sources["twitter.bearer_token"] ?? "default")"
        return XAPIClient(configuration: .init(baseURL: baseURL, token: XBearerToken(config.twitter.bearerToken, origin: origin)),
                          http: HTTPClient(), logger: logger)
    }

    private static func tweetSink(_ config: RoostConfig) -> any TweetSink {
        do {
            let kafka = try KafkaClientConfig.resolving(bootstrapServers: config.kafka.bootstrapServers,
                                                        bootstrapFile: config.kafka.bootstrapFile, properties: config.kafka.properties)
            return KafkaTweetSink(producer: try KafkaProducer(config: kafka))
        } catch {
            return UnavailableTweetSink(reason: "\(error)")
        }
    }
}
