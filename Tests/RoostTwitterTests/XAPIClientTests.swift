import Foundation
import RoostCore
import RoostHTTP
import RoostTestSupport
import RoostTwitter
import Testing

/// The client against the fake X API on loopback.
@Suite struct XAPIClientTests {
    /// 250 generated tweets by 3 users, one a second, ending a minute ago.
    static let firstTweet = Date().addingTimeInterval(-310).formatted(.iso8601)
    static func generated(faults: [[String: Any]] = []) -> [String: Any] {
        ["generate": ["count": 250, "start_time": firstTweet, "users": 3], "faults": faults]
    }
    let search = XTweetsEndpoint.recentSearch(query: "roost")
    let capture = LogCapture()

    func client(_ server: FakeXAPI, token: String = FakeXAPI.token, fastRetries: Bool = true) -> XAPIClient {
        XAPIClient(configuration: .init(baseURL: server.baseURL, token: XBearerToken(token, origin: "twitter.bearer_token from X_BEARER_TOKEN"),
                                        backoff: Backoff(initial: .milliseconds(fastRetries ? 20 : 250), maximum: .seconds(1), maxAttempts: 4)),
                   http: HTTPClient(), logger: capture.logger())
    }

    /// Every tweet of every page, in the order delivered.
    func fetchAll(_ client: XAPIClient, _ endpoint: XTweetsEndpoint, window: XFetchWindow = XFetchWindow(), maxResults: Int = 100,
                  deadline: Date? = nil) async throws -> (tweets: [XJoinedTweet], summary: XAPIClient.Summary) {
        var tweets: [XJoinedTweet] = []
        let summary = try await client.fetchTweets(endpoint, window: window, maxResults: maxResults, deadline: deadline) { page in
            tweets += page.body.joinedTweets().tweets
        }
        return (tweets, summary)
    }

