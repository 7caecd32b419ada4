import CKafka
import Dispatch
import Foundation

/// librdkafka's mock cluster: brokers speaking the real Kafka protocol on 127.0.0.1, in memory,
/// for development and tests. It is not a Kafka server: no persistence, about the newest 5 MB
/// per partition kept, and no CreateTopics: topics are made with `createTopic`, or auto-created
/// with `autoCreatedPartitions` partitions on first use. Tests use its fault injection.
public final class EmbeddedKafkaCluster: Sendable {
    /// Partitions of topics the mock auto-creates on first use (fixed by librdkafka 2.0.2).
    public static let autoCreatedPartitions = 4

    public let bootstrapServers: String
    public let brokers: Int
    // The mock runs its own thread; its control functions wait briefly for it, so they run on
    // `handle.queue` like every other blocking librdkafka call.
    private let handle: KafkaHandle
    private let cluster: MockClusterPointer

    public init(brokers: Int = 3) throws {
        // The mock needs a client instance to live in; it never connects anywhere itself.
        handle = try KafkaHandle(RD_KAFKA_PRODUCER, config: KafkaClientConfig(bootstrapServers: ""),
                                 defaults: ["log_level": "3"])
        guard let cluster = rd_kafka_mock_cluster_new(handle.pointer, Int32(brokers)) else {
            throw KafkaError("cannot start the embedded Kafka cluster with \(brokers) brokers")
        }
        self.cluster = MockClusterPointer(pointer: cluster)
        self.brokers = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit { rd_kafka_mock_cluster_destroy(cluster.pointer) }

    /// Creates `name` with `partitions` partitions (replicated on up to 3 brokers). Fails if it exists.
    public func createTopic(_ name: String, partitions: Int) async throws {
        try await control { rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(min(3, self.brokers))) }
    }

    /// Takes broker `id` (1…brokers) down: its connections close and it refuses new ones.
    public func setBrokerDown(_ id: Int32) async throws { try await control { rd_kafka_mock_broker_set_down($0, id) } }

    public func setBrokerUp(_ id: Int32) async throws { try await control { rd_kafka_mock_broker_set_up($0, id) } }

    /// Delays every response of broker `id` by `delay` (zero: none), as a distant broker would.
    public func setBrokerDelay(_ id: Int32, _ delay: Duration) async throws {
        let milliseconds = Int32(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
        try await control { rd_kafka_mock_broker_set_rtt($0, id, milliseconds) }
    }

    /// The next `errors.count` requests of `apiKey` (e.g. 0 = Produce) fail with these errors.
    public func failNextRequests(apiKey: Int16, with errors: [rd_kafka_resp_err_t]) async throws {
        _ = try await handle.perform { [cluster] _ in
            errors.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster.pointer, apiKey, errors.count, $0.baseAddress)
            }
        }
    }

    /// Writes the bootstrap servers to `path` (creating its folder) for other processes to read.
    public func writeBootstrapFile(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (bootstrapServers + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    private func control(_ body: @escaping @Sendable (OpaquePointer) -> rd_kafka_resp_err_t) async throws {
        let code = try await handle.perform { [cluster] _ in body(cluster.pointer) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("embedded Kafka cluster", code) }
    }
}

/// The mock cluster's pointer. @unchecked Sendable: librdkafka's mock control functions are
/// thread-safe (they post commands to the mock's own thread).
private struct MockClusterPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
