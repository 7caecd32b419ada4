import Foundation
@testable import RoostKafka
@testable import RoostRuntime
import Testing

@Suite struct JSONLineWriterTests {
    @Test func escapesStringsKeepsNullsAndBase64EncodesWhatIsNotUTF8() throws {
        var writer = JSONLineWriter()
        writer.append(KafkaRecord(topic: "t", partition: 2, offset: 7, key: nil, value: Array("a \"q\" \\ é\n\u{1}".utf8),
                                  headers: [KafkaHeader(key: "h", value: nil), KafkaHeader(key: "b", value: [0xff, 0x00])],
                                  timestampMilliseconds: nil))
        let line = String(decoding: writer.bytes, as: UTF8.self)
        #expect(line == #"{"headers":[{"key":"h","value":null},{"key":"b","value":{"base64":"/wA="}}],"key":null,"offset":7,"partition":2,"timestamp_ms":null,"topic":"t","value":"a \"q\" \\ é\n\u0001"}"# + "\n")
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(parsed?["value"] as? String == "a \"q\" \\ é\n\u{1}")
    }

    /// Escapes found eight bytes at a time must land exactly where a byte-by-byte encoder puts
    /// them: every special byte at every position of a long value, in and around 8-byte words.
    @Test(arguments: [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00, 0x0A, 0x1F, 0x7F, 0xC3])
    func escapesAtEveryPositionOfALongValueMatchJSONSerialization(_ special: UInt8) throws {
        for position in 0..<40 {
            var value = Array(repeating: UInt8(ascii: "x"), count: 40)
            value[position] = special
            if special == 0xC3 { value.insert(0xA9, at: position + 1) }  // é, so the bytes stay UTF-8
            var writer = JSONLineWriter()
            writer.append(KafkaRecord(topic: "t", partition: 0, offset: 0, key: nil, value: value, headers: [], timestampMilliseconds: 1))
            let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
            #expect(parsed?["value"] as? String == String(decoding: value, as: UTF8.self), "byte \(special) at \(position)")
        }
    }

    @Test func aLongValueThatIsNotUTF8IsBase64EvenWhenItStartsAsText() throws {
        let value = Array("plain ascii text, then a stray byte: ".utf8) + [0xFF]
        var writer = JSONLineWriter()
        writer.append(KafkaRecord(topic: "t", partition: 0, offset: 0, key: nil, value: value, headers: [], timestampMilliseconds: nil))
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect((parsed?["value"] as? [String: String])?["base64"] == Data(value).base64EncodedString())
    }
}
