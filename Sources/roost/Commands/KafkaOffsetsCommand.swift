import ArgumentParser
import RoostCore
import RoostKafka
import RoostRuntime

extension KafkaCommand {
    struct Offsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A topic's partition watermarks, and a consumer group's committed offsets and lag.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Topic name.") var topic: String
        @Option(help: "Consumer group whose committed offsets and lag to show.") var group: String?

        func run() async throws {
            let config = try KafkaClientConfig(global.bootstrap().kafka)
            let consumer = try KafkaBoundedConsumer(config: config, groupID: group ?? "roost-kafka-offsets", topic: topic)
            let watermarks = try await consumer.watermarks()
            let committed = group == nil ? [:] : try await consumer.committedOffsets(partitions: watermarks.map(\.partition))
            await consumer.close()
            var table = group == nil ? Table("partition", "low", "high", "records")
                                     : Table("partition", "low", "high", "records", "committed", "lag")
            for mark in watermarks {
                var row = [String(mark.partition), String(mark.low), String(mark.high), String(mark.high - mark.low)]
                if group != nil {
                    let offset = committed[mark.partition] ?? nil
                    row += [offset.map(String.init) ?? "-", String(mark.high - (offset ?? mark.low))]
                }
                table.rows.append(row)
            }
            table.print(as: output.output)
        }
    }
}
