import Foundation
import RoostCore

/// How one try of a task type ended, before the worker turns it into a `TaskResult`.
enum TryEnd: Sendable {
    case returned
    case threw(String)
    case timedOut(Duration)
    /// The worker cancelled it: shutdown, or its lease was taken back.
    case cancelled
}

/// Runs one try, enforcing the task's execution timeout by cancelling it.
enum TryExecutor {
    static func run(_ type: any TaskType, _ context: TaskContext, timeout: Duration?) async -> TryEnd {
        await withTaskGroup(of: TryEnd?.self) { group in
            group.addTask {
                do {
                    try await type.run(context)
                    return Task.isCancelled ? .cancelled : .returned
                } catch {
                    return Task.isCancelled || error is CancellationError ? .cancelled : .threw("\(error)")
                }
            }
            if let timeout {
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return Task.isCancelled ? nil : .timedOut(timeout)
                }
            }
            var end: TryEnd = .cancelled
            for await result in group {
                guard let result else { continue }
                end = result
                break
            }
            group.cancelAll()
            return end
        }
    }
}
