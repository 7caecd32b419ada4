import RoostKafka

/// Writes offset ranges to a JSON-lines file (`JSONLinesFileSink`), one partition after another
/// in offset order, so the same ranges always give the same bytes. The file appears only complete.
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

    /// Records per batch: two are in memory at once (one written while the next is read), and a
    /// batch this size is still in the CPU's cache when it is encoded.
    static let recordsPerBatch = 1_000

    /// Writes the ranges into any sink, committing it when complete and discarding it on failure.
    static func write(_ ranges: [KafkaOffsetRange], from consumer: KafkaBoundedConsumer, into sink: inout some KafkaRecordSink,
                      progress: (Int) -> Void = { _ in }) async throws -> Int {
        var written = 0
        do {
            // The consumer hands the ranges back one after another, in this order, fetching the
            // next few meanwhile with bounded memory (see `KafkaBoundedConsumer`).
            try await consumer.assign(ranges)
            var batch = try await consumer.nextBatch(max: recordsPerBatch)
            while let records = batch {
                // The next batch is read off librdkafka's queues while this one is written.
                async let next = consumer.nextBatch(max: recordsPerBatch)
                try sink.write(records)
                written += records.count
                progress(records.count)
                try Task.checkCancellation()
                batch = try await next
            }
            try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
        return written
    }
}
