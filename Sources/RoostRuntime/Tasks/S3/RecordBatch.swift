import Foundation
import RoostCore

/// Records bound for one S3 object. `name` makes the key deterministic for the input: the
/// source and the position of the first record (for Kafka: topic, partition and first offset).
struct RecordBatch: Sendable {
    let partition: S3Partition
    let name: String
    /// Each record's JSON text as read, and the record parsed.
    var records: [(text: Substring, value: JSONValue)]
}

/// Splits a JSON-lines file into batches: by partition, then at most `maxRecords` each, in input
/// order, named `<file stem>-<line of the first record>`. The same file always gives the same
/// batches.
enum JSONLinesBatcher {
    static func batches(file path: String, text: String, partitionBy: String, logicalDate: Date, maxRecords: Int) throws -> [RecordBatch] {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var byPartition: [S3Partition: [(line: Int, text: Substring, value: JSONValue)]] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let value = try? JSONValue.parse(Data(trimmed.utf8)), value.objectValue != nil else {
                throw TaskParamError("\(path):\(index + 1): not a JSON object")
            }
            let partition: S3Partition
            if partitionBy == "logical_date" {
                partition = S3Partition(logicalDate)
            } else {
                guard let time = S3Partition.time(value[partitionBy]) else {
                    throw TaskParamError("\(path):\(index + 1): field \(partitionBy) (params.partition_by) is neither an ISO-8601 time nor epoch milliseconds")
                }
                partition = S3Partition(time)
            }
            byPartition[partition, default: []].append((index + 1, line, value))
        }
        return byPartition.keys.sorted().flatMap { partition in
            let records = byPartition[partition]!
            return stride(from: 0, to: records.count, by: maxRecords).map { start in
                let chunk = records[start..<min(start + maxRecords, records.count)]
                return RecordBatch(partition: partition, name: String(format: "%@-%010d", stem, chunk.first!.line),
                                   records: chunk.map { ($0.text, $0.value) })
            }
        }
    }
}
