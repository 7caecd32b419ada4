/// A task instance's state, as stored in `task_instances.state`.
public enum TaskState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created with its run; waiting for its upstream tasks.
    case scheduled
    /// Ready to be claimed by a worker of its queue.
    case queued
    /// Claimed, leased by a worker, its current attempt running.
    case running
    case success
    case failed
    /// A try failed and another remains: claimable again once `next_attempt_at` passes.
    case upForRetry = "up_for_retry"
    /// An upstream task failed, so this one never runs.
    case upstreamFailed = "upstream_failed"

    public var isFinal: Bool { self == .success || self == .failed || self == .upstreamFailed }
}

/// A DAG run's state, as stored in `dag_runs.state`.
public enum DagRunState: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, running, success, failed

    public var isFinal: Bool { self == .success || self == .failed }

    /// The run's state given its tasks': success when all succeeded, failed when all are final and
    /// any is not a success, running otherwise.
    public static func resolve(_ tasks: [TaskState]) -> DagRunState {
        guard tasks.allSatisfy(\.isFinal) else {
            return tasks.contains { $0 != .scheduled && $0 != .queued } ? .running : .queued
        }
        return tasks.allSatisfy { $0 == .success } ? .success : .failed
    }
}
