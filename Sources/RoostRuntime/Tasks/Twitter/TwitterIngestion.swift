import Foundation
import RoostCore
import RoostStore
import RoostTwitter

/// One try of `twitter_ingest`. Per source (a query, one user, a replay folder): read the
/// checkpoint, plan the window, fetch page by page while earlier pages are being delivered (a few
/// at a time), wait for every delivery, and only then move the checkpoint, once, to the newest
/// tweet delivered. A retried try finds the
/// checkpoint inside its interval and asks only for newer tweets, so it never moves it twice.
/// With `parallel_slices` above 1 the window is cut in disjoint time slices fetched concurrently,
/// each the same way with its own checkpoint (`<source> slice k/n`); the source's checkpoint moves
/// when every slice is done. A retry resumes each slice from its own.
struct TwitterIngestion {
    let params: TwitterIngestParams
    let resources: TwitterIngestTask.Resources
    let context: TaskContext

    private var task: ClaimedTask { context.task }
    private var deadline: Date? { task.executionTimeout.map { task.startedAt.addingTimeInterval($0.seconds) } }

    func run() async throws {
        switch params.source {
        case .search(let query, let archive):
            let endpoint: XTweetsEndpoint = archive ? .fullArchiveSearch(query: query) : .recentSearch(query: query)
            try await fetch(endpoint, key: "\(archive ? "archive" : "search"):\(query)",
                            source: ["type": .string(archive ? "full_archive_search" : "recent_search"), "query": .string(query)])
        case .users(let usernames):
            for username in usernames {
                let user: JSONValue
                do {
                    user = try await client().user(username: username, deadline: deadline)
                } catch XAPIError.userNotFound(let username, let problem) {
                    // A partial error like any other (a renamed or suspended account): the other users still run.
                    context.log("user @\(username) not found, skipped: \(problem?.description ?? "no such user")")
                    context.count("partial_errors")
                    continue
                }
                guard let userID = user["id"]?.stringValue else { throw TwitterIngestError("user @\(username) has no id in the API's answer") }
                try await fetch(.userTimeline(userID: userID, exclude: params.exclude), key: "user:\(username.lowercased())",
                                source: ["type": .string("user_timeline"), "username": .string(username), "user_id": .string(userID)])
            }
        case .replay(let folder):
            try await replay(folder)
        }
    }

    private func client() throws -> XAPIClient {
        guard let client = resources.client else {
            throw TwitterIngestError("twitter.bearer_token is not set: set ROOST_TWITTER_BEARER_TOKEN or X_BEARER_TOKEN, "
                                     + "or twitter.bearer_token_file")
        }
        return client
    }

    private func fetch(_ endpoint: XTweetsEndpoint, key: String, source: [String: JSONValue]) async throws {
        let client = try client()
        let checkpointKey = TwitterCheckpointStore.Key(dagID: task.dagID, source: key)
        let now = resources.clock.now()
        let window = XFetchWindow.plan(interval: task.dataInterval, checkpoint: try await resources.checkpoints.newest(checkpointKey),
                                       lookback: params.lookback, now: now)
        if case .recentSearch = endpoint, window.exceedsRecentSearch(now: now) {
            throw TwitterIngestError("the data interval starts \(window.startTime?.formatted(.iso8601) ?? ""), beyond the 7 days "
                                     + "recent search reaches: set params.archive: true to use full-archive search")
        }
        if let notBefore = window.notBefore {
            if let deadline, notBefore > deadline {
                throw TwitterIngestError("the API serves this interval from \(notBefore.formatted(.iso8601)), after the task's timeout")
            }
            context.log("waiting until \(notBefore.formatted(.iso8601)) for the X API to index the interval's last tweets")
            try await resources.clock.sleep(notBefore)
        }
        context.log("\(key): fetching \(window.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: " "))")
        let slices = window.slices(params.parallelSlices, now: resources.clock.now())
        guard slices.count > 1 else {
            _ = try await fetchSlice(endpoint, window: window, checkpointKey: checkpointKey, client: client, source: source)
            return
        }
        let checkpoints = resources.checkpoints
        let newest = try await withThrowingTaskGroup(of: XTweetID?.self) { group in
            for (index, slice) in slices.enumerated() {
                let sliceKey = TwitterCheckpointStore.Key(dagID: task.dagID, source: "\(key) slice \(index + 1)/\(slices.count)")
                group.addTask {
                    let resumed = slice.resuming(from: try await checkpoints.newest(sliceKey))
                    let delivered = try await fetchSlice(endpoint, window: resumed, checkpointKey: sliceKey, client: client, source: source)
                    // What an earlier try delivered counts too: the source's checkpoint covers the whole window.
                    return [delivered, resumed.sinceID].compactMap { $0 }.max()
                }
            }
            return try await group.reduce(nil) { newest, slice in [newest, slice].compactMap { $0 }.max() }
        }
        try await finish(checkpointKey, newest: newest, summary: "\(slices.count) slices done")
    }

