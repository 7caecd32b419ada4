import Foundation
import RoostCore
import RoostStore
import RoostTwitter

/// `twitter_ingest`: fetches one source (a search query, users' timelines, or a folder of saved
/// API responses) for the run's data interval and produces every tweet, joined with its author, to
/// a Kafka topic keyed by tweet id. The checkpoint moves only after Kafka acknowledged every tweet
/// (see `TwitterIngestion`); docs/twitter.md has the params.
public struct TwitterIngestTask: TaskType {
    /// What a run needs from the process: built by the CLI from config.
    public struct Resources: Sendable {
        /// Nil when no bearer token is configured: then only replay sources can run.
        public var client: XAPIClient?
        public var checkpoints: TwitterCheckpointStore
        public var sink: any TweetSink
        public var clock: XClock

        public init(client: XAPIClient?, checkpoints: TwitterCheckpointStore, sink: any TweetSink, clock: XClock = .system) {
            self.client = client
            self.checkpoints = checkpoints
            self.sink = sink
            self.clock = clock
        }
    }

    let resources: Resources

    public init(resources: Resources) { self.resources = resources }

    public var name: String { "twitter_ingest" }

    public func validate(params: JSONValue) throws { _ = try TwitterIngestParams(params) }

    public func run(_ context: TaskContext) async throws {
        let params = try TwitterIngestParams(context.params)
        try await TwitterIngestion(params: params, resources: resources, context: context).run()
    }
}

struct TwitterIngestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
