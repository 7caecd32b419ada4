import Foundation
import RoostKafka

/// Encodes records as JSON lines by hand: keys in sorted order, strings escaped per RFC 8259.
/// (JSONEncoder was a third of the consume time; escaping byte by byte was half of what was left:
/// runs that need no escape are now found eight bytes at a time and copied whole.)
struct JSONLineWriter {
    private(set) var bytes: [UInt8] = []

    /// Empties the buffer, keeping its storage for the next batch.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func append(_ record: KafkaRecord) {
        raw(#"{"headers":["#)
        for (i, header) in record.headers.enumerated() {
            raw(i == 0 ? #"{"key":"# : #",{"key":"#)
            text(header.key)
            raw(#","value":"#)
            value(header.value)
            raw("}")
        }
        raw(#"],"key":"#)
        value(record.key)
        raw(#","offset":"#)
        integer(record.offset)
        raw(#","partition":"#)
        integer(Int64(record.partition))
        raw(#","timestamp_ms":"#)
        if let timestamp = record.timestampMilliseconds { integer(timestamp) } else { raw("null") }
        raw(#","topic":"#)
        text(record.topic)
        raw(#","value":"#)
        value(record.value)
        raw("}\n")
    }

    private mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func integer(_ number: Int64) {
        var digits = String(number)
        digits.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func text(_ text: String) {
        var text = text
        text.withUTF8 { string($0) }
    }

    /// null, a string when the bytes are UTF-8, else `{"base64":…}`.
    private mutating func value(_ value: [UInt8]?) {
        guard let value else { return raw("null") }
        value.withUnsafeBufferPointer { utf8 in
            let mark = bytes.count
            // Written as a string first; bytes that turn out not to be UTF-8 are replaced.
            guard string(utf8), String(validating: utf8, as: UTF8.self) == nil else { return }
            bytes.removeSubrange(mark...)
            raw(#"{"base64":""#)
            bytes.append(contentsOf: Data(utf8).base64EncodedString().utf8)
            raw(#""}"#)
        }
    }

    /// Appends `utf8` as a JSON string, copying bytes above 0x7F as they are; returns whether
    /// there were any.
    @discardableResult
    private mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.append(UInt8(ascii: "\""))
        var nonASCII = false
        var runStart = 0
        var index = 0
        let count = utf8.count
        while index < count {
            // Eight plain bytes (no control character, quote, backslash or high bit) at a time.
            if index + 8 <= count,
               !Self.mayNeedEscape(UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                index += 8
                continue
            }
            switch utf8[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), ..<0x20:
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                escape(utf8[index])
                runStart = index + 1
            case 0x80...: nonASCII = true
            default: break
            }
            index += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        bytes.append(UInt8(ascii: "\""))
        return nonASCII
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw(#"\""#)
        case UInt8(ascii: "\\"): raw(#"\\"#)
        case UInt8(ascii: "\n"): raw(#"\n"#)
        case UInt8(ascii: "\r"): raw(#"\r"#)
        case UInt8(ascii: "\t"): raw(#"\t"#)
        default:
            let hex: StaticString = "0123456789abcdef"
            raw(#"\u00"#)
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }

    /// Whether any of the eight bytes is below 0x20, a quote, a backslash or above 0x7F (exact
    /// when no byte is above 0x7F; the caller then looks at each byte anyway).
    private static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs = ones &* 0x80
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
        return word & highs != 0 || hasControl || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
