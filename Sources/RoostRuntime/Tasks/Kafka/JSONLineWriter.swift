import Foundation
import RoostKafka

/// Encodes records as JSON lines by hand: keys in sorted order, strings escaped per RFC 8259.
/// (JSONEncoder was a third of the consume time.)
struct JSONLineWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ record: KafkaRecord) {
        raw(#"{"headers":["#)
        for (i, header) in record.headers.enumerated() {
            raw(i == 0 ? #"{"key":"# : #",{"key":"#)
            string(Array(header.key.utf8))
            raw(#","value":"#)
            value(header.value)
            raw("}")
        }
        raw(#"],"key":"#)
        value(record.key)
        raw(#","offset":\#(record.offset),"partition":\#(record.partition),"timestamp_ms":"#)
        raw(record.timestampMilliseconds.map(String.init) ?? "null")
        raw(#","topic":"#)
        string(Array(record.topic.utf8))
        raw(#","value":"#)
        value(record.value)
        raw("}\n")
    }

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// null, a string when the bytes are UTF-8, else `{"base64":…}`.
    private mutating func value(_ value: [UInt8]?) {
        guard let value else { return raw("null") }
        if value.allSatisfy({ $0 < 0x80 }) || String(validating: value, as: UTF8.self) != nil {
            string(value)
        } else {
            raw(#"{"base64":""#)
            raw(Data(value).base64EncodedString())
            raw(#""}"#)
        }
    }

    private mutating func string(_ utf8: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case UInt8(ascii: "\n"): raw(#"\n"#)
            case UInt8(ascii: "\r"): raw(#"\r"#)
            case UInt8(ascii: "\t"): raw(#"\t"#)
            case ..<0x20: raw(String(format: "\\u%04x", byte))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
