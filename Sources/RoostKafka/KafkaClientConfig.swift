import CKafka
import Foundation

// RoostKafka: Roost's only wrapper over librdkafka.
//
// Design: each rd_kafka_t is owned by one `KafkaHandle`, destroyed exactly once. Every call that
// can block (polls, flushes, metadata, commits, close) runs on a thread the client owns — the
// producer's poll thread or a client's serial queue — and is awaited through a continuation, so
// Swift's cooperative pool never waits on the network. C callbacks reach Swift state through
// opaque pointers to retained objects guarded by a Mutex. Properties pass through to librdkafka
// unchanged, so every standard Kafka client setting (security.protocol, sasl.*, ssl.*) works.

/// How to reach a cluster: bootstrap servers plus librdkafka properties passed through as they are.
public struct KafkaClientConfig: Sendable {
    public var bootstrapServers: String
    public var properties: [String: String]
    /// Bound on metadata and admin calls, so an unreachable cluster is a clear error, not a hang.
    public var requestTimeout: Duration
    /// The servers came from the embedded cluster's bootstrap file (`roost dev kafka`), whose
    /// topics are created through `EmbeddedKafkaCluster.serveTopicRequests`.
    public var isEmbedded = false

    public init(bootstrapServers: String, properties: [String: String] = [:], requestTimeout: Duration = .seconds(10)) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.requestTimeout = requestTimeout
    }

    /// The servers named in config, or else those in the embedded cluster's bootstrap file.
    public static func resolving(bootstrapServers: String, bootstrapFile: String,
                                 properties: [String: String]) throws -> KafkaClientConfig {
        if !bootstrapServers.isEmpty { return KafkaClientConfig(bootstrapServers: bootstrapServers, properties: properties) }
        guard let text = try? String(contentsOfFile: bootstrapFile, encoding: .utf8) else {
            throw KafkaError("kafka.bootstrap_servers is empty and the embedded cluster's bootstrap file \(bootstrapFile) "
                             + "cannot be read: start `roost dev kafka` or set kafka.bootstrap_servers")
        }
        let servers = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !servers.isEmpty else { throw KafkaError("\(bootstrapFile): empty bootstrap file") }
        var config = KafkaClientConfig(bootstrapServers: servers, properties: properties)
        config.isEmbedded = true
        return config
    }

    /// Properties whose values never appear in errors (librdkafka quotes invalid values).
    static func isSecret(_ key: String) -> Bool {
        key.contains("password") || key.contains("secret") || key.contains("token") || key.hasSuffix(".key")
            || key.hasSuffix(".pem") || key == "sasl.oauthbearer.config"
    }

    var requestTimeoutMilliseconds: Int32 {
        Int32(clamping: requestTimeout.components.seconds * 1000 + requestTimeout.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A librdkafka configuration: `defaults` first, then the user's properties (which win), then
    /// the bootstrap servers. An invalid property is librdkafka's message naming the key.
    func makeConf(defaults: [String: String]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var settings = defaults.sorted { $0.key < $1.key }.map { ($0.key, $0.value, "default") }
        settings += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value, "kafka.properties.\($0.key)") }
        settings.append(("bootstrap.servers", bootstrapServers, "kafka.bootstrap_servers"))
        for (key, value, origin) in settings {
            let (result, reason) = KafkaError.withErrorBuffer { rd_kafka_conf_set(conf, key, value, $0, $1) }
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let shown = Self.isSecret(key) && !value.isEmpty ? reason.replacingOccurrences(of: value, with: "<redacted>") : reason
                throw KafkaError("\(origin): \(shown)")
            }
        }
        return conf
    }
}
