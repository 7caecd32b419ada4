import Foundation
import RoostCore

/// A task instance a worker has claimed, with everything needed to run it. `attemptID` is the
/// fencing token: every later write about this try must present it.
public struct ClaimedTask: Sendable, Hashable {
    public let instanceID: Int64
    public let attemptID: Int64
    public let dagID: String
    public let runID: String
    public let taskID: String
    public let taskType: String
    public let params: JSONValue
    public let conf: JSONValue
    public let logicalDate: Date
    public let dataInterval: DataInterval
    public let tryNumber: Int
    public let maxTries: Int
    public let executionTimeout: Duration?
    /// When the task became claimable; the claim's start minus this is the queue wait.
    public let queuedAt: Date?
    public let startedAt: Date
}

/// A worker's identity as recorded on attempts and leases.
public struct WorkerIdentity: Sendable, Hashable {
    public let workerID: Int64
    public let hostname: String
    public let pid: Int32

    public init(workerID: Int64, hostname: String, pid: Int32) {
        self.workerID = workerID
        self.hostname = hostname
        self.pid = pid
    }
}

/// How a try ended, as the worker reports it; each case is one state-machine event.
public enum TaskResult: Sendable, Hashable {
    case success(metrics: JSONValue)
    case failure(FailureReason, error: String, metrics: JSONValue)
    /// Not finished at shutdown: back to the queue without consuming the try. The metrics so far
    /// stay on the attempt (a long-running task's counters).
    case released(metrics: JSONValue)
}
