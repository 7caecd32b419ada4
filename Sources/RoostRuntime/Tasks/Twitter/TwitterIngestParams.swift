import Foundation
import RoostCore
import RoostTwitter

/// `twitter_ingest` params, checked once: exactly one source, a topic, and options that fit it.
struct TwitterIngestParams: Sendable {
    enum Source: Sendable, Equatable {
        case search(query: String, archive: Bool)
        case users([String])
        /// A local folder of saved API v2 responses.
        case replay(folder: String)
    }

    let source: Source
    let topic: String
    let maxResults: Int
    let exclude: [String]
    let lookback: Duration
    /// Disjoint time slices of the window fetched at once (1: one after another, page by page).
    let parallelSlices: Int

    static let keys: Set<String> = ["query", "usernames", "replay", "topic", "archive", "max_results", "exclude", "lookback",
                                    "parallel_slices"]
    static let maxParallelSlices = 16
    static let exclusions: Set<String> = ["retweets", "replies"]

    init(_ params: JSONValue) throws {
        try params.requireKnownKeys(Self.keys)
        let given = ["query", "usernames", "replay"].filter { params[$0] != nil && params[$0] != .null }
        guard given.count == 1 else {
            throw TaskParamError(given.isEmpty ? "params needs a source: query, usernames or replay"
                                               : "params.\(given[1]) cannot be combined with params.\(given[0]): give one source")
        }
        topic = try params.requiredString("topic")
        if topic.isEmpty { throw TaskParamError("params.topic must not be empty") }
        let archive = try Self.bool(params, "archive") ?? false
        exclude = try Self.strings(params, "exclude") ?? []
        if let bad = exclude.first(where: { !Self.exclusions.contains($0) }) {
            throw TaskParamError("params.exclude: \(bad) is not retweets or replies")
        }
        switch given[0] {
        case "query":
            let query = try params.requiredString("query")
            if query.trimmingCharacters(in: .whitespaces).isEmpty { throw TaskParamError("params.query must not be empty") }
            source = .search(query: query, archive: archive)
        case "usernames":
            guard let names = try Self.strings(params, "usernames"), !names.isEmpty else {
                throw TaskParamError("params.usernames must be a non-empty list of strings")
            }
            if let bad = names.first(where: { $0.wholeMatch(of: /[A-Za-z0-9_]{1,15}/) == nil }) {
                throw TaskParamError("params.usernames: \"\(bad)\" is not an X username (1-15 letters, digits or _, without @)")
            }
            source = .users(names)
        default:
            let folder = try params.requiredString("replay")
            if folder.hasPrefix("s3://") {
                throw TaskParamError("params.replay: S3 folders are not supported yet; give a local folder of JSON pages")
            }
            source = .replay(folder: folder)
        }
        if archive && given[0] != "query" { throw TaskParamError("params.archive applies to params.query only") }
        if !exclude.isEmpty && given[0] != "usernames" { throw TaskParamError("params.exclude applies to params.usernames only") }
        let (range, endpointName) = Self.maxResultsRange(source)
        guard let number = try params.optionalNumber("max_results").map({ Int(exactly: $0) }) ?? 100 else {
            throw TaskParamError("params.max_results must be a whole number")
        }
        guard range.contains(number) else {
            throw TaskParamError("params.max_results must be between \(range.lowerBound) and \(range.upperBound) for \(endpointName)")
        }
        maxResults = number
        if let text = params["lookback"], text != .null {
            guard let value = text.stringValue, let duration = DurationParser.parse(value), duration > .zero else {
                throw TaskParamError("params.lookback must be a duration like 30m or 2h")
            }
            lookback = duration
        } else {
            lookback = .seconds(3600)
        }
        guard let slices = try params.optionalNumber("parallel_slices").map({ Int(exactly: $0) }) ?? 1,
              (1...Self.maxParallelSlices).contains(slices) else {
            throw TaskParamError("params.parallel_slices must be a whole number from 1 to \(Self.maxParallelSlices)")
        }
        if slices > 1, case .replay = source { throw TaskParamError("params.parallel_slices applies to params.query and params.usernames only") }
        parallelSlices = slices
    }

    private static func maxResultsRange(_ source: Source) -> (ClosedRange<Int>, String) {
        switch source {
        case .search(let query, true): (XTweetsEndpoint.fullArchiveSearch(query: query).maxResultsRange, "full-archive search")
        case .search(let query, false): (XTweetsEndpoint.recentSearch(query: query).maxResultsRange, "recent search")
        case .users: (XTweetsEndpoint.userTimeline(userID: "", exclude: []).maxResultsRange, "user timelines")
        case .replay: (1...Int.max, "replay")
        }
    }

    private static func bool(_ params: JSONValue, _ key: String) throws -> Bool? {
        guard let value = params[key], value != .null else { return nil }
        guard let bool = value.boolValue else { throw TaskParamError("params.\(key) must be true or false") }
        return bool
    }

    private static func strings(_ params: JSONValue, _ key: String) throws -> [String]? {
        guard let value = params[key], value != .null else { return nil }
        guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw TaskParamError("params.\(key) must be a list of strings")
        }
        return list.compactMap(\.stringValue)
    }
}
