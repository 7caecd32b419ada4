import Foundation
import RoostKafka

/// Where `kafka_consume` puts records. Output becomes visible only at `commit`, so a try that
/// fails or is killed leaves nothing half-written and a retry writes exactly the same output.
protocol KafkaRecordSink {
    mutating func write(_ records: [KafkaRecord]) throws
    mutating func commit() throws
    func discard()
}

/// A JSON-lines file, one object per record in the order written:
/// `{"headers":[{"key":…,"value":…}],"key":…,"offset":…,"partition":…,"timestamp_ms":…,"topic":…,"value":…}`.
/// Keys, values and header values are UTF-8 strings, or `{"base64": …}` when not valid UTF-8;
/// null stays null. Written to `<path>.partial` and renamed into place at `commit`.
struct JSONLinesFileSink: KafkaRecordSink {
    let path: String
    private let partialPath: String
    private let handle: FileHandle
    private let encoder: JSONEncoder

    init(path: String) throws {
        self.path = path
        partialPath = path + ".partial"
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: partialPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: partialPath) else {
            throw TaskParamError("params.path: cannot write \(partialPath)")
        }
        self.handle = handle
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    mutating func write(_ records: [KafkaRecord]) throws {
        var data = Data()
        for record in records {
            data += try encoder.encode(Line(record))
            data.append(UInt8(ascii: "\n"))
        }
        try handle.write(contentsOf: data)
    }

    mutating func commit() throws {
        try handle.synchronize()
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: partialPath, toPath: path)
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }

    private struct Line: Encodable {
        struct Header: Encodable {
            let key: String
            let value: Bytes?

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(key, forKey: .key)
                try container.encode(value, forKey: .value)  // null stays null
            }
            enum CodingKeys: String, CodingKey { case key, value }
        }
        let topic: String
        let partition: Int32
        let offset: Int64
        let timestamp_ms: Int64?
        let key: Bytes?
        let value: Bytes?
        let headers: [Header]

        init(_ record: KafkaRecord) {
            topic = record.topic
            partition = record.partition
            offset = record.offset
            timestamp_ms = record.timestampMilliseconds
            key = record.key.map(Bytes.init)
            value = record.value.map(Bytes.init)
            headers = record.headers.map { Header(key: $0.key, value: $0.value.map(Bytes.init)) }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(topic, forKey: .topic)
            try container.encode(partition, forKey: .partition)
            try container.encode(offset, forKey: .offset)
            try container.encode(timestamp_ms, forKey: .timestamp_ms)
            try container.encode(key, forKey: .key)
            try container.encode(value, forKey: .value)
            try container.encode(headers, forKey: .headers)
        }

        enum CodingKeys: String, CodingKey { case topic, partition, offset, timestamp_ms, key, value, headers }
    }

    /// Bytes as a UTF-8 string when they are valid UTF-8, else `{"base64": …}`: nothing is lost.
    private struct Bytes: Encodable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func encode(to encoder: Encoder) throws {
            if let text = String(validating: bytes, as: UTF8.self) {
                var container = encoder.singleValueContainer()
                try container.encode(text)
            } else {
                var container = encoder.container(keyedBy: Base64Key.self)
                try container.encode(Data(bytes).base64EncodedString(), forKey: .base64)
            }
        }
        enum Base64Key: String, CodingKey { case base64 }
    }
}
