import Foundation

/// A tweet as the lake keeps it: one flat, versioned record made from the raw Kafka value
/// (`XJoinedTweet.record`: the API's tweet and author objects). `schema_version` is written into
/// every record; a change that renames or retypes a field bumps it, adding a field does not.
public struct RefinedTweet: Sendable, Hashable {
    public static let schemaVersion: Int64 = 1

    public var tweetID: String
    public var authorID: String
    public var screenName: String?
    public var text: String
    public var createdAt: String
    public var lang: String?
    public var likeCount: Int64
    public var retweetCount: Int64
    public var replyCount: Int64
    public var quoteCount: Int64
    public var hashtags: [String]
    public var mentions: [String]
    public var urls: [String]
    public var isRetweet: Bool
    public var isReply: Bool
    public var isQuote: Bool
    /// Where the raw record was read from and which run read it: the lineage of this record.
    public var origin: Origin

    public struct Origin: Sendable, Hashable {
        public var dagID: String
        public var runID: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64

        public init(dagID: String, runID: String, topic: String, partition: Int32, offset: Int64) {
            self.dagID = dagID
            self.runID = runID
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    /// Refines one raw Kafka value, or says why it cannot be (the reason goes to quarantine).
    public init(rawValue: Data, origin: Origin) throws(RefineError) {
        let document: JSONValue
        do { document = try JSONValue.parse(rawValue) } catch { throw RefineError("not JSON: \(error)") }
        guard let tweet = document["data"], case .object = tweet else { throw RefineError("no data object") }
        let author = document["includes"]?["users"]?.arrayValue?.first
        guard let id = tweet["id"]?.stringValue, XTweetID(id) != nil else { throw RefineError("data.id is missing or not a tweet id") }
        guard let authorID = tweet["author_id"]?.stringValue else { throw RefineError("data.author_id is missing") }
        guard let createdAt = tweet["created_at"]?.stringValue, Self.isUTCTimestamp(createdAt) else {
            throw RefineError("data.created_at is missing or not an ISO-8601 time")
        }
        // Long posts carry their full text in note_tweet; `text` is then truncated.
        guard let text = tweet["note_tweet"]?["text"]?.stringValue ?? tweet["text"]?.stringValue else { throw RefineError("data.text is missing") }
        let metrics = tweet["public_metrics"]
        let entities = tweet["entities"]
        let references = Set((tweet["referenced_tweets"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue })
        tweetID = id
        self.authorID = authorID
        screenName = author?["id"]?.stringValue == authorID ? author?["username"]?.stringValue : nil
        self.text = text
        self.createdAt = createdAt
        lang = tweet["lang"]?.stringValue
        likeCount = metrics?["like_count"]?.intValue ?? 0
        retweetCount = metrics?["retweet_count"]?.intValue ?? 0
        replyCount = metrics?["reply_count"]?.intValue ?? 0
        quoteCount = metrics?["quote_count"]?.intValue ?? 0
        hashtags = Self.strings(entities?["hashtags"], field: "tag")
        mentions = Self.strings(entities?["mentions"], field: "username")
        urls = Self.strings(entities?["urls"], field: "expanded_url")
        isRetweet = references.contains("retweeted")
        isReply = references.contains("replied_to")
        isQuote = references.contains("quoted")
        self.origin = origin
    }

    /// `2026-11-30T09:00:23.000Z` or `2026-11-30T09:00:23Z`, the X API's form: an ISO-8601 time
    /// in UTC (`UTCTime`: a DateFormatter per record was most of the refine time).
    static func isUTCTimestamp(_ text: String) -> Bool {
        text.hasSuffix("Z") && UTCTime.secondsSince1970(iso8601: text) != nil
    }

    private static func strings(_ list: JSONValue?, field: String) -> [String] {
        (list?.arrayValue ?? []).compactMap { $0[field]?.stringValue }
    }

    /// The lake record: one JSON object and a line break, keys sorted, so equal tweets give equal
    /// bytes. Written field by field: building a `JSONValue` and sorting its keys per tweet was
    /// about a quarter of refine's CPU.
    public func appendJSONLine(to out: inout [UInt8]) {
        func key(_ name: String) { out.append(contentsOf: name.utf8) }
        func string(_ value: String?) {
            if let value { JSONValue.writeString(value, to: &out) } else { key("null") }
        }
        func strings(_ values: [String]) {
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        key(#"{"author_id":"#); string(authorID)
        key(#","created_at":"#); string(createdAt)
        key(#","hashtags":"#); strings(hashtags)
        key(#","ingestion":{"dag_id":"#); string(origin.dagID)
        key(#","offset":\#(origin.offset),"partition":\#(origin.partition),"run_id":"#); string(origin.runID)
        key(#","topic":"#); string(origin.topic)
        key(#"},"is_quote":\#(isQuote),"is_reply":\#(isReply),"is_retweet":\#(isRetweet),"lang":"#); string(lang)
        key(#","like_count":\#(likeCount),"mentions":"#); strings(mentions)
        key(#","quote_count":\#(quoteCount),"reply_count":\#(replyCount),"retweet_count":\#(retweetCount)"#)
        key(#","schema_version":\#(Self.schemaVersion),"screen_name":"#); string(screenName)
        key(#","text":"#); string(text)
        key(#","tweet_id":"#); string(tweetID)
        key(#","urls":"#); strings(urls)
        key("}\n")
    }

    /// The lake record as a value (`appendJSONLine`'s bytes, parsed).
    public var json: JSONValue {
        var line: [UInt8] = []
        appendJSONLine(to: &line)
        return try! JSONValue.parse(Data(line))
    }
}

/// Why a raw record could not be refined; it names the field.
public struct RefineError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
