import Foundation
import RoostCore

/// A batch as file bytes (before gzip): JSON lines as they were read, or CSV with a header row.
enum RecordEncoder {
    static func encode(_ batch: RecordBatch, format: S3LoadParams.Format, columns: [String]) -> Data {
        switch format {
        case .jsonl:
            var bytes = Data(capacity: batch.records.reduce(0) { $0 + $1.line.count + 1 })
            for record in batch.records {
                bytes.append(record.line)
                bytes.append(UInt8(ascii: "\n"))
            }
            return bytes
        case .csv:
            var rows = [columns.map(csvField).joined(separator: ",")]
            for record in batch.records {
                rows.append(columns.map { csvField(text(record.value[$0])) }.joined(separator: ","))
            }
            return Data((rows.joined(separator: "\r\n") + "\r\n").utf8)
        }
    }

    /// A field's CSV text: strings as they are, null or absent empty, anything else as JSON.
    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let s)?: s
        case .bool(let b)?: b ? "true" : "false"
        case .int(let i)?: String(i)
        case .double(let d)?: String(d)
        case let other?:
            String(decoding: (try? sortedEncoder.encode(other)) ?? Data(), as: UTF8.self)
        }
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
