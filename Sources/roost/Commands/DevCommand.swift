import ArgumentParser
import Foundation
import Logging
import RoostKafka
import ServiceLifecycle

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Local stand-ins for the pipeline's outside systems.", subcommands: [Kafka.self])

    struct Kafka: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an in-memory Kafka cluster (librdkafka's mock) for development and tests, until SIGTERM/SIGINT.",
            discussion: """
                Prints the bootstrap servers and writes them to kafka.bootstrap_file, which every other command \
                reads when kafka.bootstrap_servers is empty. Nothing is persisted.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Brokers in the cluster.") var brokers = 3
        @Option(help: "Partitions of each --topic.") var partitions = 6
        @Option(name: .customLong("topic"), help: "A topic to create at start (repeatable).") var topics: [String] = []

        func validate() throws {
            if brokers < 1 { throw ValidationError("--brokers must be at least 1") }
            if partitions < 1 { throw ValidationError("--partitions must be at least 1") }
        }

        func run() async throws {
            let config = try global.bootstrap()
            let logger = Logger(label: "roost.dev.kafka")
            let cluster = try EmbeddedKafkaCluster(brokers: brokers)
            for topic in topics { try await cluster.createTopic(topic, partitions: partitions) }
            let file = config.kafka.bootstrapFile
            try cluster.writeBootstrapFile(file)
            // Unbuffered, so a parent process reading the pipe sees it at once.
            FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
            logger.info("embedded Kafka running", metadata: ["bootstrap_servers": "\(cluster.bootstrapServers)",
                                                             "bootstrap_file": "\(file)", "brokers": "\(brokers)"])
            let service = EmbeddedKafkaService(cluster: cluster, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: service)],
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            // Leave the file alone if another cluster has written its own meanwhile.
            if (try? String(contentsOfFile: file, encoding: .utf8))?.hasPrefix(cluster.bootstrapServers) == true {
                try? FileManager.default.removeItem(atPath: file)
            }
        }
    }
}

/// Serves topic-creation requests until shutdown.
private struct EmbeddedKafkaService: Service {
    let cluster: EmbeddedKafkaCluster
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown { [cluster, logger] in
            do {
                try await cluster.serveTopicRequests(logger: logger)
            } catch is CancellationError {}
        }
    }
}
