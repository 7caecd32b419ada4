import Foundation
import Logging
import RoostCore
import RoostStore
import Synchronization

/// Batches successful completions: while one batch is being written, the next accumulates, so
/// a busy worker completes hundreds of tasks per statement and an idle one completes at once.
/// A database error is retried with backoff: a finished try is never forgotten.
/// `backlog` (handed over, not yet written) lets the claim loop bound what is unwritten, and
/// `written` is signalled after every batch.
final class Completer: Sendable {
    private struct Pending {
        let task: ClaimedTask
        let metrics: JSONValue
        let accepted: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var pending: [Pending] = []
        var writing = 0
        var stopping = false
    }

    private let store: TaskQueueStore
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = WakeSignal()
    private let written: WakeSignal

    init(store: TaskQueueStore, written: WakeSignal, logger: Logger) {
        self.store = store
        self.written = written
        self.logger = logger
    }

    /// Completions handed over and not yet written.
    var backlog: Int { state.withLock { $0.pending.count + $0.writing } }

    /// Completes `task`; returns false if the try was no longer this worker's (fenced out).
    /// `whenQueued` runs once the completion is in the batch queue, before it is written.
    func complete(_ task: ClaimedTask, metrics: JSONValue, whenQueued: () -> Void = {}) async -> Bool {
        await withCheckedContinuation { continuation in
            state.withLock { $0.pending.append(Pending(task: task, metrics: metrics, accepted: continuation)) }
            whenQueued()
            wake.signal()
        }
    }

    /// Writes batches until `stop()` and nothing is left.
    func run() async {
        var backoff = Duration.milliseconds(50)
        while true {
            let (batch, stopping) = state.withLock { state in
                let batch = Array(state.pending.prefix(2000))
                state.pending.removeFirst(batch.count)
                state.writing = batch.count
                return (batch, state.stopping)
            }
            if batch.isEmpty {
                if stopping { return }
                await wake.wait(timeout: .seconds(1))
                continue
            }
            do {
                let accepted = try await store.completeSuccesses(batch.map { ($0.task, $0.metrics) })
                state.withLock { $0.writing = 0 }
                written.signal()
                for item in batch { item.accepted.resume(returning: accepted.contains(item.task.attemptID)) }
                backoff = .milliseconds(50)
            } catch {
                logger.error("cannot record completions; retrying", metadata: ["error": "\(error)", "tasks": "\(batch.count)"])
                state.withLock { state in
                    state.pending.insert(contentsOf: batch, at: 0)
                    state.writing = 0
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }
}
