import Foundation
import RoostCore

/// Records bound for one S3 object. `name` makes the key deterministic for the input: the
/// source and the position of the first record (for Kafka: topic, partition and first offset).
struct RecordBatch: Sendable {
    let partition: S3Partition
    let name: String
    /// Each record's JSON text as read (without surrounding blanks), and the record parsed.
    var records: [(line: Data, value: JSONValue)]
}

/// Splits a JSON-lines file into batches: by partition, then at most `maxRecords` each, in input
/// order, named `<file stem>-<line of the first record>`. The same file always gives the same
/// batches. Works on the bytes: Strings and Foundation's trimming cost more than the parse.
enum JSONLinesBatcher {
    static func batches(file path: String, contents: Data, partitionBy: String, logicalDate: Date, maxRecords: Int) throws -> [RecordBatch] {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let fixed = partitionBy == "logical_date" ? S3Partition(logicalDate) : nil
        var byPartition: [S3Partition: [(line: Int, text: Data, value: JSONValue)]] = [:]
        let texts = lines(contents).enumerated().filter { !$0.element.isEmpty }.map { (line: $0.offset + 1, text: contents[$0.element]) }
        let values = texts.concurrentMap { try? JSONValue.parse($0.text) }  // the parse is most of the work
        for ((line, text), value) in zip(texts, values) {
            guard let value, value.objectValue != nil else {
                throw TaskParamError("\(path):\(line): not a JSON object")
            }
            var partition = fixed
            if partition == nil {
                guard let seconds = S3Partition.seconds(value[partitionBy]) else {
                    throw TaskParamError("\(path):\(line): field \(partitionBy) (params.partition_by) is neither an ISO-8601 time nor epoch milliseconds")
                }
                partition = S3Partition(secondsSince1970: seconds)
            }
            byPartition[partition!, default: []].append((line, text, value))
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

    /// Each line's byte range without the line break and surrounding spaces, tabs and CRs; the
    /// text after the last line break counts as a line.
    static func lines(_ contents: Data) -> [Range<Data.Index>] {
        contents.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
            var ranges: [Range<Data.Index>] = []
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var first = start, last = end
                while first < last, isBlank(bytes[first]) { first += 1 }
                while last > first, isBlank(bytes[last - 1]) { last -= 1 }
                ranges.append(contents.startIndex + first ..< contents.startIndex + last)
                start = end + 1
            }
            return ranges
        }
    }
}
