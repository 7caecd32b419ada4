import Foundation
import RoostCore
import Testing

@Suite struct XPageTests {
    /// The recorded API v2 responses in ../shared/testdata/twitter (tweepy's cassettes).
    static let recordings: [(file: String, path: String, body: JSONValue)] = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/testdata/twitter")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.sorted().filter { $0.hasSuffix(".json") }.flatMap { file -> [(String, String, JSONValue)] in
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)),
                  let list = try? JSONDecoder().decode([JSONValue].self, from: data) else { return [] }
            return list.compactMap { entry in
                guard let path = entry["path"]?.stringValue, let body = entry["body"] else { return nil }
                return (file, path, body)
            }
        }
    }()

    @Test(.enabled(if: !recordings.isEmpty, "no recordings in ../shared/testdata/twitter"))
    func everyRecordedTweetAndUserSurvivesDecodingAndJoining() throws {
        for recording in Self.recordings {
            let body = try JSONEncoder().encode(recording.body)
            let page = try XPage.decode(body, what: recording.path)
            let sent = recording.body["data"].map { $0.arrayValue ?? [$0] } ?? []
            #expect(page.data.map(\.value) == sent, "\(recording.file)")
            #expect(page.meta.resultCount == recording.body["meta"]?["result_count"]?.intValue.map(Int.init), "\(recording.file)")
            #expect(page.meta.nextToken == recording.body["meta"]?["next_token"]?.stringValue, "\(recording.file)")
            guard sent.first?["text"] != nil else { continue }  // user lookups
            let (joined, malformed) = page.joinedTweets()
            #expect(malformed == 0)
            let records = try joined.map { try JSONValue.parse($0.record(source: .null)) }
            #expect(records.map { $0["data"] } == sent, "every tweet, every field, in order: \(recording.file)")
        }
    }

    @Test func tweetsJoinTheirAuthorsFromIncludes() throws {
        let body = """
            {"data":[{"id":"1578516068309794817","text":"hello","author_id":"12","lang":"en",
                      "public_metrics":{"like_count":3},"entities":{"hashtags":[{"start":0,"end":2,"tag":"x"}]}},
                     {"id":"1578515564971970560","text":"orphan","author_id":"99"}],
             "includes":{"users":[{"id":"12","name":"A","username":"a","verified":false}]},
             "meta":{"result_count":2,"newest_id":"1578516068309794817","oldest_id":"1578515564971970560","next_token":"t2"},
             "errors":[{"value":"x","detail":"Could not find user with username: [x].","title":"Not Found Error"}]}
            """
        let page = try XPage.decode(Data(body.utf8), what: "GET /2/tweets/search/recent page 1")
        let (joined, _) = page.joinedTweets()
        #expect(joined.count == 2)
        #expect(joined[0].author?.value["username"] == .string("a"))
        #expect(joined[0].tweet.raw["public_metrics"]?["like_count"] == .int(3))
        #expect(joined[1].author == nil)
        let bytes = joined[0].record(source: .object(["query": .string("hello")]))
        let record = try JSONValue.parse(bytes)
        #expect(record["includes"]?["users"]?.arrayValue?.first?["verified"] == .bool(false))
        #expect(record["data"] == page.data[0].value)
        #expect(record["source"] == .object(["query": .string("hello")]))
        let sentText = String(decoding: Data(body.utf8), as: UTF8.self)
        let tweetText = String(decoding: page.data[0].json, as: UTF8.self)
        #expect(sentText.contains(tweetText) && String(decoding: bytes, as: UTF8.self).contains(tweetText), "byte for byte as sent")
        #expect(page.meta == XPageMeta(resultCount: 2, newestID: "1578516068309794817", oldestID: "1578515564971970560", nextToken: "t2"))
        #expect(page.errors.map(\.description) == ["Not Found Error: Could not find user with username: [x]."])
    }

    @Test func malformedJSONNamesTheEndpointAndPage() {
        let error = #expect(throws: XDecodeError.self) {
            try XPage.decode(Data(##"{"data": [{"id": "1", "text": "#"##.utf8), what: "GET /2/tweets/search/recent page 3")
        }
        #expect(error?.description.hasPrefix("malformed JSON from GET /2/tweets/search/recent page 3 (") == true)
        let shape = #expect(throws: XDecodeError.self) { try XPage.decode(Data(#"{"meta": {"result_count": "ten"}}"#.utf8), what: "p") }
        #expect(shape?.description == "malformed JSON from p (33 bytes): meta.result_count is not a whole number")
        let truncated = #expect(throws: XDecodeError.self) { try XPage.decode(Data(#"{"data": [{"id": "1"}], "meta": {"#.utf8), what: "p") }
        #expect(truncated?.description == "malformed JSON from p (33 bytes): expected a string key at byte 33")
    }

    @Test func tweetIDsOrderAsNumbersAndCarryTheirTime() throws {
        let older = try #require(XTweetID("999999999999999999"))
        let newer = try #require(XTweetID("1578516068309794817"))
        #expect(older < newer)
        #expect(newer.createdAt.formatted(.iso8601) == "2022-10-07T22:42:12Z")
        #expect(XTweetID("abc") == nil)
        #expect(XTweetID("-5") == nil)
    }

    @Test func rateLimitHeadersAreReadCaseInsensitively() {
        let limit = XRateLimit(headers: ["X-Rate-Limit-Limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1665183229"])
        #expect(limit == XRateLimit(limit: 450, remaining: 0, reset: Date(timeIntervalSince1970: 1_665_183_229)))
        #expect(XRateLimit(headers: ["x-rate-limit-limit": "450"]) == nil)
    }
}
