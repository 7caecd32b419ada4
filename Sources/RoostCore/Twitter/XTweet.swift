import Foundation

/// A tweet as the API sent it, with the few fields Roost needs read out.
public struct XTweet: Sendable, Hashable {
    public let id: XTweetID
    public let authorID: String?
    /// The JSON object the API returned, untouched.
    public let raw: JSONValue

    /// Nil when the object has no usable `id` (never the case in a well-formed response).
    public init?(raw: JSONValue) {
        guard let text = raw["id"]?.stringValue, let id = XTweetID(text) else { return nil }
        self.id = id
        self.authorID = raw["author_id"]?.stringValue
        self.raw = raw
    }

    public var text: String? { raw["text"]?.stringValue }
}

/// A tweet joined with its author from `includes.users`: what Roost produces to Kafka.
public struct XJoinedTweet: Sendable, Hashable {
    public let tweet: XTweet
    public let author: JSONValue?

    /// The Kafka value: a one-tweet API v2 response (`data` and `includes.users` exactly as the API
    /// sent them), so a consumer reads it with the same decoder as a page, plus where it came from.
    public func record(source: JSONValue) -> JSONValue {
        var value: [String: JSONValue] = ["data": tweet.raw, "source": source]
        if let author { value["includes"] = .object(["users": .array([author])]) }
        return .object(value)
    }
}

extension XPage {
    /// Each tweet of `data` with its author; a tweet without an id is skipped and reported.
    public func joinedTweets() -> (tweets: [XJoinedTweet], malformed: Int) {
        var authors: [String: JSONValue] = [:]
        for user in includedUsers {
            if let id = user["id"]?.stringValue { authors[id] = user }
        }
        var joined: [XJoinedTweet] = []
        joined.reserveCapacity(data.count)
        var malformed = 0
        for item in data {
            guard let tweet = XTweet(raw: item) else { malformed += 1; continue }
            joined.append(XJoinedTweet(tweet: tweet, author: tweet.authorID.flatMap { authors[$0] }))
        }
        return (joined, malformed)
    }
}
