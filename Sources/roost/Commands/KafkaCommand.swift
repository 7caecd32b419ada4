import ArgumentParser

struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka", abstract: "Inspect, fill and read the Kafka cluster (kafka.* in the config).",
        subcommands: [Topics.self, Offsets.self, Produce.self, Consume.self])
}
