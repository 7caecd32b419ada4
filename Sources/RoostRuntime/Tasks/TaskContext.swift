import Foundation
import Logging
import RoostCore
import RoostStore
import Synchronization

/// What a running try can see and report: its task and run, a log stored with the attempt, and
/// counters recorded on the attempt row (`task_attempts.metrics`).
public final class TaskContext: Sendable {
    public let task: ClaimedTask
    public let logger: Logger
    private let lines = Mutex<[(stream: String, text: String, at: Date)]>([])
    private let counters = Mutex<[String: JSONValue]>([:])

    public init(task: ClaimedTask, logger: Logger) {
        self.task = task
        var logger = logger
        logger[metadataKey: "task"] = "\(task.dagID)/\(task.runID)/\(task.taskID)#\(task.tryNumber)"
        self.logger = logger
    }

    public var params: JSONValue { task.params }

    /// Adds a line to this try's log (`roost tasks logs`). `stream` is stdout, stderr or roost.
    public func log(_ text: String, stream: String = "roost") {
        lines.withLock { $0.append((stream, text, Date())) }
    }

    /// Adds to a counter on the attempt, e.g. `count("tweets_fetched", 100)`.
    public func count(_ name: String, _ amount: Int64 = 1) {
        counters.withLock { counters in
            counters[name] = .int((counters[name]?.intValue ?? 0) + amount)
        }
    }

    /// Records a value on the attempt, e.g. the checkpoint it reached.
    public func record(_ name: String, _ value: JSONValue) {
        counters.withLock { $0[name] = value }
    }

    var metrics: JSONValue { .object(counters.withLock { $0 }) }

    /// Takes the lines logged since the last call.
    func drainLines() -> [(stream: String, text: String, at: Date)] {
        lines.withLock { lines in
            defer { lines = [] }
            return lines
        }
    }
}
