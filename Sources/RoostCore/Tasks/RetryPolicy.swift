/// How long a failed try waits before the next: Airflow's `retry_delay`, doubled per try with
/// `retry_exponential_backoff`, never more than `max_retry_delay`.
public struct RetryPolicy: Sendable, Hashable {
    public var retries: Int
    public var delay: Duration
    public var exponentialBackoff: Bool
    public var maxDelay: Duration

    public init(retries: Int, delay: Duration, exponentialBackoff: Bool, maxDelay: Duration) {
        self.retries = retries
        self.delay = delay
        self.exponentialBackoff = exponentialBackoff
        self.maxDelay = maxDelay
    }

    /// Total tries allowed: the first plus `retries`.
    public var maxTries: Int { retries + 1 }

    /// The wait after try number `tryNumber` (1-based) failed.
    public func delay(afterTry tryNumber: Int) -> Duration {
        guard exponentialBackoff else { return min(delay, maxDelay) }
        let exponent = min(max(tryNumber - 1, 0), 30)
        let ms = Double(delay.milliseconds) * Double(1 << exponent)
        return min(.milliseconds(Int64(min(ms, Double(Int64.max / 2)))), maxDelay)
    }
}
