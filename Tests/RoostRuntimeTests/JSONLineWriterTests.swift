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
}
