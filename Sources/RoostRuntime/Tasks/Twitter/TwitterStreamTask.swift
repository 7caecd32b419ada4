import Foundation
import RoostCore
import RoostStore
import RoostTwitter
import Synchronization

/// `twitter_stream`: runs the X filtered stream until it is stopped, producing each tweet to Kafka
/// keyed by tweet id as it arrives. When `rules` are declared, the stream's rules are reconciled
/// with them first. It holds its lease like any task; on cancellation (SIGTERM's drain, a lost
/// lease) the deliveries in flight are awaited and the try is released for another worker.
/// Counters (tweets received, reconnects, heartbeats missed, time since the last tweet) go to the
/// task log and the running attempt every `progress_interval`, and onto the attempt when the try
/// ends. docs/stream.md.
public struct TwitterStreamTask: TaskType {
    public struct Resources: Sendable {
        /// Nil when no bearer token is configured.
        public var client: XAPIClient?
        public var sink: any TweetSink
        /// Where the counters go while the try runs; nil keeps them until it ends.
        public var attempts: TaskQueueStore?
        public var backoff: XStreamBackoff.Policy

        public init(client: XAPIClient?, sink: any TweetSink, attempts: TaskQueueStore? = nil,
                    backoff: XStreamBackoff.Policy = XStreamBackoff.Policy()) {
            self.client = client
            self.sink = sink
            self.attempts = attempts
            self.backoff = backoff
        }
    }

    /// Deliveries awaited at once: enough to keep Kafka's batches full without unbounded memory.
    static let maxInFlight = 1000

    let resources: Resources

    public init(resources: Resources) { self.resources = resources }

    public var name: String { "twitter_stream" }

    public func validate(params: JSONValue) throws { _ = try TwitterStreamParams(params) }

    public func run(_ context: TaskContext) async throws {
        let params = try TwitterStreamParams(context.params)
        guard let client = resources.client else {
            throw TwitterIngestError("twitter_stream needs twitter.bearer_token (X_BEARER_TOKEN or ROOST_TWITTER_BEARER_TOKEN)")
        }
        if let rules = params.rules {
            let plan = try await client.reconcileStreamRules(rules)
            context.log("stream rules: \(plan.add.count) added, \(plan.delete.count) deleted, \(rules.count - plan.add.count) kept")
        }
        var progress = StreamProgress(context: context, interval: params.progressInterval, attempts: resources.attempts)
        defer { progress.record(final: true) }
        let sink = resources.sink
        // A failed delivery ends the try at the next event, not only when the window fills: on a
        // quiet stream that could be hours later.
        let failure = FirstFailure()
        try await withThrowingTaskGroup(of: Void.self) { deliveries in
            var inFlight = 0
            defer { deliveries.cancelAll() }
            do {
                let options = XAPIClient.StreamOptions(stallTimeout: params.stallTimeout, backoff: resources.backoff,
                                                       backfillMinutes: params.backfillMinutes,
                                                       backfillFirstConnection: context.task.tryNumber > 1)
                try await client.stream(options) { event, stats in
                    await progress.update(stats)
                    if let error = failure.error { throw error }
                    guard case .tweet(let tweet) = event else { return }
                    if inFlight >= Self.maxInFlight {
                        try await deliveries.next()
                        inFlight -= 1
                    }
                    let record = TweetRecord(key: tweet.id, value: tweet.line, timestamp: Date())
                    deliveries.addTask {
                        do {
                            try await sink.deliver([record], to: params.topic)
                        } catch {
                            failure.record(error)
                            throw error
                        }
                    }
                    inFlight += 1
                }
            } catch {
                // Tweets already received still reach Kafka before the try ends.
                while try await deliveries.next() != nil {}
                throw error
            }
        }
    }
}

/// The first error of concurrent deliveries, for the stream loop to see.
private final class FirstFailure: Sendable {
    private let first = Mutex<(any Error)?>(nil)

    var error: (any Error)? { first.withLock { $0 } }
    func record(_ error: any Error) { first.withLock { $0 = $0 ?? error } }
}

/// The stream's counters on the attempt, and in the task log every `interval`.
private struct StreamProgress {
    let context: TaskContext
    let interval: Duration
    let attempts: TaskQueueStore?
    private var stats = XStreamStats()
    private var lastLogged = ContinuousClock.now

    init(context: TaskContext, interval: Duration, attempts: TaskQueueStore?) {
        self.context = context
        self.interval = interval
        self.attempts = attempts
    }

    /// Takes the latest totals; every `interval`, logs them and writes them to the running attempt.
    mutating func update(_ stats: XStreamStats) async {
        self.stats = stats
        guard ContinuousClock.now - lastLogged >= interval else { return }
        record(final: false)
        do {
            _ = try await attempts?.recordProgress(of: context.task, metrics: context.metrics)
        } catch {
            context.logger.warning("could not record the stream's counters", metadata: ["error": "\(error)"])
        }
    }

    mutating func record(final: Bool) {
        lastLogged = .now
        context.record("tweets_received", .int(Int64(stats.tweets)))
        context.record("reconnects", .int(Int64(stats.reconnects)))
        context.record("heartbeats_missed", .int(Int64(stats.stalls)))
        context.record("heartbeats", .int(Int64(stats.heartbeats)))
        context.record("operational_messages", .int(Int64(stats.operationalMessages)))
        let sinceLastTweet = stats.lastTweetAt.map { Date().timeIntervalSince($0) }
        context.record("seconds_since_last_tweet", sinceLastTweet.map { .double(($0 * 10).rounded() / 10) } ?? .null)
        context.log("stream\(final ? " ended" : ""): \(stats.tweets) tweets, \(stats.reconnects) reconnects, "
                    + "\(stats.stalls) stalls, \(stats.heartbeats) keep-alives, last tweet "
                    + (sinceLastTweet.map { String(format: "%.1f s ago", $0) } ?? "never"))
    }
}
