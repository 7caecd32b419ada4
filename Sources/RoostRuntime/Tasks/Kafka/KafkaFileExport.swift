import RoostKafka

/// Writes offset ranges to a JSON-lines file (`JSONLinesFileSink`), one partition after another
/// in offset order, so the same ranges always give the same bytes (or all at once into a sink
/// that keeps partitions apart). The file appears only complete.
/// Shared by the `kafka_consume` task type and `roost kafka consume`.
public enum KafkaFileExport {
    /// Returns the number of records written; `progress` sees each batch's size. `writer` names
    /// this writer's partial file (see `JSONLinesFileSink`).
    @discardableResult
    public static func write(_ ranges: [KafkaOffsetRange], from consumer: KafkaBoundedConsumer, to path: String, writer: String,
                             progress: (Int) -> Void = { _ in }) async throws -> Int {
        var sink = try JSONLinesFileSink(path: path, writer: writer)
        return try await write(ranges, from: consumer, into: &sink, progress: progress)
    }

    /// Writes the ranges into any sink, committing it when complete and discarding it on failure.
    static func write(_ ranges: [KafkaOffsetRange], from consumer: KafkaBoundedConsumer, into sink: inout some KafkaRecordSink,
                      progress: (Int) -> Void = { _ in }) async throws -> Int {
        var written = 0
        do {
            let active = ranges.filter { !$0.isEmpty }
            for assignment in sink.readsPartitionsTogether ? [active] : active.map({ [$0] }) where !assignment.isEmpty {
                try await consumer.assign(assignment)
                while let batch = try await consumer.nextBatch() {
                    try sink.write(batch)
                    written += batch.count
                    progress(batch.count)
                    try Task.checkCancellation()
                }
            }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        return written
    }
}
