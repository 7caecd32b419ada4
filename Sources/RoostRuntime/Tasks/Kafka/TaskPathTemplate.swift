import Foundation
import RoostCore
import RoostStore

/// File paths in task params may name the run they belong to, so each run reads or writes its
/// own file: `{dag_id}`, `{run_id}`, `{task_id}` and `{ds}` (the logical date, YYYY-MM-DD, UTC).
enum TaskPathTemplate {
    static func resolve(_ template: String, for task: ClaimedTask) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return template.replacingOccurrences(of: "{dag_id}", with: task.dagID)
            .replacingOccurrences(of: "{run_id}", with: task.runID)
            .replacingOccurrences(of: "{task_id}", with: task.taskID)
            .replacingOccurrences(of: "{ds}", with: formatter.string(from: task.logicalDate))
    }
}
