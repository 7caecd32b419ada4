import ArgumentParser
import RoostCore
import RoostKafka
import RoostRuntime

extension KafkaCommand {
    struct Topics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Topics.", subcommands: [List.self, Create.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List topics with their partitions and replication factor.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Flag(name: .customLong("internal"), help: "Include internal topics (names starting with __).") var includeInternal = false

            func run() async throws {
                let admin = try KafkaAdmin(config: try KafkaClientConfig(global.bootstrap().kafka))
                var table = Table("topic", "partitions", "replication_factor")
                for topic in try await admin.topics() where includeInternal || !topic.name.hasPrefix("__") {
                    table.add(topic.name, String(topic.partitions), String(topic.replicationFactor))
                }
                await admin.close()
                table.print(as: output.output)
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a topic; an existing topic is left as it is.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Topic name.") var topic: String
            @Option(help: "Partitions.") var partitions = 6
            @Option(help: "Replicas of each partition; -1 uses the brokers' default.") var replicationFactor = -1

            func validate() throws {
                if partitions < 1 { throw ValidationError("--partitions must be at least 1") }
                if replicationFactor < 1 && replicationFactor != -1 { throw ValidationError("--replication-factor must be at least 1, or -1") }
            }

            func run() async throws {
                let admin = try KafkaAdmin(config: try KafkaClientConfig(global.bootstrap().kafka))
                let outcome = try await admin.createTopic(topic, partitions: partitions, replicationFactor: replicationFactor)
                let info = try await admin.topic(topic)
                await admin.close()
                print("\(outcome == .created ? "created" : "exists"): \(topic) (\(info.partitions) partitions)")
            }
        }
    }
}
