/// Exponential backoff with full jitter (as the AWS SDKs do): the wait before retry `n` is drawn
/// uniformly from zero to `min(maximum, initial × 2^(n-1))`, so clients that failed together do
/// not retry together. At most `maxAttempts` tries in all, the first included.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var maxAttempts: Int

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(20), maxAttempts: Int = 5) {
        self.initial = initial
        self.maximum = maximum
        self.maxAttempts = maxAttempts
    }

    /// The upper bound of the wait before retry number `retry` (1-based).
    public func ceiling(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let milliseconds = Double(initial.milliseconds) * Double(1 << exponent)
        return min(.milliseconds(Int64(min(milliseconds, Double(maximum.milliseconds)))), maximum)
    }

    /// A jittered wait before retry number `retry`.
    public func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(beforeRetry: retry).milliseconds
        return .milliseconds(ceiling > 0 ? Int64.random(in: 0...ceiling, using: &generator) : 0)
    }
}
