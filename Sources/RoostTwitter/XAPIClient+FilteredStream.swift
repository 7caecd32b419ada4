import Foundation
import Logging
import RoostCore
import RoostHTTP

/// `GET /2/tweets/search/stream`: one long-lived chunked response, a tweet per line, keep-alive
/// lines (about every 20 s) when there is nothing to send. The client reads it as it arrives,
/// reconnects when the connection breaks, ends, or stays silent for `stallTimeout`, and waits
/// between connections as `XStreamBackoff` says. 401, 403 and other 4xx answers end it.
extension XAPIClient {
    public struct StreamOptions: Sendable {
        /// No byte (tweet or keep-alive) for this long means the connection is dead.
        public var stallTimeout: Duration
        public var backoff: XStreamBackoff.Policy
        /// `backfill_minutes` (1-5, Pro and Enterprise access): on reconnects X first re-sends
        /// what it sent in the last N minutes, so tweets missed while disconnected still arrive
        /// (with repeats, which the tweet id lets consumers drop).
        public var backfillMinutes: Int?
        /// Backfill on the first connection too: the stream resumes one that ended elsewhere.
        public var backfillFirstConnection: Bool

        public init(stallTimeout: Duration = .seconds(30), backoff: XStreamBackoff.Policy = XStreamBackoff.Policy(),
                    backfillMinutes: Int? = nil, backfillFirstConnection: Bool = false) {
            self.stallTimeout = stallTimeout
            self.backoff = backoff
            self.backfillMinutes = backfillMinutes
            self.backfillFirstConnection = backfillFirstConnection
        }
    }

    public static let streamPath = "/2/tweets/search/stream"

    /// Streams until the calling task is cancelled (it then throws `CancellationError`) or the API
    /// refuses the request. `onEvent` gets each event with the totals so far, one at a time; a
    /// throw from it ends the stream.
    public func stream(_ options: StreamOptions,
                       onEvent: (XStreamEvent, XStreamStats) async throws -> Void) async throws -> Never {
        var stats = XStreamStats()
        var backoff = XStreamBackoff(policy: options.backoff)
        while true {
            stats.connections += 1
            let end = try await connect(options, stats: &stats, backoff: &backoff, onEvent: onEvent)
            let wait: Duration
            switch end {
            case .ended: wait = backoff.networkFailure()
            case .serverError: wait = backoff.httpFailure()
            case .rateLimited(let reset): wait = backoff.rateLimited(reset: reset, now: clock.now())
            }
            logger.warning("X filtered stream disconnected, reconnecting",
                           metadata: ["reason": "\(end)", "wait": "\(wait)", "connection": "\(stats.connections)"])
            try await onEvent(.disconnected(reason: "\(end)", wait: wait), stats)
            try await Task.sleep(for: wait)
        }
    }

    private enum ConnectionEnd: CustomStringConvertible {
        /// Broken, ended by the server, or stalled.
        case ended(String)
        case serverError(status: Int)
        case rateLimited(reset: Date?)

        var description: String {
            switch self {
            case .ended(let reason): reason
            case .serverError(let status): "HTTP \(status)"
            case .rateLimited(let reset): "HTTP 429, rate limited until \(reset?.formatted(.iso8601) ?? "unknown")"
            }
        }
    }

    /// One connection, read to its end.
    private func connect(_ options: StreamOptions, stats: inout XStreamStats, backoff: inout XStreamBackoff,
                         onEvent: (XStreamEvent, XStreamStats) async throws -> Void) async throws -> ConnectionEnd {
        let connection = XStreamConnection()
        // Timeout zero: libcurl sets no limit on the whole transfer; the stall watchdog guards it.
        var query = configuration.fields.queryItems
        if let minutes = options.backfillMinutes, stats.connections > 1 || options.backfillFirstConnection {
            query.append(("backfill_minutes", String(minutes)))
        }
        var request = authorizedRequest(url: url(Self.streamPath, query), timeout: .zero)
        request.responseSink = { connection.receive($0) }
        let transfer = Task { [http] in
            defer { connection.finish() }
            return try await http.send(request)
        }
        let stallTimeout = options.stallTimeout
        let watchdog = Task {
            while true {
                let idle = connection.idle
                if idle >= stallTimeout {
                    transfer.cancel()
                    return true
                }
                do { try await Task.sleep(for: stallTimeout - idle) } catch { return false }
            }
        }
        defer {
            transfer.cancel()
            watchdog.cancel()
        }
        logger.info("connecting to the X filtered stream", metadata: ["connection": "\(stats.connections)"])
        try await withTaskCancellationHandler {
            for await line in connection.lines {
                backoff.delivered()
                if let event = event(from: line, stats: &stats) { try await onEvent(event, stats) }
            }
        } onCancel: {
            transfer.cancel()
        }
        watchdog.cancel()
        let stalled = await watchdog.value
        try Task.checkCancellation()
        switch await transfer.result {
        case .success(let response):
            switch response.status {
            case 200..<300: return .ended("the server ended the stream")
            case 429: return .rateLimited(reset: XRateLimit(response)?.reset)
            case 500..<600: return .serverError(status: response.status)
            default: throw refusal(response, endpoint: "GET \(Self.streamPath)")
            }
        case .failure where stalled:
            stats.stalls += 1
            return .ended("no tweet or keep-alive for \(stallTimeout)")
        case .failure(let error as HTTPError) where error.isRetryable:
            return .ended(error.description)
        case .failure(let error):
            throw error
        }
    }

    /// What a line of the stream says, with the totals updated; nil for a line that says nothing
    /// usable (logged).
    private func event(from line: Data, stats: inout XStreamStats) -> XStreamEvent? {
        if line.isEmpty {
            stats.heartbeats += 1
            return .heartbeat
        }
        guard let json = try? JSONValue.parse(line) else {
            logger.warning("X filtered stream sent a line that is not JSON", metadata: ["bytes": "\(line.count)"])
            return nil
        }
        if let id = json["data"]?["id"]?.stringValue {
            stats.tweets += 1
            stats.lastTweetAt = clock.now()
            return .tweet(XStreamTweet(id: id, line: line))
        }
        let problems = json["errors"]?.arrayValue?.map(XProblem.init(json:)) ?? []
        stats.operationalMessages += 1
        logger.warning("X filtered stream operational message",
                       metadata: ["errors": "\(problems.map(\.description).joined(separator: "; "))"])
        return .operationalMessage(problems)
    }
}
