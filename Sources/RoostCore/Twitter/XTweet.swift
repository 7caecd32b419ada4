import Foundation

/// A tweet as the API sent it, with its id read out.
public struct XTweet: Sendable, Hashable {
    public let id: XTweetID
    public let object: XRawObject

    /// Nil when the object has no usable `id` (never the case in a well-formed response).
    public init?(_ object: XRawObject) {
        guard let text = object.id, let id = XTweetID(text) else { return nil }
        self.id = id
        self.object = object
    }

    public var authorID: String? { object.authorID }
    /// The tweet parsed: for tests and the rare reader that needs a field.
    public var raw: JSONValue { object.value }
    public var text: String? { raw["text"]?.stringValue }
}

/// A tweet joined with its author from `includes.users`: what Roost produces to Kafka.
public struct XJoinedTweet: Sendable, Hashable {
    public let tweet: XTweet
    public let author: XRawObject?

    /// The Kafka value: a one-tweet API v2 response, `data` and `includes.users` byte for byte as
    /// the API sent them, so a consumer reads it with the same decoder as a page, plus `source`.
    public func record(source: JSONValue) -> Data {
        var out = Data()
        out.reserveCapacity(tweet.object.json.count + (author?.json.count ?? 0) + 256)
        out.append(contentsOf: #"{"data":"#.utf8)
        out.append(tweet.object.json)
        if let author {
            out.append(contentsOf: #","includes":{"users":["#.utf8)
            out.append(author.json)
            out.append(contentsOf: "]}".utf8)
        }
        out.append(contentsOf: #","source":"#.utf8)
        out.append(source.serialized())
        out.append(contentsOf: "}".utf8)
        return out
    }
}

extension XPage {
    /// Each tweet of `data` with its author; a tweet without an id is skipped and reported.
    public func joinedTweets() -> (tweets: [XJoinedTweet], malformed: Int) {
        var authors: [String: XRawObject] = [:]
        for user in includedUsers {
            if let id = user.id { authors[id] = user }
        }
        var joined: [XJoinedTweet] = []
        joined.reserveCapacity(data.count)
        var malformed = 0
        for object in data {
            guard let tweet = XTweet(object) else { malformed += 1; continue }
            joined.append(XJoinedTweet(tweet: tweet, author: tweet.authorID.flatMap { authors[$0] }))
        }
        return (joined, malformed)
    }
}
