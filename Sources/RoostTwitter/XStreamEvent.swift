import Foundation
import RoostCore

/// One tweet as the filtered stream delivered it: its id and the line itself (the tweet, its
/// expansions and the rules it matched), to be stored as sent.
public struct XStreamTweet: Sendable {
    public let id: String
    public let line: Data
}

/// What happened on the stream, in order.
public enum XStreamEvent: Sendable {
    case tweet(XStreamTweet)
    /// A keep-alive line: the connection is alive but had nothing to send.
    case heartbeat
    /// A message from X about the stream (an `errors` line, such as an operational disconnect).
    case operationalMessage([XProblem])
    /// The connection ended; the client reconnects after `wait`.
    case disconnected(reason: String, wait: Duration)
}

/// Running totals over every connection of one `stream` call.
public struct XStreamStats: Sendable, Equatable {
    public var connections = 0
    /// Connections after the first.
    public var reconnects: Int { max(connections - 1, 0) }
    public var tweets = 0
    public var heartbeats = 0
    /// Connections given up because nothing, not even a keep-alive, came within the stall timeout.
    public var stalls = 0
    public var operationalMessages = 0
    public var lastTweetAt: Date?

    public init() {}
}
