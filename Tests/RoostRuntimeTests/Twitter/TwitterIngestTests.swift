import Foundation
import Logging
import RoostCore
import RoostHTTP
import RoostPostgres
@testable import RoostRuntime
import RoostStore
import RoostTestSupport
import RoostTwitter
import Synchronization
import Testing

/// Collects delivered tweets; told to, fails a delivery as a broken Kafka would.
final class RecordingSink: TweetSink {
    let records = Mutex<[TweetRecord]>([])
    /// Deliveries that succeed before every later one fails; nil never fails.
    let failAfter = Mutex<Int?>(nil)
    private let deliveries = Mutex(0)

    func deliver(_ records: [TweetRecord], to topic: String) async throws {
        let number = deliveries.withLock { $0 += 1; return $0 }
        if let limit = failAfter.withLock({ $0 }), number > limit { throw TwitterIngestError("Kafka is down") }
        self.records.withLock { $0 += records }
    }

    func take() -> [TweetRecord] {
        records.withLock { records in
            defer { records = [] }
            return records
        }
    }
}

/// `twitter_ingest` tries run in this process against the fake X API and a test database; the
/// worker-process test below runs the same through `roost worker` into the embedded Kafka.
@Suite struct TwitterIngestTests {
    /// Generated tweets, one a second from `start` (whole minutes, 20 minutes ago).
    static let start = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 - 1200) / 60).rounded(.down) * 60)

    struct Harness {
        let fleet: Fleet
        let server: FakeXAPI
        let sink = RecordingSink()
        let dag: DagDefinition
        let capture = LogCapture()

        init(params: JSONValue = ["query": "roost", "topic": "tweets", "max_results": 10], tweets: Int = 400) async throws {
            fleet = try await Fleet.create()
            server = try await FakeXAPI()
            try await server.scenario(["generate": ["count": tweets, "start_time": TwitterIngestTests.start.formatted(.iso8601), "users": 3]])
            dag = .test("tw", tasks: [TaskDefinition(taskID: "ingest", type: "twitter_ingest", params: params,
                                                     args: TaskArgs(retries: 3, retryDelay: .zero))])
        }

        var task: TwitterIngestTask {
            let client = XAPIClient(configuration: .init(baseURL: server.baseURL, token: XBearerToken(FakeXAPI.token, origin: "test")),
                                    http: HTTPClient(), logger: capture.logger())
            return TwitterIngestTask(resources: .init(client: client, checkpoints: TwitterCheckpointStore(pool: fleet.pool), sink: sink))
        }

        /// Creates a scheduled run for seconds [from, to) after `start` and claims its task.
        func claim(_ from: Int, _ to: Int) async throws -> ClaimedTask {
            let interval = DataInterval(start: TwitterIngestTests.start.addingTimeInterval(Double(from)),
                                        end: TwitterIngestTests.start.addingTimeInterval(Double(to)))
            let hash = try await fleet.dags.sync(dag)
            _ = try #require(try await fleet.runs.create(dag: dag, definitionHash: hash, type: .scheduled, interval: interval))
            let id = try await WorkerStore(pool: fleet.pool).register(hostname: "w", pid: 1, queues: ["default"], concurrency: 1, version: "t")
            return try #require(try await fleet.queue.claim(by: WorkerIdentity(workerID: id, hostname: "w", pid: 1), queues: ["default"],
                                                            limit: 1, lease: .seconds(60)).first)
        }

        /// One try of `claimed`; returns its metrics.
        @discardableResult
        func run(_ claimed: ClaimedTask) async throws -> JSONValue {
            let context = TaskContext(task: claimed, logger: capture.logger())
            try await task.run(context)
            return context.metrics
        }

        func checkpoint() async throws -> XTweetID? {
            try await TwitterCheckpointStore(pool: fleet.pool).newest(.init(dagID: "tw", source: "search:roost"))
        }
    }

    /// Seconds after `start` at which each delivered tweet was created.
    func offsets(_ records: [TweetRecord]) -> [Int] {
        records.map { Int($0.timestamp.timeIntervalSince(Self.start).rounded(.down)) }.sorted()
    }

    @Test func consecutiveScheduledRunsFetchDisjointIntervalsAndMoveTheCheckpoint() async throws {
        let harness = try await Harness()
        let first = try await harness.claim(0, 100)
        let metrics = try await harness.run(first)
        let firstTweets = harness.sink.take()
        #expect(offsets(firstTweets) == Array(0..<100))
        #expect(metrics["tweets_fetched"] == .int(100) && metrics["pages"] == .int(10))
        let newest = try #require(firstTweets.compactMap { XTweetID($0.key) }.max())
        #expect(try await harness.checkpoint() == newest)
        #expect(metrics["checkpoint.search:roost"] == .string(newest.description))
        #expect(try await harness.fleet.queue.completeSuccesses([(first, metrics)]).count == 1)

        try await harness.run(try await harness.claim(100, 200))
        let secondTweets = harness.sink.take()
        #expect(offsets(secondTweets) == Array(100..<200))
        #expect(Set(firstTweets.map(\.key)).isDisjoint(with: secondTweets.map(\.key)))
        let query = try #require(try await harness.server.requests().last?.query)
        #expect(query["start_time"] == Self.start.addingTimeInterval(100).formatted(.iso8601))
        #expect(query["end_time"] == Self.start.addingTimeInterval(200).formatted(.iso8601))
        #expect(query["since_id"] == nil)
    }

    @Test func eachRecordIsTheTweetAndItsAuthorAsTheAPISentThem() async throws {
        let harness = try await Harness()
        try await harness.run(try await harness.claim(0, 30))
        let records = harness.sink.take()
        #expect(records.count == 30)
        for record in records {
            let value = try JSONDecoder().decode(JSONValue.self, from: record.value)
            #expect(value["data"]?["id"] == .string(record.key))
            #expect(value["data"]?["author_id"] == value["includes"]?["users"]?.arrayValue?.first?["id"])
            #expect(value["data"]?["public_metrics"] != nil && value["data"]?["entities"] != nil)
            #expect(value["source"]?["query"] == .string("roost") && value["source"]?["dag_id"] == .string("tw"))
            #expect(XTweetID(record.key)?.createdAt == record.timestamp)
        }
    }

    @Test func aBackfillForAPastIntervalSendsExactlyItsStartAndEndTime() async throws {
        let harness = try await Harness()
        try await harness.run(try await harness.claim(300, 400))
        let checkpoint = try await harness.checkpoint()
        _ = harness.sink.take()
        try await harness.run(try await harness.claim(100, 200))
        #expect(offsets(harness.sink.take()) == Array(100..<200))
        let query = try #require(try await harness.server.requests().last?.query)
        #expect(query["start_time"] == Self.start.addingTimeInterval(100).formatted(.iso8601))
        #expect(query["end_time"] == Self.start.addingTimeInterval(200).formatted(.iso8601))
        #expect(query["since_id"] == nil)
        #expect(try await harness.checkpoint() == checkpoint, "a backfill never moves the checkpoint back")
    }

    @Test func aFailedDeliveryLeavesTheCheckpointAndARetryDoesNotMoveItTwice() async throws {
        let harness = try await Harness()
        let claimed = try await harness.claim(0, 100)
        harness.sink.failAfter.withLock { $0 = 3 }
        await #expect(throws: TwitterIngestError.self) { try await harness.run(claimed) }
        #expect(try await harness.checkpoint() == nil, "three pages were delivered, but not the interval")
        harness.sink.failAfter.withLock { $0 = nil }
        _ = harness.sink.take()

        try await harness.run(claimed)
        #expect(offsets(harness.sink.take()) == Array(0..<100))
        let checkpoint = try #require(try await harness.checkpoint())

        // The try fails after its checkpoint moved (say, the worker dies): the retry asks only for newer tweets.
        let retry = try await harness.run(claimed)
        #expect(harness.sink.take().isEmpty)
        #expect(try await harness.server.requests().last?.query["since_id"] == checkpoint.description)
        #expect(try await harness.checkpoint() == checkpoint)
        #expect(retry["checkpoint.search:roost"] == nil)
    }

    @Test func parallelSlicesFetchTheIntervalOnceAndMoveEveryCheckpoint() async throws {
        let harness = try await Harness(params: ["query": "roost", "topic": "tweets", "max_results": 10, "parallel_slices": 4])
        let metrics = try await harness.run(try await harness.claim(0, 400))
        let records = harness.sink.take()
        #expect(offsets(records) == Array(0..<400))
        #expect(Set(records.map(\.key)).count == 400)
        let newest = try #require(records.compactMap { XTweetID($0.key) }.max())
        #expect(try await harness.checkpoint() == newest)
        #expect(metrics["checkpoint.search:roost"] == .string(newest.description))
        let starts = Set(try await harness.server.requests().compactMap { $0.query["start_time"] })
        #expect(starts == Set([0, 100, 200, 300].map { Self.start.addingTimeInterval($0).formatted(.iso8601) }))
        let store = TwitterCheckpointStore(pool: harness.fleet.pool)
        for slice in 1...4 {
            let checkpoint = try #require(try await store.newest(.init(dagID: "tw", source: "search:roost slice \(slice)/4")))
            #expect(Int(checkpoint.createdAt.timeIntervalSince(Self.start).rounded(.down)) == slice * 100 - 1, "its newest tweet")
        }
    }

    @Test func aRetryResumesEverySliceFromItsOwnCheckpoint() async throws {
        let harness = try await Harness(params: ["query": "roost", "topic": "tweets", "max_results": 10, "parallel_slices": 4])
        let claimed = try await harness.claim(0, 400)
        try await harness.run(claimed)
        let newest = try #require(try await harness.checkpoint())
        _ = harness.sink.take()
        // Killed after every slice was done, before the source's checkpoint moved:
        _ = try await harness.fleet.pool.query("DELETE FROM roost.twitter_checkpoints WHERE source = 'search:roost'")
        let before = try await harness.server.requests().count

        try await harness.run(claimed)
        #expect(harness.sink.take().isEmpty)
        let retry = try await harness.server.requests().dropFirst(before)
        #expect(retry.count == 4 && retry.allSatisfy { $0.query["since_id"] != nil })
        #expect(try await harness.checkpoint() == newest)
    }

    @Test func timelinesOfSeveralUsersEachKeepTheirCheckpoint() async throws {
        let harness = try await Harness(params: ["usernames": ["roost_user_0", "gone_account", "roost_user_1"], "topic": "tweets",
                                                 "exclude": ["replies"], "max_results": 50], tweets: 150)
        let metrics = try await harness.run(try await harness.claim(0, 150))
        let records = harness.sink.take()
        #expect(records.count == 100)
        #expect(metrics["partial_errors"] == .int(1), "an unknown user is skipped, not fatal")
        let store = TwitterCheckpointStore(pool: harness.fleet.pool)
        #expect(try await store.newest(.init(dagID: "tw", source: "user:roost_user_0")) != nil)
        #expect(try await store.newest(.init(dagID: "tw", source: "user:roost_user_1")) != nil)
        #expect(try await harness.server.requests().map(\.path).filter { $0.hasPrefix("/2/users/by/username/") }.count == 3)
    }

    @Test(.enabled(if: SharedTestData.isPresent("twitter"), "no recordings in ../shared/testdata/twitter"))
    func replayReadsSavedPagesAndThenOnlyWhatIsNew() async throws {
        let harness = try await Harness(params: ["replay": .string(Self.recordings), "topic": "tweets"])
        let claimed = try await harness.claim(0, 60)
        try await harness.run(claimed)
        let records = harness.sink.take()
        #expect(records.count > 300, "every tweet of the recordings")
        let key = TwitterCheckpointStore.Key(dagID: "tw", source: "replay:\(Self.recordings)")
        #expect(try await TwitterCheckpointStore(pool: harness.fleet.pool).newest(key) == records.compactMap { XTweetID($0.key) }.max())
        try await harness.run(claimed)
        #expect(harness.sink.take().isEmpty)
    }

    static var recordings: String { SharedTestData.path("twitter") }

    @Test(arguments: [
        (["topic": "t"], "params needs a source: query, usernames or replay"),
        (["query": "a", "usernames": ["b"], "topic": "t"], "params.usernames cannot be combined with params.query: give one source"),
        (["query": "a"], "params.topic must be a string"),
        (["query": "a", "topic": "t", "max_results": 500], "params.max_results must be between 10 and 100 for recent search"),
        (["query": "a", "topic": "t", "archive": true, "max_results": 500], nil),
        (["usernames": ["@jack"], "topic": "t"], "params.usernames: \"@jack\" is not an X username (1-15 letters, digits or _, without @)"),
        (["usernames": ["jack"], "topic": "t", "exclude": ["quotes"]], "params.exclude: quotes is not retweets or replies"),
        (["query": "a", "topic": "t", "exclude": ["replies"]], "params.exclude applies to params.usernames only"),
        (["usernames": ["jack"], "topic": "t", "archive": true], "params.archive applies to params.query only"),
        (["query": "a", "topic": "t", "lookback": "soon"], "params.lookback must be a duration like 30m or 2h"),
        (["query": "a", "topic": "t", "since": "x"], "params.since is not a parameter of this task type (known: archive, exclude, lookback, max_results, parallel_slices, query, replay, topic, usernames)"),
        (["query": "a", "topic": "t", "parallel_slices": 0], "params.parallel_slices must be a whole number from 1 to 16"),
        (["replay": "pages", "topic": "t", "parallel_slices": 4], "params.parallel_slices applies to params.query and params.usernames only"),
        (["usernames": ["jack"], "topic": "t", "parallel_slices": 4], nil),
        (["replay": "s3://bucket/pages/", "topic": "t"], "params.replay: S3 folders are not supported yet; give a local folder of JSON pages"),
    ] as [(JSONValue, String?)])
    func paramsAreValidatedNamingTheField(params: JSONValue, expected: String?) {
        let unused = TwitterIngestTask.Resources(client: nil, checkpoints: TwitterCheckpointStore(pool: PostgresPool(settings: PostgresSettings(conninfo: ""), size: 1)),
                                                 sink: RecordingSink())
        do {
            try TwitterIngestTask(resources: unused).validate(params: params)
            #expect(expected == nil)
        } catch {
            #expect(error is TaskParamError)
            #expect("\(error)" == expected)
        }
    }
}

/// Params written as literals.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(uniqueKeysWithValues: elements)) }
}
