import Foundation
import RoostCore
import RoostStore

/// Follows a run to its end for a person watching (`dags trigger --wait`, `runs wait`): each task
/// state change, and progress lines (tasks done out of all, records moved) when tasks finish or,
/// at most once a second, when records move.
struct RunFollower {
    let runs: RunStore

    /// Returns the run's final state.
    func follow(_ run: RunStore.Run) async throws -> DagRunState {
        var seen: [String: String] = [:]
        var shown: RunStore.Progress?
        var shownAt = ContinuousClock.now
        while true {
            for task in try await runs.taskInstances(of: run) where seen[task.taskID] != task.state {
                seen[task.taskID] = task.state
                print("\(Format.date(Date()))  \(task.taskID): \(task.state)\(task.tryNumber > 1 ? " (try \(task.tryNumber))" : "")")
            }
            let current = try await runs.run(dagID: run.dagID, runID: run.runID)
            let progress = try await runs.progress(of: run)
            let final = current?.state.isFinal == true
            if progress != shown && (final || progress.tasksDone != shown?.tasksDone || ContinuousClock.now - shownAt >= .seconds(1)) {
                print("  " + Self.describe(progress))
                shown = progress
                shownAt = .now
            }
            if let current, final {
                print("run \(run.dagID)/\(run.runID) \(current.state.rawValue) in "
                      + Format.duration(from: current.startedAt ?? current.createdAt, to: current.endedAt))
                return current.state
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// `3/4 tasks done, 300 records moved (100 fetched, 100 consumed, 100 written)`: the kinds
    /// that moved any.
    static func describe(_ p: RunStore.Progress) -> String {
        let kinds = [("fetched", p.fetched), ("consumed", p.consumed), ("produced", p.produced), ("written", p.written)].filter { $0.1 > 0 }
        let total = kinds.reduce(0) { $0 + $1.1 }
        return "\(p.tasksDone)/\(p.tasks) tasks done, \(total) records moved"
            + (kinds.isEmpty ? "" : " (" + kinds.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + ")")
    }
}
