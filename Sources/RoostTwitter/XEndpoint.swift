import Foundation

/// A paginated X API v2 endpoint that returns tweets.
public enum XTweetsEndpoint: Sendable, Equatable {
    /// `GET /2/tweets/search/recent`: the last 7 days.
    case recentSearch(query: String)
    /// `GET /2/tweets/search/all`: the whole archive, for accounts with access.
    case fullArchiveSearch(query: String)
    /// `GET /2/users/:id/tweets`: up to the 3,200 newest tweets of one user.
    case userTimeline(userID: String, exclude: [String])

    public var path: String {
        switch self {
        case .recentSearch: "/2/tweets/search/recent"
        case .fullArchiveSearch: "/2/tweets/search/all"
        case .userTimeline(let userID, _): "/2/users/\(userID)/tweets"
        }
    }

    /// Search pages on with `next_token`, timelines with `pagination_token`.
    var pageTokenParameter: String {
        if case .userTimeline = self { "pagination_token" } else { "next_token" }
    }

    /// The largest `max_results` the endpoint takes, and the smallest.
    public var maxResultsRange: ClosedRange<Int> {
        switch self {
        case .recentSearch: 10...100
        case .fullArchiveSearch: 10...500
        case .userTimeline: 5...100
        }
    }

    var fixedQueryItems: [(String, String)] {
        switch self {
        case .recentSearch(let query), .fullArchiveSearch(let query): [("query", query)]
        case .userTimeline(_, let exclude): exclude.isEmpty ? [] : [("exclude", exclude.joined(separator: ","))]
        }
    }
}

/// Which fields to ask for. The defaults are every tweet and user field a search can return with
/// app-only auth, so what Roost stores is as complete as the API allows.
public struct XFieldSelection: Sendable, Equatable {
    public var tweetFields: [String]
    public var userFields: [String]

    public init(tweetFields: [String] = Self.defaultTweetFields, userFields: [String] = Self.defaultUserFields) {
        self.tweetFields = tweetFields
        self.userFields = userFields
    }

    public static let defaultTweetFields = [
        "attachments", "author_id", "context_annotations", "conversation_id", "created_at", "edit_controls",
        "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang", "possibly_sensitive",
        "public_metrics", "referenced_tweets", "reply_settings", "source", "text", "withheld",
    ]
    public static let defaultUserFields = [
        "created_at", "description", "entities", "id", "location", "name", "pinned_tweet_id", "profile_image_url",
        "protected", "public_metrics", "url", "username", "verified", "verified_type", "withheld",
    ]

    var queryItems: [(String, String)] {
        [("tweet.fields", tweetFields.joined(separator: ",")), ("user.fields", userFields.joined(separator: ",")),
         ("expansions", "author_id")]
    }
}
