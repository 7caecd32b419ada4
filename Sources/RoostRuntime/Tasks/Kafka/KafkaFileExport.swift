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
            for assignment in assignments(ranges, together: sink.readsPartitionsTogether) {
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

    /// Records per assignment when partitions are read together: librdkafka prefetches every
    /// assigned partition (up to 64 MB), so bounding the records assigned at once bounds memory,
    /// while reading many partitions at once avoids a first-fetch wait per partition.
    static let recordsPerAssignment: Int64 = 5_000

    /// The non-empty ranges, one at a time or grouped up to `recordsPerAssignment` (a larger
    /// range alone).
    static func assignments(_ ranges: [KafkaOffsetRange], together: Bool) -> [[KafkaOffsetRange]] {
        let active = ranges.filter { !$0.isEmpty }
        guard together else { return active.map { [$0] } }
        var groups: [[KafkaOffsetRange]] = []
        var records: Int64 = 0
        for range in active {
            if groups.isEmpty || records + range.count > recordsPerAssignment {
                groups.append([])
                records = 0
            }
            groups[groups.count - 1].append(range)
            records += range.count
        }
        return groups
    }
}
