import Foundation

/// What happens to a task instance. Each event maps to exactly one transition; the stores
/// apply these and use `sources(of:)` in their WHERE clauses, so SQL cannot move a task along an
/// edge this machine does not have.
public enum TaskEvent: Sendable, Hashable {
    /// Every upstream succeeded (or there are none).
    case upstreamsSucceeded
    /// An upstream ended failed or upstream_failed.
    case upstreamFailed
    /// A worker claimed it: a new try starts.
    case claimed
    case succeeded
    /// The try failed: by error, by execution timeout, or because its lease expired.
    case tryFailed(FailureReason)
    /// Graceful shutdown gave it back before it finished: the try does not count.
    case released
    /// `roost tasks clear`: run it again, like Airflow's clear.
    case cleared
}

public enum FailureReason: String, Sendable, Hashable {
    case error = "failed"
    case timedOut = "timed_out"
    case leaseExpired = "lease_expired"
}

/// The outcome of an event on a task instance.
public struct TaskTransition: Sendable, Equatable {
    public var state: TaskState
    /// When it may next be claimed (queued or up_for_retry); nil when not claimable.
    public var nextAttemptAt: Date?
    /// Change to the instance's try count.
    public var tryDelta: Int
}

public struct InvalidTransition: Error, CustomStringConvertible, Equatable {
    public let from: TaskState
    public let event: TaskEvent
    public var description: String { "a \(from.rawValue) task cannot take event \(event)" }
}

/// The task instance state machine: none → scheduled → queued → running → success | failed |
/// up_for_retry | upstream_failed, with retries returning to the queue after their backoff.
public struct TaskLifecycle: Sendable {
    public var state: TaskState
    /// Tries started so far.
    public var tryNumber: Int
    public var policy: RetryPolicy

    public init(state: TaskState, tryNumber: Int, policy: RetryPolicy) {
        self.state = state
        self.tryNumber = tryNumber
        self.policy = policy
    }

    /// States from which `event` is allowed.
    public static func sources(of event: TaskEvent) -> [TaskState] {
        switch event {
        case .upstreamsSucceeded, .upstreamFailed: [.scheduled]
        case .claimed: [.queued, .upForRetry]
        case .succeeded, .tryFailed, .released: [.running]
        case .cleared: [.success, .failed, .upstreamFailed, .upForRetry]
        }
    }

    /// Applies `event` at time `now` and returns the transition, or throws for an edge that does not exist.
    @discardableResult
    public mutating func handle(_ event: TaskEvent, now: Date) throws -> TaskTransition {
        guard Self.sources(of: event).contains(state) else { throw InvalidTransition(from: state, event: event) }
        let transition: TaskTransition
        switch event {
        case .upstreamsSucceeded:
            transition = TaskTransition(state: .queued, nextAttemptAt: now, tryDelta: 0)
        case .upstreamFailed:
            transition = TaskTransition(state: .upstreamFailed, nextAttemptAt: nil, tryDelta: 0)
        case .claimed:
            transition = TaskTransition(state: .running, nextAttemptAt: nil, tryDelta: 1)
        case .succeeded:
            transition = TaskTransition(state: .success, nextAttemptAt: nil, tryDelta: 0)
        case .tryFailed:
            if tryNumber < policy.maxTries {
                let wait = policy.delay(afterTry: tryNumber)
                transition = TaskTransition(state: .upForRetry, nextAttemptAt: now.addingTimeInterval(wait.seconds), tryDelta: 0)
            } else {
                transition = TaskTransition(state: .failed, nextAttemptAt: nil, tryDelta: 0)
            }
        case .released:
            transition = TaskTransition(state: .queued, nextAttemptAt: now, tryDelta: -1)
        case .cleared:
            transition = TaskTransition(state: .scheduled, nextAttemptAt: nil, tryDelta: 0)
        }
        state = transition.state
        tryNumber += transition.tryDelta
        return transition
    }
}
