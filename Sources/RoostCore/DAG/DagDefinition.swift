import Foundation

/// A DAG as read from `config/dags/*.yaml`, validated. Its JSON form (sorted keys) is what the
/// scheduler stores and hashes, so history records exactly which version ran.
public struct DagDefinition: Sendable, Hashable, Codable {
    public var dagID: String
    public var description: String
    /// nil: manual runs only.
    public var schedule: Schedule?
    public var startDate: Date
    public var endDate: Date?
    public var catchup: Bool
    public var maxActiveRuns: Int
    public var isPausedUponCreation: Bool
    /// Tasks in file order; `upstream` names refer to `taskID`s of this DAG.
    public var tasks: [TaskDefinition]
    /// The file it came from, for messages.
    public var fileloc: String

    public init(dagID: String, description: String = "", schedule: Schedule?, startDate: Date, endDate: Date? = nil,
                catchup: Bool = false, maxActiveRuns: Int = 16, isPausedUponCreation: Bool = false,
                tasks: [TaskDefinition], fileloc: String = "") {
        self.dagID = dagID
        self.description = description
        self.schedule = schedule
        self.startDate = startDate
        self.endDate = endDate
        self.catchup = catchup
        self.maxActiveRuns = maxActiveRuns
        self.isPausedUponCreation = isPausedUponCreation
        self.tasks = tasks
        self.fileloc = fileloc
    }

    enum CodingKeys: String, CodingKey {
        case dagID = "dag_id", description, schedule, startDate = "start_date", endDate = "end_date", catchup
        case maxActiveRuns = "max_active_runs", isPausedUponCreation = "is_paused_upon_creation", tasks, fileloc
    }

    /// The canonical serialized form: stable across runs for the same definition.
    public func serialized() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// One task of a DAG with its arguments resolved (DAG `default_args` overlaid by the task's own).
public struct TaskDefinition: Sendable, Hashable, Codable {
    public var taskID: String
    public var type: String
    public var upstream: [String]
    public var params: JSONValue
    public var args: TaskArgs

    public init(taskID: String, type: String, upstream: [String] = [], params: JSONValue = .object([:]),
                args: TaskArgs = TaskArgs()) {
        self.taskID = taskID
        self.type = type
        self.upstream = upstream
        self.params = params
        self.args = args
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", type, upstream, params, args
    }
}

/// Airflow's `default_args`, settable per DAG and per task.
public struct TaskArgs: Sendable, Hashable, Codable {
    public var retries: Int
    public var retryDelay: Duration
    public var retryExponentialBackoff: Bool
    public var maxRetryDelay: Duration
    /// nil: no limit.
    public var executionTimeout: Duration?
    public var queue: String
    public var priorityWeight: Int

    public init(retries: Int = 0, retryDelay: Duration = .seconds(300), retryExponentialBackoff: Bool = false,
                maxRetryDelay: Duration = .seconds(86_400), executionTimeout: Duration? = nil,
                queue: String = "default", priorityWeight: Int = 1) {
        self.retries = retries
        self.retryDelay = retryDelay
        self.retryExponentialBackoff = retryExponentialBackoff
        self.maxRetryDelay = maxRetryDelay
        self.executionTimeout = executionTimeout
        self.queue = queue
        self.priorityWeight = priorityWeight
    }

    public var retryPolicy: RetryPolicy {
        RetryPolicy(retries: retries, delay: retryDelay, exponentialBackoff: retryExponentialBackoff, maxDelay: maxRetryDelay)
    }

    enum CodingKeys: String, CodingKey {
        case retries, retryDelay = "retry_delay", retryExponentialBackoff = "retry_exponential_backoff"
        case maxRetryDelay = "max_retry_delay", executionTimeout = "execution_timeout", queue
        case priorityWeight = "priority_weight"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        retries = try c.decode(Int.self, forKey: .retries)
        retryDelay = .milliseconds(try c.decode(Int64.self, forKey: .retryDelay))
        retryExponentialBackoff = try c.decode(Bool.self, forKey: .retryExponentialBackoff)
        maxRetryDelay = .milliseconds(try c.decode(Int64.self, forKey: .maxRetryDelay))
        executionTimeout = try c.decodeIfPresent(Int64.self, forKey: .executionTimeout).map { .milliseconds($0) }
        queue = try c.decode(String.self, forKey: .queue)
        priorityWeight = try c.decode(Int.self, forKey: .priorityWeight)
    }

    /// Durations are stored as milliseconds.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(retries, forKey: .retries)
        try c.encode(retryDelay.milliseconds, forKey: .retryDelay)
        try c.encode(retryExponentialBackoff, forKey: .retryExponentialBackoff)
        try c.encode(maxRetryDelay.milliseconds, forKey: .maxRetryDelay)
        try c.encodeIfPresent(executionTimeout?.milliseconds, forKey: .executionTimeout)
        try c.encode(queue, forKey: .queue)
        try c.encode(priorityWeight, forKey: .priorityWeight)
    }
}
