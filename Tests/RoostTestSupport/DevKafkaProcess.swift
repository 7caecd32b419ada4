import Foundation

/// A `roost dev kafka` process with its own bootstrap file, for tests that talk to the embedded
/// cluster from other processes (kcat, workers, the CLI).
public final class DevKafkaProcess: RoostProcess, @unchecked Sendable {
    public let bootstrapFile: String

    public init(arguments: [String] = []) throws {
        bootstrapFile = FileManager.default.temporaryDirectory.appendingPathComponent("roost-kafka-\(UUID())").path
        try super.init(["dev", "kafka"] + arguments, environment: ["ROOST_KAFKA_BOOTSTRAP_FILE": bootstrapFile])
    }

    /// Waits until the cluster has written its bootstrap servers, and returns them.
    public func bootstrapServers() async throws -> String {
        var servers = ""
        try await eventually(timeout: .seconds(30), "roost dev kafka writes \(bootstrapFile)") {
            servers = ((try? String(contentsOfFile: bootstrapFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return !servers.isEmpty
        }
        return servers
    }

    /// The environment that points a `roost` process at this cluster through its bootstrap file.
    public var environment: [String: String] { ["ROOST_KAFKA_BOOTSTRAP_FILE": bootstrapFile, "ROOST_KAFKA_BOOTSTRAP_SERVERS": ""] }

    deinit { try? FileManager.default.removeItem(atPath: bootstrapFile) }
}
