import ArgumentParser
import Foundation
import RoostCore
import RoostKafka
import RoostRuntime

extension KafkaCommand {
    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a topic's records, up to its high watermarks now, to a JSON-lines file.",
            discussion: """
                Without --group: every record the topic keeps. With --group: from the group's committed offsets, \
                which are moved to the end once the file is complete.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Topic name.") var topic: String
        @Option(help: "The JSON-lines file to write (it appears only when complete).") var output: String
        @Option(help: "Consumer group to start from and commit to.") var group: String?

        func run() async throws {
            let config = try KafkaClientConfig(global.bootstrap().kafka)
            let consumer = try KafkaBoundedConsumer(config: config, groupID: group ?? "roost-kafka-consume", topic: topic)
            do {
                let watermarks = try await consumer.watermarks()
                let committed = group == nil ? [:] : try await consumer.committedOffsets(partitions: watermarks.map(\.partition))
                let ranges = watermarks.map { mark in
                    let start = (committed[mark.partition] ?? nil) ?? mark.low
                    return KafkaOffsetRange(partition: mark.partition, start: start, end: max(start, mark.high))
                }
                let written = try await KafkaFileExport.write(ranges, from: consumer, to: output, writer: "pid-\(getpid())")
                if group != nil { try await consumer.commit(Dictionary(uniqueKeysWithValues: ranges.map { ($0.partition, $0.end) })) }
                await consumer.close()
                print("wrote \(written) records of \(topic) to \(output)")
            } catch {
                await consumer.close()
                throw error
            }
        }
    }
}
