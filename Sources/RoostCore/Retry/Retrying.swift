/// What to do after a failed try.
public enum RetryDecision: Sendable, Equatable {
    case fail
    /// Retry after the backoff's jittered delay.
    case retry
    /// Retry after at least this long (a server's Retry-After or rate-limit reset).
    case retryAfter(Duration)
}

/// Runs `operation` until it succeeds, `decide` says `.fail`, or `backoff.maxAttempts` tries have
/// failed; then rethrows the last error. `operation` receives the 1-based try number. `sleep` is
/// injected so tests need not wait; cancellation during the wait ends the loop.
public func retrying<T>(
    _ backoff: Backoff,
    decide: (any Error) -> RetryDecision,
    onRetry: (_ failedTry: Int, _ error: any Error, _ delay: Duration) -> Void = { _, _, _ in },
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    _ operation: (Int) async throws -> T
) async throws -> T {
    var generator = SystemRandomNumberGenerator()
    var attempt = 1
    while true {
        do {
            return try await operation(attempt)
        } catch {
            let delay: Duration
            switch decide(error) {
            case .fail: throw error
            case .retry: delay = backoff.delay(beforeRetry: attempt, using: &generator)
            case .retryAfter(let wait): delay = max(wait, backoff.delay(beforeRetry: attempt, using: &generator))
            }
            guard attempt < backoff.maxAttempts, !Task.isCancelled else { throw error }
            onRetry(attempt, error, delay)
            try await sleep(delay)
            attempt += 1
        }
    }
}
