import Foundation

/// Walks one endpoint's pages to the end, deciding when to wait and for how long. Pure: the client
/// that owns the HTTP calls feeds it what happened and executes the action it returns.
///
/// Invariants: a page is requested again only with the token it failed with, so a wait (rate
/// limit, retry) resumes exactly where it stopped, without duplicates or gaps; no wait ends after
/// the deadline (the task's execution timeout): the fetch fails at once instead, saying why.
public struct XPaginationMachine: Sendable {
    public enum Action: Sendable, Equatable {
        case fetch(token: String?)
        case wait(until: Date, reason: WaitReason)
        case finished
        case fail(Failure)
    }

    public enum WaitReason: Sendable, Equatable {
        case rateLimit
        /// The `attempt`th retry of a page after a server or network error.
        case retry(attempt: Int)
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case rateLimitBeyondDeadline(reset: Date, deadline: Date)
        case retryBeyondDeadline(attempt: Int, deadline: Date, lastError: String)
        case retriesExhausted(attempts: Int, lastError: String)

        public var description: String {
            switch self {
            case .rateLimitBeyondDeadline(let reset, let deadline):
                "rate limited until \(reset.formatted(.iso8601)), after the task's timeout at \(deadline.formatted(.iso8601))"
            case .retryBeyondDeadline(let attempt, let deadline, let lastError):
                "retry \(attempt) would end after the task's timeout at \(deadline.formatted(.iso8601)); last error: \(lastError)"
            case .retriesExhausted(let attempts, let lastError):
                "gave up after \(attempts) attempts; last error: \(lastError)"
            }
        }
    }

    /// After a reset, the API may still count the old window for a moment.
    public static let resetMargin: Duration = .milliseconds(500)

    public let deadline: Date?
    public let backoff: Backoff
    public private(set) var token: String?
    public private(set) var pages = 0
    public private(set) var rateLimitWaits = 0
    public private(set) var retries = 0
    private var failuresOfThisPage = 0

    public init(deadline: Date?, backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(30), maxAttempts: 6)) {
        self.deadline = deadline
        self.backoff = backoff
    }

    public mutating func start() -> Action { .fetch(token: nil) }

    /// A page arrived. When the window is spent and more pages remain, waits for the reset first
    /// rather than provoking a 429.
    public mutating func pageReceived(nextToken: String?, rateLimit: XRateLimit?, now: Date) -> Action {
        pages += 1
        failuresOfThisPage = 0
        token = nextToken
        guard nextToken != nil else { return .finished }
        if let rateLimit, rateLimit.remaining <= 0, rateLimit.reset > now {
            return waitForReset(rateLimit.reset)
        }
        return .fetch(token: token)
    }

    /// A 429. Without a reset header, waits a whole window's worth of patience: one minute.
    public mutating func rateLimited(reset: Date?, now: Date) -> Action {
        waitForReset(reset ?? now.addingTimeInterval(60))
    }

    /// A 5xx or network error: retried after a jittered backoff, up to `backoff.maxAttempts` tries
    /// of the same page.
    public mutating func transientFailure(_ error: String, now: Date, using generator: inout some RandomNumberGenerator) -> Action {
        failuresOfThisPage += 1
        guard failuresOfThisPage < backoff.maxAttempts else {
            return .fail(.retriesExhausted(attempts: failuresOfThisPage, lastError: error))
        }
        let until = now.addingTimeInterval(backoff.delay(beforeRetry: failuresOfThisPage, using: &generator).seconds)
        if let deadline, until > deadline {
            return .fail(.retryBeyondDeadline(attempt: failuresOfThisPage, deadline: deadline, lastError: error))
        }
        retries += 1
        return .wait(until: until, reason: .retry(attempt: failuresOfThisPage))
    }

    /// A wait ended: ask again for the page it interrupted.
    public func waitEnded() -> Action { .fetch(token: token) }

    private mutating func waitForReset(_ reset: Date) -> Action {
        let until = reset.addingTimeInterval(Self.resetMargin.seconds)
        if let deadline, until > deadline { return .fail(.rateLimitBeyondDeadline(reset: reset, deadline: deadline)) }
        rateLimitWaits += 1
        return .wait(until: until, reason: .rateLimit)
    }
}
