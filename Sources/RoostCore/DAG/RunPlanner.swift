import Foundation

/// The span of data a run covers. As in Airflow, a run's logical date is its interval's start,
/// and a scheduled run is due once its interval has ended.
public struct DataInterval: Sendable, Hashable {
    public var start: Date
    public var end: Date
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}

/// Decides which scheduled runs are due. Pure: the scheduler supplies what the database knows.
public enum RunPlanner {
    /// Due intervals, oldest first, after `lastLogicalDate` (the newest scheduled run's logical date,
    /// nil if none). With catchup every missed interval since the start date is due; without it,
    /// only the newest complete one. `limit` bounds one tick's work.
    public static func dueIntervals(for dag: DagDefinition, lastLogicalDate: Date?, now: Date, limit: Int = 1000) -> [DataInterval] {
        guard let schedule = dag.schedule else { return [] }
        let anchor = dag.startDate
        var cursor: Date
        if let last = lastLogicalDate {
            guard let next = schedule.next(after: last, anchor: anchor) else { return [] }
            cursor = next
        } else {
            guard let first = schedule.first(atOrAfter: anchor, anchor: anchor) else { return [] }
            cursor = first
        }
        if !dag.catchup, let newest = newestCompleteStart(schedule: schedule, anchor: anchor, now: now), newest > cursor {
            cursor = newest
        }
        var intervals: [DataInterval] = []
        while intervals.count < limit, let end = schedule.next(after: cursor, anchor: anchor), end <= now {
            if let endDate = dag.endDate, cursor > endDate { break }
            intervals.append(DataInterval(start: cursor, end: end))
            cursor = end
        }
        return intervals
    }

    /// The data interval a manual run for `logicalDate` covers: up to the next schedule point, or
    /// an empty interval for unscheduled DAGs.
    public static func manualInterval(for dag: DagDefinition, logicalDate: Date) -> DataInterval {
        guard let schedule = dag.schedule, let end = schedule.next(after: logicalDate, anchor: dag.startDate) else {
            return DataInterval(start: logicalDate, end: logicalDate)
        }
        return DataInterval(start: logicalDate, end: end)
    }

    /// The start of the newest interval that has ended by `now`.
    static func newestCompleteStart(schedule: Schedule, anchor: Date, now: Date) -> Date? {
        switch schedule {
        case .every(let period):
            guard now >= anchor.addingTimeInterval(period.seconds) else { return nil }
            let steps = (now.timeIntervalSince(anchor) / period.seconds).rounded(.down) - 1
            return anchor.addingTimeInterval(steps * period.seconds)
        case .cron(let cron):
            // Walk back from now: the last two schedule points at or before now bound the interval.
            var probe = now.addingTimeInterval(-86_400 * 2)
            var points: [Date] = []
            while let next = cron.next(after: probe), next <= now {
                points.append(next)
                probe = next
                if points.count > 2 { points.removeFirst() }
            }
            if points.count == 2 { return points[0] }
            // Sparse schedules (weekly, monthly): search further back, but only from the anchor.
            probe = anchor.addingTimeInterval(-60)
            points = []
            while let next = cron.next(after: probe), next <= now {
                points.append(next)
                probe = next
                if points.count > 2 { points.removeFirst() }
            }
            return points.count == 2 ? points[0] : nil
        }
    }
}