    @Test func fetchesAllPagesInOrderWithTheirAuthors() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated())
        let (tweets, summary) = try await fetchAll(client(server), search)
        #expect(tweets.count == 250)
        #expect(tweets.map(\.tweet.id) == tweets.map(\.tweet.id).sorted(by: >), "newest first, across pages")
        #expect(tweets.allSatisfy { $0.author?.value["id"] == $0.tweet.raw["author_id"] && $0.author?.value["public_metrics"] != nil })
        #expect(tweets.allSatisfy { $0.tweet.raw["created_at"] != nil && $0.tweet.raw["entities"] != nil })
        #expect(summary == XAPIClient.Summary(pages: 3, rateLimitWaits: 0, retries: 0, partialErrors: 0))
        let requests = try await server.requests()
        #expect(requests.map(\.auth) == ["ok", "ok", "ok"])
        #expect(requests[0].query["next_token"] == nil)
        #expect(requests[1].query["next_token"] != nil)
        #expect(requests[0].query["expansions"] == "author_id")
        #expect(requests[0].query["max_results"] == "100")
    }

    @Test func aWindowBecomesStartTimeEndTimeAndSinceID() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated())
        let start = try Date(Self.firstTweet, strategy: .iso8601)
        let window = XFetchWindow(startTime: start.addingTimeInterval(10), endTime: start.addingTimeInterval(40))
        let (tweets, _) = try await fetchAll(client(server), search, window: window)
        #expect(tweets.count == 30, "start inclusive, end exclusive")
        let query = try await server.requests()[0].query
        #expect(query["start_time"] == start.addingTimeInterval(10).formatted(.iso8601))
        #expect(query["end_time"] == start.addingTimeInterval(40).formatted(.iso8601))
        let newer = try await fetchAll(client(server), search, window: XFetchWindow(sinceID: tweets[5].tweet.id))
        let expected = 250 - 40 + 5  // after the window's 6th newest tweet: its 5 newer ones and the 210 after the window
        #expect(newer.tweets.count == expected)
    }

    @Test func a429IsWaitedOutAndResumedWithoutDuplicatesOrGaps() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["path": "/2/tweets/search/recent", "after": 1, "status": 429, "reset_in": 1]]))
        let (tweets, summary) = try await fetchAll(client(server), search)
        #expect(tweets.count == 250)
        #expect(Set(tweets.map(\.tweet.id)).count == 250)
        #expect(summary.rateLimitWaits == 1)
        // Had the client asked again before the reset, the server would have answered 429 again.
        #expect(try await server.requests().map(\.status) == [200, 429, 200, 200])
    }

    @Test func aRateLimitResettingAfterTheDeadlineFailsAtOnce() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["status": 429, "reset_in": 600]]))
        let error = await #expect(throws: XAPIError.self) {
            try await fetchAll(client(server), search, deadline: Date().addingTimeInterval(30))
        }
        #expect(error?.description.contains("GET /2/tweets/search/recent page 1: rate limited until") == true)
        #expect(error?.description.contains("after the task's timeout") == true)
    }

    @Test func serverErrorsAreRetried() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["after": 1, "status": 503, "times": 2]]))
        let (tweets, summary) = try await fetchAll(client(server), search)
        #expect(tweets.count == 250)
        #expect(summary.retries == 2)
        #expect(try await server.requests().map(\.status) == [200, 503, 503, 200, 200])
    }

    @Test func serverErrorsThatPersistGiveUpNamingThePage() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["after": 1, "status": 503, "times": 100]]))
        let error = await #expect(throws: XAPIError.self) { try await fetchAll(client(server), search) }
        #expect(error?.description == "GET /2/tweets/search/recent page 2: gave up after 4 attempts; last error: HTTP 503")
    }

    @Test func aRejectedTokenFailsAtOnceSayingWhichWithoutShowingIt() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated())
        let wrong = "wrong-token-do-not-print-9f8e7d"
        let error = await #expect(throws: XAPIError.self) { try await fetchAll(client(server, token: wrong), search) }
        let message = try #require(error?.description)
        #expect(message.hasPrefix("GET /2/tweets/search/recent: HTTP 401, the X API rejected the bearer token (twitter.bearer_token from X_BEARER_TOKEN)"))
        #expect(!message.contains(wrong))
        #expect(!capture.text.contains(wrong))
        let token = XBearerToken(wrong, origin: "x")
        #expect(!"\(token)".contains(wrong))
        #expect(!String(reflecting: token).contains(wrong))
        #expect(try await server.requests().map(\.auth) == ["wrong"], "no retry")
    }

    @Test func aForbiddenEndpointSaysTheAppLacksAccess() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["status": 403]]))
        let error = await #expect(throws: XAPIError.self) { try await fetchAll(client(server), .fullArchiveSearch(query: "roost")) }
        #expect(error?.description.hasPrefix("GET /2/tweets/search/all: HTTP 403, the bearer token (twitter.bearer_token from X_BEARER_TOKEN) is valid but its app may not use this endpoint (Client Forbidden:") == true)
    }

    @Test func partialErrorsAreLoggedAndCountedNotFatal() async throws {
        let server = try await FakeXAPI()
        let problem: [String: Any] = ["title": "Not Found Error", "detail": "Could not find tweet with referenced_tweets.id: [1].",
                                      "type": "https://api.twitter.com/2/problems/resource-not-found"]
        try await server.scenario(Self.generated(faults: [["after": 2, "errors": [problem]]]))
        let (tweets, summary) = try await fetchAll(client(server), search)
        #expect(tweets.count == 250)
        #expect(summary.partialErrors == 1)
        #expect(capture.text.contains("X API partial error") && capture.text.contains("Could not find tweet with referenced_tweets.id"))
    }

    @Test func malformedJSONNamesTheEndpointAndPage() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(Self.generated(faults: [["after": 1, "malformed": true]]))
        let error = await #expect(throws: XAPIError.self) { try await fetchAll(client(server), search) }
        #expect(error?.description.hasPrefix("malformed JSON from GET /2/tweets/search/recent page 2 (") == true)
    }

    @Test(.enabled(if: SharedTestData.isPresent("twitter"), "no recordings in ../shared/testdata/twitter"))
    func looksUpUsersAndWalksTheirTimelines() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["recordings": true])
        let api = client(server)
        let user = try await api.user(username: "Twitter", deadline: nil)
        #expect(user["id"] == .string("783214"))
        let (tweets, summary) = try await fetchAll(api, .userTimeline(userID: "783214", exclude: ["retweets", "replies"]), maxResults: 5)
        #expect(tweets.map(\.tweet.id.description) == ["1577730467436138524", "1565318587736285184"], "the recorded timeline")
        #expect(tweets.allSatisfy { $0.author?.value["username"] == .string("Twitter") })
        #expect(summary.pages == 1)
        #expect(try await server.requests().last?.query["exclude"] == "retweets,replies")
        let missing = await #expect(throws: XAPIError.self) { try await api.user(username: "nosuchuser", deadline: nil) }
        #expect(missing?.description == "user @nosuchuser not found (Not Found Error: Could not find user with username: [nosuchuser].)")
    }

    @Test(.enabled(if: SharedTestData.isPresent("twitter"), "no recordings in ../shared/testdata/twitter"))
    func recordedSearchResultsArriveWithEveryRecordedField() async throws {
        let server = try await FakeXAPI()
        try await server.scenario(["recordings": true])
        let (tweets, _) = try await fetchAll(client(server), search, maxResults: 10)
        #expect(tweets.isEmpty)
        let recorded = try await fetchAll(client(server), .recentSearch(query: "Tweepy"), maxResults: 10)
        #expect(recorded.tweets.count >= 11, "the recorded search and full-archive pages")
        #expect(recorded.tweets.allSatisfy { $0.tweet.raw["edit_history_tweet_ids"] != nil && $0.tweet.text != nil })
    }
}
