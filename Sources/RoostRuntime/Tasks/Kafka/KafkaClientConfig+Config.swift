import RoostCore
import RoostKafka

extension KafkaClientConfig {
    /// The `kafka` section as a client config: `bootstrap_servers`, or when empty the embedded
    /// cluster's `bootstrap_file`, plus `properties` passed through to librdkafka.
    public init(_ kafka: RoostConfig.Kafka) throws {
        self = try .resolving(bootstrapServers: kafka.bootstrapServers, bootstrapFile: kafka.bootstrapFile,
                              properties: kafka.properties)
    }
}