    /// Fetches one window to the end, delivering as pages arrive, then moves its checkpoint; returns
    /// the newest tweet delivered.
    private func fetchSlice(_ endpoint: XTweetsEndpoint, window: XFetchWindow, checkpointKey: TwitterCheckpointStore.Key,
                            client: XAPIClient, source: [String: JSONValue]) async throws -> XTweetID? {
        var summary = XAPIClient.Summary()
        let delivered = try await DeliveryPipeline.run(topic: params.topic, sink: resources.sink) { deliveries in
            summary = try await client.fetchTweets(endpoint, window: window, maxResults: params.maxResults, deadline: deadline) { page in
                context.count("pages")
                context.count("bytes_fetched", Int64(page.bytes))
                try await deliveries.add(records(page.body, source: source))
            }
        }
        context.count("rate_limit_waits", Int64(summary.rateLimitWaits))
        context.count("retries", Int64(summary.retries))
        context.count("partial_errors", Int64(summary.partialErrors))
        try await finish(checkpointKey, newest: delivered.newest, summary: "\(delivered.count) tweets in \(summary.pages) pages")
        return delivered.newest
    }

    /// Saved pages: every tweet newer than the checkpoint (a replay has no interval of its own).
    private func replay(_ folder: String) async throws {
        let key = TwitterCheckpointStore.Key(dagID: task.dagID, source: "replay:\(folder)")
        let checkpoint = try await resources.checkpoints.newest(key)
        let files = try TweetReplayFolder(path: folder).files()
        let delivered = try await DeliveryPipeline.run(topic: params.topic, sink: resources.sink) { deliveries in
            for file in files {
                for var page in try XPage.decodeSaved(try Data(contentsOf: URL(fileURLWithPath: file)), what: file) {
                    if let checkpoint { page.data.removeAll { XTweet($0).map { $0.id <= checkpoint } ?? false } }
                    context.count("pages")
                    try await deliveries.add(records(page, source: ["type": .string("replay"), "file": .string(file)]))
                }
            }
        }
        try await finish(key, newest: delivered.newest, summary: "\(delivered.count) tweets from \(files.count) files")
    }

    /// A page's tweets as Kafka records, and the newest of them.
    private func records(_ page: XPage, source: [String: JSONValue]) -> (records: [TweetRecord], newest: XTweetID?) {
        let (tweets, malformed) = page.joinedTweets()
        if malformed > 0 { context.count("malformed_tweets", Int64(malformed)) }
        context.count("tweets_fetched", Int64(tweets.count))
        let origin = JSONValue.object(source.merging(["dag_id": .string(task.dagID), "run_id": .string(task.runID),
                                                      "task_id": .string(task.taskID)]) { $1 })
        let records = tweets.map { joined in
            TweetRecord(key: joined.tweet.id.description, value: joined.record(source: origin), timestamp: joined.tweet.id.createdAt)
        }
        return (records, tweets.map(\.tweet.id).max())
    }

    private func finish(_ key: TwitterCheckpointStore.Key, newest: XTweetID?, summary: String) async throws {
        var line = "\(key.source): \(summary)"
        if let newest {
            guard let checkpoint = try await resources.checkpoints.advance(key, to: newest, attemptID: task.attemptID) else {
                throw TwitterIngestError("this try no longer holds its task: the checkpoint was left as it was")
            }
            context.record("checkpoint.\(key.source)", .string(checkpoint.description))
            line += ", checkpoint \(checkpoint)"
        }
        context.log(line)
    }
}

/// Page deliveries in flight: Kafka acknowledges a batch in tens of milliseconds, so the next pages
/// are fetched meanwhile; at most `limit` are pending, which bounds memory. Every one is awaited
/// before `run` returns, so a checkpoint moved after it covers only acknowledged tweets.
struct DeliveryPipeline {
    let topic: String
    let sink: any TweetSink
    var limit = 8
    /// Tweets handed over, and the newest of them.
    private(set) var count = 0
    private(set) var newest: XTweetID?
    private var pending: [Task<Void, Error>] = []

    /// Runs `produce`, then waits for every delivery. On a failure it waits out what is still in
    /// flight, whatever its outcome, so no delivery outlives its try, and rethrows.
    static func run(topic: String, sink: any TweetSink, _ produce: (inout DeliveryPipeline) async throws -> Void) async throws -> DeliveryPipeline {
        var pipeline = DeliveryPipeline(topic: topic, sink: sink)
        do {
            try await produce(&pipeline)
            while !pipeline.pending.isEmpty { try await pipeline.pending.removeFirst().value }
        } catch {
            for delivery in pipeline.pending { _ = try? await delivery.value }
            throw error
        }
        return pipeline
    }

    mutating func add(_ batch: (records: [TweetRecord], newest: XTweetID?)) async throws {
        guard !batch.records.isEmpty else { return }
        count += batch.records.count
        newest = [newest, batch.newest].compactMap { $0 }.max()
        if pending.count >= limit { try await pending.removeFirst().value }
        let (sink, topic, records) = (sink, topic, batch.records)
        pending.append(Task { try await sink.deliver(records, to: topic) })
    }
}
