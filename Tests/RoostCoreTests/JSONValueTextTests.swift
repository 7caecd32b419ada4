import Foundation
import RoostCore
import Testing

@Suite struct JSONValueTextTests {
    @Test func parsesWhatJSONDecoderParsesToTheSameValue() throws {
        let text = #"""
            {"a": [1, -2, 3.5, 1e3, -0.25E-2, 9223372036854775807], "b": {"c": null, "d": true, "e": false},
             "s": "plain", "esc": "q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u2028", "empty": {}, "none": [], "utf8": "héllo 🐦"}
            """#
        let parsed = try JSONValue.parse(Data(text.utf8))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(parsed == decoded, "\(parsed) vs \(decoded)")
        #expect(parsed["esc"] == .string("q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 \u{2028}"))
        #expect(parsed["a"]?.arrayValue?.last == .int(Int64.max))
    }

    @Test func serializesCompactlyWithSortedKeysAndReadsBack() throws {
        let value = JSONValue.object(["z": .array([.int(1), .double(2.5), .null]), "a": .string("line\nquote\" tab\t \u{1}"),
                                      "m": .object(["t": .bool(true)])])
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"a":"line\nquote\" tab\t \u0001","m":{"t":true},"z":[1,2.5,null]}"#)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 0"),
        ("{\"a\": 1,}", "expected a string key at byte 8"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        ("{\"a\" 1}", "expected ':' at byte 5"),
        ("\"tab\there\"", "control character in a string at byte 4"),
        ("\"bad \\x\"", "invalid escape at byte 6"),
        ("01", "leading zero in a number at byte 2"),
        ("tru", "invalid literal at byte 0"),
        ("{} x", "unexpected text after the JSON value at byte 3"),
        (String(repeating: "[", count: 600), "nested deeper than 512 levels at byte 512"),
    ])
    func malformedTextSaysWhatAndWhere(text: String, expected: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Data(text.utf8)) }
        do { _ = try JSONValue.parse(Data(text.utf8)) } catch { #expect("\(error)" == expected) }
    }
}
