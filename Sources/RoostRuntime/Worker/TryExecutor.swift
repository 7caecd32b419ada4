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
        guard let timeout else { return await run(type, context) }
        return await withTaskGroup(of: TryEnd?.self) { group in
            group.addTask { await run(type, context) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .timedOut(timeout)
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

    /// Without a timeout the try runs in the caller's task: no child task per try.
    private static func run(_ type: any TaskType, _ context: TaskContext) async -> TryEnd {
        do {
            try await type.run(context)
            return Task.isCancelled ? .cancelled : .returned
        } catch {
            return Task.isCancelled || error is CancellationError ? .cancelled : .threw("\(error)")
        }
    }
}
