import Foundation
import RoostCore
import Testing

@Suite struct RefinedTweetTests {
    let origin = RefinedTweet.Origin(dagID: "twitter_pipeline", runID: "scheduled__2026-11-30T09:00:00Z", topic: "tweets.raw",
                                     partition: 2, offset: 41)

    /// A Kafka value as `twitter_ingest` produces it (`XJoinedTweet.record`).
    func raw(_ tweet: String, author: String? = #"{"id":"900002","username":"roost_user_2","name":"Two"}"#) -> Data {
        Data((#"{"data":"# + tweet + (author.map { #","includes":{"users":["# + $0 + "]}" } ?? "")
              + #","source":{"type":"replay"}}"#).utf8)
    }

    let fullTweet = #"""
    {"id":"2127326864602038295","text":"truncated…","author_id":"900002","created_at":"2026-11-30T09:00:23.000Z","lang":"en",
     "note_tweet":{"text":"the whole long text #roost @roost_user_2 https://t.co/x"},
     "entities":{"hashtags":[{"start":1,"end":6,"tag":"roost"}],"mentions":[{"username":"roost_user_2"}],
                 "urls":[{"url":"https://t.co/x","expanded_url":"https://example.com/a"}]},
     "public_metrics":{"retweet_count":3,"reply_count":4,"like_count":5,"quote_count":6},
     "referenced_tweets":[{"type":"replied_to","id":"1"},{"type":"quoted","id":"2"}]}
    """#

    @Test func keepsEveryFieldOfTheSchema() throws {
        let tweet = try RefinedTweet(rawValue: raw(fullTweet), origin: origin)
        #expect(tweet.tweetID == "2127326864602038295" && tweet.authorID == "900002" && tweet.screenName == "roost_user_2")
        #expect(tweet.text == "the whole long text #roost @roost_user_2 https://t.co/x")
        #expect(tweet.createdAt == "2026-11-30T09:00:23.000Z" && tweet.lang == "en")
        #expect([tweet.likeCount, tweet.retweetCount, tweet.replyCount, tweet.quoteCount] == [5, 3, 4, 6])
        #expect(tweet.hashtags == ["roost"] && tweet.mentions == ["roost_user_2"] && tweet.urls == ["https://example.com/a"])
        #expect(!tweet.isRetweet && tweet.isReply && tweet.isQuote)
        #expect(tweet.origin == origin)
    }

    @Test func theRecordIsVersionedAndStable() throws {
        let tweet = try RefinedTweet(rawValue: raw(fullTweet), origin: origin)
        var line: [UInt8] = []
        tweet.appendJSONLine(to: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix(#"{"author_id":"900002","created_at":"2026-11-30T09:00:23.000Z","hashtags":["roost"],"#))
        #expect(text.contains(#""schema_version":1,"#))
        #expect(text.contains(#""ingestion":{"dag_id":"twitter_pipeline","offset":41,"partition":2,"run_id":"scheduled__2026-11-30T09:00:00Z","topic":"tweets.raw"}"#))
        // Canonical: the line is its own parse with keys sorted, and one line.
        #expect(line == Array(tweet.json.serialized()) + [UInt8(ascii: "\n")])
        #expect(tweet.json.serialized() == (try RefinedTweet(rawValue: raw(fullTweet), origin: origin)).json.serialized())
    }

    @Test func aMinimalTweetHasDefaults() throws {
        let tweet = try RefinedTweet(rawValue: raw(#"{"id":"1","text":"hi","author_id":"7","created_at":"2026-11-30T09:00:00Z"}"#,
                                                   author: nil), origin: origin)
        #expect(tweet.screenName == nil && tweet.lang == nil && tweet.likeCount == 0 && tweet.hashtags.isEmpty)
        #expect(!tweet.isRetweet && !tweet.isReply && !tweet.isQuote)
    }

    @Test func aRetweetIsMarked() throws {
        let tweet = try RefinedTweet(rawValue: raw(#"{"id":"1","text":"RT","author_id":"7","created_at":"2026-11-30T09:00:00Z","referenced_tweets":[{"type":"retweeted","id":"9"}]}"#),
                                     origin: origin)
        #expect(tweet.isRetweet && tweet.screenName == nil) // the included user is someone else
    }

    @Test(arguments: [
        ("not json", "not JSON: "),
        (#"{"source":{}}"#, "no data object"),
        (#"{"data":{"text":"x","author_id":"7","created_at":"2026-11-30T09:00:00Z"}}"#, "data.id is missing or not a tweet id"),
        (#"{"data":{"id":"1","text":"x","created_at":"2026-11-30T09:00:00Z"}}"#, "data.author_id is missing"),
        (#"{"data":{"id":"1","text":"x","author_id":"7","created_at":"yesterday"}}"#, "data.created_at is missing or not an ISO-8601 time"),
        (#"{"data":{"id":"1","text":"x","author_id":"7","created_at":"2026-11-30T09:00:00.Z"}}"#, "data.created_at is missing or not"),
        (#"{"data":{"id":"1","text":"x","author_id":"7","created_at":"2026-11-30 09:00:00Z"}}"#, "data.created_at is missing or not"),
        (#"{"data":{"id":"1","author_id":"7","created_at":"2026-11-30T09:00:00Z"}}"#, "data.text is missing"),
    ])
    func aBadRecordSaysWhy(value: String, reason: String) {
        #expect {
            _ = try RefinedTweet(rawValue: Data(value.utf8), origin: origin)
        } throws: { error in
            (error as? RefineError)?.reason.hasPrefix(reason) == true
        }
    }
}
