import ArgumentParser
import RoostCore
import RoostKafka
import RoostRuntime

extension KafkaCommand {
    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish each line of a JSON-lines file as one record, idempotently, and wait for every delivery.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Topic name.") var topic: String
        @Option(help: "The JSON-lines file.") var file: String
        @Option(help: "Top-level field whose value keys each record.") var keyField: String?
        @Option(help: "none, gzip, snappy, lz4 or zstd (default: compression.type from kafka.properties).") var compression: String?
        @Option(help: "Records handed to librdkafka at a time.") var batchSize = JSONLinesProducer.defaultBatchSize

        func validate() throws {
            if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
            if let compression, !KafkaProduceTask.compressions.contains(compression) {
                throw ValidationError("--compression must be one of \(KafkaProduceTask.compressions.sorted().joined(separator: ", "))")
            }
        }

        func run() async throws {
            var config = try KafkaClientConfig(global.bootstrap().kafka)
            if let compression { config.properties["compression.type"] = compression }
            let producer = try KafkaProducer(config: config)
            var report = DeliveryReport()
            do {
                try await JSONLinesProducer(path: file, topic: topic, keyField: keyField, batchSize: batchSize)
                    .send(with: producer, into: &report)
                try await producer.close()
            } catch {
                try? await producer.close(flushTimeout: .seconds(5))
                print("delivered \(report.delivered) records to \(topic) before the error")
                throw error
            }
            print("produced \(report.delivered) records to \(topic) (\(report.partitions.count) partitions)")
        }
    }
}
