import Foundation

/// How long to wait before reconnecting to the filtered stream, after X's published guidance:
/// network errors back off linearly (250 ms more each time, up to 16 s), HTTP errors exponentially
/// (from 5 s, doubling, up to 320 s), and 429 exponentially from a minute (or until the rate-limit
/// reset, if later). Every disconnect waits at least one step, so the client never loops tightly.
/// A connection that delivered data resets all three sequences.
public struct XStreamBackoff: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        public var networkStep: Duration
        public var networkMaximum: Duration
        public var httpInitial: Duration
        public var httpMaximum: Duration
        public var rateLimitInitial: Duration
        public var rateLimitMaximum: Duration

        public init(networkStep: Duration = .milliseconds(250), networkMaximum: Duration = .seconds(16),
                    httpInitial: Duration = .seconds(5), httpMaximum: Duration = .seconds(320),
                    rateLimitInitial: Duration = .seconds(60), rateLimitMaximum: Duration = .seconds(960)) {
            self.networkStep = networkStep
            self.networkMaximum = networkMaximum
            self.httpInitial = httpInitial
            self.httpMaximum = httpMaximum
            self.rateLimitInitial = rateLimitInitial
            self.rateLimitMaximum = rateLimitMaximum
        }
    }

    public let policy: Policy
    private var networkFailures = 0
    private var httpFailures = 0
    private var rateLimits = 0

    public init(policy: Policy = Policy()) { self.policy = policy }

    /// The connection delivered a line: the next failure starts each sequence afresh.
    public mutating func delivered() {
        networkFailures = 0
        httpFailures = 0
        rateLimits = 0
    }

    /// A reset, refused or stalled connection, or one the server ended.
    public mutating func networkFailure() -> Duration {
        networkFailures += 1
        return min(policy.networkStep * networkFailures, policy.networkMaximum)
    }

    /// A 5xx (or other retryable status) answer.
    public mutating func httpFailure() -> Duration {
        httpFailures += 1
        return Self.doubling(policy.httpInitial, times: httpFailures - 1, maximum: policy.httpMaximum)
    }

    /// A 429: the exponential wait, or until `reset` when that is later.
    public mutating func rateLimited(reset: Date?, now: Date) -> Duration {
        rateLimits += 1
        let wait = Self.doubling(policy.rateLimitInitial, times: rateLimits - 1, maximum: policy.rateLimitMaximum)
        guard let reset else { return wait }
        return max(wait, .milliseconds(Int64((reset.timeIntervalSince(now) * 1000).rounded(.up))))
    }

    private static func doubling(_ initial: Duration, times: Int, maximum: Duration) -> Duration {
        min(initial * (1 << min(times, 20)), maximum)
    }
}
